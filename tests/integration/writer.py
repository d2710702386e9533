"""Drives registrations through the HTTP API like front-ends do: valid, duplicate and invalid ones."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from shared.dates import PROGRAMME_START, jakarta_today
from tests.integration.people import participant
from tests.tokens import ADMIN


@dataclass
class Outcome:
    accepted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    other: list[str] = field(default_factory=list)


def mixed_requests(rng: random.Random, count: int, first_serial: int = 0) -> list[dict[str, Any] | bytes]:
    """~90% new participants over 2018..today, ~5% repeated NIKs, ~5% invalid or malformed bodies."""
    today = jakarta_today()
    span = (today - PROGRAMME_START).days
    requests: list[dict[str, Any] | bytes] = []
    valid: list[dict[str, Any]] = []
    for i in range(count):
        roll = rng.random()
        if roll < 0.05 and valid:
            requests.append({**rng.choice(valid), "full_name": "Pendaftar Ulang"})
        elif roll < 0.08:
            bad = participant(rng, first_serial + i, today)
            bad["nik"] = bad["nik"][:12] + "0000"
            requests.append(bad)
        elif roll < 0.09:
            requests.append(participant(rng, first_serial + i, today + timedelta(days=1)))
        elif roll < 0.10:
            requests.append(b'{"nik": "31710145099')
        else:
            body = participant(
                rng, first_serial + i, PROGRAMME_START + timedelta(days=rng.randrange(span + 1))
            )
            valid.append(body)
            requests.append(body)
    return requests


async def send_all(base_url: str, requests: list[dict[str, Any] | bytes], concurrency: int = 16) -> Outcome:
    outcome = Outcome()
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(headers=ADMIN, base_url=base_url, timeout=30.0) as http:

        async def one(body: dict[str, Any] | bytes) -> None:
            async with gate:
                if isinstance(body, bytes):
                    response = await http.post(
                        "/participants", content=body, headers={"content-type": "application/json"}
                    )
                else:
                    response = await http.post("/participants", json=body)
            if response.status_code == 201:
                outcome.accepted.append(response.json())
            elif response.status_code == 409:
                outcome.duplicates += 1
            elif response.status_code in (400, 422):  # malformed JSON, invalid participant
                outcome.rejected += 1
            else:
                outcome.other.append(f"{response.status_code}: {response.text[:200]}")

        await asyncio.gather(*(one(body) for body in requests))
    return outcome


def today_minus(days: int) -> date:
    return jakarta_today() - timedelta(days=days)
