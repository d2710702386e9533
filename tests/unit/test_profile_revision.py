"""A participant's profile revision (ParticipantProfile.revision, issue 13.3): registration counts each change
of the profile, and the services that follow registration keep the latest revision they heard and send it
on with the profile, so reporting can tell which of a participant's profiles is current."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from services.registration.domain.batch import OnDuplicate, decide, screen
from services.registration.domain.participant import Domicile
from services.registration.domain.upkeep import EditParticipant, edit
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.contracts.profile import ParticipantProfile
from shared.participants.directory import participant_tables, profile_of, remember
from tests.factories import profile
from tests.unit.test_registration_rules import COMMAND, TODAY
from tests.unit.test_registration_upkeep import REGISTERED

SELATAN = Domicile("31.74", "31.74.07", "31.74.07.1001")


def changing(**changes: object) -> EditParticipant:
    return EditParticipant("pindah domisili", changes)


def test_registration_states_revision_0_and_one_more_with_each_change_of_the_profile() -> None:
    assert REGISTERED.profile().revision == 0
    moved = edit(REGISTERED, changing(domicile=SELATAN), TODAY, None)
    assert (moved.revision, moved.profile().revision, moved.profile().kota_code) == (1, 1, "31.74")
    again = edit(moved, changing(registered_on=date(2023, 1, 5)), TODAY, None)
    assert again.profile().revision == 2


def test_an_edit_that_leaves_the_profile_as_it_was_keeps_its_revision() -> None:
    moved = edit(REGISTERED, changing(domicile=SELATAN), TODAY, None)
    fixed = edit(moved, changing(phone="081298765432"), TODAY, None)
    assert fixed.phone == "081298765432" and fixed.revision == 1
    assert fixed.profile() == moved.profile()  # so no ParticipantUpdated is published for it


def test_a_batch_update_that_changes_the_profile_counts_as_a_change_too() -> None:
    restated = replace(COMMAND, domicile=SELATAN)
    candidates = screen([restated], TODAY).candidates
    decisions = decide(candidates, {REGISTERED.nik: REGISTERED}, OnDuplicate.UPDATE, TODAY)
    [change] = decisions.update
    assert change.profile_changed and change.after.revision == 1
    same = decide(
        screen([COMMAND], TODAY).candidates, {REGISTERED.nik: REGISTERED}, OnDuplicate.UPDATE, TODAY
    )
    assert all(not c.profile_changed and c.after.revision == 0 for c in same.update)


def test_an_older_event_without_a_revision_reads_as_revision_0() -> None:
    stored = profile().model_dump(mode="json")
    del stored["revision"]
    assert ParticipantProfile.model_validate(stored).revision == 0


TABLES = participant_tables(MetaData())


@pytest.fixture
async def conn() -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.run_sync(TABLES.known.metadata.create_all)
        yield connection
    await engine.dispose()


async def test_a_follower_keeps_the_latest_revision_whatever_order_it_reads_updates_in(
    conn: AsyncConnection,
) -> None:
    pid = uuid4()
    home, moved = (
        profile(),
        profile(kota_code="31.74", kecamatan_code="31.74.07", kelurahan_code="31.74.07.1001"),
    )
    await remember(conn, TABLES.known, ParticipantRegistered(participant_id=pid, profile=home))
    await remember(
        conn,
        TABLES.known,
        ParticipantUpdated(participant_id=pid, profile=moved.model_copy(update={"revision": 2})),
    )
    # An instance lagging behind on the same database reads an older update again: it changes nothing.
    await remember(
        conn,
        TABLES.known,
        ParticipantUpdated(participant_id=pid, profile=home.model_copy(update={"revision": 1})),
    )
    await remember(conn, TABLES.known, ParticipantRegistered(participant_id=pid, profile=home))
    held = await profile_of(conn, TABLES.known, pid)
    assert (held.kota_code, held.revision) == ("31.74", 2)  # and events built from it send revision 2 on
    row = (await conn.execute(select(TABLES.known.c.kota_code))).one()
    assert row.kota_code == "31.74"
    # The next change is taken.
    await remember(
        conn,
        TABLES.known,
        ParticipantUpdated(
            participant_id=pid,
            profile=moved.model_copy(
                update={"revision": 3, "kecamatan_code": "31.74.01", "kelurahan_code": "31.74.01.1001"}
            ),
        ),
    )
    assert (await profile_of(conn, TABLES.known, pid)).kecamatan_code == "31.74.01"


async def test_a_legacy_update_without_revisions_replaces_the_stored_profile(conn: AsyncConnection) -> None:
    pid = uuid4()
    moved = profile(kota_code="31.74", kecamatan_code="31.74.07", kelurahan_code="31.74.07.1001")
    await remember(conn, TABLES.known, ParticipantRegistered(participant_id=pid, profile=profile()))
    await remember(conn, TABLES.known, ParticipantUpdated(participant_id=pid, profile=moved))
    assert (await profile_of(conn, TABLES.known, pid)).kota_code == "31.74"
