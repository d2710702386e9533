"""Redis key layout of one reporting keyspace (a prefix, so a rebuild can fill a fresh one alongside).

{ks}:c:{metric}:{d|m|y}:{label}   hash  "total" and "dimension:value" → count
{ks}:f:{metric}:{d|m|y}:{label}:y hash  participants registered in that day/month/year (the cohort) by the
                                        year they reached the stage: "2024" → count
{ks}:f:{metric}:{d|m|y}:{label}:s hash  the same by month and day reached: "m:2024-05", "d:2024-05-17" → count
{ks}:s:{metric}:{subject}         hash  "f:{fact_id}" → [date, dims]; "c" → what is counted now
{ks}:o:{topic}:{partition}        str   last offset applied from that partition
{ks}:t:targets                    hash  "{year}|{metric}|{scope}|{scope_key}" → yearly target
{ks}:changed                      pubsub channel, a message per applied batch
"""

from collections.abc import Iterator
from dataclasses import dataclass

from services.reporting.metrics import Metric
from services.reporting.store.periods import Bucket


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

    def offset(self, topic: str, partition: int) -> str:
        return f"{self.keyspace}:o:{topic}:{partition}"

    def targets(self) -> str:
        return f"{self.keyspace}:t:targets"

    def pattern(self) -> str:
        """SCAN pattern that matches this keyspace's keys and nothing else's (one pattern: one pass)."""
        return f"{self.keyspace}:[cfsot]:*"


def funnel_cells(prefix: str, cohort: str, stage_day: str) -> Iterator[tuple[str, str]]:
    """(key, field) of every funnel counter that a participant of the ISO day `cohort` reaching the stage on
    `stage_day` adds to: so any cohort period is read from its few covering buckets, and any cut-off day
    from a year, month and day part of each (see Figures.reached_by)."""
    for cohort_bucket in (f"d:{cohort}", f"m:{cohort[:7]}", f"y:{cohort[:4]}"):
        base = prefix + cohort_bucket
        yield base + ":y", stage_day[:4]
        yield base + ":s", "m:" + stage_day[:7]
        yield base + ":s", "d:" + stage_day
