"""One row of a table: read by a unique key, or written on condition."""

from typing import Any
from uuid import UUID

from sqlalchemy import Column, ColumnElement, CursorResult, Row, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection


async def row_by(conn: AsyncConnection, key: Column[Any], value: UUID | str) -> Row[Any] | None:
    """The row of `key`'s table whose `key` is `value` (an id as it is stored), if there is one."""
    return (await conn.execute(select(key.table).where(key == str(value)))).one_or_none()


async def update_one(conn: AsyncConnection, table: Table, *where: ColumnElement[bool], **values: Any) -> bool:
    """A conditional write: update the one row `where` selects; False if none matches (another request
    changed it first)."""
    result: CursorResult[Any] = await conn.execute(table.update().where(*where).values(**values))
    return result.rowcount == 1
