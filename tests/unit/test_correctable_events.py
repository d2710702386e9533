"""One registry of correctable facts (shared.contracts.corrections.CorrectableFact), and all agree on it.

- producers: the facts each stage service's correction wiring hands the correction log are exactly the
  correctable facts on its topic, and the date field it tells the log to change is the registry's;
- the contract: FactCorrected / FactVoided accept exactly the registry's facts;
- consumers: reporting has one projection entry per correctable fact, dated by the registry's field, and
  counts no stage fact that is not correctable; the participant's facts among them are journey steps;
  registration identifies each one by an id of its own.

The wiring is found by its shape, wherever a service keeps it: a lifecycle store (`read`, `save_date`,
`save_void`: shared.corrections.lifecycle.CorrectionStore) reads a fact whose `fact()` is the event; a
service's own correction log (`corrected`, `voided`) is typed to take its events; the date field is the
`date_field` argument of whatever call passes one.
"""

import ast
import importlib
import inspect
import pkgutil
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from datetime import date
from enum import Enum
from functools import cache
from types import ModuleType, UnionType
from typing import Any, Union, cast, get_args, get_origin, get_type_hints
from uuid import UUID, uuid4

import pytest

from services.registration.domain.stage_facts import fact_key
from services.reporting.projection.facts import PROJECTIONS, facts_of
from services.reporting.projection.journey import KINDS, steps_of
from shared.contracts.corrections import (
    CORRECTABLE,
    REDATED_FIELD,
    CorrectableFact,
    FactCorrected,
    FactVoided,
    redated_field,
)
from shared.contracts.envelope import EventPayload
from shared.contracts.profile import ParticipantProfile
from shared.contracts.topics import CORRECTIONS, REGISTRATION, TOPIC_EVENTS
from tests.factories import profile

STAGE_SERVICES = [service for service, models in TOPIC_EVENTS.items() if set(CORRECTIONS) <= set(models)]
FACT_DAY, OTHER_DAY = date(2024, 3, 5), date(2024, 2, 1)


def service_modules(service: str) -> Iterator[ModuleType]:
    """Every module of a service but its migrations and its entry point."""
    package = importlib.import_module(f"services.{service}")
    for found in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".migrations" not in found.name and not found.name.endswith(".__main__"):
            yield importlib.import_module(found.name)


def _classes_of(module: ModuleType) -> Iterator[Any]:  # classes of any shape
    for value in vars(module).values():
        if inspect.isclass(value) and value.__module__ == module.__name__:
            yield value


def _events_in(annotation: Any) -> set[type[EventPayload]]:
    members = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    return {m for m in members if inspect.isclass(m) and issubclass(m, EventPayload)}


@cache
def corrected_by(service: str) -> frozenset[type[EventPayload]]:
    """The facts the service's correction wiring hands the correction log."""
    everything = set(CORRECTABLE)
    events: set[type[EventPayload]] = set()
    for module in service_modules(service):
        for cls in _classes_of(module):
            if all(hasattr(cls, name) for name in ("read", "save_date", "save_void")):
                fact = get_type_hints(cls.read)["return"]
                events |= _events_in(get_type_hints(fact.fact)["return"])
            elif hasattr(cls, "corrected") and hasattr(cls, "voided"):
                taken = _events_in(get_type_hints(cls.corrected)["fact"])
                events |= taken if taken != everything else set()  # the shared log takes any fact
    return frozenset(events)


class _Unresolved(Exception):
    """An expression that is not a constant or a dotted name: only those are looked up, never run."""


def _looked_up(node: ast.expr, namespace: dict[str, Any]) -> Any:
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name) if name in namespace:
            return namespace[name]
        case ast.Attribute(value=owner, attr=attr) if hasattr(_looked_up(owner, namespace), attr):
            return getattr(_looked_up(owner, namespace), attr)
    raise _Unresolved(ast.unparse(node))


def _date_fields_in(module: ModuleType) -> set[str]:
    """The values of every `date_field` argument in the module's calls (by keyword or by position)."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except OSError:  # an empty package module
        return set()
    namespace = vars(module)
    given: list[ast.expr] = []
    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
        given += [k.value for k in call.keywords if k.arg == "date_field"]
        try:
            parameters = list(inspect.signature(_looked_up(call.func, namespace)).parameters)
        except (_Unresolved, TypeError, ValueError):
            continue  # a call on a local (tx.corrections.corrected …): its keyword was read above
        if "date_field" in parameters and parameters.index("date_field") < len(call.args):
            given.append(call.args[parameters.index("date_field")])
    found: set[str] = set()
    for node in given:
        # A parameter passed on (`date_field=date_field`) is skipped: its value is found where it is given.
        with suppress(_Unresolved):
            found.add(_looked_up(node, namespace))
    return found


def date_fields_of(service: str) -> set[str]:
    return {field for module in service_modules(service) for field in _date_fields_in(module)}


def a_fact(model: type[EventPayload], day: date = FACT_DAY) -> CorrectableFact:
    """A valid event of the model: its redated field on `day`, every other date on OTHER_DAY."""
    makers: dict[Any, Any] = {UUID: uuid4, ParticipantProfile: profile, int: lambda: 1, bool: lambda: True}
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        kind = field.annotation
        if kind is date:
            values[name] = day if name == redated_field(model) else OTHER_DAY
        elif inspect.isclass(kind) and issubclass(kind, Enum):
            values[name] = next(iter(kind))
        else:
            values[name] = makers[kind]()
    return cast(CorrectableFact, model.model_validate(values))


def _name(models: set[type[EventPayload]] | frozenset[type[EventPayload]]) -> list[str]:
    return sorted(m.__name__ for m in models)


# --- the registry and the contract ------------------------------------------------------------------------


def test_the_registry_derives_the_models_and_date_fields_from_the_one_union() -> None:
    declared = [get_args(member) for member in get_args(CorrectableFact)]
    assert [model for model, _ in declared] == list(CORRECTABLE)
    assert {model: redates.field for model, redates in declared} == REDATED_FIELD
    assert all(model.model_fields[field].annotation is date for model, field in REDATED_FIELD.items())
    with pytest.raises(LookupError, match="ParticipantRegistered is not a correctable fact"):
        redated_field(TOPIC_EVENTS[REGISTRATION][0])


@pytest.mark.parametrize("correction", [FactCorrected, FactVoided])
def test_a_correction_accepts_exactly_the_registry_facts(
    correction: type[FactCorrected] | type[FactVoided],
) -> None:
    schema = correction.model_json_schema()
    assert schema["properties"]["fact_type"]["enum"] == [m.event_type for m in CORRECTABLE]
    facts = {ref["$ref"].rsplit("/", 1)[-1] for ref in schema["properties"]["fact"]["anyOf"]}
    assert facts == {m.__name__ for m in CORRECTABLE}
    for model in CORRECTABLE:
        fact = a_fact(model)
        extra = {"previous_on": OTHER_DAY} if correction is FactCorrected else {}
        restated = correction.model_validate(
            {
                "participant_id": str(fact.participant_id),
                "fact_type": model.event_type,
                "fact": fact.model_dump(mode="json"),
                "by": "officer-1",
                **extra,
            }
        )
        assert restated.fact == fact, model.__name__


# --- producers --------------------------------------------------------------------------------------------


def test_every_stage_service_corrects_exactly_the_correctable_facts_of_its_topic() -> None:
    corrected = {service: _name(corrected_by(service)) for service in STAGE_SERVICES}
    published = {service: _name(set(TOPIC_EVENTS[service]) & set(CORRECTABLE)) for service in STAGE_SERVICES}
    assert corrected == published
    assert all(corrected.values()), "a service publishing corrections with no correction wiring"
    assert {m for service in STAGE_SERVICES for m in corrected_by(service)} == set(CORRECTABLE)


def test_every_stage_service_redates_the_field_the_registry_declares() -> None:
    used = {service: sorted(date_fields_of(service)) for service in STAGE_SERVICES}
    declared = {
        service: sorted(redated_field(m) for m in corrected_by(service)) for service in STAGE_SERVICES
    }
    assert used == declared


# --- consumers --------------------------------------------------------------------------------------------


def test_reporting_has_one_projection_entry_per_correctable_fact_and_counts_no_other_stage_fact() -> None:
    entries = Counter(p.event for p in PROJECTIONS)
    assert {m.__name__: entries[m] for m in CORRECTABLE} == {m.__name__: 1 for m in CORRECTABLE}
    stage_facts = set(entries) - set(TOPIC_EVENTS[REGISTRATION]) - set(CORRECTIONS)
    assert _name(stage_facts) == _name(set(CORRECTABLE)), "a counted stage fact that cannot be corrected"


@pytest.mark.parametrize("model", CORRECTABLE, ids=lambda m: m.__name__)
def test_reporting_dates_a_correctable_fact_by_its_redated_field(model: type[EventPayload]) -> None:
    facts = facts_of(a_fact(model))
    assert facts and {f.on for f in facts} == {FACT_DAY}


@pytest.mark.parametrize("model", CORRECTABLE, ids=lambda m: m.__name__)
def test_reporting_makes_its_participants_facts_steps_of_their_journey(model: type[EventPayload]) -> None:
    facts = facts_of(a_fact(model))
    theirs = [f for f in facts if f.cohort is not None]  # a permit's or a product's own count is no step
    assert theirs and [step.metric for step in steps_of(facts)] == [f.metric for f in theirs]
    assert {KINDS[f.metric].event for f in theirs} == {model.event_type}


@pytest.mark.parametrize("model", CORRECTABLE, ids=lambda m: m.__name__)
def test_registration_knows_each_correctable_fact_by_an_id_of_its_own(model: type[EventPayload]) -> None:
    fact = a_fact(model)
    moved = fact.model_copy(update={redated_field(model): OTHER_DAY})
    assert fact_key(fact) is not None and fact_key(moved) == fact_key(fact)
