"""Opaque cursors for keyset paging: over a table's monotonically increasing `seq` column, or over a
(date, id) position for lists in another order."""

import base64
import binascii
from datetime import date
from typing import NamedTuple
from uuid import UUID

from shared.errors import RuleViolation

# The largest key a table here can hand out (signed 64-bit in PostgreSQL and SQLite): a larger one was
# never returned, and binding it would overflow the driver.
MAX_SEQ = 2**63 - 1
# Far above the longest cursor encode_cursor makes (40 characters); longer input is not even decoded.
_MAX_LENGTH = 64


def encode_cursor(seq: int | None) -> str | None:
    """The cursor that continues after `seq`; None when there is nothing more."""
    return None if seq is None else base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The seq to continue after (0 from the start); a 422 for anything this API did not hand out."""
    if not cursor:
        return 0
    seq = _seq_in(cursor)
    # Only the exact text encode_cursor makes: no leading zeros, stray padding or other spellings.
    if seq is None or encode_cursor(seq) != cursor:
        raise RuleViolation("cursor is not one this API returned")
    return seq


def _seq_in(cursor: str) -> int | None:
    if len(cursor) > _MAX_LENGTH or not cursor.isascii():
        return None
    try:
        decoded = base64.b64decode(cursor, altchars=b"-_", validate=True)
    except binascii.Error:
        return None
    kind, _, value = decoded.partition(b":")
    # bytes.isdigit is ASCII-only; str.isdigit also takes superscripts (int() fails) and other scripts.
    if kind != b"seq" or not value.isdigit() or int(value) > MAX_SEQ:
        return None
    return int(value)


class Position(NamedTuple):
    """A place in a list ordered by a date, then an id (work lists: oldest first, most idle first …).

    The cursor of such a list is the position of the last item a page showed; the next page starts after it.
    """

    on: date
    id: UUID


# After every item any list can hold: its page is empty.
LAST_POSITION = Position(date.max, UUID(int=2**128 - 1))
_POSITION_LENGTH = 64  # base64 of "YYYY-MM-DD/<36-character uuid>"


def encode_position(after: Position | None) -> str | None:
    """The cursor that continues after `after`; None when there is nothing more."""
    if after is None:
        return None
    return base64.urlsafe_b64encode(f"{after.on.isoformat()}/{after.id}".encode()).decode()


def decode_position(cursor: str | None) -> Position | None:
    """The position to continue after (None from the start); a 422 for anything this API did not hand out."""
    if not cursor:
        return None
    position = _position_in(cursor)
    # Only the exact text encode_position makes: one spelling of each date and id.
    if position is None or encode_position(position) != cursor:
        raise RuleViolation("cursor is not one this API returned")
    return position


def _position_in(cursor: str) -> Position | None:
    if len(cursor) > _POSITION_LENGTH or not cursor.isascii():
        return None
    try:
        decoded = base64.b64decode(cursor, altchars=b"-_", validate=True).decode("ascii")
        on, slash, key = decoded.partition("/")
        return Position(date.fromisoformat(on), UUID(key)) if slash else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
