"""The Redis layout that store/keys.py describes, pinned: the projection's changes as keys and fields."""

import json

from services.reporting.metrics import Dimension, Metric
from services.reporting.projection.batch import Decoded
from services.reporting.projection.earliest import TOTAL, Deltas, increments
from services.reporting.store.keys import Keys, stored_increments
from services.reporting.store.subjects import changed_fields, decode_state, keyed
from services.reporting.store.targets import target_fields

KEYS = Keys("jp")
FACT = "2023-02-01|2023-01-02|31.71|31.71.01|F|none|PPKUKM"  # day|cohort|kota|kecamatan|gender|sector|agency


def test_a_counted_fact_adds_to_its_day_counters_and_every_funnel_cell_of_its_cohort() -> None:
    deltas = Deltas()
    deltas.moves[(Metric.TRAINED, FACT)] += 1
    counters, funnel = stored_increments(KEYS, *increments(deltas))
    fields = {TOTAL, "kota:31.71", "kecamatan:31.71.01", "gender:F", "sector:none", "agency:PPKUKM"}
    assert counters == {("jp:c:trained:", "2023-02-01"): dict.fromkeys(fields, 1)}
    by_year, by_day = {"2023": 1}, {"m:2023-02": 1, "d:2023-02-01": 1}
    assert funnel == {
        "jp:f:trained:d:2023-01-02:y": by_year,
        "jp:f:trained:d:2023-01-02:s": by_day,
        "jp:f:trained:m:2023-01:y": by_year,
        "jp:f:trained:m:2023-01:s": by_day,
        "jp:f:trained:y:2023:y": by_year,
        "jp:f:trained:y:2023:s": by_day,
    }


def test_a_fact_without_a_cohort_has_no_funnel_cells() -> None:
    deltas = Deltas()
    deltas.moves[(Metric.PERMITS_ISSUED, "2023-02-01||31.71|31.71.01|F|none|PPKUKM")] += 1
    counters, funnel = stored_increments(KEYS, *increments(deltas))
    assert list(counters) == [("jp:c:permits_issued:", "2023-02-01")] and funnel == {}


def test_a_subject_is_a_hash_of_its_facts_by_fact_id() -> None:
    records = [Decoded(1, [(Metric.TRAINED, "p1", "class-a", FACT), (Metric.TRAINED, "p1", "class-b", None)])]
    assert keyed(KEYS, records) == [  # each with its record's version: none here
        ("jp:s:trained:p1", Metric.TRAINED, "class-a", FACT, None),
        ("jp:s:trained:p1", Metric.TRAINED, "class-b", None, None),
    ]
    state = decode_state({"class-a": FACT, "class-b": "2023-03-01" + FACT[10:]})
    assert state.counted == FACT  # what counts is derived: the earliest fact
    state.facts.pop("class-b")
    state.facts["class-c"] = "2023-04-01" + FACT[10:]
    loaded = {"jp:s:trained:p1": {"class-a": FACT, "class-b": "2023-03-01" + FACT[10:]}}
    assert changed_fields(loaded, {"jp:s:trained:p1": state}) == (
        {"jp:s:trained:p1": {"class-c": "2023-04-01" + FACT[10:]}},
        {"jp:s:trained:p1": ["class-b"]},
    )


def test_a_versioned_fact_keeps_its_version_and_a_versioned_void_leaves_it_alone() -> None:
    records = [Decoded(1, [(Metric.TRAINED, "p1", "class-a", FACT)], version=41)]
    assert keyed(KEYS, records) == [("jp:s:trained:p1", Metric.TRAINED, "class-a", FACT, 41)]
    stored = {"class-a": FACT + "#41", "class-b": "#57", "class-c": "2023-04-01" + FACT[10:]}
    state = decode_state(stored)
    assert state.facts == {"class-a": FACT, "class-c": "2023-04-01" + FACT[10:]}
    assert state.versions == {"class-a": 41, "class-b": 57} and state.counted == FACT
    state.facts.pop("class-a")  # voided by version 60
    state.versions["class-a"] = 60
    assert changed_fields({"k": stored}, {"k": state}) == ({"k": {"class-a": "#60"}}, {})


def test_a_hash_of_the_earlier_layout_reads_as_the_same_facts() -> None:
    dims = {Dimension.KOTA.value: "31.71", "kecamatan": "31.71.01", "gender": "F", "sector": "none"}
    old = {"f:class-a": json.dumps(["2023-02-01", dims | {"agency": "PPKUKM"}, "2023-01-02"]), "c": "x"}
    state = decode_state(old)
    assert state.facts == {"class-a": FACT} and state.counted == FACT
    assert changed_fields({"k": old}, {"k": state}) == ({"k": {"class-a": FACT}}, {"k": ["f:class-a", "c"]})


def test_targets_are_one_field_each_of_the_targets_hash() -> None:
    assert KEYS.targets() == "jp:t:targets"
    assert target_fields({(2024, "trained", "kota", "31.71"): 90}) == {"2024|trained|kota|31.71": "90"}


def test_offsets_and_the_scan_pattern_stay_within_the_keyspace() -> None:
    assert KEYS.offset("jp.training", 3) == "jp:o:jp.training:3"
    assert KEYS.person("p1") == "jp:p:p1"  # a participant's current profile (projection.profiles)
    assert KEYS.pattern() == "jp:[cfjpsot]:*"
