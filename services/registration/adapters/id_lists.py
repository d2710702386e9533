"""Many ids as one text parameter on PostgreSQL, split by the server (`string_to_array`).

psycopg dumps an array parameter element by element in Python: ~0.8 ms of CPU for the 500 ids of a
resolve, paid twice (the read and its audit entries). One comma-separated text costs next to nothing, and
`string_to_array(…, ',', '-')` turns it back into the array on the server, `-` standing for NULL (an
audit entry about nobody). Ids are UUIDs: neither a comma nor a lone `-` is one.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, func

NULL_ID = "-"


def joined(ids: Sequence[str | None]) -> str:
    """The value for `split`: the ids comma-separated, None as NULL_ID."""
    text = ",".join(NULL_ID if pid is None else pid for pid in ids)
    if text.count(",") != len(ids) - 1 or NULL_ID in ids:
        raise ValueError("an id holds a comma or is a lone '-': it cannot travel in an id list")
    return text


def split(name: str, ids: Sequence[str | None] | None = None) -> ColumnElement[Any]:
    """The array of a `joined` parameter `name` (given now as `ids`, or at execution)."""
    value = None if ids is None else joined(ids)
    return func.string_to_array(bindparam(name, value, type_=String), ",", NULL_ID)
