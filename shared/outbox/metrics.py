"""Prometheus figures of the outbox: how much waits, how long events waited before Kafka took them, and
which instance publishes."""

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_BACKLOG = Gauge("outbox_backlog", "Committed events not yet acknowledged by Kafka", ["service"])
OUTBOX_PUBLISH_LAG = Histogram(
    "outbox_publish_lag_seconds",
    "Time from commit to Kafka acknowledgement",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
OUTBOX_RELAY_LEASE = Gauge(
    "outbox_relay_lease",
    "1 while this instance's relay holds the lease to publish its service's outbox (always on SQLite), "
    "0 while another instance does",
    ["service"],
)
OUTBOX_PRUNED = Counter("outbox_pruned", "Published outbox rows deleted after their retention", ["service"])
