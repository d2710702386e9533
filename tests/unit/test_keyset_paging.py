"""Shared keyset paging (shared.db.keyset) on in-memory SQLite: pages by seq with the optional filters a list
was given, the next seq only while more rows follow; one row by its key, or written on condition
(shared.db.rows)."""

from collections.abc import AsyncIterator
from enum import StrEnum
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Column, ColumnElement, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.db.keyset import given, seq_column, seq_page
from shared.db.rows import row_by, update_one


class Status(StrEnum):
    OPEN = "open"
    DONE = "done"


metadata = MetaData()
items = Table(
    "items",
    metadata,
    seq_column(),
    Column("item_id", String(36), nullable=False, unique=True),
    Column("owner_id", String(36), nullable=False),
    Column("status", String(10), nullable=False),
)
OWNER, OTHER = uuid4(), uuid4()
# Seven items: the owner's alternate open and done, one of another owner's in the middle.
ROWS = [(OWNER, Status.OPEN), (OWNER, Status.DONE), (OTHER, Status.OPEN), *[(OWNER, Status.OPEN)] * 4]


@pytest.fixture
async def conn() -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(
            items.insert(),
            [{"item_id": str(uuid4()), "owner_id": str(o), "status": s.value} for o, s in ROWS],
        )
        yield connection
    await engine.dispose()


async def pages(conn: AsyncConnection, limit: int, *where: ColumnElement[bool]) -> list[list[int]]:
    """Every page of the list, followed cursor by cursor, as the seqs each page shows."""
    shown: list[list[int]] = []
    after = 0
    while True:
        rows, next_seq = await seq_page(conn, items, *where, after_seq=after, limit=limit)
        shown.append([row.seq for row in rows])
        if next_seq is None:
            return shown
        assert next_seq == rows[-1].seq, "a page continues after the last row it shows"
        after = next_seq


async def test_pages_follow_seq_and_end_without_a_cursor(conn: AsyncConnection) -> None:
    assert await pages(conn, 3) == [[1, 2, 3], [4, 5, 6], [7]]
    assert await pages(conn, 7) == [[1, 2, 3, 4, 5, 6, 7]], "exactly a page: no empty page after it"
    assert await pages(conn, 500) == [[1, 2, 3, 4, 5, 6, 7]]


async def test_only_the_filters_given_select_rows(conn: AsyncConnection) -> None:
    assert given((items.c.owner_id, None), (items.c.status, None)) == []
    owners_open = given((items.c.owner_id, OWNER), (items.c.status, Status.OPEN))
    assert await pages(conn, 2, *owners_open) == [[1, 4], [5, 6], [7]]
    assert await pages(conn, 2, *given((items.c.owner_id, OTHER))) == [[3]]
    assert await pages(conn, 2, *given((items.c.status, "done"))) == [[2]]


async def test_a_position_past_the_end_is_an_empty_last_page(conn: AsyncConnection) -> None:
    assert await seq_page(conn, items, after_seq=7, limit=3) == ([], None)


async def test_one_row_by_its_key(conn: AsyncConnection) -> None:
    first = (await seq_page(conn, items, after_seq=0, limit=1))[0][0]
    found = await row_by(conn, items.c.item_id, UUID(first.item_id))
    assert found is not None and found.seq == 1
    assert await row_by(conn, items.c.item_id, uuid4()) is None


async def test_a_conditional_write_changes_the_one_row_still_as_read(conn: AsyncConnection) -> None:
    first = items.c.seq == 1
    assert await update_one(conn, items, first, items.c.status == "open", status="done")
    assert not await update_one(conn, items, first, items.c.status == "open", status="done"), (
        "changed meanwhile"
    )
    assert not await update_one(conn, items, items.c.seq == 99, status="done"), "no such row"
    assert await pages(conn, 10, *given((items.c.status, Status.DONE))) == [[1, 2]]
