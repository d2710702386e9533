from datetime import date
from uuid import uuid4

import pytest

from services.training.domain.training import (
    Completion,
    NotAVocationalGraduate,
    Placement,
    PlacementDependsOnIt,
    TrainingClass,
    check_completion,
    check_placements_still_follow,
)
from shared.auth.principal import OutOfScope, Principal, Role
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.events import ParticipantPlaced, TrainingCompleted
from shared.corrections import AlreadyVoided
from shared.errors import RuleViolation
from shared.participants.area import check_own_kota
from tests.factories import profile

TODAY = date(2024, 6, 30)
PROFILE = profile(registered_on=date(2024, 1, 2))
CLASS = TrainingClass(
    class_id=uuid4(),
    title="Barista",
    program=TrainingProgram.VOCATIONAL,
    format=TrainingFormat.MOBILE_UNIT,
    kota_code="31.71",
    venue=None,
    starts_on=date(2024, 3, 1),
    ends_on=date(2024, 3, 31),
    capacity=20,
)
COMPLETION = Completion(
    class_id=CLASS.class_id,
    participant_id=uuid4(),
    program=CLASS.program,
    enrolled_on=date(2024, 3, 4),
    completed_on=date(2024, 3, 28),
)
PLACEMENT = Placement(uuid4(), COMPLETION.participant_id, "PT Maju", date(2024, 5, 1))


def test_a_completion_is_redated_under_the_rules_of_the_original() -> None:
    redated = COMPLETION.redate(CLASS, date(2024, 3, 4), TODAY, PROFILE)
    assert redated.completed_on == date(2024, 3, 4) and not redated.voided
    for wrong, words in [
        (date(2024, 3, 3), "before enrolled_on"),
        (date(2024, 4, 1), "outside the class dates"),
    ]:
        with pytest.raises(RuleViolation, match=words):
            COMPLETION.redate(CLASS, wrong, TODAY, PROFILE)


def test_a_completion_date_is_a_stage_date() -> None:
    future_class = TrainingClass(**{**vars(CLASS), "ends_on": date(2024, 7, 31)})
    with pytest.raises(RuleViolation, match="after today"):
        check_completion(future_class, COMPLETION.enrolled_on, date(2024, 7, 1), TODAY, PROFILE)
    with pytest.raises(RuleViolation, match="before the participant's registration"):
        check_completion(CLASS, date(2024, 3, 1), date(2024, 3, 1), TODAY, profile(registered_on=TODAY))


def test_a_placement_is_redated_under_the_rules_of_the_original() -> None:
    assert PLACEMENT.redate(date(2024, 3, 28), TODAY, PROFILE, COMPLETION.completed_on).placed_on == date(
        2024, 3, 28
    )
    with pytest.raises(RuleViolation, match="before the first vocational completion"):
        PLACEMENT.redate(date(2024, 3, 27), TODAY, PROFILE, COMPLETION.completed_on)
    with pytest.raises(RuleViolation, match="after today"):
        PLACEMENT.redate(date(2024, 7, 1), TODAY, PROFILE, COMPLETION.completed_on)
    with pytest.raises(NotAVocationalGraduate):
        PLACEMENT.redate(date(2024, 5, 2), TODAY, PROFILE, None)


@pytest.mark.parametrize("fact", [COMPLETION, PLACEMENT], ids=["completion", "placement"])
def test_a_voided_fact_is_neither_corrected_nor_voided_again(fact: Completion | Placement) -> None:
    voided = fact.void()
    assert voided.voided and not fact.voided
    with pytest.raises(AlreadyVoided) as refused:
        voided.void()
    assert refused.value.code == "already_voided" and refused.value.status_code == 409
    with pytest.raises(AlreadyVoided):
        if isinstance(voided, Completion):
            voided.redate(CLASS, date(2024, 3, 20), TODAY, PROFILE)
        else:
            voided.redate(date(2024, 5, 2), TODAY, PROFILE, COMPLETION.completed_on)


def test_the_facts_carry_their_own_event_shape() -> None:
    completed = COMPLETION.event(PROFILE)
    assert isinstance(completed, TrainingCompleted)
    assert (completed.class_id, completed.completed_on, completed.program) == (
        CLASS.class_id,
        date(2024, 3, 28),
        TrainingProgram.VOCATIONAL,
    )
    placed = PLACEMENT.event(PROFILE)
    assert isinstance(placed, ParticipantPlaced)
    assert (placed.placement_id, placed.placed_on, placed.profile) == (
        PLACEMENT.placement_id,
        date(2024, 5, 1),
        PROFILE,
    )


def test_without_a_placement_any_vocational_completion_may_go() -> None:
    check_placements_still_follow("void it", None, [])


@pytest.mark.parametrize(
    "remaining",
    [[date(2024, 3, 28)], [date(2024, 5, 1), date(2024, 6, 1)]],
    ids=["earlier", "same-day"],
)
def test_a_placement_supported_by_another_completion_lets_one_go(remaining: list[date]) -> None:
    check_placements_still_follow("void it", PLACEMENT, remaining)


@pytest.mark.parametrize(
    ("remaining", "words"),
    [([], "no other vocational completion"), ([date(2024, 5, 2)], "the first would be on 2024-05-02")],
    ids=["none-left", "only-later"],
)
def test_a_placement_left_without_a_completion_before_it_refuses(remaining: list[date], words: str) -> None:
    with pytest.raises(PlacementDependsOnIt, match=words) as refused:
        check_placements_still_follow("void the completion", PLACEMENT, remaining)
    assert refused.value.code == "placement_depends_on_it" and refused.value.status_code == 409
    assert refused.value.context == {"placement_id": str(PLACEMENT.placement_id)}


def test_a_trainer_scoped_to_a_kota_schedules_classes_there_only() -> None:
    trainer = Principal("trainer-1", frozenset({Role.TRAINER}), kota="31.72")
    with pytest.raises(OutOfScope) as refused:
        check_own_kota(trainer, CLASS.kota_code, "a class")
    assert refused.value.detail == "a class in kota 31.71 is outside your area (kota 31.72)"
    check_own_kota(
        Principal("trainer-2", frozenset({Role.TRAINER}), kota="31.71"), CLASS.kota_code, "a class"
    )
    check_own_kota(Principal("trainer-3", frozenset({Role.TRAINER}), agency="PPKUKM"), "31.72", "a class")
    check_own_kota(None, "31.72", "a class")  # no request: nothing to scope
