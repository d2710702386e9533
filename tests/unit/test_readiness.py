"""/readyz waits only on what an instance needs to serve; the rest is shown, in its body and metrics."""

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI

from shared.web.ops import Checks, install_ops


async def fine() -> None:
    return None


async def down() -> None:
    raise ConnectionError("refused")


async def hung() -> None:
    await asyncio.sleep(60)


def client(checks: Checks) -> httpx.AsyncClient:
    app = FastAPI()
    install_ops(app, checks)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ops")


async def test_a_shown_dependency_down_leaves_the_instance_ready_and_says_so() -> None:
    async with client(Checks(required={"database": fine}, shown={"kafka": down})) as http:
        ready = await http.get("/readyz")
        metrics = (await http.get("/ops/metrics")).text
    assert ready.status_code == 200
    assert ready.json() == {
        "ready": True,
        "checks": {"database": "ok", "kafka": "unavailable: ConnectionError"},
        "required": ["database"],
    }
    assert 'dependency_up{dependency="kafka"} 0.0' in metrics
    assert 'dependency_up{dependency="database"} 1.0' in metrics


async def test_a_required_dependency_down_makes_the_instance_not_ready() -> None:
    async with client(Checks(required={"database": down}, shown={"kafka": fine})) as http:
        ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "unavailable: ConnectionError", "kafka": "ok"}
    assert ready.json()["ready"] is False


async def test_hung_dependencies_cost_one_timeout_not_one_each() -> None:
    async with client(Checks(required={"a": hung, "b": hung}, shown={"c": hung})) as http:
        began = time.monotonic()
        ready = await http.get("/readyz")
    assert ready.status_code == 503
    assert set(ready.json()["checks"].values()) == {"unavailable: TimeoutError"}
    assert time.monotonic() - began < 3.5  # the timeout is 2 s


def test_a_dependency_is_either_required_or_shown() -> None:
    with pytest.raises(ValueError, match="either required or shown"):
        Checks(required={"kafka": fine}, shown={"kafka": fine})
