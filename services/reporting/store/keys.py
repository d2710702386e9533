"""Redis key layout of one reporting keyspace (a prefix, so a rebuild can fill a fresh one alongside).

{ks}:c:{metric}:{d|m|y}:{label}   hash  "total" and "dimension:value" → count
{ks}:s:{metric}:{subject}         hash  "f:{fact_id}" → [date, dims]; "c" → what is counted now
{ks}:o:{topic}:{partition}        str   last offset applied from that partition
{ks}:t:targets                    hash  "{year}|{metric}|{scope}|{scope_key}" → yearly target
{ks}:changed                      pubsub channel, a message per applied batch
"""

from dataclasses import dataclass
from datetime import date

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

    def funnel(self, metric: Metric, registered_on: date) -> str:
        return f"{self.funnel_prefix(metric)}{registered_on.isoformat()}"

    def subject(self, metric: Metric, subject: str) -> str:
        return f"{self.keyspace}:s:{metric.value}:{subject}"

    def offset(self, topic: str, partition: int) -> str:
        return f"{self.keyspace}:o:{topic}:{partition}"

    def targets(self) -> str:
        return f"{self.keyspace}:t:targets"

    def pattern(self) -> str:
        """SCAN pattern that matches this keyspace's keys and nothing else's (one pattern: one pass)."""
        return f"{self.keyspace}:[cfsot]:*"
