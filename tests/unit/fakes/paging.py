"""Keyset paging in memory, as `shared.db.keyset` pages in SQL: over the order rows were recorded in
(their seq), or after a (date, id) position."""

from collections.abc import Iterable
from datetime import date
from typing import TypeVar
from uuid import UUID

from shared.db.keyset import one_page

T = TypeVar("T")


def seq_page(rows: Iterable[tuple[int, T]], after_seq: int, limit: int) -> tuple[list[T], int | None]:
    """As `shared.db.keyset.seq_page`: the (seq, row)s after `after_seq`, and the seq to continue after."""
    page, last = one_page([(seq, row) for seq, row in rows if seq > after_seq], limit)
    return [row for _, row in page], (last[0] if last else None)


def after(on: date, key: UUID, position: tuple[date, UUID] | None) -> bool:
    """As `shared.db.keyset.after`: whether (on, key) comes after the position (ids compared as stored)."""
    return position is None or (on, str(key)) > (position[0], str(position[1]))
