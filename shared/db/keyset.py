"""Keyset paging in SQL over a (date, id) order: the rows after a position, and one page of them."""

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, and_, or_, true

T = TypeVar("T")


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
