"""What a refused correction or void raises: free of SQL and HTTP, so the domain can raise it.

One set for every stage: a voided fact is `already_voided`; a fact re-dated by a concurrent request between
reading and writing it is `concurrent_change` (retry).
"""

from datetime import date

from shared.errors import Conflict


class AlreadyVoided(Conflict):
    code = "already_voided"

    @classmethod
    def of(cls, what: str, **ids: str) -> "AlreadyVoided":
        """`what` ("session …") is voided: it can be neither corrected nor voided again."""
        return cls(f"{what} is voided", **ids)

    @classmethod
    def meanwhile(cls, what: str, **ids: str) -> "AlreadyVoided":
        """A concurrent request voided `what` between reading and writing it."""
        return cls(f"{what} was voided by a concurrent request", **ids)


class ConcurrentChange(Conflict):
    """Another request re-dated the fact between reading and writing it; retry."""

    code = "concurrent_change"

    @classmethod
    def redated(cls, what: str, on: date | None, **ids: str) -> "ConcurrentChange":
        return cls(f"{what} was re-dated to {on} by a concurrent request; retry", **ids)


def lost_race(what: str, *, voided: bool, on: date | None, **ids: str) -> AlreadyVoided | ConcurrentChange:
    """The refusal of a write that found `what` changed since it was read: voided, or re-dated to `on`."""
    return AlreadyVoided.of(what, **ids) if voided else ConcurrentChange.redated(what, on, **ids)
