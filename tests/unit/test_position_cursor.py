"""Position cursors (a date, then an id): whatever a client sends, a page after a position or a 422."""

import base64
from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.db.keyset import one_page
from shared.errors import RuleViolation
from shared.web.paging import LAST_POSITION, Position, decode_position, encode_cursor, encode_position

positions = st.builds(Position, st.dates(), st.uuids())


def assert_position_or_refused(cursor: str) -> None:
    try:
        position = decode_position(cursor)
    except RuleViolation as refused:
        assert refused.detail == "cursor is not one this API returned"
        return
    assert (position is None and cursor == "") or encode_position(position) == cursor


@given(positions)
def test_every_cursor_handed_out_continues_after_its_position(position: Position) -> None:
    cursor = encode_position(position)
    assert cursor is not None and len(cursor) <= 64
    assert decode_position(cursor) == position


def test_no_cursor_starts_from_the_beginning_and_no_next_page_has_no_cursor() -> None:
    assert decode_position(None) is None and decode_position("") is None
    assert encode_position(None) is None
    assert decode_position(encode_position(LAST_POSITION)) == LAST_POSITION


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


ID = "0b7c4f1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f"


@pytest.mark.parametrize(
    "cursor",
    [
        _b64(f"2023-03-01/{ID.upper()}"),  # another spelling of the same id
        _b64(f"2023-03-01/{{{ID}}}"),
        _b64(f"2023-03-01/{ID.replace('-', '')}"),
        _b64(f"20230301/{ID}"),  # another spelling of the same date
        _b64(f"2023-02-30/{ID}"),
        _b64(f"2023-03-01{ID}"),
        _b64(f"2023-03-01/{ID}/"),
        _b64("2023-03-01/"),
        _b64(f"٢٠٢٣-03-01/{ID}"),
        encode_position(Position(date(2023, 3, 1), UUID(ID)))[:-2],  # type: ignore[index]
        "A" * 65,
        "é",
        encode_cursor(7),  # a seq cursor is not a position
    ],
)
def test_other_spellings_and_other_kinds_of_cursor_are_refused(cursor: str) -> None:
    with pytest.raises(RuleViolation, match="cursor is not one this API returned"):
        decode_position(cursor)


@given(st.text(max_size=80))
def test_any_text_is_a_position_or_a_refusal(cursor: str) -> None:
    assert_position_or_refused(cursor)


@given(st.text(max_size=60))
def test_any_text_that_looks_like_a_position_inside_is_a_page_or_a_refusal(inside: str) -> None:
    assert_position_or_refused(base64.urlsafe_b64encode(inside.encode("utf-8", "surrogatepass")).decode())


def test_a_page_shows_limit_rows_and_names_the_last_only_when_more_follow() -> None:
    rows = [uuid4() for _ in range(3)]
    assert one_page(rows, 2) == (rows[:2], rows[1])
    assert one_page(rows, 3) == (rows, None)
    assert one_page([], 3) == ([], None)
