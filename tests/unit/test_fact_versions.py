"""Per-fact versions in reporting: an older version of a fact never overwrites a newer one, whatever the
order events arrive in (projection/versions.py), in one batch or many, through the stored hash layout."""

import itertools
import random
from collections import Counter
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa

from services.reporting.metrics import Metric
from services.reporting.projection.batch import Consumed, Decoded, Partition, decoded, project
from services.reporting.projection.earliest import TOTAL, SubjectState, increments
from services.reporting.projection.versions import admit
from services.reporting.records import decode_batch, to_decoded, version_header
from services.reporting.store.journeys import decode_steps, journey_fields
from services.reporting.store.keys import Keys
from services.reporting.store.subjects import changed_fields, decode_state, keyed
from shared.contracts.codec import encode, wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import PermitType
from shared.contracts.envelope import EventPayload
from shared.contracts.events import PermitIssued
from shared.db.engine import create_engine
from shared.outbox import fact_version, outbox_table
from shared.outbox.unit_of_work import UnitOfWork
from tests.factories import profile
from tests.outbox_fakes import RecordingProducer, recording_relay

KEYS = Keys("jp")
PARTICIPANT = uuid4()
PERMIT = uuid4()
ISSUED_ON = date(2023, 3, 10)


def issued(on: date = ISSUED_ON) -> PermitIssued:
    return PermitIssued(
        permit_id=PERMIT,
        participant_id=PARTICIPANT,
        permit_type=PermitType.HALAL,
        applied_on=date(2023, 3, 1),
        issued_on=on,
        profile=profile(),
    )


def corrected(on: date) -> FactCorrected:
    return FactCorrected(
        participant_id=PARTICIPANT,
        fact_type="PermitIssued",
        fact=issued(on),
        previous_on=ISSUED_ON,
        by="officer-1",
    )


def voided(on: date = ISSUED_ON) -> FactVoided:
    return FactVoided(participant_id=PARTICIPANT, fact_type="PermitIssued", fact=issued(on), by="officer-1")


Sent = tuple[EventPayload, int | None]  # an event and the version it was sent with


class Reporting:
    """The applier's steps on hashes kept in memory as Redis keeps them: stored fields between batches."""

    def __init__(self) -> None:
        self.hashes: dict[str, dict[str, str]] = {}
        self.counts: Counter[tuple[Metric, str]] = Counter()  # (metric, ISO day) → total

    def apply(self, *sent: Sent) -> None:
        records = [decoded(Consumed(i, event), version) for i, (event, version) in enumerate(sent)]
        entries = keyed(KEYS, records)
        loaded = {key: self.hashes.get(key, {}) for key, *_ in entries}
        states = {key: decode_state(fields) for key, fields in loaded.items()}
        admitted, stale = admit(states, entries)
        days, _ = increments(project(states, admitted))
        self.counts.update({(metric, day): fields[TOTAL] for (metric, day), fields in days.items()})
        hashes, removed = changed_fields(loaded, states)
        hashes |= journey_fields(KEYS, records, stale)
        for key, fields in hashes.items():
            self.hashes.setdefault(key, {}).update(fields)
        for key, names in removed.items():
            for name in names:
                del self.hashes[key][name]

    def figures(self) -> dict[tuple[Metric, str], int]:
        return {key: n for key, n in self.counts.items() if n}

    def journey(self) -> list[tuple[str, bool]]:
        fields = self.hashes.get(KEYS.journey(str(PARTICIPANT)), {})
        return [(step.on, step.voided) for step in decode_steps(str(PARTICIPANT), fields)]


def counted_on(day: date) -> dict[tuple[Metric, str], int]:
    return {(Metric.PERMITS_ISSUED, day.isoformat()): 1, (Metric.PERMIT_HOLDERS, day.isoformat()): 1}


def reported(*sent: Sent, batches: bool) -> Reporting:
    """The events applied in the order given: each in a batch of its own, or all in one batch."""
    reporting = Reporting()
    if batches:
        for one in sent:
            reporting.apply(one)
    else:
        reporting.apply(*sent)
    return reporting


@pytest.mark.parametrize("batches", [True, False], ids=["a-batch-each", "one-batch"])
def test_a_void_that_arrives_before_its_older_issue_still_wins(batches: bool) -> None:
    reporting = reported((voided(), 2), (issued(), 1), batches=batches)
    assert reporting.figures() == {}
    assert reporting.journey() == [(ISSUED_ON.isoformat(), True)]  # the journey keeps the void too


@pytest.mark.parametrize("batches", [True, False], ids=["a-batch-each", "one-batch"])
def test_a_correction_older_than_a_later_void_does_not_bring_the_fact_back(batches: bool) -> None:
    moved = date(2023, 3, 5)
    for order in [(0, 2, 1), (2, 1, 0), (2, 0, 1)]:
        history: list[Sent] = [(issued(), 1), (corrected(moved), 2), (voided(moved), 3)]
        reporting = reported(*[history[i] for i in order], batches=batches)
        assert reporting.figures() == {}, order
        assert reporting.journey() == [(moved.isoformat(), True)], order


@pytest.mark.parametrize("batches", [True, False], ids=["a-batch-each", "one-batch"])
def test_the_same_version_delivered_again_changes_nothing(batches: bool) -> None:
    moved = date(2023, 3, 5)
    once = reported((issued(), 1), (corrected(moved), 2), batches=batches)
    twice = reported(
        (issued(), 1), (corrected(moved), 2), (corrected(moved), 2), (issued(), 1), batches=batches
    )
    assert once.figures() == twice.figures() == counted_on(moved)
    assert once.hashes == twice.hashes
    gone = reported((issued(), 1), (voided(), 2), (voided(), 2), batches=batches)
    assert gone.figures() == {}


@pytest.mark.parametrize("batches", [True, False], ids=["a-batch-each", "one-batch"])
def test_events_without_a_version_keep_log_order_the_last_one_read_stands(batches: bool) -> None:
    assert reported((issued(), None), (voided(), None), batches=batches).figures() == {}
    # What versions prevent: a void read before its issue, unversioned, leaves the permit counted.
    assert reported((voided(), None), (issued(), None), batches=batches).figures() == counted_on(ISSUED_ON)
    # Nothing stored for a fact voided without a version: its subject's hash is gone, as before versions.
    assert reported((issued(), None), (voided(), None), batches=batches).hashes.get(
        KEYS.subject(Metric.PERMITS_ISSUED, str(PERMIT))
    ) in (None, {})


def test_every_arrival_order_and_batching_of_a_history_gives_the_figures_of_its_commit_order() -> None:
    """Issued, re-dated, voided, issued again (a permit voided returns to applied), re-dated: any order."""
    final = date(2023, 4, 2)
    history: list[Sent] = [
        (issued(), 10),
        (corrected(date(2023, 3, 5)), 11),
        (voided(date(2023, 3, 5)), 12),
        (issued(date(2023, 4, 1)), 20),
        (corrected(final), 21),
    ]
    in_order = reported(*history, batches=True)
    assert in_order.figures() == counted_on(final)
    rng = random.Random(15)
    for order in itertools.permutations(history):
        cuts = sorted(rng.sample(range(1, len(order)), rng.randrange(len(order))))
        reporting = Reporting()
        for start, end in itertools.pairwise([0, *cuts, len(order)]):
            reporting.apply(*order[start:end])
        assert reporting.figures() == in_order.figures(), order
        assert reporting.hashes == in_order.hashes, order
        assert reporting.journey() == [(final.isoformat(), False)], order


def test_a_withdrawn_fact_keeps_its_version_in_the_subjects_state() -> None:
    states = {"s": SubjectState()}
    entries = [
        ("s", Metric.TRAINED, "class-a", None, 7),
        ("s", Metric.TRAINED, "class-a", "2023-01-02||||||", 6),
    ]
    admitted, stale = admit(states, entries)
    assert admitted == [("s", Metric.TRAINED, "class-a", None)]
    assert stale == {("s", "class-a", 6)} and states["s"].versions == {"class-a": 7}


def test_the_version_travels_as_a_kafka_header_and_a_bad_one_is_a_reason_to_dead_letter() -> None:
    event = issued()
    raw = encode(
        wrap(event, key=str(PARTICIPANT), occurred_on=ISSUED_ON, producer="permits", correlation_id=None)
    )
    name, value = fact_version.header(12345)
    assert version_header([("event_type", b"PermitIssued"), (name, value)]) == b"12345"
    assert version_header([("event_type", b"PermitIssued")]) is None
    record, problem = to_decoded(3, raw, value)
    assert problem is None and record.version == 12345 and record == decoded(Consumed(3, event), 12345)
    assert to_decoded(3, raw, None) == (decoded(Consumed(3, event)), None)
    for bad in (b"", b"-1", b"12a", b"1" * 20):
        assert to_decoded(3, raw, bad) == (
            Decoded(3, []),
            f"fact-version header {bad!r} is not a non-negative integer",
        )
    batch = decode_batch([(Partition("t", 0), [(3, raw, value), (4, raw, b"x")])])
    assert [r.version for r in batch.records[Partition("t", 0)]] == [12345, None]
    assert [(offset, why[:19]) for _, offset, why in batch.problems] == [(4, "fact-version header")]


async def test_on_sqlite_the_relay_sends_no_version_its_rowids_start_again_once_pruning_empties_the_table(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    table = outbox_table(metadata := sa.MetaData())
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    producer = RecordingProducer()
    relay = recording_relay(engine, table, producer)
    uow = UnitOfWork(engine, table, relay, "t.permits", "permits")
    ids = []
    try:
        for _ in range(2):
            async with uow.begin() as tx:
                await tx.record(issued(), key=str(PARTICIPANT), occurred_on=ISSUED_ON)
            assert await relay.publish_pending() == 1
            async with engine.begin() as conn:
                ids.append((await conn.execute(sa.select(table.c.id))).scalar_one())
                await conn.execute(table.delete())  # as pruning deletes every published row
    finally:
        await engine.dispose()
    assert ids == [1, 1], "a rowid used again: no version"
    assert all(fact_version.HEADER not in dict(headers) for headers in producer.headers)
