"""The counter layout benchmark's cells (benchmarks.counter_layout): every dimension can be read back from
its place in a cell, so the benchmark's filters and group-bys select what they name."""

from __future__ import annotations

import random

from benchmarks.counter_layout import (
    _DECODE,
    DIMS,
    Cuboid,
    Query,
    _compact_values,
    _profiles,
    _RegionCodes,
    _regions_within,
    expected,
    facts_of,
)
from shared.regions import jakarta


def test_every_dimension_reads_back_from_its_place_in_a_cell() -> None:
    for profile in [p for p, _ in zip(_profiles(random.Random(3)), range(500), strict=False)]:
        values = dict(zip(DIMS, profile, strict=True))
        for cuboid in (Cuboid("kelurahan"), Cuboid("kota")):
            cell = cuboid.cell(profile)
            for dim in DIMS:
                if not cuboid.holds({dim}):
                    continue
                start, width = cuboid.place(dim)
                part = cell[start - 1 : start - 1 + width]
                decoded = (
                    _RegionCodes()[part] if dim in ("kota", "kecamatan", "kelurahan") else _DECODE[dim][part]
                )
                assert decoded == values[dim], (dim, cell)


def test_the_kota_rollup_holds_no_kecamatan_or_kelurahan() -> None:
    rollup = Cuboid("kota")
    assert not rollup.holds({"kecamatan"}) and not rollup.holds({"kelurahan", "gender"})
    assert rollup.holds({"kota", "gender", "agency"})


def test_region_filters_narrow_the_kelurahan_to_their_area() -> None:
    tree = jakarta()
    kota = tree.kota[1]
    within = _regions_within({"kota": kota.code}, "kelurahan")
    assert within == [kel.code for kec in kota.kecamatan for kel in kec.kelurahan]
    kecamatan = kota.kecamatan[0]
    assert _regions_within({"kecamatan": kecamatan.code}, "kelurahan") == [
        k.code for k in kecamatan.kelurahan
    ]
    assert _regions_within({"gender": "F"}, "kota") == [k.code for k in tree.kota]


def test_the_facts_follow_the_benchmark_mix() -> None:
    facts = facts_of(20_000, seed=5, partitions=4)
    metrics = {f.metric for f in facts}
    assert metrics == {
        "registered",
        "trained",
        "vocational_trained",
        "vocational_placed",
        "permits_issued",
        "permit_holders",
    }
    # A permit counts twice (permits_issued, permit_holders): more facts than events.
    assert 20_000 < len(facts) < 24_000
    assert {f.partition for f in facts} == {0, 1, 2, 3}


def test_expected_counts_only_the_filtered_facts_of_the_period() -> None:
    facts = facts_of(5_000, seed=9, partitions=1)
    query = Query("t", ("registered",), {"gender": "F"}, by=("kota",))
    answer = expected(facts, query)
    start, end = query.period
    wanted = [
        f
        for f in facts
        if f.metric == "registered" and f.profile[3] == "F" and start.isoformat() <= f.day <= end.isoformat()
    ]
    assert sum(answer.values()) == len(wanted)
    assert {key[2] for key in answer} <= {(k.code,) for k in jakarta().kota}


def test_every_dimension_reads_back_from_a_compact_cell() -> None:
    for profile in [p for p, _ in zip(_profiles(random.Random(4)), range(500), strict=False)]:
        values = dict(zip(DIMS, profile, strict=True))
        for cuboid in (Cuboid("kelurahan", compact=True), Cuboid("kota", compact=True)):
            cell = cuboid.cell(profile)
            width = cuboid.region_width
            assert len(cell) == width + 2
            found = _compact_values(cuboid, [0, 1, 2], [cell[:width], cell[width], cell[width + 1]])
            assert found == {d: v for d, v in values.items() if d in found}
            assert set(found) == (
                {*DIMS} if cuboid.region == "kelurahan" else {*DIMS} - {"kecamatan", "kelurahan"}
            )
