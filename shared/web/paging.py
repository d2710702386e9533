"""Opaque cursors for keyset paging over a table's monotonically increasing `seq` column."""

import base64
import binascii

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
