"""Possible duplicates: two participants with the same normalised name and birth date, and their dismissals.

One indexed self-join on (name_digest, birth_date): both must lie in the caller's area, so a pair never tells
of someone outside it. Their NIKs differ by construction (one registration per NIK); erased participants have
no name digest and never pair. A dismissed pair (recorded once, in a canonical order) no longer lists.
Pairs are paged by the registration order of both (seq, seq), packed into one cursor number.
"""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, exists, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registration.adapters.repository import by_ids
from services.registration.adapters.tables import duplicate_dismissals, participants
from services.registration.domain.duplicates import Dismissal, canonical
from services.registration.domain.participant import Participant
from shared.db.keyset import page_of
from shared.personal_data import PersonalDataKeys

_SEQ_BITS = 31  # participants.seq is a 32-bit integer: two of them fit one cursor number


def _in_area(table: Any, kota_code: str | None, agency: str | None) -> list[ColumnElement[bool]]:
    kept = []
    if kota_code:
        kept.append(table.c.kota_code == kota_code)
    if agency:
        kept.append(table.c.agency == agency)
    return kept


def _dismissed(a: Any, b: Any) -> ColumnElement[bool]:
    d = duplicate_dismissals.c
    return exists().where(
        or_(
            and_(d.first_id == a.c.participant_id, d.second_id == b.c.participant_id),
            and_(d.first_id == b.c.participant_id, d.second_id == a.c.participant_id),
        )
    )


async def page(
    conn: AsyncConnection,
    keys: PersonalDataKeys,
    *,
    kota_code: str | None,
    agency: str | None,
    after: int,
    limit: int,
) -> tuple[list[tuple[Participant, Participant]], int | None]:
    """Pairs in the order of their members' registration; returns the cursor to continue after, or None."""
    a, b = participants.alias("a"), participants.alias("b")
    query = (
        select(a.c.seq, b.c.seq, a.c.participant_id, b.c.participant_id)
        .join(b, and_(a.c.name_digest == b.c.name_digest, a.c.birth_date == b.c.birth_date))
        .where(
            a.c.seq < b.c.seq,
            a.c.name_digest.is_not(None),
            tuple_(a.c.seq, b.c.seq) > tuple_(*divmod(after, 1 << _SEQ_BITS)),
            *_in_area(a, kota_code, agency),
            *_in_area(b, kota_code, agency),
            ~_dismissed(a, b),
        )
        .order_by(a.c.seq, b.c.seq)
    )
    shown, last = await page_of(conn, query, limit)
    members = await by_ids(conn, keys, [UUID(pid) for row in shown for pid in row[2:]])
    pairs = [(members[UUID(row[2])], members[UUID(row[3])]) for row in shown]
    return pairs, None if last is None else (last[0] << _SEQ_BITS) | last[1]


async def pair_matches(conn: AsyncConnection, pair: tuple[UUID, UUID]) -> bool:
    """Whether the two (not erased) participants have the same normalised name and birth date."""
    c = participants.c
    query = select(c.name_digest, c.birth_date).where(
        c.participant_id.in_([str(pid) for pid in pair]), c.name_digest.is_not(None)
    )
    rows = [tuple(row) for row in await conn.execute(query)]
    return len(rows) == 2 and rows[0] == rows[1]


async def dismiss(conn: AsyncConnection, pair: tuple[UUID, UUID], subject: str, reason: str) -> Dismissal:
    """Records the dismissal once (of two at once, one wins); dismissing the pair again answers the first."""
    first, second = canonical(*pair)
    key = {"first_id": str(first), "second_id": str(second)}
    values = {**key, "dismissed_by": subject, "dismissed_at": datetime.now(UTC), "reason": reason}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(dialect.insert(duplicate_dismissals).values(values).on_conflict_do_nothing())
    d = duplicate_dismissals.c
    query = select(duplicate_dismissals).where(d.first_id == key["first_id"], d.second_id == key["second_id"])
    row = (await conn.execute(query)).one()
    # SQLite hands back the UTC time it stored without its zone.
    at = row.dismissed_at if row.dismissed_at.tzinfo else row.dismissed_at.replace(tzinfo=UTC)
    return Dismissal(UUID(row.first_id), UUID(row.second_id), row.dismissed_by, at, row.reason)
