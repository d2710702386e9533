"""Reporting's counter layouts side by side (issue 14.2): write cost, Redis memory and query latency.

`python -m benchmarks.counter_layout [--events 1000000]` starts one Redis per layout (devstack), applies the
same facts to each in the same rotation of batches, then times the same queries round-robin, so the noise of
this shared machine falls on every layout alike. Not part of `make bench` (it takes minutes) nor the tests.

The facts follow `benchmarks.events`' mix (what `make bench` produces: registrations with their trainings,
vocational completions, placements and permits, profiles uniform over Jakarta's regions, which is the worst
case for a cube: the fewest repeated combinations), spread over five years. A permit counts in
permits_issued and permit_holders, so 1,000,000 events are ~1.13 M counted facts.

Layouts (keys per metric and day/month/year bucket, written by the service's own Lua writer, store.bulk):
- `per-dimension/5`: today's store.keys layout: "total" and "dimension:value" for the five dimensions today.
- `per-dimension/9`: the same with all nine dimensions; it answers one filter at a time, so its query rows
  time one filter (kota) and a one-way breakdown instead: what it cannot answer is marked.
- `cube`: one field per populated combination of the nine dimension values (a 16-character cell, below),
  reads sum the matching cells of the covering buckets in one Lua call.
- `cube+kota`: the cube plus a kota-level roll-up (cells without kecamatan and kelurahan); a query that
  neither filters nor groups below kota reads the roll-up.
- `, shards`: the full cube's month hashes split by kecamatan and its year hashes by kelurahan, so each
  stays a compact listpack; `above days`: the roll-up without day cells (ragged days read from the full cube).
- `/8p`: split over 8 Kafka partitions, each partition's keys under its own hash tag (one Redis Cluster
  slot): a batch writes one script call per partition, a read runs one call per partition and adds them up,
  as it would across Cluster nodes.

A cube read either looks the wanted cells up (HMGET of every combination the filters allow, when that is
fewer than a hash table holds) or scans the hash (HGETALL) and keeps the matching cells; both are exact.
The figures and the choice: docs/performance-notes.md, "Counter layout for any combination of filters".
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from devstack.ports import free_ports
from devstack.redis_server import RedisServer
from services.reporting.store.bulk import BulkWrite
from services.reporting.store.periods import Bucket, cover, split
from shared.contracts.enums import AgeBand, Agency, Gender, Sector
from shared.regions import jakarta

FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2025, 12, 31)
# Ragged at both ends, as a leader's "last five years" is: 51 covering buckets, not 5.
FIVE_YEARS = (date(2021, 1, 17), date(2025, 11, 12))
SUMMARY_METRICS = (
    "registered",
    "trained",
    "mentored",
    "permits_issued",
    "products_marketed",
    "financial_reporting",
    "financed",
    "vocational_trained",
    "vocational_placed",
)
# benchmarks.events' shares of registered participants reaching each stage
TRAINED_SHARE, VOCATIONAL_SHARE, PLACED_SHARE, PERMIT_SHARE = 0.6, 0.2, 0.7, 0.3

Dim = Literal[
    "kota", "kecamatan", "kelurahan", "gender", "age_band", "disability", "ktp_dki", "sector", "agency"
]
DIMS: tuple[Dim, ...] = (
    "kota",
    "kecamatan",
    "kelurahan",
    "gender",
    "age_band",
    "disability",
    "ktp_dki",
    "sector",
    "agency",
)
TODAY_DIMS: tuple[Dim, ...] = ("kota", "kecamatan", "gender", "sector", "agency")  # metrics.Dimension
REGION_DIMS: tuple[Dim, ...] = ("kota", "kecamatan", "kelurahan")

Profile = tuple[str, ...]  # one value per DIMS entry, as the API names it ("31.71", "F", "25-34", "true")


@dataclass(frozen=True)
class Fact:
    metric: str
    day: str  # ISO
    profile: Profile
    partition: int  # of the participant's key, as Kafka would place its events


# --- facts -----------------------------------------------------------------------------------------------


def _profiles(rng: random.Random) -> Iterator[Profile]:
    """benchmarks.events._profile's distribution over the nine dimensions."""
    tree = jakarta()
    sectors = [s.value for s in Sector] + ["none"]
    while True:
        kota = rng.choice(tree.kota)
        kecamatan = rng.choice(kota.kecamatan)
        yield (
            kota.code,
            kecamatan.code,
            rng.choice(kecamatan.kelurahan).code,
            rng.choice(list(Gender)).value,
            rng.choice(list(AgeBand)).value,
            "true" if rng.random() < 0.05 else "false",
            "true" if rng.random() < 0.8 else "false",
            rng.choice(sectors),
            rng.choice(list(Agency)).value,
        )


def facts_of(events: int, seed: int, partitions: int) -> list[Fact]:
    """The counted facts of `events` mixed events (benchmarks.events.mixed_events' mix and shares)."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days + 1
    facts: list[Fact] = []
    produced = 0
    for participant, profile in enumerate(_profiles(rng)):  # stops once `events` are produced
        registered = FIRST_DAY + timedelta(days=rng.randrange(span))

        def later(after: date = registered, most: int = 365) -> date:
            return min(after + timedelta(days=rng.randrange(1, most)), LAST_DAY)

        stages: list[tuple[tuple[str, ...], date]] = [(("registered",), registered)]
        if rng.random() < TRAINED_SHARE:
            stages.append((("trained",), later()))
        if rng.random() < VOCATIONAL_SHARE:
            trained = later()
            stages.append((("vocational_trained",), trained))
            if rng.random() < PLACED_SHARE:
                stages.append((("vocational_placed",), later(trained, 90)))
        if rng.random() < PERMIT_SHARE:
            stages.append((("permits_issued", "permit_holders"), later()))
        partition = participant % partitions
        for metrics, on in stages:
            if produced >= events:
                return facts
            produced += 1
            facts.extend(Fact(m, on.isoformat(), profile, partition) for m in metrics)
    raise AssertionError("the profiles never run out")


def batches(facts: list[Fact], events: int, per_batch: int) -> list[list[Fact]]:
    """Consecutive slices of ~per_batch events each (the service applies up to 20,000 records at a time)."""
    size = max(1, round(per_batch * len(facts) / events))
    return [facts[i : i + size] for i in range(0, len(facts), size)]


# --- cube cells ------------------------------------------------------------------------------------------
# A cell is fixed-width, so a filter or a group-by is a substring at a known place: the kelurahan code's
# digits (its first 4 are the kota's, first 6 the kecamatan's: nationally valid), then one character each
# for gender, age band, disability, KTP DKI, sector and agency. The kota roll-up's cell is the kota's 4
# digits and the same six characters.

_CODES: dict[Dim, tuple[str, ...]] = {
    "gender": tuple(g.value for g in Gender),
    "age_band": tuple(a.value for a in AgeBand),
    "disability": ("false", "true"),
    "ktp_dki": ("false", "true"),
    "sector": (*(s.value for s in Sector), "none"),
    "agency": tuple(a.value for a in Agency),
}
_ENCODE = {d: {v: str(i) if d != "gender" else v for i, v in enumerate(vs)} for d, vs in _CODES.items()}
_DECODE = {d: {c: v for v, c in codes.items()} for d, codes in _ENCODE.items()}
_OTHER_DIMS: tuple[Dim, ...] = ("gender", "age_band", "disability", "ktp_dki", "sector", "agency")


def _digits(code: str) -> str:
    return code.replace(".", "")


@dataclass(frozen=True)
class Cuboid:
    """Which region level a cell keeps: "kelurahan" (the full cube) or "kota" (the roll-up)."""

    region: Literal["kelurahan", "kota"]
    # Compact: the region as its index in 2 characters (1 for a kota), then one character for gender x age
    # band x disability x KTP DKI (40 values) and one for sector x agency (54): 5 characters, not 16.
    compact: bool = False

    @property
    def region_width(self) -> int:
        if self.compact:
            return 2 if self.region == "kelurahan" else 1
        return 10 if self.region == "kelurahan" else 4

    def cell(self, profile: Profile) -> str:
        values = dict(zip(DIMS, profile, strict=True))
        if self.compact:
            packs = "".join(_PACK_CODE[i][tuple(values[d] for d in dims)] for i, dims in enumerate(_PACKS))
            return _region_chars(self.region)[values[self.region]] + packs
        return _digits(values[self.region]) + "".join(_ENCODE[d][values[d]] for d in _OTHER_DIMS)

    def place(self, dim: Dim) -> tuple[int, int]:
        """(1-based position, width) of a dimension in the cell."""
        if dim in REGION_DIMS:
            width = {"kota": 4, "kecamatan": 6, "kelurahan": 10}[dim]
            if width > self.region_width:
                raise ValueError(f"the {self.region} cuboid has no {dim}")
            return 1, width
        return self.region_width + 1 + _OTHER_DIMS.index(dim), 1

    def holds(self, dims: set[Dim]) -> bool:
        return self.region == "kelurahan" or not dims & {"kecamatan", "kelurahan"}


_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"  # no "|": it joins groups
_PACKS: tuple[tuple[Dim, ...], ...] = (("gender", "age_band", "disability", "ktp_dki"), ("sector", "agency"))
_PACK_VALUES = [list(itertools.product(*(_CODES[d] for d in dims))) for dims in _PACKS]
_PACK_CODE = [{values: _ALPHABET[i] for i, values in enumerate(pack)} for pack in _PACK_VALUES]


@lru_cache(maxsize=2)
def _region_chars(level: Literal["kelurahan", "kota"]) -> dict[str, str]:
    """Region code → its compact characters (its index among the area's codes of that level, base 64)."""
    tree = jakarta()
    if level == "kota":
        return {k.code: _ALPHABET[i] for i, k in enumerate(tree.kota)}
    codes = [kel.code for kota in tree.kota for kec in kota.kecamatan for kel in kec.kelurahan]
    return {code: _ALPHABET[i // 64] + _ALPHABET[i % 64] for i, code in enumerate(codes)}


@lru_cache(maxsize=2)
def _region_of_chars(level: Literal["kelurahan", "kota"]) -> dict[str, dict[Dim, str]]:
    """Compact characters → the region dimensions they stand for."""
    out: dict[str, dict[Dim, str]] = {}
    for code, chars in _region_chars(level).items():
        out[chars] = (
            {"kota": code[:5]}
            if level == "kota"
            else {"kota": code[:5], "kecamatan": code[:8], "kelurahan": code}
        )
    return out


def _compact_spec(cuboid: Cuboid, query: Query) -> tuple[list[list[object]], list[int]]:
    """The read's cell parts (region, then each pack, with the values the filters allow) and the indexes
    of the parts the group-by needs (a group-by value is taken apart in Python)."""
    regions = _regions_within(query.filters, cuboid.region)
    chars = _region_chars(cuboid.region)
    restricted = any(d in query.filters for d in REGION_DIMS)
    parts: list[list[object]] = [[1, cuboid.region_width, [chars[r] for r in regions], int(restricted)]]
    wanted_parts = [0] if set(query.by) & set(REGION_DIMS) else []
    for i, dims in enumerate(_PACKS):
        allowed = [
            _ALPHABET[j]
            for j, values in enumerate(_PACK_VALUES[i])
            if all(query.filters.get(d, v) == v for d, v in zip(dims, values, strict=True))
        ]
        parts.append([cuboid.region_width + 1 + i, 1, allowed, int(bool(set(dims) & set(query.filters)))])
        if set(dims) & set(query.by):
            wanted_parts.append(i + 1)
    return parts, wanted_parts


def _compact_values(cuboid: Cuboid, wanted_parts: list[int], values: list[str]) -> dict[Dim, str]:
    found: dict[Dim, str] = {}
    for part, value in zip(wanted_parts, values, strict=True):
        if part == 0:
            found.update(_region_of_chars(cuboid.region)[value])
        else:
            found.update(zip(_PACKS[part - 1], _PACK_VALUES[part - 1][_ALPHABET.index(value)], strict=True))
    return found


def _regions_within(filters: Mapping[Dim, str], level: Literal["kelurahan", "kota"]) -> list[str]:
    """The region codes of `level` that the region filters allow."""
    tree = jakarta()
    if level == "kota":
        return [k.code for k in tree.kota if filters.get("kota", k.code) == k.code]
    return [
        kel.code
        for kota in tree.kota
        if filters.get("kota", kota.code) == kota.code
        for kec in kota.kecamatan
        if filters.get("kecamatan", kec.code) == kec.code
        for kel in kec.kelurahan
        if filters.get("kelurahan", kel.code) == kel.code
    ]


@dataclass(frozen=True)
class Query:
    name: str
    metrics: tuple[str, ...]
    filters: Mapping[Dim, str]
    by: tuple[Dim, ...] = ()
    interval: Literal["month"] | None = None
    period: tuple[date, date] = FIVE_YEARS

    def points(self) -> list[tuple[date, date]]:
        start, end = self.period
        return split(start, end, self.interval) if self.interval else [(start, end)]


Answer = dict[tuple[str, str, tuple[str, ...]], int]  # (metric, point start, group values) → count


# --- layouts ---------------------------------------------------------------------------------------------


class Layout(Protocol):
    name: str
    redis: Redis

    async def apply(self, facts: Sequence[Fact]) -> None: ...

    def fields_per_fact(self) -> int: ...

    def answers(self, query: Query) -> bool: ...

    async def read(self, query: Query) -> Answer: ...


@lru_cache(maxsize=1 << 16)
def _dimension_fields(dims: tuple[Dim, ...], profile: Profile) -> tuple[str, ...]:
    """Profiles repeat across facts, so their fields are built once (as projection.earliest does)."""
    return ("total", *(f"{d}:{profile[DIMS.index(d)]}" for d in dims))


@lru_cache(maxsize=1 << 18)
def _cell(cuboid: Cuboid, profile: Profile) -> str:
    return cuboid.cell(profile)


def _bucket_key(prefix: str, bucket: Bucket) -> str:
    return f"{prefix}{bucket.grain}:{bucket.label}"


@dataclass
class PerDimension:
    """store.keys' counters: {ks}:c:{metric}:{grain}:{label} → "total" and "dimension:value" → count."""

    name: str
    redis: Redis
    dims: tuple[Dim, ...]
    writer: BulkWrite = field(init=False)

    def __post_init__(self) -> None:
        self.writer = BulkWrite(self.redis)

    def _prefix(self, metric: str) -> str:
        return f"ks:c:{metric}:"

    def fields_per_fact(self) -> int:
        return 3 * (1 + len(self.dims))

    async def apply(self, facts: Sequence[Fact]) -> None:
        days: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for fact in facts:
            days[(self._prefix(fact.metric), fact.day)].update(_dimension_fields(self.dims, fact.profile))
        async with self.redis.pipeline(transaction=True) as tx:
            await self.writer.queue(tx, days, {}, {}, {})
            await tx.execute()

    def answers(self, query: Query) -> bool:
        return len(query.filters) + len(query.by) <= 1 and set(query.filters) | set(query.by) <= set(
            self.dims
        )

    async def read(self, query: Query) -> Answer:
        """Figures' way: HGET of one field per covering bucket, or HGETALL for a one-way breakdown."""
        if not self.answers(query):
            raise ValueError(f"{self.name} cannot answer {query.name}")
        plan = [
            (m, first, _bucket_key(self._prefix(m), b))
            for m in query.metrics
            for first, last in query.points()
            for b in cover(first, last)
        ]
        ((dim, value),) = query.filters.items() if query.filters else (("", ""),)
        wanted = f"{dim}:{value}" if dim else "total"
        async with self.redis.pipeline(transaction=False) as read:
            for _, _, key in plan:
                if query.by:
                    read.hgetall(key)
                else:
                    read.hget(key, wanted)
            replies = await read.execute()
        answer: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
        for (metric, first, _), reply in zip(plan, replies, strict=True):
            if query.by:
                prefix = f"{query.by[0]}:"
                for name, n in reply.items():
                    if name.startswith(prefix):
                        answer[(metric, first.isoformat(), (name[len(prefix) :],))] += int(n)
            else:
                answer[(metric, first.isoformat(), ())] += int(reply or 0)
        return dict(answer)


# KEYS: the covering buckets' cell hashes. ARGV[1]: {"s": [[position, width, values, restricted]...] the
# cell's parts and the values each may take (restricted: a filter), "g": [[position, width]...] the
# group-by parts, "p": [label per key] (metric and point), "e": 1 to allow looking cells up, "l": the
# most fields a listpack holds: a smaller hash is scanned, since a lookup in a listpack scans it too}.
# Returns [group, count, ...], group = label .. "|" .. the group-by parts.
_READ_LUA = """
local q = cjson.decode(ARGV[1])
local checks = {}
local wanted = 1
for _, s in ipairs(q.s) do
  wanted = wanted * #s[3]
  if s[4] == 1 then
    local set = {}
    for _, v in ipairs(s[3]) do set[v] = true end
    checks[#checks + 1] = {s[1], s[1] + s[2] - 1, set}
  end
end
local cells = nil
local function product()
  local out = {''}
  for _, s in ipairs(q.s) do
    local nxt = {}
    for _, prefix in ipairs(out) do
      for _, v in ipairs(s[3]) do nxt[#nxt + 1] = prefix .. v end
    end
    out = nxt
  end
  return out
end
local sums, order = {}, {}
local function add(label, cell, n)
  local g = label
  for _, part in ipairs(q.g) do g = g .. '|' .. string.sub(cell, part[1], part[1] + part[2] - 1) end
  if sums[g] == nil then sums[g] = 0; order[#order + 1] = g end
  sums[g] = sums[g] + n
end
for k, key in ipairs(KEYS) do
  local label = q.p[k]
  local held = redis.call('HLEN', key)
  if q.e == 1 and held > q.l and wanted < held then
    if cells == nil then cells = product() end
    for first = 1, #cells, 1000 do
      local last = math.min(first + 999, #cells)
      local values = redis.call('HMGET', key, unpack(cells, first, last))
      for i = 1, last - first + 1 do
        if values[i] then add(label, cells[first + i - 1], tonumber(values[i])) end
      end
    end
  elseif held > 0 then
    local flat = redis.call('HGETALL', key)
    for i = 1, #flat, 2 do
      local cell, ok = flat[i], true
      for _, c in ipairs(checks) do
        if not c[3][string.sub(cell, c[1], c[2])] then ok = false; break end
      end
      if ok then add(label, cell, tonumber(flat[i + 1])) end
    end
  end
end
local out = {}
for _, g in ipairs(order) do out[#out + 1] = g; out[#out + 1] = sums[g] end
return out
"""

LOOKUP_LIMIT = 50_000  # cells a read may look up one by one; beyond it, it scans


@dataclass
class Cube:
    """Cells of the full cube (and, with `rollup`, of the kota roll-up), split over `partitions` hash tags."""

    name: str
    redis: Redis
    rollup: bool
    partitions: int = 1
    # The full cube's month hashes split by kecamatan and its year hashes by kelurahan, so each stays a
    # compact listpack (under hash-max-listpack-entries) instead of a hash table of thousands of cells.
    shards: bool = False
    # False: the roll-up has month and year cells only; a period's ragged days are read from the full
    # cube's day hashes (a few hundred cells each, as sparse at the kota level as at the kelurahan).
    rollup_days: bool = True
    compact: bool = False  # cells of 5 characters (Cuboid.compact)
    listpack: int = 512  # the Redis' hash-max-listpack-entries: above it a hash is a hash table
    writer: BulkWrite = field(init=False)
    reader: AsyncScript = field(init=False)

    def __post_init__(self) -> None:
        self.writer = BulkWrite(self.redis)
        self.reader = self.redis.register_script(_READ_LUA)

    @property
    def cuboids(self) -> tuple[Cuboid, ...]:
        full, rollup = Cuboid("kelurahan", self.compact), Cuboid("kota", self.compact)
        return (full, rollup) if self.rollup else (full,)

    def _prefix(self, partition: int, cuboid: Cuboid, metric: str) -> str:
        # One hash tag per partition: what a batch of that partition writes lives in one Cluster slot.
        tag = f"{{p{partition}}}" if self.partitions > 1 else "ks"
        return f"{tag}:{cuboid.region[:3]}:{metric}:"

    def fields_per_fact(self) -> int:
        return 3 * len(self.cuboids) - (0 if self.rollup_days or not self.rollup else 1)

    async def apply(self, facts: Sequence[Fact]) -> None:
        per_partition: defaultdict[int, defaultdict[tuple[str, str], Counter[str]]] = defaultdict(
            lambda: defaultdict(Counter)
        )
        plain: defaultdict[int, defaultdict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        cuboids = self.cuboids
        for fact in facts:
            partition = fact.partition % self.partitions
            days = per_partition[partition]
            for cuboid in cuboids:
                prefix = self._prefix(partition, cuboid, fact.metric)
                cell = _cell(cuboid, fact.profile)
                if cuboid.region == "kota" and not self.rollup_days:
                    keys = plain[partition]
                    keys[f"{prefix}m:{fact.day[:7]}"][cell] += 1
                    keys[f"{prefix}y:{fact.day[:4]}"][cell] += 1
                elif self.shards and cuboid.region == "kelurahan":
                    kelurahan = _digits(fact.profile[2])
                    keys = plain[partition]
                    keys[f"{prefix}d:{fact.day}"][cell] += 1
                    keys[f"{prefix}m:{fact.day[:7]}:{kelurahan[:6]}"][cell] += 1
                    keys[f"{prefix}y:{fact.day[:4]}:{kelurahan}"][cell] += 1
                else:
                    days[(prefix, fact.day)][cell] += 1
        # One atomic script call per partition (a Cluster node would take each on its own).
        async with self.redis.pipeline(transaction=self.partitions == 1) as tx:
            for partition in per_partition.keys() | plain.keys():
                await self.writer.queue(tx, per_partition[partition], plain[partition], {}, {})
            await tx.execute()

    def _keys(self, prefix: str, cuboid: Cuboid, bucket: Bucket, filters: Mapping[Dim, str]) -> list[str]:
        key = _bucket_key(prefix, bucket)
        if not self.shards or cuboid.region != "kelurahan" or bucket.grain == "d":
            return [key]
        regions = [_digits(k) for k in _regions_within(filters, "kelurahan")]
        shards = dict.fromkeys(r[:6] for r in regions) if bucket.grain == "m" else regions
        return [f"{key}:{shard}" for shard in shards]

    def answers(self, query: Query) -> bool:
        return len(query.by) <= 2

    def _spec(self, cuboid: Cuboid, query: Query) -> tuple[list[list[object]], list[list[int]], bool]:
        parts: list[list[object]] = []
        regions = _regions_within(query.filters, cuboid.region)
        restricted = any(d in query.filters for d in REGION_DIMS)
        parts.append([1, cuboid.region_width, [_digits(r) for r in regions], int(restricted)])
        for d in _OTHER_DIMS:
            position, _ = cuboid.place(d)
            wanted = [query.filters[d]] if d in query.filters else list(_CODES[d])
            parts.append([position, 1, [_ENCODE[d][v] for v in wanted], int(d in query.filters)])
        groups = [list(cuboid.place(d)) for d in query.by]
        combinations = 1
        for part in parts:
            values = part[2]
            assert isinstance(values, list)
            combinations *= len(values)
        return parts, groups, combinations <= LOOKUP_LIMIT

    def _plans(self, query: Query) -> dict[Cuboid, tuple[list[str], list[list[str]]]]:
        """cuboid → (label per key, keys per partition); a roll-up kept above days leaves those to the
        full cube."""
        dims = set(query.filters) | set(query.by)
        chosen = next(c for c in reversed(self.cuboids) if c.holds(dims))  # the smallest that holds them
        plans: dict[Cuboid, tuple[list[str], list[list[str]]]] = {}
        for metric in query.metrics:
            for first, last in query.points():
                label = f"{metric}|{first.isoformat()}"
                for bucket in cover(first, last):
                    cuboid = self.cuboids[0] if bucket.grain == "d" and not self.rollup_days else chosen
                    labels, keys = plans.setdefault(cuboid, ([], [[] for _ in range(self.partitions)]))
                    for p in range(self.partitions):
                        shards = self._keys(self._prefix(p, cuboid, metric), cuboid, bucket, query.filters)
                        keys[p].extend(shards)
                        if p == 0:
                            labels.extend([label] * len(shards))
        return plans

    async def read(self, query: Query) -> Answer:
        plans = self._plans(query)
        async with self.redis.pipeline(transaction=False) as read:
            decoded: list[tuple[Cuboid, list[int]]] = []  # per call: the cuboid and its group-by parts
            for cuboid, (labels, keys) in plans.items():
                if cuboid.compact:
                    parts, wanted_parts = _compact_spec(cuboid, query)
                    groups = [[int(str(parts[i][0])), int(str(parts[i][1]))] for i in wanted_parts]
                    lookups = True
                else:
                    parts, groups, lookups = self._spec(cuboid, query)
                    wanted_parts = []
                document = json.dumps(
                    {"s": parts, "g": groups, "p": labels, "e": int(lookups), "l": self.listpack},
                    separators=(",", ":"),
                )
                for p in range(self.partitions):
                    await self.reader(keys=keys[p], args=[document], client=read)
                    decoded.append((cuboid, wanted_parts))
            replies = await read.execute()
        answer: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
        decoders = [self._decoder(d) for d in query.by]
        for (cuboid, wanted_parts), flat in zip(decoded, replies, strict=True):
            for group, n in zip(flat[::2], flat[1::2], strict=True):
                metric, first, *values = group.split("|")
                if cuboid.compact:
                    found = _compact_values(cuboid, wanted_parts, values)
                    answer[(metric, first, tuple(found[d] for d in query.by))] += n
                else:
                    answer[
                        (metric, first, tuple(dec[v] for dec, v in zip(decoders, values, strict=True)))
                    ] += n
        return dict(answer)

    @staticmethod
    def _decoder(dim: Dim) -> dict[str, str] | _RegionCodes:
        return _RegionCodes() if dim in REGION_DIMS else _DECODE[dim]


class _RegionCodes(dict[str, str]):
    """Cell digits back to the dotted code: 3171 → 31.71, 317101 → 31.71.01, 3171011001 → 31.71.01.1001."""

    def __missing__(self, digits: str) -> str:
        parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:10]]
        return ".".join(p for p in parts if p)


# --- what the layouts must agree on ----------------------------------------------------------------------


def expected(facts: Sequence[Fact], query: Query) -> Answer:
    """The answer counted from the facts themselves."""
    starts = {day: first.isoformat() for first, last in query.points() for day in _days(first, last)}
    indexes = {d: DIMS.index(d) for d in DIMS}
    answer: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    metrics = set(query.metrics)
    for fact in facts:
        first = starts.get(fact.day)
        if first is None or fact.metric not in metrics:
            continue
        if all(fact.profile[indexes[d]] == v for d, v in query.filters.items()):
            answer[(fact.metric, first, tuple(fact.profile[indexes[d]] for d in query.by))] += 1
    return dict(answer)


def _days(first: date, last: date) -> Iterator[str]:
    day = first
    while day <= last:
        yield day.isoformat()
        day += timedelta(days=1)


def _nonzero(answer: Answer) -> Answer:
    return {k: n for k, n in answer.items() if n}


# --- the run ---------------------------------------------------------------------------------------------

QUERIES = (
    Query("summary, 3 filters", SUMMARY_METRICS, {"kota": "31.71", "agency": "PPAPP", "gender": "F"}),
    Query(
        "monthly series, 3 filters",
        ("registered",),
        {"kota": "31.71", "agency": "PPAPP", "gender": "F"},
        interval="month",
    ),
    Query(
        "kecamatan x gender, 3 filters",
        ("registered",),
        {"kota": "31.71", "agency": "PPAPP", "age_band": "25-34"},
        by=("kecamatan", "gender"),
    ),
    Query(
        "kelurahan x sector, 3 filters, none regional",
        ("registered",),
        {"gender": "F", "ktp_dki": "true", "disability": "false"},
        by=("kelurahan", "sector"),
    ),
)
# What per-dimension counters can answer of each: one filter, or a one-way breakdown.
ONE_FILTER = {
    QUERIES[0].name: Query("summary, kota", SUMMARY_METRICS, {"kota": "31.71"}),
    QUERIES[1].name: Query("monthly series, kota", ("registered",), {"kota": "31.71"}, interval="month"),
    QUERIES[2].name: Query("by kecamatan", ("registered",), {}, by=("kecamatan",)),
    QUERIES[3].name: Query("by kelurahan", ("registered",), {}, by=("kelurahan",)),
}


def _asked(layout: Layout, query: Query) -> Query | None:
    """The query itself, else what per-dimension counters can answer of it, else None."""
    if layout.answers(query):
        return query
    fallback = ONE_FILTER[query.name]
    return fallback if layout.answers(fallback) else None


@dataclass
class Measured:
    layout: str
    fields_per_fact: int
    apply_s: float = 0.0
    redis_usec: int = 0
    memory: int = 0
    keys: int = 0
    cells: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    answered_as: dict[str, str] = field(default_factory=dict)
    server_ms: dict[str, float] = field(default_factory=dict)  # Redis time of one read


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _server_usec(stats: Mapping[str, Mapping[str, int]]) -> int:
    """Redis' own time in what the client sent: a script's time holds the commands it calls, which
    commandstats counts again on their own, so those are left out where a script ran."""
    scripts = [s for name, s in stats.items() if name in ("cmdstat_evalsha", "cmdstat_eval")]
    if scripts:
        return sum(int(s["usec"]) for s in scripts)
    return sum(
        int(s["usec"])
        for name, s in stats.items()
        if not name.startswith(("cmdstat_config", "cmdstat_script"))
    )


async def _used_memory(redis: Redis) -> int:
    return int((await redis.info("memory"))["used_memory"])


async def _cells(redis: Redis) -> tuple[int, int]:
    keys = [key async for key in redis.scan_iter(count=10_000)]
    async with redis.pipeline(transaction=False) as read:
        for key in keys:
            read.hlen(key)
        sizes = await read.execute()
    return len(keys), sum(sizes)


async def run(
    layouts: list[Layout], facts: list[Fact], events: int, per_batch: int, rounds: int
) -> list[Measured]:
    results = {layout.name: Measured(layout.name, layout.fields_per_fact()) for layout in layouts}
    await _apply_all(layouts, results, facts, events, per_batch)
    await _check_answers(layouts, results, facts)
    for _ in range(rounds):
        for query in QUERIES:
            for layout in random.sample(layouts, len(layouts)):
                asked = _asked(layout, query)
                if asked is None:
                    continue
                began = time.perf_counter()
                await layout.read(asked)
                results[layout.name].latencies[query.name].append((time.perf_counter() - began) * 1000)
    return list(results.values())


async def _apply_all(
    layouts: list[Layout], results: dict[str, Measured], facts: list[Fact], events: int, per_batch: int
) -> None:
    for layout in layouts:
        await layout.redis.config_resetstat()
        results[layout.name].memory = -await _used_memory(layout.redis)
    for i, chunk in enumerate(batches(facts, events, per_batch)):
        # Rotate who goes first, so no layout always meets the machine in the same state.
        for layout in layouts[i % len(layouts) :] + layouts[: i % len(layouts)]:
            began = time.perf_counter()
            await layout.apply(chunk)
            results[layout.name].apply_s += time.perf_counter() - began
    for layout in layouts:
        measured = results[layout.name]
        measured.memory += await _used_memory(layout.redis)
        measured.redis_usec = _server_usec(await layout.redis.info("commandstats"))
        measured.keys, measured.cells = await _cells(layout.redis)


async def _check_answers(layouts: list[Layout], results: dict[str, Measured], facts: list[Fact]) -> None:
    """Every layout must give the facts' own answer before its speed means anything."""
    wanted: dict[str, Answer] = {}
    for query in QUERIES:
        for layout in layouts:
            asked = _asked(layout, query)
            results[layout.name].answered_as[query.name] = asked.name if asked else ""
            if asked is None:
                continue
            if asked.name not in wanted:
                wanted[asked.name] = _nonzero(expected(facts, asked))
            await layout.redis.config_resetstat()
            if _nonzero(await layout.read(asked)) != wanted[asked.name]:
                raise AssertionError(f"{layout.name} answered {asked.name} wrongly")
            # What the read costs Redis itself, apart from the client and the machine's other work.
            results[layout.name].server_ms[query.name] = (
                _server_usec(await layout.redis.info("commandstats")) / 1000
            )


def table(results: list[Measured], facts: int, events: int) -> str:
    per_million = 1_000_000 / events
    head = [
        "| layout | cells written per fact | keys | fields held | apply, events/s | Redis µs per event "
        "| Redis MiB per million events |" + "".join(f" {q.name}: p50 / p99 (Redis) ms |" for q in QUERIES),
        "|---|---|---|---|---|---|---|" + "---|" * len(QUERIES),
    ]
    rows = []
    for r in results:
        cells = []
        for q in QUERIES:
            lat = r.latencies[q.name]
            if not lat:
                cells.append(" cannot answer |")
                continue
            note = "" if r.answered_as[q.name] == q.name else f" ({r.answered_as[q.name]} only)"
            cells.append(
                f" {statistics.median(lat):.1f} / {_quantile(lat, 0.99):.1f}"
                f" ({r.server_ms[q.name]:.1f}){note} |"
            )
        rows.append(
            f"| {r.layout} | {r.fields_per_fact} | {r.keys:,} | {r.cells:,} | {events / r.apply_s:,.0f} "
            f"| {r.redis_usec / events:.1f} | {r.memory * per_million / 2**20:.1f} |" + "".join(cells)
        )
    return "\n".join(head + rows)


@dataclass(frozen=True)
class Setup:
    """A layout on its own Redis, with the Redis settings it is measured with."""

    name: str
    build: Callable[[str, Redis], Layout]
    config: Mapping[str, str] = field(default_factory=dict)


def setups(partitions: int) -> list[Setup]:
    tagged = f"/{partitions}p"
    return [
        Setup("per-dimension/5", lambda name, redis: PerDimension(name, redis, TODAY_DIMS)),
        Setup("per-dimension/9", lambda name, redis: PerDimension(name, redis, DIMS)),
        Setup("cube", lambda name, redis: Cube(name, redis, rollup=False)),
        Setup("cube+kota", lambda name, redis: Cube(name, redis, rollup=True)),
        Setup("cube+kota, shards", lambda name, redis: Cube(name, redis, rollup=True, shards=True)),
        Setup(
            "cube+kota above days, shards",
            lambda name, redis: Cube(name, redis, rollup=True, shards=True, rollup_days=False),
        ),
        Setup(
            "cube+kota above days, shards, compact",
            lambda name, redis: Cube(name, redis, rollup=True, shards=True, rollup_days=False, compact=True),
        ),
        Setup(
            "cube+kota" + tagged, lambda name, redis: Cube(name, redis, rollup=True, partitions=partitions)
        ),
        Setup(
            "cube+kota, shards" + tagged,
            lambda name, redis: Cube(name, redis, rollup=True, shards=True, partitions=partitions),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000, help="mixed events (≈1.13 facts each)")
    parser.add_argument("--batch", type=int, default=20_000, help="events per applied batch")
    parser.add_argument("--rounds", type=int, default=200, help="timed reads of each query per layout")
    parser.add_argument("--partitions", type=int, default=8, help="hash tags of the partitioned layout")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--only", action="append", help="measure only this layout (repeatable)")
    args = parser.parse_args()
    facts = facts_of(args.events, args.seed, args.partitions)
    print(f"{args.events:,} events → {len(facts):,} counted facts over {FIRST_DAY}..{LAST_DAY}", flush=True)
    chosen = [s for s in setups(args.partitions) if not args.only or s.name in args.only]
    with tempfile.TemporaryDirectory(prefix="counter-layout-") as tmp:
        servers = [RedisServer(port, Path(tmp) / str(i)) for i, port in enumerate(free_ports(len(chosen)))]
        try:
            for server in servers:
                server.start(timeout=30)
            results = asyncio.run(_measure(servers, chosen, facts, args))
        finally:
            for server in servers:
                server.stop()
    print(table(results, len(facts), args.events))


async def _measure(
    servers: list[RedisServer], chosen: list[Setup], facts: list[Fact], args: argparse.Namespace
) -> list[Measured]:
    clients = [Redis.from_url(s.url, decode_responses=True) for s in servers]
    try:
        layouts: list[Layout] = []
        for setup, client in zip(chosen, clients, strict=True):
            for name, value in setup.config.items():
                await client.config_set(name, value)
            layout = setup.build(setup.name, client)
            if isinstance(layout, Cube):
                listpack = await client.config_get("hash-max-listpack-entries")
                layout.listpack = int(str(listpack["hash-max-listpack-entries"]))
            layouts.append(layout)
        return await run(layouts, facts, args.events, args.batch, args.rounds)
    finally:
        for client in clients:
            await client.aclose()


if __name__ == "__main__":
    main()
