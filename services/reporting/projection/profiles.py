"""Every fact of a participant is counted under their current profile (PRODUCT.md §3: a move of kota moves
the participant's counts in every breakdown, exactly). Pure: no I/O.

Each event carries the profile its producer held. Registration's ParticipantUpdated travels on its topic and
stage events on theirs, so reporting may read a stage event stating the old profile after the update, or
the update before the participant's earlier stage facts. Which profile is current is told by the rank of a
statement: (`ParticipantProfile.revision`, registration's own over a stage service's copy, then
registration's fact version). The highest rank any event stated is the participant's profile, and every
fact of theirs — of the participant's subjects and of their permits and products — is restated with it:
its own day kept, its breakdown values and its registration cohort (and the registration's day) from the
profile. When a higher rank states another profile, the participant's stored facts are restated and their
counts move (earliest.recount). The result depends only on the events, not on the order they came in.

A *statement* is stored as `revision|source|version|registered_on|kota|kecamatan|gender|sector|agency`
(the profile part in `Dimension` order, as earliest.Dated has it): one short string per participant.
Equal ranks state the same profile (registration gives each change its own revision), except events sent
before revisions (all 0) and without a fact version: among those the one read last stands, the rule of
log order they always had.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from services.reporting.metrics import NO_SECTOR, Metric
from services.reporting.projection.earliest import SEP, Dated, SubjectState
from services.reporting.projection.journey import KINDS
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.envelope import EventPayload
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.contracts.profile import ParticipantProfile

Statement = str  # see the module docstring
Profile = str  # the profile part of a statement: "registered_on|kota|kecamatan|gender|sector|agency"
Rank = tuple[int, int, int]  # (revision, source, version)

_REGISTRATION, _STAGE = 1, 0  # registration's statement of a revision outranks a copy of it
_NO_VERSION = -1
_RANK_FIELDS = 3

# Subjects that are the participant themselves (the rest — permits, products — belong to one).
PARTICIPANT_METRICS: tuple[Metric, ...] = tuple(KINDS)
_COHORTED = frozenset(m for m in KINDS if m is not Metric.REGISTERED)  # placed in a registration cohort


class Stated(NamedTuple):
    """Whose profile an event states, and the statement (plain strings: it crosses processes)."""

    participant: str
    statement: Statement


def stated_by(event: EventPayload, version: int | None = None) -> Stated | None:
    """The participant and profile statement of an event that counts (None for one without a profile).
    `version`: the event's fact version (the `fact-version` header), which orders registration's own."""
    if isinstance(event, FactCorrected | FactVoided):
        return stated_by(event.fact)  # the fact as its service restated it, with the profile it holds
    profile = getattr(event, "profile", None)
    participant = getattr(event, "participant_id", None)
    if not isinstance(profile, ParticipantProfile) or participant is None:
        return None
    if isinstance(event, ParticipantRegistered | ParticipantUpdated):
        rank = (profile.revision, _REGISTRATION, _NO_VERSION if version is None else version)
    else:
        rank = (profile.revision, _STAGE, _NO_VERSION)
    return Stated(str(participant), statement(rank, profile))


def statement(rank: Rank, profile: ParticipantProfile) -> Statement:
    """Built field by field (decoding is the pipeline's largest cost): the values of `dims_of`, in
    `Dimension` order (tests/unit/test_participant_moves.py holds the two to each other)."""
    revision, source, version = rank
    sector = profile.sector.value if profile.sector else NO_SECTOR
    return (
        f"{revision}|{source}|{version}|{profile.registered_on.isoformat()}|{profile.kota_code}|"
        f"{profile.kecamatan_code}|{profile.gender.value}|{sector}|{profile.agency.value}"
    )


def rank_of(statement: Statement) -> Rank:
    revision, source, version, _ = statement.split(SEP, _RANK_FIELDS)
    return int(revision), int(source), int(version)


def profile_of(statement: Statement) -> Profile:
    return statement.split(SEP, _RANK_FIELDS)[_RANK_FIELDS]


@dataclass(slots=True)
class Person:
    """What reporting keeps of a participant: their current statement, and the permits and products they
    own (metric, subject), so that a change of profile finds every fact to restate."""

    statement: Statement | None = None
    owned: set[tuple[Metric, str]] = field(default_factory=set)
    stored: Profile | None = None  # the profile their stored facts have (as loaded)

    def hear(self, stated: Statement) -> None:
        """Take a statement: it stands if it ranks at least as high as the current one (equal: log order)."""
        current = self.statement
        if current is None or (stated != current and rank_of(stated) >= rank_of(current)):
            self.statement = stated

    @property
    def profile(self) -> Profile | None:
        return profile_of(self.statement) if self.statement is not None else None

    @property
    def moved(self) -> bool:
        """Their stored facts have another profile than the current one: every one must be restated."""
        return self.stored is not None and self.stored != self.profile


def restated(metric: Metric, fact: Dated, profile: Profile) -> Dated:
    """The fact under the profile: its own day (a registration's is the profile's), the profile's breakdown
    values, and its registration cohort if it has one."""
    registered_on, dims = profile.split(SEP, 1)
    if metric is Metric.REGISTERED:
        return f"{registered_on}{SEP}{SEP}{dims}"
    day = fact[:10]  # an ISO day leads every Dated
    cohort = registered_on if metric in _COHORTED else ""
    return f"{day}{SEP}{cohort}{SEP}{dims}"


def owns(metric: Metric) -> bool:
    """Whether a subject of this metric is owned by a participant rather than being one (permit, product)."""
    return metric not in KINDS


def heard(people: dict[str, Person], statements: Iterable[Stated | None]) -> Iterator[str]:
    """Hear each statement (in log order) by its participant's Person (which must be in `people`); yields
    the participants whose stored facts must now be restated, once each."""
    for stated in statements:
        if stated is not None:
            people[stated.participant].hear(stated.statement)
    for participant, person in people.items():
        if person.moved:
            yield participant


def restate_all(state: SubjectState, metric: Metric, profile: Profile) -> None:
    """Every stored fact of a subject under the profile (withdrawn ones have nothing to restate)."""
    facts = state.facts
    for fact_id, fact in facts.items():
        facts[fact_id] = restated(metric, fact, profile)
