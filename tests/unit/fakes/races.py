"""Lost races in memory: another request commits a change between this request's reads and its next write.

The fakes run a state's `races` just before a write, on the transaction's working copy; a race set with
`commit_meanwhile` is also kept in the committed state, as another request's commit is, whether this
request's transaction then commits or rolls back.
"""

from collections.abc import Callable
from typing import Any, Protocol, TypeVar


class Racing(Protocol):
    races: list[Callable[[Any], None]]


S = TypeVar("S", bound=Racing)


def commit_meanwhile(committed: S, change: Callable[[S], None]) -> None:
    """Before the next write of the next transaction on `committed`, another request commits `change`."""

    def race(working: S) -> None:
        change(working)
        change(committed)
        committed.races.clear()  # run once: the working copy has already dropped it

    committed.races.append(race)
