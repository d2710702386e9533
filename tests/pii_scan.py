"""After an integration run: no NIK, name or phone number of a test participant in any topic or service log,
and no free text the tests sent in any topic.

Personal data stays inside the registration database (PRODUCT.md §2). The patterns are what the tests
send: NIK-shaped numbers (checked for a real province code, day and month, so ids and timestamps do not
match), the names the test builders give ("Peserta 12"), and Indonesian mobile numbers.
Free text (titles, session topics, reasons, notes, lenders, permit numbers) stays in its service's
database: tests write it with `free_text()`, whose marker no topic may hold.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.regions import PROVINCE_CODES

# Not inside a longer word: UUIDs and hex ids hold long digit runs too.
_NIK = re.compile(r"(?<![\w.-])(\d{2})\d{4}(\d{2})(\d{2})\d{2}(\d{4})(?!\w)")
_NAME = re.compile(r"\bPeserta \d+\b")
SCAN_LIMIT_S = 180.0
_PHONE = re.compile(r"(?<![\w.-])(?:\+62|08)\d{8,12}(?!\w)")
_FREE_TEXT_TAG = "teksbebas"
_FREE_TEXT = re.compile(_FREE_TEXT_TAG + r"[0-9a-f]{12}")


def free_text(label: str) -> str:
    """`label` with a marker of its own, for a title, reason, note or number sent through an API."""
    return f"{label} {_FREE_TEXT_TAG}{uuid4().hex[:12]}"


@dataclass(frozen=True)
class Leak:
    where: str
    kind: str
    excerpt: str  # masked: the report itself must not repeat the data


def leaks_in(text: str, where: str, *, free_text: bool = False) -> list[Leak]:
    """Personal data in `text`; with `free_text`, the tests' free-text markers too (topics hold none)."""
    found = []
    for match in _NIK.finditer(text):
        province, day, month, serial = match.groups()
        if province in PROVINCE_CODES and _is_day(day) and 1 <= int(month) <= 12 and serial != "0000":
            found.append(Leak(where, "NIK", _mask(match.group())))
    found += [Leak(where, "name", _mask(m.group())) for m in _NAME.finditer(text)]
    found += [Leak(where, "phone", _mask(m.group())) for m in _PHONE.finditer(text)]
    if free_text:
        found += [Leak(where, "free text", m.group()) for m in _FREE_TEXT.finditer(text)]
    return found


def scan_logs(root: Path) -> list[Leak]:
    leaks: list[Leak] = []
    for log in sorted(root.rglob("*.log")):
        leaks += leaks_in(log.read_text(errors="replace"), str(log))
    return leaks


def scan_topics(bootstrap: str) -> list[Leak]:
    return asyncio.run(_scan_topics(bootstrap))


async def _scan_topics(bootstrap: str) -> list[Leak]:
    partitions = await _all_partitions(bootstrap)
    leaks: list[Leak] = []
    if not partitions:
        return leaks
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        deadline = asyncio.get_running_loop().time() + SCAN_LIMIT_S
        while remaining:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(
                    f"topic scan unfinished after {SCAN_LIMIT_S}s: {sorted(map(str, remaining))[:5]}"
                )
            batches = await consumer.getmany(*remaining, timeout_ms=1000)
            for tp, records in batches.items():
                for record in records:
                    text = (record.value or b"").decode(errors="replace")
                    leaks += leaks_in(text, f"{tp.topic}[{tp.partition}]@{record.offset}", free_text=True)
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
            if not batches:
                remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
    finally:
        await consumer.stop()
    return leaks


async def _all_partitions(bootstrap: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if not t.startswith("__")]
        described = await admin.describe_topics(topics) if topics else []
    finally:
        await admin.close()
    return sorted(
        (TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]),
        key=lambda tp: (tp.topic, tp.partition),
    )


def _is_day(day: str) -> bool:
    value = int(day)
    return 1 <= value <= 31 or 41 <= value <= 71


def _mask(value: str) -> str:
    return value[:4] + "…" if len(value) > 4 else "…"
