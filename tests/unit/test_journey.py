"""A participant's journey from the projection: one step per participant-level fact, restated by a
correction, kept (voided) by a void, counted exactly where the figures count, stored one field per fact."""

import random
from datetime import date, timedelta
from uuid import uuid4

from services.reporting.metrics import Metric
from services.reporting.projection.batch import Consumed, Decoded, decoded, project
from services.reporting.projection.earliest import SubjectState
from services.reporting.projection.journey import KINDS, JourneyStage, Step, walk
from services.reporting.store.journeys import CODES, decode_steps, journey_fields
from services.reporting.store.keys import Keys
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import ExhibitionScope, PermitType, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ParticipantPlaced,
    ParticipantRegistered,
    PermitIssued,
    ProductShowcased,
    TrainingCompleted,
)
from tests.factories import profile

PROFILE = profile(registered_on=date(2023, 1, 2))
PARTICIPANT = uuid4()
KEYS = Keys("jp")


def completion(on: date, program: TrainingProgram = TrainingProgram.ENTREPRENEURSHIP) -> TrainingCompleted:
    return TrainingCompleted(
        participant_id=PARTICIPANT, class_id=uuid4(), program=program, completed_on=on, profile=PROFILE
    )


def steps(*events: EventPayload) -> list[Step]:
    return [step for i, e in enumerate(events) for step in decoded(Consumed(i, e)).steps]


def test_each_fact_event_is_one_step_of_its_participants_journey() -> None:
    registered = ParticipantRegistered(participant_id=PARTICIPANT, profile=PROFILE)
    permit = PermitIssued(
        participant_id=PARTICIPANT,
        permit_id=uuid4(),
        permit_type=PermitType.NIB,
        applied_on=date(2023, 2, 1),
        issued_on=date(2023, 3, 1),
        profile=PROFILE,
    )
    shown = ProductShowcased(
        participant_id=PARTICIPANT,
        product_id=uuid4(),
        exhibition_id=uuid4(),
        showcase_id=uuid4(),
        scope=ExhibitionScope.NATIONAL,
        shown_on=date(2023, 4, 1),
        profile=PROFILE,
    )
    placed = ParticipantPlaced(
        participant_id=PARTICIPANT, placement_id=uuid4(), placed_on=date(2023, 5, 1), profile=PROFILE
    )
    pid = str(PARTICIPANT)
    # A permit and a product count on their own too; only the participant's fact is a step.
    assert steps(registered, permit, shown, placed) == [
        Step(pid, Metric.REGISTERED, "registration", "2023-01-02"),
        Step(pid, Metric.PERMIT_HOLDERS, str(permit.permit_id), "2023-03-01"),
        Step(pid, Metric.MARKETED_PARTICIPANTS, str(shown.showcase_id), "2023-04-01"),
        Step(pid, Metric.VOCATIONAL_PLACED, str(placed.placement_id), "2023-05-01"),
    ]


def test_every_journey_metric_has_a_stage_and_a_stored_code() -> None:
    assert set(CODES) == set(KINDS)
    assert len(set(CODES.values())) == len(CODES)
    assert {kind.stage for kind in KINDS.values()} == set(JourneyStage)


def test_a_correction_restates_the_step_and_a_void_keeps_it_voided_on_the_day_it_had() -> None:
    fact = completion(date(2023, 3, 10))
    moved = fact.model_copy(update={"completed_on": date(2023, 3, 5)})
    corrected = FactCorrected(
        participant_id=PARTICIPANT,
        fact_type="TrainingCompleted",
        fact=moved,
        previous_on=date(2023, 3, 10),
        by="officer-1",
    )
    voided = FactVoided(participant_id=PARTICIPANT, fact_type="TrainingCompleted", fact=moved, by="officer-1")
    records = [decoded(Consumed(i, e)) for i, e in enumerate([fact, corrected, voided])]
    fact_id = str(fact.class_id)
    assert [r.steps for r in records] == [
        (Step(str(PARTICIPANT), Metric.TRAINED, fact_id, "2023-03-10"),),
        (Step(str(PARTICIPANT), Metric.TRAINED, fact_id, "2023-03-05"),),
        (Step(str(PARTICIPANT), Metric.TRAINED, fact_id, "2023-03-05", voided=True),),
    ]
    # Written in log order, the last word on the fact stands; one batch or three give the same field.
    key = KEYS.journey(str(PARTICIPANT))
    assert journey_fields(KEYS, records) == {key: {f"t:{fact_id}": "2023-03-05|v"}}
    stored: dict[str, str] = {}
    for record in records:
        stored |= journey_fields(KEYS, [record])[key]
    assert stored == {f"t:{fact_id}": "2023-03-05|v"}


def test_stored_fields_read_back_as_the_same_steps() -> None:
    pid = str(PARTICIPANT)
    written = [
        Step(pid, Metric.REGISTERED, "registration", "2023-01-02"),
        Step(pid, Metric.VOCATIONAL_TRAINED, str(uuid4()), "2023-02-03", voided=True),
        Step(pid, Metric.FINANCED, str(uuid4()), "2023-04-05"),
    ]
    (fields,) = journey_fields(KEYS, [Decoded(1, [], steps=tuple(written))]).values()
    assert decode_steps(pid, fields) == written
    assert all(len(name) + len(value) <= 50 for name, value in fields.items())  # a uuid and a day


def test_the_journey_is_in_date_order_and_counts_each_stage_on_its_earliest_remaining_fact() -> None:
    pid = str(PARTICIPANT)
    walked = walk(
        [
            Step(pid, Metric.TRAINED, "class-b", "2023-03-01"),
            Step(pid, Metric.TRAINED, "class-a", "2023-02-01", voided=True),
            Step(pid, Metric.MENTORED, "session-1", "2023-03-01"),
            Step(pid, Metric.REGISTERED, "registration", "2023-01-02"),
            Step(pid, Metric.TRAINED, "class-c", "2023-04-01"),
            Step(pid, Metric.VOCATIONAL_PLACED, "placement-1", "2023-05-01"),
            Step(pid, Metric.VOCATIONAL_TRAINED, "class-v", "2023-04-20"),
        ]
    )
    assert [(f.kind.stage, f.fact_id, f.on, f.counted, f.voided) for f in walked] == [
        (JourneyStage.REGISTRATION, "registration", date(2023, 1, 2), True, False),
        (JourneyStage.TRAINING, "class-a", date(2023, 2, 1), False, True),
        (JourneyStage.TRAINING, "class-b", date(2023, 3, 1), True, False),  # same day: stage order
        (JourneyStage.MENTORING, "session-1", date(2023, 3, 1), True, False),
        (JourneyStage.TRAINING, "class-c", date(2023, 4, 1), False, False),
        (JourneyStage.VOCATIONAL, "class-v", date(2023, 4, 20), True, False),
        (JourneyStage.VOCATIONAL, "placement-1", date(2023, 5, 1), True, False),  # placements count apart
    ]
    assert [f.kind.event for f in walked][-2:] == ["TrainingCompleted", "ParticipantPlaced"]


def test_counted_steps_are_exactly_where_the_figures_count_whatever_the_order() -> None:
    rng = random.Random(13)
    for _ in range(200):
        days = [date(2023, 1, 3) + timedelta(days=rng.randrange(30)) for _ in range(rng.randrange(1, 6))]
        events: list[EventPayload] = [completion(day) for day in days]  # same days happen: ties by fact id
        for fact in rng.sample(events, rng.randrange(len(events) + 1)):
            assert isinstance(fact, TrainingCompleted)
            events.append(
                FactVoided(participant_id=PARTICIPANT, fact_type="TrainingCompleted", fact=fact, by="o-1")
            )
        records = [decoded(Consumed(i, e)) for i, e in enumerate(events)]
        state = SubjectState()
        project({"p": state}, [("p", m, fact_id, f) for r in records for m, _, fact_id, f in r.entries])
        (fields,) = journey_fields(KEYS, records).values()
        counted = [f for f in walk(decode_steps(str(PARTICIPANT), fields)) if f.counted]
        expected = state.earliest()
        if expected is None:
            assert counted == []
        else:
            (step,) = counted
            assert state.facts[step.fact_id] == expected
