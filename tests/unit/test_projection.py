"""Reporting's pure projection: one entry per fact event, records into subject states, states into counts."""

import subprocess
import sys
import types
from collections import Counter
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any, Literal, TypeVar, cast, get_args, get_origin
from uuid import UUID, uuid4

from services.reporting.metrics import Metric
from services.reporting.projection.batch import (
    Consumed,
    Decoded,
    Entry,
    decoded,
    entries_of,
    project,
    targets_of,
)
from services.reporting.projection.earliest import TOTAL, Dated, SubjectState, increments
from services.reporting.projection.facts import PROJECTIONS, facts_of
from services.reporting.projection.journey import Step
from services.reporting.projection.profiles import Stated
from shared.contracts.corrections import CORRECTABLE, FactCorrected, FactVoided
from shared.contracts.enums import TargetScope, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ParticipantRegistered,
    PermitApplied,
    PermitIssued,
    TargetSet,
    TrainingCompleted,
)
from shared.contracts.profile import ParticipantProfile
from shared.contracts.topics import CORRECTIONS, REGISTRATION, TOPIC_EVENTS
from tests.factories import profile

E = TypeVar("E", bound=EventPayload)
ROOT = Path(__file__).parents[2]
PROFILE = profile(registered_on=date(2023, 1, 2))
# Facts are what the programme counts: registrations, and the stage facts (each of which can be corrected).
FACT_EVENTS = {*TOPIC_EVENTS[REGISTRATION], *CORRECTABLE}


def example(model: type[E], **given: Any) -> E:
    """An event of any contract, whatever its fields: the projection only reads them (so not validated)."""
    values = {name: _value(field.annotation) for name, field in model.model_fields.items()}
    return cast(E, model.model_construct(**(values | given)))


def _value(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType):
        return None
    if get_origin(annotation) is Literal:
        return get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation))
    makers: dict[Any, Any] = {
        UUID: uuid4,
        date: lambda: date(2023, 3, 1),
        ParticipantProfile: lambda: PROFILE,
        bool: lambda: False,
        int: lambda: 1,
        str: lambda: "x",
    }
    return makers[annotation]()


def by_subject(*events: EventPayload) -> list[tuple[str, Metric, str, Dated | None]]:
    """The events' entries keyed by their subject (the store keys them by a Redis key instead)."""
    entries: list[Entry] = [e for event in events for e in entries_of(event)]
    return [(subject, metric, fact_id, fact) for metric, subject, fact_id, fact in entries]


def test_the_projection_imports_no_redis_kafka_or_web_framework() -> None:
    script = (
        "import importlib, pkgutil, sys\n"
        "import services.reporting.projection as projection\n"
        "for module in pkgutil.iter_modules(projection.__path__, projection.__name__ + '.'):\n"
        "    importlib.import_module(module.name)\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    imported = set(
        subprocess.run(
            [sys.executable, "-c", script], check=True, capture_output=True, text=True, cwd=ROOT
        ).stdout.split()
    )
    assert {"services", "shared", "pydantic"} <= imported  # the script did import the projection
    assert imported.isdisjoint({"redis", "aiokafka", "fastapi", "starlette", "sqlalchemy"})


def test_every_fact_event_has_exactly_one_projection_entry() -> None:
    entries = Counter(p.event for p in PROJECTIONS)
    assert {e.__name__: entries[e] for e in FACT_EVENTS} == {e.__name__: 1 for e in FACT_EVENTS}
    assert set(entries) == FACT_EVENTS | set(CORRECTIONS), "an entry for an event that is not a fact"
    assert all(n == 1 for n in entries.values())


def test_every_fact_event_gives_facts_and_other_events_give_none() -> None:
    for model in FACT_EVENTS:
        assert facts_of(example(model)), model.__name__
    for models in TOPIC_EVENTS.values():
        for model in set(models) - FACT_EVENTS - set(CORRECTIONS):
            assert facts_of(example(model)) == [], model.__name__


def test_a_correction_restates_and_a_void_withdraws_the_same_facts_of_every_correctable_event() -> None:
    for model in CORRECTABLE:
        fact = example(model)
        ids = [(f.metric, f.subject, f.fact_id) for f in facts_of(fact)]
        moved = fact.model_copy(update={name: date(2023, 2, 1) for name, v in fact if isinstance(v, date)})
        corrected = facts_of(example(FactCorrected, fact_type=model.event_type, fact=moved))
        voided = facts_of(example(FactVoided, fact_type=model.event_type, fact=fact))
        assert [(f.metric, f.subject, f.fact_id) for f in corrected] == ids, model.__name__
        assert [f.on for f in corrected] == [date(2023, 2, 1)] * len(ids), model.__name__
        assert [(f.metric, f.subject, f.fact_id) for f in voided] == ids, model.__name__
        assert all(f.void for f in voided), model.__name__


def test_a_permit_counts_once_and_puts_its_holder_in_the_permits_stage_of_their_cohort() -> None:
    issued = example(PermitIssued, issued_on=date(2023, 4, 5))
    [permit, holder] = facts_of(issued)
    assert (permit.metric, permit.subject, permit.fact_id, permit.cohort) == (
        Metric.PERMITS_ISSUED,
        str(issued.permit_id),
        "issued",
        None,
    )
    assert (holder.metric, holder.subject, holder.fact_id, holder.cohort) == (
        Metric.PERMIT_HOLDERS,
        str(issued.participant_id),
        str(issued.permit_id),
        date(2023, 1, 2),
    )


def test_a_training_counts_by_its_programme() -> None:
    for program, metric in [
        (TrainingProgram.ENTREPRENEURSHIP, Metric.TRAINED),
        (TrainingProgram.VOCATIONAL, Metric.VOCATIONAL_TRAINED),
    ]:
        assert [f.metric for f in facts_of(example(TrainingCompleted, program=program))] == [metric]


def test_records_become_entries_targets_or_nothing() -> None:
    registered = example(ParticipantRegistered)
    target = example(
        TargetSet, year=2024, metric="trained", scope=TargetScope.KOTA, scope_key="31.71", value=90
    )
    steps = (Step(str(registered.participant_id), Metric.REGISTERED, "registration", "2023-01-02"),)
    # Registration's own statement of the profile, revision 0, sent without a fact version (profiles.py).
    stated = Stated(str(registered.participant_id), "0|1|-1|2023-01-02|31.71|31.71.01|F|none|PPKUKM")
    assert decoded(Consumed(3, registered)) == Decoded(3, entries_of(registered), steps=steps, stated=stated)
    assert entries_of(registered) == [
        (
            Metric.REGISTERED,
            str(registered.participant_id),
            "registration",
            "2023-01-02||31.71|31.71.01|F|none|PPKUKM",
        )
    ]
    assert decoded(Consumed(4, target)) == Decoded(4, [], ((2024, "trained", "kota", "31.71"), 90))
    assert decoded(Consumed(5, None)) == Decoded(5, [])  # dead-lettered: only its offset counts
    assert decoded(Consumed(6, example(PermitApplied))) == Decoded(6, [])
    assert decoded(Decoded(7, [])) == Decoded(7, [])


def test_the_latest_target_of_a_batch_stands() -> None:
    key = (2024, "trained", "kota", "31.71")
    records = [Decoded(1, [], (key, 90)), Decoded(2, []), Decoded(3, [], (key, 120))]
    assert targets_of(records) == {key: 120}


def test_a_batch_counts_a_subject_once_on_its_earliest_fact_whatever_the_order() -> None:
    completion = example(TrainingCompleted, program=TrainingProgram.ENTREPRENEURSHIP)
    earlier = completion.model_copy(update={"class_id": uuid4(), "completed_on": date(2023, 2, 1)})
    subject = str(completion.participant_id)
    entries = by_subject(completion, earlier, completion)
    states = {subject: SubjectState()}
    days, funnel = increments(project(states, entries))
    assert {day: fields[TOTAL] for (_, day), fields in days.items() if fields[TOTAL]} == {"2023-02-01": 1}
    assert days[(Metric.TRAINED, "2023-02-01")] == {
        TOTAL: 1,
        "kota:31.71": 1,
        "kecamatan:31.71.01": 1,
        "gender:F": 1,
        "sector:none": 1,
        "agency:PPKUKM": 1,
    }
    assert {k: n for k, n in funnel.items() if n} == {(Metric.TRAINED, "2023-01-02", "2023-02-01"): 1}
    assert len(states[subject].facts) == 2


def test_a_later_batch_moves_the_count_and_a_void_takes_it_away() -> None:
    early = example(
        TrainingCompleted, program=TrainingProgram.ENTREPRENEURSHIP, completed_on=date(2023, 2, 1)
    )
    subject = str(early.participant_id)
    states = {subject: SubjectState()}
    project(states, by_subject(early))
    later_batch = by_subject(example(FactVoided, fact=early))
    days, funnel = increments(project(states, later_batch))
    assert days[(Metric.TRAINED, "2023-02-01")][TOTAL] == -1
    assert funnel == {(Metric.TRAINED, "2023-01-02", "2023-02-01"): -1}
    assert states[subject].facts == {} and states[subject].counted is None
