"""Keyset paging in SQL: over a table's `seq`, or over a (date, id) order — the rows after a position, and
one page of them (fetched with one row more than shown, to know whether more follow: here only)."""

from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Any, TypeVar, TypeVarTuple
from uuid import UUID

from sqlalchemy import Column, ColumnElement, Integer, Row, Select, Table, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")
Columns = TypeVarTuple("Columns")  # the types of the columns a query selects


def after(
    on: ColumnElement[Any], key: ColumnElement[Any], position: tuple[date, UUID] | None
) -> ColumnElement[bool]:
    """Rows ordered by (on, key) that come after `position` (all rows when there is none).

    Spelled out rather than as a row-value comparison, which not every SQLite build optimises into an
    index range.
    """
    if position is None:
        return true()
    day, last = position
    return or_(on > day, and_(on == day, key > str(last)))


def one_page(rows: Sequence[T], limit: int) -> tuple[list[T], T | None]:
    """The first `limit` of rows fetched with `limit + 1`, and the last one shown if more follow."""
    page = list(rows[:limit])
    return page, (page[-1] if len(rows) > limit else None)


async def page_of(
    conn: AsyncConnection, query: Select[*Columns], limit: int
) -> tuple[list[Row[*Columns]], Row[*Columns] | None]:
    """The first `limit` rows of `query` (fetched with one more, to know whether more follow), and the last
    one shown if more do."""
    return one_page((await conn.execute(query.limit(limit + 1))).all(), limit)


async def seq_page(
    conn: AsyncConnection, table: Table, *where: ColumnElement[bool], after_seq: int, limit: int
) -> tuple[list[Row[Any]], int | None]:
    """One page of `table`'s rows `where` selects, in `seq` order after `after_seq`, and the seq to
    continue after (None at the end)."""
    query = select(table).where(table.c.seq > after_seq, *where).order_by(table.c.seq)
    rows, last = await page_of(conn, query, limit)
    return rows, (last.seq if last is not None else None)


def given(*filters: tuple[ColumnElement[Any], UUID | Enum | str | None]) -> list[ColumnElement[bool]]:
    """The conditions of a list's optional filters: `column == value` for each value given (not None), ids
    and enums as they are stored."""
    return [column == _stored(value) for column, value in filters if value is not None]


def _stored(value: UUID | Enum | str) -> Any:
    return value.value if isinstance(value, Enum) else str(value)


def seq_column() -> Column[int]:
    """The `seq` a table's rows are paged by (`seq_page`): their stable order of creation."""
    return Column("seq", Integer, primary_key=True, autoincrement=True, doc="stable order for cursor paging")
