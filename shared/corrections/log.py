"""The correction log of a service's database, and recording a correction together with its event."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, MetaData, String, Table

from shared.contracts.corrections import CorrectableFact, FactCorrected, FactVoided
from shared.outbox.unit_of_work import Transaction

_ID = BigInteger().with_variant(Integer, "sqlite")


def correction_log_table(metadata: MetaData) -> Table:
    """Who changed which fact, when, how and why: the audit trail behind every FactCorrected/FactVoided."""
    table = Table(
        "correction_log",
        metadata,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("fact_type", String(50), nullable=False),
        Column("fact_id", String(80), nullable=False),
        Column("participant_id", String(36), nullable=False),
        Column("action", String(10), nullable=False, doc="corrected | voided"),
        Column("previous_on", Date, nullable=False),
        Column("new_on", Date, nullable=True, doc="null for a void"),
        Column("by", String(100), nullable=False),
        Column("reason", String(500), nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
    )
    Index("ix_correction_log_fact", table.c.fact_type, table.c.fact_id)
    return table


@dataclass(frozen=True)
class SqlCorrectionLog:
    """The correction lifecycle's log (`shared.corrections.lifecycle.CorrectionLog`) in a transaction."""

    tx: Transaction
    log: Table
    date_field: str  # the field of the fact's event that a correction changes

    async def corrected(
        self, fact: CorrectableFact, *, fact_id: UUID, new_on: date, by: str, reason: str
    ) -> None:
        await record_correction(
            self.tx,
            self.log,
            fact=fact,
            fact_id=str(fact_id),
            date_field=self.date_field,
            new_on=new_on,
            by=by,
            reason=reason,
        )

    async def voided(self, fact: CorrectableFact, *, fact_id: UUID, by: str, reason: str) -> None:
        await record_void(
            self.tx,
            self.log,
            fact=fact,
            fact_id=str(fact_id),
            date_field=self.date_field,
            by=by,
            reason=reason,
        )


async def record_correction(
    tx: Transaction,
    log: Table,
    *,
    fact: CorrectableFact,
    fact_id: str,
    date_field: str,
    new_on: date,
    by: str,
    reason: str,
) -> CorrectableFact:
    """Log and publish `fact` re-dated to `new_on`; the caller has checked its rules and stored the date."""
    previous_on: date = getattr(fact, date_field)
    corrected = fact.model_copy(update={date_field: new_on})
    await _log(
        tx,
        log,
        fact,
        fact_id,
        action="corrected",
        previous_on=previous_on,
        new_on=new_on,
        by=by,
        reason=reason,
    )
    event = FactCorrected(
        participant_id=fact.participant_id,
        fact_type=fact.event_type,
        fact=corrected,
        previous_on=previous_on,
        by=by,
    )
    await tx.record(event, key=str(fact.participant_id), occurred_on=new_on)
    return corrected


async def record_void(
    tx: Transaction, log: Table, *, fact: CorrectableFact, fact_id: str, date_field: str, by: str, reason: str
) -> None:
    """Log and publish that `fact` was recorded by mistake; the caller has marked it voided."""
    on: date = getattr(fact, date_field)
    await _log(tx, log, fact, fact_id, action="voided", previous_on=on, new_on=None, by=by, reason=reason)
    event = FactVoided(
        participant_id=fact.participant_id,
        fact_type=fact.event_type,
        fact=fact,
        by=by,
    )
    await tx.record(event, key=str(fact.participant_id), occurred_on=on)


async def _log(
    tx: Transaction,
    log: Table,
    fact: CorrectableFact,
    fact_id: str,
    *,
    action: str,
    previous_on: date,
    new_on: date | None,
    by: str,
    reason: str,
) -> None:
    await tx.conn.execute(
        log.insert().values(
            fact_type=fact.event_type,
            fact_id=fact_id,
            participant_id=str(fact.participant_id),
            action=action,
            previous_on=previous_on,
            new_on=new_on,
            by=by,
            reason=reason,
            recorded_at=datetime.now(UTC),
        )
    )
