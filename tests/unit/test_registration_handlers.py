"""Every registration handler's rules, driven through in-memory repositories
(tests/unit/fakes/registration.py): the caller's area (a participant outside it answered like an unknown
one, a NIK held outside it only "taken"), the audit entry of every read, lookup, change and refusal
(refusals kept even when the request's transaction rolls back), corrections under every rule
(stage_fact_precedes too), erasure, possible duplicates and their dismissal, the batch import, lost races,
and the events each change records, keyed as their contract says. The SQL adapters are covered by the
integration suite (tests/integration/test_registration_api.py, test_registration_officers.py,
test_personal_data.py)."""

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from services.registration.adapters.repositories import NikTaken
from services.registration.adapters.repository import Filters
from services.registration.commands import (
    DismissDuplicate,
    EditParticipant,
    EraseParticipant,
    OnDuplicate,
    RegisterParticipant,
)
from services.registration.domain.audit import Action, Outcome
from services.registration.domain.batch import RowStatus
from services.registration.domain.duplicates import NotPossibleDuplicates
from services.registration.domain.participant import (
    Domicile,
    DuplicateNik,
    Participant,
    ParticipantErased,
)
from services.registration.domain.stage_facts import StageFactPrecedes
from services.registration.handlers import duplicates, reading, registering, upkeep
from shared.auth.principal import OutOfScope, Principal, Role
from shared.contracts.enums import Gender
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.errors import DomainError, NotFound, RuleViolation
from tests.unit.fakes.races import commit_meanwhile
from tests.unit.fakes.registration import (
    FakeRegistrationStorage,
    RegistrationState,
    fake_registration_storage,
)
from tests.unit.test_legacy_import import SITI as LEGACY_SITI

GAMBIR = Domicile("31.71", "31.71.01", "31.71.01.1001")
SELATAN = Domicile("31.74", "31.74.01", "31.74.01.1001")
SITI = replace(LEGACY_SITI, registered_on=date(2024, 1, 2))
BUDI = replace(SITI, nik="3171010101850002", full_name="Budi", gender=Gender.M, birth_date=date(1985, 1, 1))
# Another Siti Aminah, born the same day: a possible duplicate of SITI.
SITI_TOO = replace(SITI, nik="3171014509900003", full_name="SITI  AMINAH", phone=None)
ANI = replace(SITI, nik="3171014509900005", full_name="Ani Lestari", domicile=SELATAN)  # Jakarta Selatan

ADMIN = Principal("admin-1", frozenset({Role.ADMIN}))
GAMBIR_OFFICER = Principal("registrar-gambir", frozenset({Role.REGISTRAR}), kota="31.71")
SELATAN_OFFICER = Principal("registrar-selatan", frozenset({Role.REGISTRAR}), kota="31.74")
WHY = "salah input"


def refusal(raised: pytest.ExceptionInfo[DomainError]) -> tuple[int, str, str]:
    return raised.value.status_code, raised.value.code, raised.value.detail


async def registered(uow: FakeRegistrationStorage, *commands: RegisterParticipant) -> list[Participant]:
    return [await registering.register_participant(uow, command, ADMIN) for command in commands]


def storage() -> FakeRegistrationStorage:
    return fake_registration_storage(RegistrationState())


# --- registering ------------------------------------------------------------------------------------------


async def test_a_registration_records_participant_registered_keyed_by_the_participant_and_is_audited() -> (
    None
):
    uow = storage()
    [siti] = await registered(uow, SITI)
    assert uow.state.participants == {siti.participant_id: siti}
    [(fact, event)] = uow.events(ParticipantRegistered)
    assert (fact.key, fact.occurred_on) == (str(siti.participant_id), SITI.registered_on)
    assert (event.participant_id, event.profile) == (siti.participant_id, siti.profile())
    assert uow.state.entries() == [(Action.REGISTER, Outcome.DONE, siti.participant_id)]
    assert uow.state.audit[0].subject == ADMIN.subject


async def test_a_registration_in_another_kota_is_refused_and_the_refusal_audited_on_its_own() -> None:
    uow = storage()
    with pytest.raises(OutOfScope) as raised:
        await registering.register_participant(uow, ANI, GAMBIR_OFFICER)
    assert refusal(raised)[:2] == (403, "out_of_scope")
    assert uow.commits == 0 and not uow.published and not uow.state.rows
    assert uow.state.entries() == [(Action.REGISTER, Outcome.REFUSED, None)]
    assert uow.state.audit[0].detail == raised.value.detail


async def test_a_nik_taken_is_named_within_the_area_and_only_taken_outside_it_each_lookup_audited() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    again = replace(SITI, full_name="Siti A.")
    with pytest.raises(DuplicateNik) as named:
        await registering.register_participant(uow, again, GAMBIR_OFFICER)
    assert refusal(named) == (
        409,
        "duplicate_nik",
        f"NIK is already registered as participant {siti.participant_id}",
    )
    assert named.value.context == {"participant_id": str(siti.participant_id)}
    with pytest.raises(DuplicateNik) as taken:  # Selatan's registrar may register Selatan only
        await registering.register_participant(uow, replace(again, domicile=SELATAN), SELATAN_OFFICER)
    assert refusal(taken) == (409, "duplicate_nik", "NIK is already registered") and not taken.value.context
    assert uow.state.entries()[1:] == [
        (Action.LOOKUP, Outcome.FOUND, siti.participant_id),
        (Action.LOOKUP, Outcome.TAKEN, siti.participant_id),
    ]
    assert len(uow.events(ParticipantRegistered)) == 1


async def test_a_registration_that_loses_the_race_for_its_nik_names_the_winner_and_records_nothing() -> None:
    uow = storage()
    [winner] = await registered(storage(), SITI)  # a concurrent request's, committed meanwhile
    commit_meanwhile(uow.state, lambda state: state.rows.update({winner.participant_id: winner}))
    with pytest.raises(DuplicateNik) as raised:
        await registering.register_participant(uow, replace(SITI, full_name="Siti A."), GAMBIR_OFFICER)
    assert raised.value.context == {"participant_id": str(winner.participant_id)}
    assert list(uow.state.rows) == [winner.participant_id] and not uow.published
    assert uow.state.entries() == [(Action.LOOKUP, Outcome.FOUND, winner.participant_id)]


# --- reading ----------------------------------------------------------------------------------------------


async def test_a_read_is_audited_and_one_outside_the_area_is_answered_like_an_unknown_one() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    assert await reading.read_participant(uow, siti.participant_id, GAMBIR_OFFICER) == siti
    with pytest.raises(NotFound) as outside:
        await reading.read_participant(uow, siti.participant_id, SELATAN_OFFICER)
    nobody = uuid4()
    with pytest.raises(NotFound) as unknown:
        await reading.read_participant(uow, nobody, SELATAN_OFFICER)
    assert refusal(outside)[:2] == refusal(unknown)[:2] == (404, "not_found")
    assert refusal(outside)[2] == f"participant {siti.participant_id} not found"
    assert uow.state.entries()[1:] == [
        (Action.READ, Outcome.DONE, siti.participant_id),
        (Action.READ, Outcome.REFUSED, siti.participant_id),  # an unknown id is nobody to audit
    ]
    assert uow.state.audit[-1].detail == "outside the caller's area (kota 31.74): answered as unknown"


async def test_a_nik_lookup_is_audited_found_not_found_or_refused_and_outside_answers_as_nobody() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    assert await reading.look_up_nik(uow, SITI.nik, GAMBIR_OFFICER) == siti
    with pytest.raises(NotFound) as outside:
        await reading.look_up_nik(uow, SITI.nik, SELATAN_OFFICER)
    with pytest.raises(NotFound) as nobody:
        await reading.look_up_nik(uow, BUDI.nik, GAMBIR_OFFICER)
    assert (
        refusal(outside)
        == refusal(nobody)
        == (404, "not_found", "no participant is registered under this NIK")
    )
    assert uow.state.entries()[1:] == [
        (Action.LOOKUP, Outcome.FOUND, siti.participant_id),
        (Action.LOOKUP, Outcome.REFUSED, siti.participant_id),
        (Action.LOOKUP, Outcome.NOT_FOUND, None),
    ]


async def test_a_page_keeps_to_the_area_finds_whole_words_and_is_audited() -> None:
    uow = storage()
    siti, budi, ani = await registered(uow, SITI, BUDI, ANI)
    page, last = await reading.list_participants(uow, GAMBIR_OFFICER, Filters(), after_seq=0, limit=1)
    assert page == [siti] and last == 1
    page, last = await reading.list_participants(uow, GAMBIR_OFFICER, Filters(), after_seq=1, limit=5)
    assert page == [budi] and last is None  # Ani lives in Jakarta Selatan
    named, _ = await reading.list_participants(uow, ADMIN, Filters(name="aminah siti"), after_seq=0, limit=5)
    assert named == [siti]
    assert uow.state.entries()[3:] == [
        (Action.LIST, Outcome.DONE, siti.participant_id),
        (Action.LIST, Outcome.DONE, budi.participant_id),
        (Action.LIST, Outcome.DONE, siti.participant_id),
    ]
    assert ani not in named


async def test_a_page_of_another_kota_is_refused_and_audited_and_a_short_name_query_is_a_422() -> None:
    uow = storage()
    with pytest.raises(OutOfScope, match=r"kota 31\.74 is outside your area"):
        await reading.list_participants(
            uow, GAMBIR_OFFICER, Filters(kecamatan_code="31.74.01"), after_seq=0, limit=5
        )
    assert uow.state.entries() == [(Action.LIST, Outcome.REFUSED, None)]
    with pytest.raises(RuleViolation, match="at least 3 letters"):
        await reading.list_participants(uow, ADMIN, Filters(name="a b"), after_seq=0, limit=5)


async def test_names_resolve_in_the_order_asked_those_outside_left_out_like_unknown_ones_each_audited() -> (
    None
):
    uow = storage()
    siti, budi, ani = await registered(uow, SITI, BUDI, ANI)
    asked = [budi.participant_id, uuid4(), ani.participant_id, siti.participant_id, budi.participant_id]
    tags = await reading.resolve_names(uow, asked, GAMBIR_OFFICER)
    assert [(t.participant_id, t.full_name, t.nik_masked) for t in tags] == [
        (budi.participant_id, "Budi", "************0002"),
        (siti.participant_id, "Siti Aminah", "************0001"),
    ]
    assert uow.state.entries()[3:] == [
        (Action.READ, Outcome.DONE, budi.participant_id),
        (Action.READ, Outcome.DONE, siti.participant_id),
        (Action.READ, Outcome.REFUSED, ani.participant_id),
    ]


# --- correcting (PATCH) -----------------------------------------------------------------------------------


def changing(**changes: object) -> EditParticipant:
    return EditParticipant(WHY, changes)


async def test_an_edit_of_the_profile_records_participant_updated_and_audits_reason_and_changes() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    moved = Domicile("31.71", "31.71.01", "31.71.01.1002")
    after = await upkeep.edit_participant(uow, siti.participant_id, changing(domicile=moved), GAMBIR_OFFICER)
    assert after.domicile == moved and after.revision == siti.revision + 1
    assert uow.state.locks == [siti.participant_id]  # two edits of one participant take turns
    [(fact, event)] = uow.events(ParticipantUpdated)
    assert (fact.key, fact.occurred_on) == (str(siti.participant_id), SITI.registered_on)
    assert event.profile == after.profile() and event.profile.kelurahan_code == "31.71.01.1002"
    [entry] = uow.state.audit[1:]
    assert (entry.action, entry.outcome, entry.detail) == (Action.UPDATE, Outcome.DONE, WHY)
    assert [(c.field, c.before, c.after) for c in entry.changes or ()] == [
        ("kelurahan_code", "31.71.01.1001", "31.71.01.1002")
    ]


async def test_an_edit_of_personal_fields_only_is_no_news_and_names_the_fields_without_values() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    after = await upkeep.edit_participant(uow, siti.participant_id, changing(phone=None), GAMBIR_OFFICER)
    assert after.phone is None and after.revision == siti.revision
    assert not uow.events(ParticipantUpdated)
    assert [(c.field, c.before, c.after) for c in uow.state.audit[-1].changes or ()] == [
        ("phone", None, None)
    ]


async def test_an_edit_may_not_move_registered_on_past_the_earliest_stage_fact() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    uow.state.earliest_facts[siti.participant_id] = date(2024, 3, 1)
    with pytest.raises(StageFactPrecedes) as raised:
        await upkeep.edit_participant(
            uow, siti.participant_id, changing(registered_on=date(2024, 5, 1)), GAMBIR_OFFICER
        )
    assert refusal(raised)[:2] == (409, "stage_fact_precedes")
    assert raised.value.context == {"earliest_stage_fact": "2024-03-01"}
    earlier = await upkeep.edit_participant(
        uow, siti.participant_id, changing(registered_on=date(2024, 2, 1)), GAMBIR_OFFICER
    )
    assert earlier.registered_on == date(2024, 2, 1)
    [(fact, _)] = uow.events(ParticipantUpdated)
    assert fact.occurred_on == date(2024, 2, 1)


async def test_an_edit_outside_the_area_answers_as_unknown_and_a_move_out_of_it_is_refused_both_audited() -> (
    None
):
    uow = storage()
    [siti] = await registered(uow, SITI)
    with pytest.raises(NotFound) as outside:
        await upkeep.edit_participant(uow, siti.participant_id, changing(phone=None), SELATAN_OFFICER)
    with pytest.raises(NotFound) as unknown:
        await upkeep.edit_participant(uow, uuid4(), changing(phone=None), SELATAN_OFFICER)
    assert refusal(outside)[:2] == refusal(unknown)[:2] == (404, "not_found")
    with pytest.raises(OutOfScope) as moved:
        await upkeep.edit_participant(uow, siti.participant_id, changing(domicile=SELATAN), GAMBIR_OFFICER)
    assert refusal(moved)[:2] == (403, "out_of_scope")
    assert uow.state.entries()[1:] == [
        (Action.UPDATE, Outcome.REFUSED, siti.participant_id),
        (Action.UPDATE, Outcome.REFUSED, siti.participant_id),
    ]
    assert uow.state.participants[siti.participant_id] == siti and not uow.events(ParticipantUpdated)


async def test_a_corrected_nik_held_elsewhere_is_only_taken_and_one_in_the_area_is_named() -> None:
    uow = storage()
    siti, budi, ani = await registered(uow, SITI, BUDI, ANI)
    with pytest.raises(DuplicateNik) as taken:
        await upkeep.edit_participant(uow, siti.participant_id, changing(nik=ANI.nik), GAMBIR_OFFICER)
    assert refusal(taken) == (409, "duplicate_nik", "NIK is already registered")
    budi_nik_for_a_woman = "3171014101850006"  # day 41: born on the 1st, a woman
    await upkeep.edit_participant(uow, budi.participant_id, changing(nik="3171010101850004"), GAMBIR_OFFICER)
    with pytest.raises(RuleViolation):  # a woman's NIK for Budi: the rules hold for a corrected NIK
        await upkeep.edit_participant(uow, budi.participant_id, changing(nik=budi_nik_for_a_woman), ADMIN)
    with pytest.raises(DuplicateNik) as named:
        await upkeep.edit_participant(
            uow,
            budi.participant_id,
            changing(nik=SITI.nik, gender=Gender.F, birth_date=SITI.birth_date),
            GAMBIR_OFFICER,
        )
    assert named.value.context == {"participant_id": str(siti.participant_id)}
    lookups = [e for e in uow.state.entries() if e[0] is Action.LOOKUP]
    assert lookups == [
        (Action.LOOKUP, Outcome.TAKEN, ani.participant_id),
        (Action.LOOKUP, Outcome.FOUND, siti.participant_id),
    ]


async def test_an_edit_that_loses_the_race_for_its_corrected_nik_answers_duplicate_nik_the_second_time() -> (
    None
):
    uow = storage()
    [siti] = await registered(uow, SITI)
    [winner] = await registered(storage(), BUDI)
    commit_meanwhile(uow.state, lambda state: state.rows.update({winner.participant_id: winner}))
    edit = changing(nik=BUDI.nik, gender=Gender.M, birth_date=BUDI.birth_date)
    with pytest.raises(DuplicateNik) as raised:
        await upkeep.edit_participant(uow, siti.participant_id, edit, GAMBIR_OFFICER)
    assert raised.value.context == {"participant_id": str(winner.participant_id)}
    assert uow.state.participants[siti.participant_id] == siti and not uow.events(ParticipantUpdated)
    # The first try rolled back with the index's refusal; the second found the winner and audited it.
    assert uow.state.entries()[1:] == [(Action.LOOKUP, Outcome.FOUND, winner.participant_id)]
    assert uow.state.locks == [siti.participant_id]


async def test_an_erased_participant_reads_and_edits_as_erased() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    await upkeep.erase_participant(uow, EraseParticipant(siti.participant_id, WHY), ADMIN)
    with pytest.raises(ParticipantErased) as read:
        await reading.read_participant(uow, siti.participant_id, GAMBIR_OFFICER)
    with pytest.raises(ParticipantErased) as edited:
        await upkeep.edit_participant(uow, siti.participant_id, changing(phone=None), GAMBIR_OFFICER)
    assert refusal(read) == refusal(edited)
    assert refusal(read)[:2] == (410, "erased")


# --- erasure ----------------------------------------------------------------------------------------------


async def test_an_erasure_clears_the_person_once_audited_with_its_reason_and_publishes_nothing() -> None:
    uow = storage()
    siti, budi = await registered(uow, SITI, BUDI)
    erased = await upkeep.erase_participant(uow, EraseParticipant(siti.participant_id, WHY), ADMIN)
    assert (erased.participant_id, erased.area) == (siti.participant_id, siti.area)
    assert list(uow.state.participants) == [budi.participant_id]
    with pytest.raises(ParticipantErased) as again:
        await upkeep.erase_participant(uow, EraseParticipant(siti.participant_id, WHY), ADMIN)
    assert refusal(again)[:2] == (410, "erased")
    assert uow.state.audit[-1].detail == WHY and uow.state.entries()[-1] == (
        Action.ERASE,
        Outcome.DONE,
        siti.participant_id,
    )
    assert len(uow.published) == 2  # the two registrations: an erasure is no event
    page, _ = await reading.list_participants(uow, ADMIN, Filters(), after_seq=0, limit=5)
    assert page == [budi]
    assert await reading.resolve_names(uow, [siti.participant_id], ADMIN) == []
    [again_siti] = await registered(uow, SITI)  # the NIK is free again: a new participant
    assert again_siti.participant_id != siti.participant_id


async def test_an_erasure_outside_the_area_or_of_nobody_is_a_404_the_first_audited() -> None:
    uow = storage()
    [ani] = await registered(uow, ANI)
    with pytest.raises(NotFound) as outside:
        await upkeep.erase_participant(uow, EraseParticipant(ani.participant_id, WHY), GAMBIR_OFFICER)
    with pytest.raises(NotFound) as unknown:
        await upkeep.erase_participant(uow, EraseParticipant(uuid4(), WHY), GAMBIR_OFFICER)
    assert refusal(outside)[:2] == refusal(unknown)[:2] == (404, "not_found")
    assert uow.state.participants == {ani.participant_id: ani}
    assert uow.state.entries()[1:] == [(Action.ERASE, Outcome.REFUSED, ani.participant_id)]


async def test_an_erasure_lost_to_a_concurrent_one_answers_erased() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    other = storage()
    other.state = uow.state.copy()
    await upkeep.erase_participant(other, EraseParticipant(siti.participant_id, WHY), ADMIN)
    commit_meanwhile(uow.state, lambda state: state.rows.update(other.state.rows))
    with pytest.raises(ParticipantErased):
        await upkeep.erase_participant(uow, EraseParticipant(siti.participant_id, WHY), ADMIN)
    assert [e for e in uow.state.entries() if e[0] is Action.ERASE] == []  # the winner's entry is its own


# --- possible duplicates ----------------------------------------------------------------------------------


async def test_possible_duplicates_pair_the_area_only_are_audited_and_a_dismissal_ends_them() -> None:
    uow = storage()
    siti, _, siti_too = await registered(uow, SITI, BUDI, SITI_TOO)
    await registered(uow, replace(ANI, full_name="Siti Aminah", birth_date=SITI.birth_date))  # Selatan
    pairs, last = await duplicates.possible_duplicates(uow, GAMBIR_OFFICER, after=0, limit=5)
    assert pairs == [(siti, siti_too)] and last is None
    assert uow.state.entries()[-2:] == [
        (Action.LIST, Outcome.DONE, siti.participant_id),
        (Action.LIST, Outcome.DONE, siti_too.participant_id),
    ]
    everywhere, _ = await duplicates.possible_duplicates(uow, ADMIN, after=0, limit=1)
    assert everywhere == [(siti, siti_too)]
    pair = (siti_too.participant_id, siti.participant_id)
    first = await duplicates.dismiss_duplicate(uow, DismissDuplicate(pair, WHY), GAMBIR_OFFICER)
    assert (first.first_id, first.second_id) == tuple(sorted(pair, key=str))
    assert (first.dismissed_by, first.reason) == (GAMBIR_OFFICER.subject, WHY)
    again = await duplicates.dismiss_duplicate(uow, DismissDuplicate(pair[::-1], "again"), ADMIN)
    assert again == first  # dismissing again answers the first dismissal
    assert (await duplicates.possible_duplicates(uow, GAMBIR_OFFICER, after=0, limit=5))[0] == []
    assert [e for e in uow.state.entries() if e[0] is Action.DISMISS][:2] == [
        (Action.DISMISS, Outcome.DONE, siti_too.participant_id),
        (Action.DISMISS, Outcome.DONE, siti.participant_id),
    ]


async def test_a_dismissal_needs_a_pair_of_the_area_with_one_name_and_birth_date() -> None:
    uow = storage()
    siti, budi, ani = await registered(uow, SITI, BUDI, ANI)
    with pytest.raises(NotPossibleDuplicates) as differ:
        await duplicates.dismiss_duplicate(
            uow, DismissDuplicate((siti.participant_id, budi.participant_id), WHY), GAMBIR_OFFICER
        )
    assert refusal(differ)[:2] == (409, "not_possible_duplicates")
    with pytest.raises(NotFound) as outside:
        await duplicates.dismiss_duplicate(
            uow, DismissDuplicate((siti.participant_id, ani.participant_id), WHY), GAMBIR_OFFICER
        )
    with pytest.raises(NotFound) as unknown:
        await duplicates.dismiss_duplicate(uow, DismissDuplicate((siti.participant_id, uuid4()), WHY), ADMIN)
    assert refusal(outside)[:2] == refusal(unknown)[:2] == (404, "not_found")
    assert refusal(outside)[2] == f"participant {ani.participant_id} not found"
    assert uow.state.entries()[3:] == [(Action.DISMISS, Outcome.REFUSED, ani.participant_id)]
    assert not uow.state.dismissals


# --- the batch import -------------------------------------------------------------------------------------


async def test_a_batch_creates_skips_and_refuses_rows_each_audited_with_one_event_per_new_participant() -> (
    None
):
    uow = storage()
    [ani] = await registered(uow, ANI)
    rows = [
        SITI,
        replace(BUDI, domicile=SELATAN),
        replace(SITI, full_name="Siti A."),
        replace(ANI, domicile=GAMBIR),
    ]
    results = await registering.import_participants(
        uow, rows, OnDuplicate.SKIP, GAMBIR_OFFICER, dry_run=False
    )
    assert [(r.status, r.code) for r in results] == [
        (RowStatus.CREATED, None),
        (RowStatus.INVALID, "out_of_scope"),
        (RowStatus.INVALID, "duplicate_in_file"),
        (RowStatus.SKIPPED, "duplicate_nik"),
    ]
    assert results[3].participant_id is None and results[3].detail == "NIK is already registered"
    siti_id = results[0].participant_id
    assert [(f.key, e.participant_id) for f, e in uow.events(ParticipantRegistered)][1:] == [
        (str(siti_id), siti_id)
    ]
    assert uow.state.entries()[1:] == [
        (Action.IMPORT, Outcome.DONE, siti_id),
        (Action.LOOKUP, Outcome.TAKEN, ani.participant_id),
        (Action.IMPORT, Outcome.REFUSED, None),
    ]


async def test_a_batch_update_restates_participants_with_participant_updated_when_the_profile_moves() -> None:
    uow = storage()
    siti, budi = await registered(uow, SITI, BUDI)
    moved = Domicile("31.71", "31.71.01", "31.71.01.1002")
    rows = [replace(SITI, domicile=moved), replace(BUDI, phone="0899"), BUDI]
    results = await registering.import_participants(
        uow, rows, OnDuplicate.UPDATE, GAMBIR_OFFICER, dry_run=False
    )
    assert [r.status for r in results] == [RowStatus.UPDATED, RowStatus.UPDATED, RowStatus.INVALID]
    assert uow.state.locks == [siti.participant_id, budi.participant_id]
    [(fact, event)] = uow.events(ParticipantUpdated)  # a new phone is no news to followers
    assert (fact.key, event.profile.kelurahan_code, event.profile.revision) == (
        str(siti.participant_id),
        "31.71.01.1002",
        1,
    )
    assert uow.state.participants[budi.participant_id].phone == "0899"
    assert [e for e in uow.state.entries() if e[0] is Action.UPDATE] == [
        (Action.UPDATE, Outcome.DONE, siti.participant_id),
        (Action.UPDATE, Outcome.DONE, budi.participant_id),
    ]
    uow.state.earliest_facts[siti.participant_id] = date(2024, 3, 1)
    [late] = await registering.import_participants(
        uow,
        [replace(SITI, domicile=moved, registered_on=date(2024, 4, 1))],
        OnDuplicate.UPDATE,
        ADMIN,
        dry_run=False,
    )
    assert (late.status, late.code) == (RowStatus.INVALID, "stage_fact_precedes")


async def test_a_dry_run_writes_nothing_but_its_lookups() -> None:
    uow = storage()
    [siti] = await registered(uow, SITI)
    rows = [replace(SITI, phone="0899"), BUDI]
    results = await registering.import_participants(uow, rows, OnDuplicate.UPDATE, ADMIN, dry_run=True)
    assert [(r.status, r.participant_id) for r in results] == [
        (RowStatus.WOULD_UPDATE, siti.participant_id),
        (RowStatus.WOULD_CREATE, None),
    ]
    assert list(uow.state.participants) == [siti.participant_id] and len(uow.published) == 1
    assert uow.state.entries()[1:] == [
        (Action.LOOKUP, Outcome.FOUND, siti.participant_id),
        (Action.LOOKUP, Outcome.NOT_FOUND, None),
    ]


async def test_a_batch_that_loses_the_race_for_a_nik_goes_row_by_row_and_only_that_row_is_a_duplicate() -> (
    None
):
    uow = storage()
    [winner] = await registered(storage(), BUDI)
    commit_meanwhile(uow.state, lambda state: state.rows.update({winner.participant_id: winner}))
    results = await registering.import_participants(
        uow, [SITI, BUDI], OnDuplicate.SKIP, GAMBIR_OFFICER, dry_run=False
    )
    assert [(r.status, r.code) for r in results] == [
        (RowStatus.CREATED, None),
        (RowStatus.SKIPPED, "duplicate_nik"),
    ]
    assert results[1].participant_id == winner.participant_id
    assert [e.participant_id for _, e in uow.events(ParticipantRegistered)] == [results[0].participant_id]


async def test_the_nik_index_refuses_a_second_holder_in_the_fakes_as_in_the_database() -> None:
    uow = storage()
    await registered(uow, SITI)
    [elsewhere] = await registered(storage(), SITI)
    with pytest.raises(NikTaken):
        async with uow.begin() as tx:
            await tx.participants.add(elsewhere.newly_registered())
    assert len(uow.state.rows) == 1 and len(uow.published) == 1


# --- the audit trail --------------------------------------------------------------------------------------


async def test_the_audit_trail_pages_oldest_first_by_participant_or_account() -> None:
    uow = storage()
    siti, budi = await registered(uow, SITI, BUDI)
    await reading.read_participant(uow, siti.participant_id, GAMBIR_OFFICER)
    entries, last = await reading.audit_trail(
        uow, participant_id=siti.participant_id, subject=None, after_id=0, limit=1
    )
    assert [(e.action, e.subject) for e in entries] == [(Action.REGISTER, ADMIN.subject)] and last == 1
    entries, last = await reading.audit_trail(
        uow, participant_id=siti.participant_id, subject=None, after_id=last, limit=5
    )
    assert [(e.action, e.subject) for e in entries] == [
        (Action.READ, GAMBIR_OFFICER.subject)
    ] and last is None
    by_officer, _ = await reading.audit_trail(
        uow, participant_id=None, subject=GAMBIR_OFFICER.subject, after_id=0, limit=5
    )
    assert [e.participant_id for e in by_officer] == [siti.participant_id]
    assert budi.participant_id not in {e.participant_id for e in by_officer}
