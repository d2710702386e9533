"""`jakpreneur dlq list|replay`: inspect reporting's dead letters and send them back to their source topic.

The DLQ is read outside any consumer group (every partition assigned, from the beginning), so looking
at it never moves anything. Replay is for after a fix (e.g. a consumer that knows a new event version):
it re-publishes each chosen record's original key and value to its source topic, where the consumer sees
it as a new record. Events are keyed by natural ids downstream, so replaying one twice changes no figure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated

import typer
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from rich.console import Console
from rich.table import Table
from rich.text import Text

from operator_cli.kafka import (
    admin_client,
    existing_partitions,
    offset_ranges,
    plain_consumer,
    run_against_kafka,
)
from services.reporting.settings import ReportingSettings
from shared.contracts.topics import DEAD_LETTER_TOPIC
from shared.kafka.producer import build_producer
from shared.kafka.settings import KafkaSettings

PREVIEW_BYTES = 80
REPLAY_HEADER = "replayed_from"

app = typer.Typer(help="Reporting's dead-letter topic: list its records, replay them after a fix.")


@dataclass(frozen=True)
class DeadLetter:
    partition: int
    offset: int
    reason: str
    source_topic: str | None
    source_partition: int | None
    source_offset: int | None
    key: bytes | None
    value: bytes | None

    @property
    def ref(self) -> str:
        """How the operator names it: `partition:offset` in the DLQ topic."""
        return f"{self.partition}:{self.offset}"

    def preview(self) -> str:
        if self.value is None:
            return "<null>"
        text = self.value[:PREVIEW_BYTES].decode("utf-8", "backslashreplace")
        return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)

    @classmethod
    def of(cls, record: ConsumerRecord) -> DeadLetter:
        headers = {name: raw.decode("utf-8", "replace") for name, raw in record.headers or ()}
        return cls(
            partition=record.partition,
            offset=record.offset,
            reason=headers.get("reason", ""),
            source_topic=headers.get("source_topic") or None,
            source_partition=_int(headers.get("source_partition")),
            source_offset=_int(headers.get("source_offset")),
            key=record.key,
            value=record.value,
        )


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def dlq_topic(kafka: KafkaSettings) -> str:
    return kafka.topic(DEAD_LETTER_TOPIC)


async def read_dead_letters(kafka: KafkaSettings, limit: int | None = None) -> tuple[list[DeadLetter], int]:
    """DLQ records in (partition, offset) order, at most `limit`, and how many the topic holds in all."""
    async with admin_client(kafka) as admin:
        partitions, _ = await existing_partitions(admin, [dlq_topic(kafka)])
    async with plain_consumer(kafka) as consumer:
        ranges = {tp: r for tp, r in (await offset_ranges(consumer, partitions)).items() if r.count > 0}
        total = sum(r.count for r in ranges.values())
        wanted = total if limit is None else min(limit, total)
        found: list[DeadLetter] = []
        for tp, span in sorted(ranges.items()):  # one partition at a time keeps the order and the limit
            if len(found) >= wanted:
                break
            found.extend(await _read_partition(consumer, tp, span.beginning, span.end, wanted - len(found)))
    return found, total


async def _read_partition(
    consumer: AIOKafkaConsumer, tp: TopicPartition, beginning: int, end: int, at_most: int
) -> list[DeadLetter]:
    consumer.assign([tp])
    consumer.seek(tp, beginning)
    found: list[DeadLetter] = []
    while len(found) < at_most and await consumer.position(tp) < end:
        batch = await consumer.getmany(tp, timeout_ms=1000, max_records=min(500, at_most - len(found)))
        found.extend(DeadLetter.of(r) for r in batch.get(tp, []) if r.offset < end)
    return found[:at_most]


async def replay_records(kafka: KafkaSettings, letters: list[DeadLetter]) -> None:
    producer = build_producer(kafka, client_id="jakpreneur-dlq-replay")
    await producer.start()
    try:
        for letter in letters:
            assert letter.source_topic is not None
            origin = f"{dlq_topic(kafka)}:{letter.ref}".encode()
            await producer.send_and_wait(
                letter.source_topic, value=letter.value, key=letter.key, headers=[(REPLAY_HEADER, origin)]
            )
    finally:
        await producer.stop()


def select(letters: list[DeadLetter], refs: list[str]) -> list[DeadLetter]:
    """Records named `partition:offset`, or by a bare offset when only one partition has it."""
    chosen: list[DeadLetter] = []
    for ref in refs:
        partition_text, sep, offset_text = ref.strip().rpartition(":")
        try:
            offset, partition = int(offset_text), int(partition_text) if sep else None
        except ValueError:
            problem = f"{ref!r} is not OFFSET or PARTITION:OFFSET"
            raise typer.BadParameter(problem, param_hint="--offset") from None
        matches = [d for d in letters if d.offset == offset and partition in (None, d.partition)]
        if not matches:
            raise typer.BadParameter(f"no dead letter at {ref}", param_hint="--offset")
        if len(matches) > 1:
            named = ", ".join(d.ref for d in matches)
            raise typer.BadParameter(
                f"offset {ref} is ambiguous ({named}); use PARTITION:OFFSET", param_hint="--offset"
            )
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


def letters_table(letters: list[DeadLetter], title: str) -> Table:
    table = Table(title=title)
    table.add_column("dlq p:offset", justify="right", no_wrap=True)
    table.add_column("source topic", overflow="fold")
    table.add_column("src p", justify="right")
    table.add_column("src offset", justify="right")
    table.add_column("reason", overflow="fold")
    table.add_column(f"value (first {PREVIEW_BYTES} bytes)", overflow="fold")
    for d in letters:
        table.add_row(
            d.ref,
            d.source_topic or "?",
            "?" if d.source_partition is None else str(d.source_partition),
            "?" if d.source_offset is None else str(d.source_offset),
            Text(d.reason),
            Text(d.preview()),
        )
    return table


def as_json(d: DeadLetter) -> dict[str, object]:
    return {
        "partition": d.partition,
        "offset": d.offset,
        "source_topic": d.source_topic,
        "source_partition": d.source_partition,
        "source_offset": d.source_offset,
        "reason": d.reason,
        "key": None if d.key is None else d.key.decode("utf-8", "backslashreplace"),
        "value_preview": d.preview(),
    }


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many, oldest first")] = 100,
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Dead letters from the beginning of the DLQ topic: position, source, reason, start of the value."""
    kafka = ReportingSettings().kafka
    letters, total = run_against_kafka(read_dead_letters(kafka, limit), kafka.bootstrap_servers)
    if json_output:
        for d in letters:
            typer.echo(json.dumps(as_json(d)))
        return
    console = Console()
    console.print(letters_table(letters, f"{dlq_topic(kafka)}: {len(letters)} of {total} dead letters"))


@app.command()
def replay(
    offset: Annotated[
        list[str] | None,
        typer.Option("--offset", help="PARTITION:OFFSET in the DLQ (or OFFSET when unambiguous); repeatable"),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Replay every dead letter")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
) -> None:
    """Re-publish dead letters' original key and value to their source topic (after a fix is deployed)."""
    if all_ == bool(offset):
        raise typer.BadParameter("give either --offset (one or more) or --all", param_hint="--offset/--all")
    kafka = ReportingSettings().kafka
    letters, _ = run_against_kafka(read_dead_letters(kafka), kafka.bootstrap_servers)
    chosen = letters if all_ else select(letters, offset or [])
    console = Console()
    unknown = [d for d in chosen if d.source_topic is None]
    if unknown:
        console.print(Text(f"skipping {len(unknown)} without a source_topic header", style="yellow"))
        chosen = [d for d in chosen if d.source_topic is not None]
    if not chosen:
        console.print("nothing to replay")
        return
    console.print(letters_table(chosen, f"to replay: {len(chosen)}"))
    if not yes and not typer.confirm(f"Re-publish {len(chosen)} record(s) to their source topics?"):
        raise typer.Abort()
    run_against_kafka(replay_records(kafka, chosen), kafka.bootstrap_servers)
    console.print(f"replayed {len(chosen)} record(s)")
