"""A database error names what failed in the service's log, never the values: no bound parameters, nothing
PostgreSQL quotes back, no request body.

The training service runs on PostgreSQL; each case changes its `classes` table behind its back so that the
next class carrying a marker fails in the database, unhandled (a 500), and is logged with its traceback.
"""

from __future__ import annotations

import time
from uuid import uuid4

import pytest
import sqlalchemy as sa

from devstack.app_server import AppServer
from shared.db.engine import sync_url
from tests.integration.stack import Stack, client

# Each case: the statement that makes the table refuse the marked class, and what the log must say instead.
SABOTAGES = {
    # DETAIL: Key (title)=(<marker>) already exists.
    "unique_violation": ("CREATE UNIQUE INDEX ux_sabotage_title ON classes (title)", "ux_sabotage_title"),
    # DETAIL: Failing row contains (…, <marker>, …).
    "check_violation": (
        "ALTER TABLE classes ADD CONSTRAINT ck_sabotage_venue CHECK (char_length(venue) < 10)",
        "ck_sabotage_venue",
    ),
    # No value in PostgreSQL's message, but the statement's parameters (title, venue) used to follow it.
    "value_too_long": (
        "ALTER TABLE classes ALTER COLUMN venue TYPE varchar(10)",
        "StringDataRightTruncation",
    ),
}


@pytest.fixture(scope="module")
def training(stack: Stack) -> AppServer:
    return stack.producing("training", "postgresql")


def _sabotage(stack: Stack, statement: str) -> None:
    engine = sa.create_engine(sync_url(stack.infra.create_database(f"{stack.name}_training")))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def _class(marker: str) -> dict[str, object]:
    return {
        "title": marker,
        "program": "entrepreneurship",
        "kota_code": "31.74",
        "venue": marker,
        "starts_on": "2023-03-01",
        "ends_on": "2023-03-31",
        "capacity": 5,
    }


def _log_once_it_names(server: AppServer, named: str) -> str:
    """The whole log, once it holds the failure: uvicorn logs it after the 500 has been sent."""
    deadline = time.monotonic() + 10
    while True:
        log = "\n".join(path.read_text(errors="replace") for path in server.log_files())
        if named in log or time.monotonic() > deadline:
            return log
        time.sleep(0.1)


@pytest.mark.parametrize("case", list(SABOTAGES))
def test_a_failed_statement_is_logged_without_its_values(
    case: str, stack: Stack, training: AppServer
) -> None:
    statement, named = SABOTAGES[case]
    marker = f"MARK{uuid4().hex}"
    with client(training) as api:
        if case == "unique_violation":  # the first class with this title goes in, the second one collides
            assert api.post("/classes", json={**_class(marker), "venue": None}).status_code == 201
        _sabotage(stack, statement)
        failed = api.post("/classes", json=_class(marker))
    assert failed.status_code == 500, failed.text
    assert marker not in failed.text
    log = _log_once_it_names(training, named)
    assert named in log, f"the failure was not logged:\n{training.log_tail(40)}"
    assert "parameters hidden" in log
    assert marker not in log, "\n".join(line for line in log.splitlines() if marker in line)[:3000]
