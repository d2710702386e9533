"""Kafka look-ups shared by the commands: partitions of topics and their offset ranges, no consumer group."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import typer
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError

from shared.kafka.settings import KafkaSettings

T = TypeVar("T")


@dataclass(frozen=True)
class OffsetRange:
    """`beginning` is the first offset still stored, `end` the offset the next record will get."""

    beginning: int
    end: int

    @property
    def count(self) -> int:
        return self.end - self.beginning


@asynccontextmanager
async def admin_client(settings: KafkaSettings) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(**settings.client_options(), client_id="jakpreneur-cli")
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def plain_consumer(settings: KafkaSettings) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer outside any group: it commits nothing and never disturbs the services' groups."""
    consumer = AIOKafkaConsumer(
        **settings.client_options(), client_id="jakpreneur-cli", group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await consumer.stop()


async def existing_partitions(
    admin: AIOKafkaAdminClient, topics: list[str]
) -> tuple[list[TopicPartition], list[str]]:
    """Every partition of the topics that exist, and the names of those that do not."""
    described = await admin.describe_topics(topics)
    partitions: list[TopicPartition] = []
    missing: list[str] = []
    for topic in described:
        if topic["error_code"] != 0 or not topic["partitions"]:
            missing.append(topic["topic"])
            continue
        partitions.extend(TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"])
    return sorted(partitions), sorted(missing)


async def offset_ranges(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition]
) -> dict[TopicPartition, OffsetRange]:
    if not partitions:
        return {}
    beginning: dict[TopicPartition, int] = await consumer.beginning_offsets(partitions)
    end: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
    return {tp: OffsetRange(beginning[tp], end[tp]) for tp in partitions}


def run_against_kafka(work: Coroutine[Any, Any, T], bootstrap: str) -> T:
    """asyncio.run for a command; an unreachable cluster is a one-line error and exit code 1."""
    try:
        return asyncio.run(work)
    except KafkaConnectionError as exc:
        typer.secho(f"kafka at {bootstrap} is not reachable: {exc}", err=True, fg="red")
        raise typer.Exit(1) from None
