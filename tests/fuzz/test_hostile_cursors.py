"""Every list that pages by `cursor`, on its running service: hostile cursors get a readable 422, never a 5xx.

Schemathesis sends random strings as cursors; these are the shapes it is unlikely to draw: bytes that are
not UTF-8, base64 of text that nearly says `seq:<n>`, a real cursor tampered with, one too long to decode.
"""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from sqlalchemy import text

from devstack import Endpoints
from devstack.app_server import AppServer
from shared.db.engine import create_engine
from shared.web.paging import LAST_POSITION, MAX_SEQ, decode_cursor, encode_cursor, encode_position
from tests.fuzz.targets import INCLUDED, KNOWN, document
from tests.tokens import ADMIN

pytestmark = pytest.mark.integration

PAGED = [
    (service, path)
    for service in INCLUDED
    for path, operations in document(service)["paths"].items()
    if any(p["name"] == "cursor" for p in operations.get("get", {}).get("parameters", []))
]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


HOSTILE = [
    "%FF%FE",  # not UTF-8
    "%ED%A0%80",  # an encoded surrogate
    "%00",
    "%",
    "%E2%91%A0",
    _b64("seq:²"),  # a digit to str.isdigit, not to int()
    _b64("seq:١٢"),  # Arabic-Indic digits
    _b64("seq:" + "9" * 5000),
    _b64(f"seq:{MAX_SEQ + 1}"),
    _b64("seq:-1"),
    _b64("seq:007"),
    "A" * 6000,
]


@pytest.mark.parametrize(("service", "path"), PAGED, ids=[f"{s} {p}" for s, p in PAGED])
def test_a_list_refuses_every_hostile_cursor_with_a_readable_422(
    service: str, path: str, fuzzed: dict[str, AppServer]
) -> None:
    # A list under a record (a class's roster, a mentor's caseload) is asked of a seeded one.
    path = re.sub(r"\{([^}]+)\}", lambda name: KNOWN[name.group(1)][0], path)
    with httpx.Client(base_url=fuzzed[service].url, headers=ADMIN, timeout=10) as api:
        first = api.get(path, params={"limit": 1})
        assert first.status_code == 200, first.text
        handed_out = first.json()["next_cursor"] or encode_cursor(1)
        assert handed_out is not None
        for raw in HOSTILE:  # as written: percent escapes and all
            _assert_refused(api.get(f"{path}?cursor={raw}"), raw)
        for cursor in (
            handed_out[:-3],
            handed_out[1:],
            "x" + handed_out,
            handed_out.swapcase(),
            handed_out + "==",
        ):
            _assert_refused(api.get(path, params={"cursor": cursor}), cursor)
        # The last page of the largest key any table can hold: empty, and bound without overflow. Lists
        # page by seq or by (date, id) position: exactly one of the two kinds of cursor is theirs.
        ends = [
            api.get(path, params={"cursor": c})
            for c in (encode_cursor(MAX_SEQ), encode_position(LAST_POSITION))
        ]
        [last] = [end for end in ends if end.status_code != 422]
        assert last.status_code == 200, last.text
        assert last.json()["items"] == [] and last.json()["next_cursor"] is None


def _assert_refused(response: httpx.Response, cursor: str) -> None:
    assert response.status_code == 422, f"{cursor[:60]!r}: {response.status_code} {response.text[:200]}"
    assert response.json() == {"detail": "cursor is not one this API returned", "code": "rule_violation"}


async def test_the_largest_cursor_binds_on_postgresql_integer_and_bigint_keys(infra: Endpoints) -> None:
    """The fuzzed services run on SQLite; on PostgreSQL, MAX_SEQ must not overflow an int4 key either."""
    engine = create_engine(infra.postgres_url)  # a temporary table: nothing stays behind
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TEMPORARY TABLE paged (seq integer, id bigint)"))
            await conn.execute(text("INSERT INTO paged VALUES (1, 1)"))
            after = decode_cursor(encode_cursor(MAX_SEQ))
            for key in ("seq", "id"):
                found = await conn.execute(
                    text(f"SELECT count(*) FROM paged WHERE {key} > :after"), {"after": after}
                )
                assert found.scalar_one() == 0
    finally:
        await engine.dispose()
