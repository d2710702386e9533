"""A write a unique index may refuse, from the statement to the named 409.

The adapter turns the database's refusal into the service's own `…Taken` (`refused_as`); the transaction is
lost with it, but the row that won is committed by then, so the handler reads its holder through a view and
refuses naming it (`naming_holder`), as the domain's own rule would have.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

Reads = TypeVar("Reads")
Holder = TypeVar("Holder")


@contextmanager
def refused_as(taken: Callable[[], Exception]) -> Iterator[None]:
    """Inside: a statement a unique index may refuse; the refusal is raised as `taken()`."""
    try:
        yield
    except IntegrityError as refused:
        raise taken() from refused


@asynccontextmanager
async def naming_holder(
    view: Callable[[], AbstractAsyncContextManager[Reads]],
    taken: type[Exception],
    holder: Callable[[Reads], Awaitable[Holder | None]],
    refusal: Callable[[Holder], Exception],
) -> AsyncIterator[None]:
    """Inside: a transaction that may end in `taken`; then the refusal names the `holder` the view finds
    (`taken` itself, should it find none)."""
    try:
        yield
    except taken:
        async with view() as reads:
            found = await holder(reads)
        if found is None:
            raise
        raise refusal(found) from None
