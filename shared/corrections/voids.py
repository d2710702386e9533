"""How a voided fact is kept in SQL: three nullable columns on the fact's own row, and the conditional
write that touches a row only while nobody has voided it."""

from datetime import UTC
from typing import Any

from sqlalchemy import Column, ColumnElement, DateTime, String, Table, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.corrections.lifecycle import Voided
from shared.db.rows import update_one

# A row is live until voided; partial unique indexes use this to ignore voided rows.
LIVE = text("voided_at IS NULL")


def void_columns() -> list[Column[Any]]:
    return [
        Column("voided_at", DateTime(timezone=True), nullable=True),
        Column("voided_by", String(100), nullable=True, doc="officer account id, never a name"),
        Column("void_reason", String(500), nullable=True),
    ]


def void_values(voided: Voided) -> dict[str, Any]:
    return {"voided_at": voided.at, "voided_by": voided.by, "void_reason": voided.reason}


def voided_of(row: Any) -> Voided | None:
    if row.voided_at is None:
        return None
    # SQLite hands timestamps back without their zone; they were stored in UTC.
    at = row.voided_at if row.voided_at.tzinfo else row.voided_at.replace(tzinfo=UTC)
    return Voided(at=at, by=row.voided_by, reason=row.void_reason)


def is_live(table: Table) -> ColumnElement[bool]:
    """The WHERE clause that lets a conditional update touch only a row nobody has voided."""
    return table.c.voided_at.is_(None)


async def update_live(
    conn: AsyncConnection, table: Table, *where: ColumnElement[bool], **values: Any
) -> bool:
    """Update the one live row `where` selects; False if there is none (voided, or changed, meanwhile)."""
    return await update_one(conn, table, *where, is_live(table), **values)
