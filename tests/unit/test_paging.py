"""Paging cursors: whatever a client sends as `cursor`, the answer is a page or a readable 422, never 500."""

import base64
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import RuleViolation
from shared.web.errors import install_error_handlers
from shared.web.paging import MAX_SEQ, decode_cursor, encode_cursor

seqs = st.integers(min_value=0, max_value=MAX_SEQ)


def assert_page_or_refused(cursor: str) -> None:
    """A cursor either continues after a seq it spells exactly, or is refused as a RuleViolation (422)."""
    try:
        seq = decode_cursor(cursor)
    except RuleViolation as refused:
        assert refused.detail == "cursor is not one this API returned"
        return
    assert (seq == 0 and cursor == "") or encode_cursor(seq) == cursor
    assert 0 <= seq <= MAX_SEQ


@given(seqs)
def test_every_cursor_handed_out_continues_after_its_seq(seq: int) -> None:
    cursor = encode_cursor(seq)
    assert cursor is not None
    assert decode_cursor(cursor) == seq


def test_no_cursor_starts_from_the_beginning_and_no_next_page_has_no_cursor() -> None:
    assert decode_cursor(None) == decode_cursor("") == 0
    assert encode_cursor(None) is None


@given(st.text())
def test_any_text_is_a_page_or_a_refusal(cursor: str) -> None:
    assert_page_or_refused(cursor)


@given(st.binary(max_size=100), st.sampled_from([base64.urlsafe_b64encode, base64.b64encode]), st.booleans())
def test_any_bytes_base64_encoded_are_a_page_or_a_refusal(
    raw: bytes, encoding: Callable[[bytes], bytes], strip_padding: bool
) -> None:
    cursor = encoding(raw).decode()
    assert_page_or_refused(cursor.rstrip("=") if strip_padding else cursor)


@given(st.text(max_size=40), st.booleans())
def test_any_text_that_looks_like_a_cursor_inside_is_a_page_or_a_refusal(value: str, as_seq: bool) -> None:
    inside = f"seq:{value}" if as_seq else value
    assert_page_or_refused(base64.urlsafe_b64encode(inside.encode("utf-8", "surrogatepass")).decode())


@st.composite
def tampered(draw: st.DrawFn) -> str:
    """A cursor handed out, then cut short, extended, or with one character replaced, dropped or added."""
    cursor = encode_cursor(draw(seqs))
    assert cursor is not None
    at = draw(st.integers(min_value=0, max_value=len(cursor)))
    some = draw(st.text(min_size=1, max_size=3))
    edit = draw(st.sampled_from(["cut", "replace", "drop", "insert", "append"]))
    if edit == "cut":
        return cursor[:at]
    if edit == "replace":
        return cursor[:at] + some + cursor[at + 1 :]
    if edit == "drop":
        return cursor[:at] + cursor[at + 1 :]
    if edit == "insert":
        return cursor[:at] + some + cursor[at:]
    return cursor + some * draw(st.integers(min_value=1, max_value=1000))


@given(tampered())
def test_a_tampered_cursor_is_a_page_or_a_refusal(cursor: str) -> None:
    assert_page_or_refused(cursor)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _b64("seq:²"),  # str.isdigit says yes, int() says no
        _b64("seq:١٢"),  # Arabic-Indic digits that int() would read as 12
        _b64("seq:\uff11\uff12"),  # full-width digits
        _b64("seq:" + "9" * 5000),  # beyond Python's int-from-text limit
        _b64(f"seq:{MAX_SEQ + 1}"),  # beyond any database key
        _b64("seq:-1"),
        _b64("seq:007"),  # another spelling of a real seq
        _b64("seq:"),
        _b64("id:5"),
        _b64("seq:5") + "=",
        _b64("seq:5").rstrip("="),
        " " + _b64("seq:5"),
        _b64("seq:5") + "\n",
        "\ud800",  # a lone surrogate: not encodable at all
        "c2VxOjU\x00",
        "seq:5",
        "=" * 8,
        "A" * 1_000_000,
    ],
)
def test_hostile_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(RuleViolation):
        decode_cursor(cursor)


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/items")
    async def items(cursor: str | None = None) -> dict[str, int]:
        return {"after": decode_cursor(cursor)}

    return app


@pytest.mark.parametrize(
    "query",
    [
        "cursor=%FF%FE",  # not UTF-8 once percent-decoded
        "cursor=%ED%A0%80",  # an encoded surrogate
        "cursor=%00",
        "cursor=%",  # a broken escape
        "cursor=%E2%91%A0",  # ① in the URL
        "cursor=" + _b64("seq:²"),
        "cursor=" + "A" * 20_000,
        "cursor=" + _b64("seq:5") + "&cursor=x",  # repeated: the last one counts, and it is refused
    ],
)
async def test_through_http_a_hostile_cursor_is_a_readable_422(query: str) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://paging") as client:
        response = await client.get(httpx.URL(f"http://paging/items?{query}"))
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": "cursor is not one this API returned", "code": "rule_violation"}
