"""Redis key layout of one reporting keyspace `{ks}` (a prefix, so a rebuild can fill a fresh one alongside).

{ks}:c:{metric}:{grain}:{label}   hash  counts of the day/month/year: "total" and "dimension:value" → count
{ks}:f:{metric}:{grain}:{label}:y hash  participants registered in that day/month/year (their cohort), by the
                                        year they reached the stage: "2024" → count
{ks}:f:{metric}:{grain}:{label}:s hash  the same by month and day reached: "m:2024-05", "d:2024-05-17" → count
{ks}:s:{metric}:{subject}         hash  one field per fact: "{fact_id}" → "{day}|{cohort}|{kota}|{kecamatan}|
                                        {gender}|{sector}|{agency}" (projection.earliest.Dated), then
                                        "#{version}" if it came with one; "#{version}" alone once a
                                        versioned void withdrew it (store.subjects)
{ks}:p:{participant}              hash  the participant's current profile: "p" → its statement (projection.
                                        profiles), and "o:{metric}:{subject}" → "1" for each permit and
                                        product of theirs, whose facts a change of profile restates too
{ks}:j:{participant}              hash  the participant's journey, one field per fact: "{code}:{fact_id}" →
                                        "{day}", or "{day}|v" once voided (store.journeys)
{ks}:o:{topic}:{partition}        str   last offset applied from that partition
{ks}:t:targets                    hash  "{year}|{metric}|{scope}|{scope_key}" → yearly target

{grain}:{label} is d:2024-05-17, m:2024-05 or y:2024 (periods.Bucket). A subject is a participant id, or
a permit id (permits_issued) or a product id (products_marketed); a fact id is the id of the record behind
the fact (class, placement, permit, session, showcase, report, application), "registration" for registered
and "issued" for permits_issued. A fact's cohort is its participant's registration day, empty for
registered, permits_issued and products_marketed; funnel hashes exist only for facts with a cohort. The
subject is counted on its earliest fact's day, derived from its facts whenever they are read; every fact
is stored with its participant's current profile ({ks}:p:, projection.profiles). The keys
outside any keyspace (the live pointer, the change channel) are keyspace.py's.
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from services.reporting.metrics import Metric
from services.reporting.projection.earliest import DayChanges, FunnelChanges
from services.reporting.store.periods import Bucket

DayIncrements = Mapping[tuple[str, str], Mapping[str, int]]  # (counter prefix, ISO day) → field → change
Increments = Mapping[str, Mapping[str, int]]  # key → field → change


@dataclass(frozen=True)
class Keys:
    keyspace: str

    def counter_prefix(self, metric: Metric) -> str:
        return f"{self.keyspace}:c:{metric.value}:"

    def counter(self, metric: Metric, bucket: Bucket) -> str:
        return f"{self.counter_prefix(metric)}{bucket.grain}:{bucket.label}"

    def funnel_prefix(self, metric: Metric) -> str:
        return f"{self.keyspace}:f:{metric.value}:"

    def funnel_cohort(self, metric: Metric, cohort: Bucket) -> str:
        """The cohort's two funnel hashes are this with ":y" (by stage year) and ":s" (by month and day)."""
        return f"{self.funnel_prefix(metric)}{cohort.grain}:{cohort.label}"

    def subject(self, metric: Metric, subject: str) -> str:
        return f"{self.keyspace}:s:{metric.value}:{subject}"

    def person(self, participant: str) -> str:
        return f"{self.keyspace}:p:{participant}"

    def journey(self, participant: str) -> str:
        return f"{self.keyspace}:j:{participant}"

    def offset(self, topic: str, partition: int) -> str:
        return f"{self.keyspace}:o:{topic}:{partition}"

    def targets(self) -> str:
        return f"{self.keyspace}:t:targets"

    def pattern(self) -> str:
        """SCAN pattern that matches this keyspace's keys and nothing else's (one pattern: one pass)."""
        return f"{self.keyspace}:[cfjpsot]:*"


def funnel_cells(prefix: str, cohort: str, stage_day: str) -> Iterator[tuple[str, str]]:
    """(key, field) of every funnel counter that a participant of the ISO day `cohort` reaching the stage on
    `stage_day` adds to: so any cohort period is read from its few covering buckets, and any cut-off day
    from a year, month and day part of each (see Figures.reached_by)."""
    for cohort_bucket in (f"d:{cohort}", f"m:{cohort[:7]}", f"y:{cohort[:4]}"):
        base = prefix + cohort_bucket
        yield base + ":y", stage_day[:4]
        yield base + ":s", "m:" + stage_day[:7]
        yield base + ":s", "d:" + stage_day


def stored_increments(
    keys: Keys, days: DayChanges, funnel: FunnelChanges
) -> tuple[DayIncrements, Increments]:
    """Counter changes by (counter prefix, day) — the Lua write adds each to the day's month and year too —
    and funnel changes by key (every cohort grain and stage grain, see funnel_cells)."""
    metrics = {m for m, _ in days} | {m for m, _, _ in funnel}
    counter_prefixes = {m: keys.counter_prefix(m) for m in metrics}
    funnel_prefixes = {m: keys.funnel_prefix(m) for m in metrics}
    counters = {(counter_prefixes[metric], day): fields for (metric, day), fields in days.items()}
    cells: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (metric, cohort, day), amount in funnel.items():
        if amount:
            for key, cell in funnel_cells(funnel_prefixes[metric], cohort, day):
                cells[key][cell] += amount
    return counters, cells
