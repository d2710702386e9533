"""Area scope over a stage service's records (shared.participants), on an in-memory SQLite database."""

import contextvars
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid4

import httpx
import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import FastAPI, Request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.auth.context import set_current_principal
from shared.auth.principal import Principal, Role
from shared.contracts.enums import Agency
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.errors import DomainError, NotFound
from shared.participants.area import OutsideArea, found_in_area, in_caller_area
from shared.participants.audit import AUDIT_LOGGER, install_area_audit
from shared.participants.directory import participant_tables, profile_of, remember
from shared.web.errors import install_error_handlers
from tests.factories import profile

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
metadata = MetaData()
known = participant_tables(metadata).known
records = Table(
    "records",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("participant_id", String(36), nullable=False),
)
GAMBIR = profile()  # kota 31.71, PPKUKM
SELATAN = profile(kota_code="31.74", kecamatan_code="31.74.01", kelurahan_code="31.74.01.1001")
SOSIAL = profile(agency=Agency.SOSIAL)


def caller(kota: str | None = None, agency: str | None = None) -> Principal:
    return Principal("officer-1", frozenset({Role.PERMIT_OFFICER}), kota=kota, agency=agency)


async def as_caller(principal: Principal | None, work: Callable[[], Awaitable[T]]) -> T:
    """Runs `work` as a request of `principal` would: with it as the current principal."""

    async def inside() -> T:
        if principal is not None:
            set_current_principal(principal)
        return await work()

    return await contextvars.copy_context().run(inside)


@dataclass(frozen=True)
class Record:
    participant_id: UUID


@pytest.fixture
async def conn() -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        yield connection
    await engine.dispose()


async def _register(conn: AsyncConnection, *profiles: Any) -> list[UUID]:
    ids = []
    for p in profiles:
        pid = uuid4()
        await remember(conn, known, ParticipantRegistered(participant_id=pid, profile=p))
        ids.append(pid)
    return ids


async def test_the_area_is_stored_beside_the_profile_and_follows_an_update(conn: AsyncConnection) -> None:
    (pid,) = await _register(conn, GAMBIR)
    await remember(conn, known, ParticipantUpdated(participant_id=pid, profile=SELATAN.model_copy()))
    row = (await conn.execute(select(known.c.kota_code, known.c.agency))).one()
    assert (row.kota_code, row.agency) == ("31.74", "PPKUKM")


async def test_a_list_keeps_the_callers_area_in_sql_so_pages_stay_full(conn: AsyncConnection) -> None:
    gambir, selatan, sosial = await _register(conn, GAMBIR, SELATAN, SOSIAL)
    owners = [gambir, selatan, sosial] * 3
    await conn.execute(records.insert(), [{"participant_id": str(pid)} for pid in owners])

    async def page() -> list[str]:
        query = select(records.c.participant_id).where(in_caller_area(records.c.participant_id, known))
        return list((await conn.execute(query.order_by(records.c.seq).limit(3))).scalars())

    assert await as_caller(caller(kota="31.71"), page) == [str(gambir), str(sosial), str(gambir)]
    assert await as_caller(caller(agency="SOSIAL"), page) == [str(sosial)] * 3
    assert await as_caller(caller(kota="31.71", agency="PPKUKM"), page) == [str(gambir)] * 3
    assert await as_caller(caller(kota="31.72"), page) == []
    everyone = [str(gambir), str(selatan), str(sosial)]
    assert await as_caller(caller(), page) == everyone
    assert await as_caller(None, page) == everyone  # no request, e.g. a background task


async def test_a_record_of_another_area_is_answered_exactly_like_a_missing_one(conn: AsyncConnection) -> None:
    (selatan,) = await _register(conn, SELATAN)
    missing = NotFound("permit 1 not found", permit_id="1")

    async def look(record: Record | None) -> Record:
        return await found_in_area(conn, known, record, missing)

    assert await as_caller(caller(kota="31.74"), lambda: look(Record(selatan))) == Record(selatan)
    with pytest.raises(OutsideArea) as hidden:
        await as_caller(caller(kota="31.71"), lambda: look(Record(selatan)))
    with pytest.raises(NotFound) as absent:
        await as_caller(caller(kota="31.71"), lambda: look(None))
    assert (
        _answer(hidden.value)
        == _answer(absent.value)
        == (404, "not_found", "permit 1 not found", {"permit_id": "1"})
    )
    assert hidden.value.participant_id == str(selatan)


async def test_a_participant_of_another_area_is_answered_exactly_like_an_unknown_one(
    conn: AsyncConnection,
) -> None:
    (selatan,) = await _register(conn, SELATAN)
    with pytest.raises(OutsideArea) as hidden:
        await as_caller(caller(agency="SOSIAL"), lambda: profile_of(conn, known, selatan))
    with pytest.raises(DomainError) as unknown:
        await as_caller(caller(agency="SOSIAL"), lambda: profile_of(conn, known, uuid4()))
    seen, unseen = _answer(hidden.value), _answer(unknown.value)
    assert seen[:2] == unseen[:2] == (422, "unknown_participant")
    assert seen[2] == unseen[2].replace(unseen[3]["participant_id"], str(selatan))
    assert seen[3] == {"participant_id": str(selatan)}
    assert await as_caller(caller(kota="31.74"), lambda: profile_of(conn, known, selatan)) == SELATAN


def _answer(error: DomainError) -> tuple[int, str, str, dict[str, str]]:
    return error.status_code, error.code, error.detail, error.context


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def test_a_refusal_outside_the_area_is_audited_and_answered_like_the_unknown() -> None:
    app = FastAPI()
    install_error_handlers(app)
    install_area_audit(app)
    unknown = NotFound("session 5 not found")

    @app.post("/sessions/{session_id}/void")
    async def void(session_id: str, request: Request) -> None:
        request.state.principal = caller(kota="31.71")
        raise OutsideArea(unknown, participant_id="p-1")

    audit = logging.getLogger(AUDIT_LOGGER)
    lines = _Lines()
    lines.setFormatter(audit.handlers[0].formatter)
    audit.addHandler(lines)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post("/sessions/5/void")
    finally:
        audit.removeHandler(lines)
    assert (response.status_code, response.json()) == (
        404,
        {"detail": "session 5 not found", "code": "not_found"},
    )
    (line,) = lines.lines
    entry = json.loads(line)
    assert entry["ts"] and entry["audit"] == "refused_outside_area"
    assert {k: entry[k] for k in ("subject", "area", "method", "route", "participant_id", "answered")} == {
        "subject": "officer-1",
        "area": "kota 31.71",
        "method": "POST",
        "route": "/sessions/{session_id}/void",
        "participant_id": "p-1",
        "answered": "not_found",
    }


@pytest.mark.parametrize("service", ["training", "permits", "mentoring", "marketing", "finance"])
def test_the_migration_fills_the_area_of_participants_already_known(service: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = Config()
    config.set_main_option("script_location", str(REPO / "services" / service / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    revisions = ScriptDirectory.from_config(config)
    area = next(r for r in revisions.walk_revisions() if r.path.endswith("_participant_area.py"))
    assert isinstance(area.down_revision, str)
    command.upgrade(config, area.down_revision)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO known_participants VALUES (:pid, '2023-01-02', :profile)"),
            {"pid": "p-1", "profile": SELATAN.model_dump_json()},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT kota_code, agency FROM known_participants")).one()
    engine.dispose()
    assert tuple(row) == ("31.74", "PPKUKM")
