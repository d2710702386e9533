"""One batch between its reads and its writes, as the live applier and the rebuild both take it: no I/O.

`first` names the hashes to read: each participant's ({ks}:p:, their current profile and what they own)
and each subject the records have facts of. From those, `more` names the hashes of the participants whose
profile the batch changes, and of every subject of theirs, to restate; asked again with those read, it
names what they add (a permit owned meanwhile), until nothing. `finish` then gives the counter moves, the
hash fields to write and the guards: each participant's statement as read. The caller reads in between
(the applier from Redis, the rebuild from memory), so both count exactly alike.

The live applier writes only if every guard still holds (store.bulk), so no batch writes facts under a
profile another batch changed meanwhile; and it WATCHes what `more` names, so a batch that restates a
participant's subjects writes over none that another batch changed meanwhile.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from services.reporting.metrics import Metric
from services.reporting.projection.batch import Decoded, project
from services.reporting.projection.earliest import Deltas, recount
from services.reporting.projection.profiles import (
    PARTICIPANT_METRICS,
    Person,
    Profile,
    heard,
    owns,
    profile_of,
    restate_all,
)
from services.reporting.projection.versions import admit
from services.reporting.store.journeys import journey_fields
from services.reporting.store.keys import Keys
from services.reporting.store.subjects import changed_fields, decode_state, keyed

Hashes = Mapping[str, Mapping[str, str]]  # key → its fields, as read

_STATEMENT = "p"
_OWNED = "o:"


def decode_person(fields: Mapping[str, str]) -> Person:
    statement = fields.get(_STATEMENT)
    owned = set()
    for name in fields:
        if name.startswith(_OWNED):
            metric, subject = name[len(_OWNED) :].split(":", 1)
            owned.add((Metric(metric), subject))
    return Person(statement, owned, profile_of(statement) if statement is not None else None)


@dataclass(frozen=True)
class Written:
    deltas: Deltas
    hashes: dict[str, dict[str, str]]  # fields to set
    removed: dict[str, list[str]]  # fields to delete
    guards: list[tuple[str, str, str]]  # (key, field, value as read or "") that must hold when written


class BatchStep:
    def __init__(self, keys: Keys, records: list[Decoded]) -> None:
        self._keys = keys
        self.records = records
        participants = dict.fromkeys(r.stated.participant for r in records if r.stated)
        self.people = {participant: keys.person(participant) for participant in participants}
        subjects = (keys.subject(m, s) for r in records for m, s, *_ in r.entries)
        self._subjects = list(dict.fromkeys(subjects))
        self._persons: dict[str, Person] = {}
        self._moved: dict[str, list[tuple[str, Metric]]] = {}  # participant → their subjects and metrics
        self._named: set[str] = set()  # what `more` named so far

    def first(self) -> list[str]:
        """The participants' hashes, then the subjects' the records have facts of."""
        return [*self.people.values(), *self._subjects]

    def more(self, loaded: Hashes) -> list[str]:
        """Given what was named so far, read: the hashes of the participants to restate and of all their
        subjects not named before (to read, and for the applier to WATCH first)."""
        keys = self._keys
        persons = self._persons = {p: decode_person(loaded[key]) for p, key in self.people.items()}
        for record in self.records:  # a participant's permits and products, to find them again
            if record.stated:
                owned = persons[record.stated.participant].owned
                owned.update((m, s) for m, s, *_ in record.entries if owns(m))
        self._moved = {}
        named = []
        for participant in heard(persons, (r.stated for r in self.records)):
            mine = [(keys.subject(m, participant), m) for m in PARTICIPANT_METRICS]
            mine += [(keys.subject(m, subject), m) for m, subject in persons[participant].owned]
            self._moved[participant] = mine
            named += [self.people[participant], *(key for key, _ in mine)]
        new = [key for key in dict.fromkeys(named) if key not in self._named]
        self._named.update(new)
        return new

    def finish(self, loaded: Hashes) -> Written:
        """Given everything `first` and `more` named: where counts move, and the fields to write."""
        keys, persons = self._keys, self._persons
        subjects = dict.fromkeys(
            [*self._subjects, *(key for mine in self._moved.values() for key, _ in mine)]
        )
        states = {key: decode_state(loaded[key]) for key in subjects}
        profiles: dict[str, Profile] = {p: person.profile for p, person in persons.items() if person.profile}
        deltas = Deltas()
        for participant, mine in self._moved.items():
            for key, metric in mine:
                restate_all(states[key], metric, profiles[participant])
        admitted, stale = admit(states, keyed(keys, self.records, profiles))
        project(states, admitted, deltas)
        for mine in self._moved.values():
            for key, metric in mine:
                recount(metric, states[key], deltas)
        hashes, removed = changed_fields({key: loaded[key] for key in states}, states)
        for participant, person in persons.items():
            fields = _person_fields(loaded[self.people[participant]], person)
            if fields:
                hashes[self.people[participant]] = fields
        hashes |= journey_fields(keys, self.records, stale)
        guards = [(key, _STATEMENT, loaded[key].get(_STATEMENT, "")) for key in self.people.values()]
        return Written(deltas, hashes, removed, guards)


def _person_fields(stored: Mapping[str, str], person: Person) -> dict[str, str]:
    """The fields of a participant's hash that the batch changed: their statement, their new possessions."""
    fields = {}
    if person.statement is not None and stored.get(_STATEMENT) != person.statement:
        fields[_STATEMENT] = person.statement
    for metric, subject in person.owned:
        name = f"{_OWNED}{metric.value}:{subject}"
        if name not in stored:
            fields[name] = "1"
    return fields
