"""Keeping a record right: an edit meets every registration rule again, never moves `registered_on` after
the earliest stage fact (nor does a batch update), and names the personal fields it changed without values."""

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from services.registration.domain.batch import OnDuplicate, RowStatus, decide, screen
from services.registration.domain.participant import Domicile, register
from services.registration.domain.stage_facts import StageFact, StageFactPrecedes, stage_fact_of
from services.registration.domain.upkeep import EditParticipant, changes_between, edit
from shared.contracts.codec import wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import Gender, PermitType, TrainingProgram
from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.events import (
    MentorAssigned,
    ParticipantEnrolled,
    PermitApplied,
    TrainingCompleted,
)
from shared.errors import RuleViolation
from tests.unit.test_registration_rules import COMMAND, TODAY

REGISTERED = register(COMMAND, TODAY)  # Siti Aminah, registered 2023-01-10
PROFILE = REGISTERED.profile()


def changing(**changes: object) -> EditParticipant:
    return EditParticipant("salah ketik", changes)


def test_an_edit_keeps_the_id_and_changes_only_the_fields_given() -> None:
    after = edit(REGISTERED, changing(phone="081298765432"), TODAY, None)
    assert after == replace(REGISTERED, phone="081298765432")


def test_an_edit_meets_every_registration_rule_again() -> None:
    with pytest.raises(RuleViolation, match="NIK birth day must be 01-31 for a man"):
        edit(REGISTERED, changing(gender=Gender.M), TODAY, None)  # the NIK says a woman
    with pytest.raises(RuleViolation, match="kelurahan"):
        edit(REGISTERED, changing(domicile=Domicile("31.71", "31.71.01", "31.72.01.1001")), TODAY, None)
    corrected = edit(REGISTERED, changing(nik="3171014509900002"), TODAY, None)
    assert corrected.nik == "3171014509900002" and corrected.participant_id == REGISTERED.participant_id


def test_an_edit_needs_a_field_to_change() -> None:
    with pytest.raises(RuleViolation, match="nothing to change"):
        changing()


def test_registered_on_never_moves_after_the_earliest_stage_fact() -> None:
    earliest = date(2023, 3, 1)
    with pytest.raises(StageFactPrecedes) as refused:
        edit(REGISTERED, changing(registered_on=date(2023, 3, 2)), TODAY, earliest)
    assert (refused.value.status_code, refused.value.code) == (409, "stage_fact_precedes")
    assert refused.value.context == {"earliest_stage_fact": "2023-03-01"}
    for allowed in (date(2023, 3, 1), date(2022, 12, 1)):  # the same day, or earlier, is fine
        assert edit(REGISTERED, changing(registered_on=allowed), TODAY, earliest).registered_on == allowed
    # An edit that leaves registered_on alone is never refused for it.
    late = replace(REGISTERED, registered_on=date(2023, 4, 1))
    assert edit(late, changing(phone=None), TODAY, earliest).phone is None


def test_a_batch_update_keeps_the_same_rule() -> None:
    moved = replace(COMMAND, registered_on=date(2023, 3, 2), phone="081298765432")
    candidates = screen([moved], TODAY).candidates
    registered = {REGISTERED.nik: REGISTERED}
    earliest = {REGISTERED.participant_id: date(2023, 3, 1)}
    refused = decide(candidates, registered, OnDuplicate.UPDATE, TODAY, earliest_facts=earliest)
    [row] = refused.results
    assert (row.status, row.code) == (RowStatus.INVALID, "stage_fact_precedes") and not refused.update
    allowed = decide(candidates, registered, OnDuplicate.UPDATE, TODAY)  # no stage fact yet
    assert allowed.results[0].status is RowStatus.UPDATED


def test_the_audit_names_personal_fields_and_values_only_the_pseudonymous_ones() -> None:
    after = replace(
        REGISTERED,
        full_name="Siti Aminah Putri",
        phone=None,
        domicile=Domicile("31.71", "31.71.01", "31.71.01.1002"),
    )
    changes = changes_between(REGISTERED, after)
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("full_name", None, None),
        ("phone", None, None),
        ("kelurahan_code", "31.71.01.1001", "31.71.01.1002"),
    ]
    assert changes_between(REGISTERED, REGISTERED) == ()


def envelope_of(event: EventPayload, on: date) -> EventEnvelope:
    return wrap(
        event, key=str(REGISTERED.participant_id), occurred_on=on, producer="stage", correlation_id=None
    )


def test_every_participant_event_of_a_stage_is_a_dated_fact_with_its_own_id() -> None:
    pid, class_id, permit_id = REGISTERED.participant_id, uuid4(), uuid4()
    enrolled = ParticipantEnrolled(
        participant_id=pid,
        class_id=class_id,
        program=TrainingProgram.ENTREPRENEURSHIP,
        enrolled_on=date(2023, 3, 1),
        profile=PROFILE,
    )
    applied = PermitApplied(
        permit_id=permit_id,
        participant_id=pid,
        permit_type=PermitType.NIB,
        applied_on=date(2023, 2, 1),
        profile=PROFILE,
    )
    mentor = MentorAssigned(
        mentor_id=uuid4(), kota_code="31.71", kecamatan_code="31.71.01", assigned_on=date(2023, 1, 2)
    )
    on = date(2023, 3, 1)
    assert stage_fact_of(envelope_of(enrolled, on), enrolled) == StageFact(
        pid, f"ParticipantEnrolled:{class_id}", on
    )
    assert stage_fact_of(envelope_of(applied, date(2023, 2, 1)), applied) == StageFact(
        pid, f"PermitApplied:{permit_id}", date(2023, 2, 1)
    )
    assert stage_fact_of(envelope_of(mentor, on), mentor) is None


def test_a_correction_redates_and_a_void_withdraws_the_same_fact() -> None:
    pid, class_id = REGISTERED.participant_id, uuid4()
    completed = TrainingCompleted(
        participant_id=pid,
        class_id=class_id,
        program=TrainingProgram.ENTREPRENEURSHIP,
        completed_on=date(2023, 3, 20),
        profile=PROFILE,
    )
    moved = completed.model_copy(update={"completed_on": date(2023, 3, 25)})
    corrected = FactCorrected(
        participant_id=pid,
        fact_type="TrainingCompleted",
        fact=moved,
        previous_on=date(2023, 3, 20),
        by="trainer-1",
    )
    voided = FactVoided(participant_id=pid, fact_type="TrainingCompleted", fact=moved, by="trainer-1")
    key = f"TrainingCompleted:{class_id}"
    first = stage_fact_of(envelope_of(completed, date(2023, 3, 20)), completed)
    second = stage_fact_of(envelope_of(corrected, date(2023, 3, 25)), corrected)
    third = stage_fact_of(envelope_of(voided, date(2023, 3, 25)), voided)
    assert first == StageFact(pid, key, date(2023, 3, 20))
    assert second == StageFact(pid, key, date(2023, 3, 25))
    assert third == StageFact(pid, key, date(2023, 3, 25), voided=True)
