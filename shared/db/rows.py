"""Reading one row of a table by a unique key."""

from typing import Any
from uuid import UUID

from sqlalchemy import Column, Row, select
from sqlalchemy.ext.asyncio import AsyncConnection


async def row_by(conn: AsyncConnection, key: Column[Any], value: UUID | str) -> Row[Any] | None:
    """The row of `key`'s table whose `key` is `value` (an id as it is stored), if there is one."""
    return (await conn.execute(select(key.table).where(key == str(value)))).one_or_none()
