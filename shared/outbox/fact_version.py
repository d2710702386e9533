"""The per-fact version sent with every event from PostgreSQL: the outbox row's id, as Kafka header
`fact-version` (docs/outbox.md, "Per-fact versions").

A service records a fact's event after the write that changes the fact's row (which holds that row's lock
to the commit), so a later change of the same fact draws its id after the earlier one committed: per
fact, ids rise in commit order. A consumer keeps the highest version it saw of each fact and ignores an
event with a lower one, whatever order the events reach it in.
"""

HEADER = "fact-version"
_MAX_DIGITS = 19  # a BIGINT


def header(row_id: int) -> tuple[str, bytes]:
    return HEADER, str(row_id).encode()


def parse(value: bytes) -> int:
    """The version a header carries; ValueError if it is not a non-negative BIGINT in decimal digits."""
    if not value.isdigit() or len(value) > _MAX_DIGITS:
        raise ValueError(f"{HEADER} header {value[:40]!r} is not a non-negative integer")
    return int(value)
