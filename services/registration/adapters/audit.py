"""Writing and reading the audit trail of personal data."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registration.adapters import id_lists
from services.registration.adapters.tables import audit_log
from services.registration.domain.audit import Action, AuditEntry, FieldChange, Outcome
from shared.db.keyset import page_of
from shared.web.correlation import current_correlation_id


async def record(
    conn: AsyncConnection,
    subject: str,
    action: Action,
    participant_ids: Iterable[UUID | str | None],
    *,
    outcome: Outcome = Outcome.DONE,
    detail: str | None = None,
    changes: Sequence[FieldChange] | None = None,
) -> None:
    """One row per participant (None: about nobody), all in one statement, in the caller's transaction."""
    ids = [None if participant_id is None else str(participant_id) for participant_id in participant_ids]
    if not ids:
        return
    entry = {
        "recorded_at": datetime.now(UTC),
        "subject": subject,
        "action": action.value,
        "correlation_id": current_correlation_id(),
        "outcome": outcome.value,
        "detail": detail,
        "changes": None if changes is None else json.dumps([asdict(change) for change in changes]),
    }
    if conn.dialect.name == "postgresql":
        # The rows differ only by participant: one INSERT … SELECT over the ids. A resolve of 500 names
        # wrote them as 500 statements (executemany), a third of its time.
        await conn.execute(_EACH_PARTICIPANT, {**entry, "participant_ids": id_lists.joined(ids)})
    else:
        await conn.execute(audit_log.insert(), [{**entry, "participant_id": pid} for pid in ids])


_IDS = func.unnest(id_lists.split("participant_ids")).table_valued("participant_id").render_derived()
_COMMON = ("recorded_at", "subject", "action", "correlation_id", "outcome", "detail", "changes")
_EACH_PARTICIPANT = audit_log.insert().from_select(
    [*_COMMON, "participant_id"],
    select(*[bindparam(name, type_=audit_log.c[name].type) for name in _COMMON], _IDS.c.participant_id),
)


async def page(
    conn: AsyncConnection, *, participant_id: UUID | None, subject: str | None, after_id: int, limit: int
) -> tuple[list[AuditEntry], int | None]:
    """Oldest first; returns the id to continue after, or None at the end."""
    query = select(audit_log).where(audit_log.c.id > after_id)
    if participant_id is not None:
        query = query.where(audit_log.c.participant_id == str(participant_id))
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    rows, last = await page_of(conn, query.order_by(audit_log.c.id), limit)
    entries = [
        AuditEntry(
            entry_id=row.id,
            # SQLite hands back the UTC time it stored without its zone.
            recorded_at=row.recorded_at if row.recorded_at.tzinfo else row.recorded_at.replace(tzinfo=UTC),
            subject=row.subject,
            action=Action(row.action),
            participant_id=UUID(row.participant_id) if row.participant_id else None,
            correlation_id=row.correlation_id,
            outcome=Outcome(row.outcome),
            detail=row.detail,
            changes=None if row.changes is None else tuple(FieldChange(**c) for c in json.loads(row.changes)),
        )
        for row in rows
    ]
    return entries, (last.id if last is not None else None)
