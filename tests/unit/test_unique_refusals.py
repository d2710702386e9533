"""shared.db.unique: a unique index's refusal becomes the service's `…Taken`, then the 409 naming the holder
a view finds; with no holder found, the `…Taken` itself goes on."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from sqlalchemy.exc import IntegrityError

from shared.db.unique import naming_holder, refused_as


class Taken(Exception):
    pass


class Named(Exception):
    pass


def test_an_integrity_error_is_raised_as_taken_with_its_cause() -> None:
    refused = IntegrityError("INSERT …", {}, Exception("unique"))
    with pytest.raises(Taken) as raised, refused_as(lambda: Taken("twin")):
        raise refused
    assert raised.value.__cause__ is refused


def test_other_errors_pass_untouched() -> None:
    with pytest.raises(ValueError, match="not a refusal"), refused_as(lambda: Taken("twin")):
        raise ValueError("not a refusal")


def _view(holders: dict[str, str]) -> Callable[[], AbstractAsyncContextManager[dict[str, str]]]:
    @asynccontextmanager
    async def view() -> AsyncIterator[dict[str, str]]:
        yield holders

    return view


async def _lookup(holders: dict[str, str]) -> str | None:
    return holders.get("key")


async def test_taken_becomes_the_refusal_naming_the_holder() -> None:
    with pytest.raises(Named, match="held by r-1") as raised:
        async with naming_holder(_view({"key": "r-1"}), Taken, _lookup, lambda h: Named(f"held by {h}")):
            raise Taken("twin")
    assert raised.value.__suppress_context__  # the lost transaction's refusal is not shown with it


async def test_taken_goes_on_when_no_holder_is_found() -> None:
    with pytest.raises(Taken, match="twin"):
        async with naming_holder(_view({}), Taken, _lookup, Named):
            raise Taken("twin")


async def test_a_transaction_that_succeeds_reads_no_view() -> None:
    async def never(holders: dict[str, str]) -> str | None:
        raise AssertionError("no refusal: no lookup")

    async with naming_holder(_view({}), Taken, never, Named):
        pass
