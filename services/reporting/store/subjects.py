"""Subjects ⇄ the Redis hashes that store them: fact id → the fact's `Dated` string, one field per fact.

A fact applied with a version (projection.versions) is stored as "{Dated}#{version}"; a fact withdrawn by a
versioned void stays as "#{version}", so an older event of it that arrives later is still refused. An
unversioned void deletes the field, as before versions.

What is counted is not stored: after every batch it is the earliest fact, so it is derived when read.
Hashes written before this layout (fields "f:{fact_id}" → JSON, and "c") are still read, and rewritten in
this layout by the first batch that touches them.
"""

import json
from collections.abc import Iterable, Mapping

from services.reporting.metrics import Dimension
from services.reporting.projection.batch import Decoded
from services.reporting.projection.earliest import SEP, Dated, SubjectState
from services.reporting.projection.profiles import Profile, profile_of, restated
from services.reporting.projection.versions import Versioned
from services.reporting.store.keys import Keys

_OLD_FACT = "f:"
_OLD_COUNTED = "c"
_VERSION = "#"  # never in a Dated


def keyed(
    keys: Keys, records: Iterable[Decoded], profiles: Mapping[str, Profile] | None = None
) -> list[Versioned[str]]:
    """The records' entries by their subject's key, each with its record's version; with `profiles` (by
    participant), each fact restated with its participant's profile (projection.profiles)."""
    entries: list[Versioned[str]] = []
    for record in records:
        stated = record.stated
        profile = profiles.get(stated.participant) if profiles and stated else None
        if profile is not None and stated and profile_of(stated.statement) == profile:
            profile = None  # its facts already have the profile they are counted under
        version = record.version
        for metric, subject, fact_id, stated_fact in record.entries:
            fact = (
                stated_fact
                if profile is None or stated_fact is None
                else restated(metric, stated_fact, profile)
            )
            entries.append((keys.subject(metric, subject), metric, fact_id, fact, version))
    return entries


def decode_state(fields: Mapping[str, str]) -> SubjectState:
    if any(name == _OLD_COUNTED or name.startswith(_OLD_FACT) for name in fields):
        state = SubjectState(_from_old_layout(fields))
    else:
        state = SubjectState()
        facts, versions = state.facts, state.versions
        for fact_id, value in fields.items():
            fact, versioned, version = value.partition(_VERSION)
            if versioned:
                versions[fact_id] = int(version)
            if fact:
                facts[fact_id] = fact
    state.counted = state.earliest()
    return state


def stored_fields(state: SubjectState) -> dict[str, str]:
    """The hash fields that hold the state: its facts and the versions of its facts, withdrawn or not."""
    facts, versions = state.facts, state.versions
    fields = dict(facts)
    for fact_id, version in versions.items():
        fields[fact_id] = f"{facts.get(fact_id, '')}{_VERSION}{version}"
    return fields


def _from_old_layout(fields: Mapping[str, str]) -> dict[str, Dated]:
    """ "f:{fact_id}" → JSON [day, {dimension: value}, cohort]; "c" (what was counted) is derived again."""
    facts = {}
    for name, raw in fields.items():
        if name.startswith(_OLD_FACT):
            day, dims, cohort = json.loads(raw)
            values = [dims.get(d.value, "") for d in Dimension]
            facts[name[len(_OLD_FACT) :]] = SEP.join((day, cohort or "", *values))
    return facts


def changed_fields(
    loaded: Mapping[str, Mapping[str, str]], states: Mapping[str, SubjectState]
) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """Fields to set and fields to delete so that each subject's hash holds its state's facts."""
    hashes: dict[str, dict[str, str]] = {}
    removed: dict[str, list[str]] = {}
    for key, state in states.items():
        old, new = loaded[key], stored_fields(state)
        changed = {fact_id: value for fact_id, value in new.items() if old.get(fact_id) != value}
        if changed:
            hashes[key] = changed
        gone = [name for name in old if name not in new]
        if gone:
            removed[key] = gone
    return hashes, removed
