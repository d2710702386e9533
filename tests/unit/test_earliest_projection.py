"""The subtle part: a subject counts once, on its earliest fact's day, whatever order facts arrive in."""

import random
from collections import Counter
from datetime import date, timedelta

from services.reporting.metrics import Dimension, Metric
from services.reporting.projection.earliest import TOTAL, CounterKey, Deltas, SubjectState, record, recount
from services.reporting.projection.facts import Fact

DIMS = {Dimension.KOTA: "31.71", Dimension.GENDER: "F"}


def fact(subject: str, fact_id: str, on: date) -> Fact:
    return Fact(Metric.TRAINED, subject, fact_id, on, DIMS)


def apply_all(facts: list[Fact], batch_size: int) -> Counter[CounterKey]:
    """Applies facts batch by batch like the consumer does, recounting after each batch."""
    states: dict[str, SubjectState] = {}
    totals = Deltas()
    for i in range(0, len(facts), batch_size):
        touched = set()
        for f in facts[i : i + batch_size]:
            record(states.setdefault(f.subject, SubjectState()), f)
            touched.add(f.subject)
        for subject in touched:
            recount(Metric.TRAINED, states[subject], totals)
    return +totals.counters  # drop zeros


def from_scratch(facts: list[Fact]) -> Counter[CounterKey]:
    earliest: dict[str, date] = {}
    for f in facts:
        earliest[f.subject] = min(earliest.get(f.subject, f.on), f.on)
    expected: Counter[CounterKey] = Counter()
    for day in earliest.values():
        expected[(Metric.TRAINED, day, TOTAL)] += 1
        for dim, value in DIMS.items():
            expected[(Metric.TRAINED, day, f"{dim.value}:{value}")] += 1
    return expected


def test_a_backdated_fact_moves_the_count_to_its_own_day() -> None:
    later, earlier = date(2023, 3, 1), date(2023, 1, 15)
    totals = apply_all([fact("p1", "class-a", later), fact("p1", "class-b", earlier)], batch_size=1)
    assert totals[(Metric.TRAINED, earlier, TOTAL)] == 1
    assert totals[(Metric.TRAINED, later, TOTAL)] == 0
    assert totals[(Metric.TRAINED, earlier, "kota:31.71")] == 1


def test_redelivered_facts_never_count_twice() -> None:
    day = date(2023, 1, 15)
    totals = apply_all([fact("p1", "class-a", day)] * 3, batch_size=1)
    assert totals[(Metric.TRAINED, day, TOTAL)] == 1


def test_shuffled_delivery_matches_a_count_from_scratch() -> None:
    rng = random.Random(7)
    start = date(2022, 1, 1)
    # A completion (participant, class) has one date; participants complete several classes.
    dated = {
        (f"p{rng.randrange(300)}", f"class-{rng.randrange(20)}"): start + timedelta(days=rng.randrange(700))
        for _ in range(3000)
    }
    facts = [fact(subject, class_id, on) for (subject, class_id), on in dated.items()]
    facts += rng.sample(facts, 500)  # redeliveries
    expected = from_scratch(facts)
    for batch_size in (1, 7, 250):
        rng.shuffle(facts)
        assert apply_all(facts, batch_size) == expected


def test_a_participant_fact_moves_within_its_registration_cohort() -> None:
    cohort = date(2022, 12, 1)
    state = SubjectState()
    deltas = Deltas()
    record(state, Fact(Metric.TRAINED, "p1", "a", date(2023, 3, 1), DIMS, cohort))
    recount(Metric.TRAINED, state, deltas)
    record(state, Fact(Metric.TRAINED, "p1", "b", date(2023, 1, 5), DIMS, cohort))
    recount(Metric.TRAINED, state, deltas)
    assert +deltas.funnel == Counter({(Metric.TRAINED, cohort, date(2023, 1, 5)): 1})


def withdrawn(f: Fact) -> Fact:
    return Fact(f.metric, f.subject, f.fact_id, f.on, f.dims, f.cohort, void=True)


def test_voiding_the_earliest_fact_moves_the_count_to_the_next_earliest() -> None:
    early, late = fact("p1", "class-a", date(2023, 1, 15)), fact("p1", "class-b", date(2023, 3, 1))
    for batch_size in (1, 3):
        totals = apply_all([early, late, withdrawn(early)], batch_size)
        assert totals == +Counter(from_scratch([late])), f"batch size {batch_size}"


def test_voiding_the_only_fact_removes_the_subject_from_every_counter() -> None:
    only = fact("p1", "class-a", date(2023, 1, 15))
    assert apply_all([only, withdrawn(only)], batch_size=1) == Counter()
    assert apply_all([only, withdrawn(only), withdrawn(only)], batch_size=2) == Counter()


def test_a_correction_restates_the_same_fact_on_its_new_day() -> None:
    wrong, right = fact("p1", "class-a", date(2023, 3, 1)), fact("p1", "class-a", date(2023, 2, 1))
    other = fact("p1", "class-b", date(2023, 2, 20))
    totals = apply_all([wrong, other, right], batch_size=1)
    assert totals == +Counter(from_scratch([right, other]))
