"""A participant's every count follows their current profile (issue 13.3, projection/profiles.py), whatever
order their events reach reporting in: registration's ParticipantUpdated on its topic, stage events with
the profile their service held on theirs, voids and corrections too. Through store.step, the steps both the
live applier and the rebuild take, on hashes kept in memory as Redis keeps them."""

import itertools
import random
from collections import Counter
from datetime import date
from uuid import uuid4

import pytest

from services.reporting.metrics import Metric
from services.reporting.projection.batch import Consumed, Decoded, decoded
from services.reporting.projection.earliest import SEP, CounterKey, FunnelKey, dated
from services.reporting.projection.facts import facts_of
from services.reporting.projection.profiles import Person, profile_of, restated, stated_by, statement
from services.reporting.store.keys import Keys
from services.reporting.store.step import BatchStep
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import Agency, Gender, PermitType, Sector, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ParticipantMentored,
    ParticipantRegistered,
    ParticipantUpdated,
    PermitIssued,
    TrainingCompleted,
)
from shared.contracts.profile import ParticipantProfile
from tests.factories import profile

KEYS = Keys("jp")
PARTICIPANT = uuid4()
PERMIT, CLASS_A, CLASS_B = uuid4(), uuid4(), uuid4()

HOME = profile()  # Gambir, registered 2023-01-02, revision 0
# Moved to Kebayoran Baru, Jakarta Selatan, their registration date corrected a day earlier.
MOVED = profile(
    kota_code="31.74",
    kecamatan_code="31.74.07",
    kelurahan_code="31.74.07.1001",
    registered_on=date(2023, 1, 1),
    revision=1,
)

Sent = tuple[EventPayload, int | None]  # an event and its fact version (fact-version header)


def registered() -> Sent:
    return ParticipantRegistered(participant_id=PARTICIPANT, profile=HOME), 1


def updated(to: ParticipantProfile = MOVED, version: int = 2) -> Sent:
    return ParticipantUpdated(participant_id=PARTICIPANT, profile=to), version


def trained(class_id: object, on: date, held: ParticipantProfile) -> TrainingCompleted:
    return TrainingCompleted(
        participant_id=PARTICIPANT,
        class_id=class_id,
        program=TrainingProgram.ENTREPRENEURSHIP,
        completed_on=on,
        profile=held,
    )


def issued(on: date, held: ParticipantProfile) -> PermitIssued:
    return PermitIssued(
        permit_id=PERMIT,
        participant_id=PARTICIPANT,
        permit_type=PermitType.HALAL,
        applied_on=date(2023, 3, 1),
        issued_on=on,
        profile=held,
    )


# The history: each stage event carries the profile its service held when it wrote it.
OLD_FACT = trained(CLASS_A, date(2023, 3, 10), HOME), 100  # stage fact with the old profile
VOIDED_FACT = trained(CLASS_B, date(2023, 2, 1), HOME), 101  # an earlier one, voided later
NEW_FACT = issued(date(2023, 4, 1), MOVED), 200  # stage fact with the new profile
VOID = (
    FactVoided(
        participant_id=PARTICIPANT,
        fact_type="TrainingCompleted",
        fact=trained(CLASS_B, date(2023, 2, 1), MOVED),
        by="officer-1",
    ),
    102,
)
# Written by a service that had not heard of the move yet: it states the old profile.
CORRECTION = (
    FactCorrected(
        participant_id=PARTICIPANT,
        fact_type="PermitIssued",
        fact=issued(date(2023, 6, 1), HOME),
        previous_on=date(2023, 4, 1),
        by="officer-1",
    ),
    201,
)
HISTORY = [registered(), OLD_FACT, VOIDED_FACT, updated(), NEW_FACT, VOID, CORRECTION]


class Reporting:
    """store.step on hashes in memory, as the rebuild's FreshKeyspace keeps them."""

    def __init__(self) -> None:
        self.hashes: dict[str, dict[str, str]] = {}
        self.counters: Counter[CounterKey] = Counter()
        self.funnel: Counter[FunnelKey] = Counter()

    def apply(self, *sent: Sent) -> None:
        records = [_decoded(event, version) for event, version in sent]
        step = BatchStep(KEYS, records)
        loaded = {key: self.hashes.get(key, {}) for key in step.first()}
        while more := step.more(loaded):
            loaded |= {key: self.hashes.get(key, {}) for key in more}
        written = step.finish(loaded)
        self.counters.update(written.deltas.counters)
        self.funnel.update(written.deltas.funnel)
        for key, fields in written.hashes.items():
            self.hashes.setdefault(key, {}).update(fields)
        for key, names in written.removed.items():
            for name in names:
                del self.hashes[key][name]

    def figures(self) -> tuple[Counter[CounterKey], Counter[FunnelKey]]:
        return +self.counters, +self.funnel  # zeros dropped


_DECODED: dict[tuple[int, int | None], Decoded] = {}


def _decoded(event: EventPayload, version: int | None) -> Decoded:
    """Decoded once per event: the orders below replay the same few thousands of times."""
    key = (id(event), version)
    if key not in _DECODED:
        _DECODED[key] = decoded(Consumed(0, event), version)
    return _DECODED[key]


def counted(metric: Metric, on: date, held: ParticipantProfile) -> Counter[CounterKey]:
    fields = ["total", f"kota:{held.kota_code}", f"kecamatan:{held.kecamatan_code}", "gender:F"]
    return Counter({(metric, on, name): 1 for name in [*fields, "sector:none", "agency:PPKUKM"]})


def reported(sent: list[Sent], batching: str) -> Reporting:
    reporting = Reporting()
    if batching == "one-batch":
        reporting.apply(*sent)
    elif batching == "a-batch-each":
        for one in sent:
            reporting.apply(one)
    else:  # in pairs
        for i in range(0, len(sent), 2):
            reporting.apply(*sent[i : i + 2])
    return reporting


def expected_after_the_move() -> tuple[Counter[CounterKey], Counter[FunnelKey]]:
    """Every count where the participant lives now, each stage in their corrected registration cohort: the
    training not voided, the permit on its corrected day."""
    cohort = MOVED.registered_on
    counters = (
        counted(Metric.REGISTERED, cohort, MOVED)
        + counted(Metric.TRAINED, date(2023, 3, 10), MOVED)
        + counted(Metric.PERMITS_ISSUED, date(2023, 6, 1), MOVED)
        + counted(Metric.PERMIT_HOLDERS, date(2023, 6, 1), MOVED)
    )
    funnel = Counter(
        {
            (Metric.TRAINED, cohort, date(2023, 3, 10)): 1,
            (Metric.PERMIT_HOLDERS, cohort, date(2023, 6, 1)): 1,
        }
    )
    return counters, funnel


def orders() -> list[list[Sent]]:
    """Every order the events can reach reporting in: the registration topic keeps its own (registered,
    then updated); the stage topics' events come in any order among them and against it."""
    return [
        list(order)
        for order in itertools.permutations(HISTORY)
        if order.index(HISTORY[0]) < order.index(HISTORY[3])
    ]


@pytest.mark.parametrize("batching", ["a-batch-each", "one-batch"])
def test_every_arrival_order_counts_every_fact_where_the_participant_lives_now(batching: str) -> None:
    every = orders()
    assert len(every) == 2520
    for order in every:
        assert reported(order, batching).figures() == expected_after_the_move(), names(order)


def test_batched_in_pairs_a_sample_of_the_orders_counts_the_same() -> None:
    for order in random.Random(5).sample(orders(), 400):
        assert reported(order, "in-pairs").figures() == expected_after_the_move(), names(order)


def names(order: list[Sent]) -> list[str]:
    return [type(event).__name__ for event, _ in order]


def test_before_the_update_every_fact_counts_where_the_participant_lived() -> None:
    reporting = reported([registered(), OLD_FACT], "a-batch-each")
    assert reporting.figures() == (
        counted(Metric.REGISTERED, HOME.registered_on, HOME)
        + counted(Metric.TRAINED, date(2023, 3, 10), HOME),
        Counter({(Metric.TRAINED, HOME.registered_on, date(2023, 3, 10)): 1}),
    )


def test_the_update_moves_counts_already_made_and_leaves_nothing_behind() -> None:
    reporting = reported([registered(), OLD_FACT, issued_sent(HOME)], "a-batch-each")
    reporting.apply(updated())
    cohort = MOVED.registered_on
    assert reporting.figures() == (
        counted(Metric.REGISTERED, cohort, MOVED)
        + counted(Metric.TRAINED, date(2023, 3, 10), MOVED)
        + counted(Metric.PERMITS_ISSUED, date(2023, 4, 1), MOVED)
        + counted(Metric.PERMIT_HOLDERS, date(2023, 4, 1), MOVED),
        Counter(
            {
                (Metric.TRAINED, cohort, date(2023, 3, 10)): 1,
                (Metric.PERMIT_HOLDERS, cohort, date(2023, 4, 1)): 1,
            }
        ),
    )


def issued_sent(held: ParticipantProfile) -> Sent:
    return issued(date(2023, 4, 1), held), 200


def test_a_stage_event_with_a_newer_profile_moves_the_participant_before_their_update_arrives() -> None:
    reporting = reported([registered(), OLD_FACT], "a-batch-each")
    reporting.apply(NEW_FACT)  # its service heard of the move; reporting has not read the update yet
    moved = reporting.figures()
    assert moved[0][(Metric.REGISTERED, MOVED.registered_on, "kota:31.74")] == 1
    assert moved[0][(Metric.TRAINED, date(2023, 3, 10), "kota:31.74")] == 1
    assert moved[0][(Metric.TRAINED, date(2023, 3, 10), "kota:31.71")] == 0
    reporting.apply(updated())  # the same revision, stated by registration: nothing moves again
    assert reporting.figures() == moved


def test_moves_one_after_another_end_where_the_last_revision_puts_them_in_any_order() -> None:
    back_home = profile(kecamatan_code="31.71.02", kelurahan_code="31.71.02.1001", revision=2)
    history = [registered(), OLD_FACT, updated(), updated(back_home, 3), NEW_FACT]
    rng = random.Random(13)
    results = set()
    for _ in range(200):
        order = rng.sample(history, len(history))
        if order.index(history[0]) > order.index(history[2]) or order.index(history[2]) > order.index(
            history[3]
        ):
            continue
        counters, _ = reported(order, "a-batch-each").figures()
        results.add(tuple(sorted(counters.items())))
        assert counters[(Metric.TRAINED, date(2023, 3, 10), "kecamatan:31.71.02")] == 1
        assert counters[(Metric.PERMITS_ISSUED, date(2023, 4, 1), "kecamatan:31.71.02")] == 1
        assert counters[(Metric.REGISTERED, HOME.registered_on, "kecamatan:31.71.02")] == 1
        assert sum(n for (_, _, name), n in counters.items() if name == "total") == 4
    assert len(results) == 1


def test_events_without_revisions_keep_the_rule_of_log_order() -> None:
    """Events written before revisions all state revision 0: registration's last one read stands, and a
    stage service's copy never outranks registration's own."""
    legacy = MOVED.model_copy(update={"revision": 0})
    unversioned = ParticipantRegistered(participant_id=PARTICIPANT, profile=HOME), None
    reporting = reported([unversioned, OLD_FACT], "a-batch-each")
    reporting.apply((ParticipantUpdated(participant_id=PARTICIPANT, profile=legacy), None))
    counters, _ = reporting.figures()
    assert counters[(Metric.REGISTERED, legacy.registered_on, "kota:31.74")] == 1
    assert counters[(Metric.TRAINED, date(2023, 3, 10), "kota:31.74")] == 1
    reporting.apply((trained(uuid4(), date(2023, 5, 1), HOME), 103))  # a copy of revision 0, stale
    assert reporting.figures()[0][(Metric.TRAINED, date(2023, 3, 10), "kota:31.74")] == 1


def test_a_persons_hash_holds_the_current_statement_and_what_they_own() -> None:
    reporting = reported([registered(), NEW_FACT], "one-batch")
    person = reporting.hashes[KEYS.person(str(PARTICIPANT))]
    assert person == {
        "p": "1|0|-1|2023-01-01|31.74|31.74.07|F|none|PPKUKM",  # the permit's copy outranks revision 0
        f"o:permits_issued:{PERMIT}": "1",
    }
    registration = reporting.hashes[KEYS.subject(Metric.REGISTERED, str(PARTICIPANT))]
    assert registration == {"registration": "2023-01-01||31.74|31.74.07|F|none|PPKUKM#1"}


def test_a_statement_ranks_by_revision_then_registrations_own_then_its_fact_version() -> None:
    mentored = ParticipantMentored(
        participant_id=PARTICIPANT,
        session_id=uuid4(),
        mentor_id=uuid4(),
        held_on=date(2023, 2, 1),
        profile=MOVED,
    )
    copy = stated_by(mentored, 900)
    own = stated_by(ParticipantUpdated(participant_id=PARTICIPANT, profile=MOVED), 7)
    assert copy is not None and own is not None
    assert copy.statement == statement((1, 0, -1), MOVED)  # a stage event's own version orders nothing
    assert own.statement == statement((1, 1, 7), MOVED)
    person = Person()
    for stated in (own.statement, copy.statement, statement((0, 1, 99), HOME)):
        person.hear(stated)
    assert person.statement == own.statement


def test_a_fact_restated_keeps_its_day_and_takes_the_profiles_values_and_cohort() -> None:
    now = "2023-01-01|31.74|31.74.07|F|none|PPKUKM"
    fact = "2023-03-10|2023-01-02|31.71|31.71.01|F|none|PPKUKM"
    assert restated(Metric.TRAINED, fact, now) == "2023-03-10|2023-01-01|31.74|31.74.07|F|none|PPKUKM"
    permit = "2023-04-01||31.71|31.71.01|F|none|PPKUKM"
    assert restated(Metric.PERMITS_ISSUED, permit, now) == "2023-04-01||31.74|31.74.07|F|none|PPKUKM"
    registration = "2023-01-02||31.71|31.71.01|F|none|PPKUKM"
    assert restated(Metric.REGISTERED, registration, now) == "2023-01-01||31.74|31.74.07|F|none|PPKUKM"


def test_a_statement_has_the_values_a_fact_is_counted_by_in_dimension_order() -> None:
    for held in (HOME, MOVED, profile(sector=Sector.KULINER, agency=Agency.PPAPP, gender=Gender.M)):
        facts = facts_of(ParticipantRegistered(participant_id=PARTICIPANT, profile=held))
        registration = dated(facts[0])  # "{registered_on}||{dims}"
        assert profile_of(statement((0, 1, -1), held)) == registration.replace(SEP + SEP, SEP, 1)
