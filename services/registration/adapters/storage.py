"""The registration repositories on the database: every one bound to the same connection — a transaction's,
a read-only view's, or one whose statements commit one by one — with the service's personal data keys.
The one place registration's handlers are wired to the engine."""

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from services.registration.adapters import audit, duplicates, repository, stage_facts
from services.registration.adapters.repositories import (
    Area,
    Holder,
    NikTaken,
    Pair,
    RegistrationStorage,
)
from services.registration.adapters.repository import Filters, SealedTags, StoredPage
from services.registration.domain.audit import Action, AuditEntry, FieldChange, Outcome
from services.registration.domain.duplicates import Dismissal
from services.registration.domain.participant import Erased, Participant
from shared.auth.principal import Principal
from shared.db.unique import refused_as
from shared.outbox.unit_of_work import Transaction, UnitOfWork
from shared.personal_data import PersonalDataKeys


@dataclass(frozen=True)
class SqlParticipants:
    tx: Transaction
    keys: PersonalDataKeys

    async def get(self, participant_id: UUID) -> Participant | Erased | None:
        return await repository.get(self.tx.conn, self.keys, participant_id)

    async def locked(self, participant_id: UUID) -> Participant | Erased | None:
        return await repository.get(self.tx.conn, self.keys, participant_id, lock=True)

    async def area_of(self, participant_id: UUID) -> Area | None:
        row = await repository.area_of(self.tx.conn, participant_id)
        return None if row is None else Area(*row)

    async def holder_of_nik(self, nik: str) -> Holder | None:
        row = await repository.holder_of_nik(self.tx.conn, self.keys, nik)
        return None if row is None else Holder(*row)

    async def by_nik(self, nik: str) -> Participant | None:
        return await repository.by_nik(self.tx.conn, self.keys, nik)

    async def by_niks(self, niks: Sequence[str]) -> dict[str, Participant]:
        return await repository.by_niks(self.tx.conn, self.keys, niks)

    async def locked_by_niks(self, niks: Sequence[str]) -> dict[str, Participant]:
        return await repository.by_niks(self.tx.conn, self.keys, niks, lock=True)

    async def page(self, filters: Filters, *, after_seq: int, limit: int) -> StoredPage:
        return await repository.page(self.tx.conn, self.keys, filters, after_seq=after_seq, limit=limit)

    async def name_tags(self, participant_ids: Sequence[UUID], caller: Principal) -> SealedTags:
        return await repository.name_tags(self.tx.conn, self.keys, participant_ids, caller)

    async def add(self, *new: Participant) -> None:
        with refused_as(NikTaken):  # ux on nik_hmac: a concurrent registration of the NIK won
            await repository.insert_many(self.tx.conn, self.keys, new)
        await self.tx.collect(*new)

    async def update(self, *changed: Participant) -> None:
        with refused_as(NikTaken):  # a corrected NIK a concurrent registration took
            for after in changed:
                await repository.update(self.tx.conn, self.keys, after)
        await self.tx.collect(*changed)  # one statement for the lot, as a batch's events went before

    async def erase(self, participant_id: UUID) -> datetime | None:
        return await repository.erase(self.tx.conn, participant_id)


@dataclass(frozen=True)
class SqlAuditTrail:
    conn: AsyncConnection

    async def record(
        self,
        subject: str,
        action: Action,
        participant_ids: Iterable[UUID | str | None],
        *,
        outcome: Outcome = Outcome.DONE,
        detail: str | None = None,
        changes: Sequence[FieldChange] | None = None,
    ) -> None:
        await audit.record(
            self.conn, subject, action, participant_ids, outcome=outcome, detail=detail, changes=changes
        )

    async def page(
        self, *, participant_id: UUID | None, subject: str | None, after_id: int, limit: int
    ) -> tuple[list[AuditEntry], int | None]:
        return await audit.page(
            self.conn, participant_id=participant_id, subject=subject, after_id=after_id, limit=limit
        )


@dataclass(frozen=True)
class SqlDuplicates:
    conn: AsyncConnection
    keys: PersonalDataKeys

    async def page(
        self, *, kota_code: str | None, agency: str | None, after: int, limit: int
    ) -> tuple[list[Pair], int | None]:
        return await duplicates.page(
            self.conn, self.keys, kota_code=kota_code, agency=agency, after=after, limit=limit
        )

    async def pair_matches(self, pair: tuple[UUID, UUID]) -> bool:
        return await duplicates.pair_matches(self.conn, pair)

    async def dismiss(self, pair: tuple[UUID, UUID], subject: str, reason: str) -> Dismissal:
        return await duplicates.dismiss(self.conn, pair, subject, reason)


@dataclass(frozen=True)
class SqlStageFacts:
    conn: AsyncConnection

    async def earliest(self, participant_ids: Sequence[UUID]) -> dict[UUID, date]:
        return await stage_facts.earliest(self.conn, participant_ids)


@dataclass(frozen=True)
class SqlRegistration:
    """Every registration repository on one connection (RegistrationWrites and RegistrationReads)."""

    participants: SqlParticipants
    duplicates: SqlDuplicates
    stage_facts: SqlStageFacts
    audit: SqlAuditTrail

    @classmethod
    def on(cls, tx: Transaction, keys: PersonalDataKeys) -> "SqlRegistration":
        conn = tx.conn
        return cls(
            SqlParticipants(tx, keys), SqlDuplicates(conn, keys), SqlStageFacts(conn), SqlAuditTrail(conn)
        )


@dataclass(frozen=True)
class SqlRegistrationStorage:
    uow: UnitOfWork
    keys: PersonalDataKeys

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[SqlRegistration]:
        async with self.uow.begin() as tx:
            yield SqlRegistration.on(tx, self.keys)

    @asynccontextmanager
    async def view(self) -> AsyncIterator[SqlRegistration]:
        async with self.uow.read() as conn:
            yield self._on(conn)

    @asynccontextmanager
    async def audited(self) -> AsyncIterator[SqlRegistration]:
        async with self.uow.engine.begin() as conn:
            yield self._on(conn)

    @asynccontextmanager
    async def each_statement_commits(self) -> AsyncIterator[SqlRegistration]:
        async with self.uow.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield self._on(conn)

    async def record_refusal(
        self, subject: str, action: Action, participant_id: UUID | str | None, detail: str
    ) -> None:
        async with self.audited() as own:
            await own.audit.record(subject, action, [participant_id], outcome=Outcome.REFUSED, detail=detail)

    def _on(self, conn: AsyncConnection) -> SqlRegistration:
        """Outside `begin` nothing records events: the transaction is there for the repositories' type."""
        uow = self.uow
        return SqlRegistration.on(Transaction(conn, uow.outbox, uow.topic, uow.producer_name), self.keys)


def registration_storage(uow: UnitOfWork, keys: PersonalDataKeys) -> RegistrationStorage:
    return SqlRegistrationStorage(uow, keys)
