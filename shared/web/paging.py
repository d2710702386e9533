"""Opaque cursors for keyset paging over a table's monotonically increasing `seq` column."""

import base64
import binascii

from shared.errors import RuleViolation


def encode_cursor(seq: int | None) -> str | None:
    """The cursor that continues after `seq`; None when there is nothing more."""
    return None if seq is None else base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The seq to continue after (0 from the start); a 422 for anything this API did not hand out."""
    if not cursor:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "seq" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise RuleViolation("cursor is not one this API returned")
