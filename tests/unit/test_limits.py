"""Rate limits keyed on who the caller provably is, with memory bounded by a setting (no server needed)."""

import base64
import json
import logging
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from devstack.ports import free_ports
from shared.auth import Role
from shared.auth.cookie import COOKIE
from shared.web.limits import LimitSettings, LocalBuckets, Rate, RateLimitMiddleware, SharedWindows
from shared.web.refusals import document_common_refusals
from tests.tokens import DEVELOPMENT, bearer

READ = Rate("read", per_s=0.001, burst=3)  # no refill within a test: the burst is the whole quota
WRITE = Rate("write", per_s=0.001, burst=2)


def limited_app(buckets: LocalBuckets) -> FastAPI:
    app = FastAPI()

    @app.get("/things")
    async def things() -> dict[str, str]:
        return {}

    @app.post("/things")
    async def add() -> dict[str, str]:
        return {}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {}

    document_common_refusals(app)
    app.add_middleware(RateLimitMiddleware, meter=buckets, auth=DEVELOPMENT, read=READ, write=WRITE)
    return app


def client(app: FastAPI, address: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://limits")


def forged(headers: dict[str, str], subject: str) -> dict[str, str]:
    """The same token with another subject written into its payload; the signature no longer matches."""
    head, payload, signature = headers["Authorization"].removeprefix("Bearer ").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = subject
    altered = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return {"Authorization": f"Bearer {head}.{altered}.{signature}"}


async def writes(http: httpx.AsyncClient, *headers: dict[str, str]) -> list[int]:
    return [(await http.post("/things", headers=h)).status_code for h in headers]


async def test_two_tokens_of_one_subject_share_a_bucket_and_another_subject_has_its_own() -> None:
    first = bearer(Role.PERMIT_OFFICER, subject="officer-1")
    second = bearer(Role.ANALYST, subject="officer-1", kota="31.71")  # another token, the same person
    async with client(limited_app(LocalBuckets(100))) as http:
        assert await writes(http, first, second, first, second) == [200, 200, 429, 429]
        assert await writes(http, bearer(Role.PERMIT_OFFICER, subject="officer-2")) == [200]


async def test_forged_expired_or_malformed_tokens_count_against_the_address_not_a_fresh_bucket() -> None:
    valid = bearer(Role.PERMIT_OFFICER, subject="officer-1")
    invalid = [
        forged(valid, "officer-9"),
        bearer(Role.PERMIT_OFFICER, subject="officer-1", ttl=timedelta(minutes=-5)),  # past the leeway
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic b2ZmaWNlcjpzZWNyZXQ="},
        {},
    ]
    app = limited_app(LocalBuckets(100))
    async with client(app) as http:
        assert await writes(http, *invalid) == [200, 200, 429, 429, 429]  # one bucket: this address
        assert await writes(http, valid) == [200]  # the verified subject is counted apart
    async with client(app, address="10.0.0.2") as other:
        assert await writes(other, invalid[0]) == [200]  # another address, another bucket


async def test_the_session_cookie_names_the_subject_as_the_header_does() -> None:
    token = bearer(Role.ANALYST, subject="analyst-1")["Authorization"].removeprefix("Bearer ")
    app = limited_app(LocalBuckets(100))
    async with client(app) as header, client(app, address="10.0.0.2") as cookie:
        cookie.cookies.set(COOKIE, token)
        assert (await header.get("/things", headers={"Authorization": f"Bearer {token}"})).status_code == 200
        statuses = [(await cookie.get("/things")).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]  # both spent the one subject's reads


async def test_reads_and_writes_have_their_own_quotas_and_probes_none() -> None:
    officer = bearer(Role.PERMIT_OFFICER, subject="officer-1")
    async with client(limited_app(LocalBuckets(100))) as http:
        assert await writes(http, officer, officer, officer) == [200, 200, 429]
        reads = [(await http.get("/things", headers=officer)).status_code for _ in range(4)]
        assert reads == [200, 200, 200, 429]
        assert {(await http.get("/healthz", headers=officer)).status_code for _ in range(10)} == {200}


async def test_a_refusal_is_429_rate_limited_in_the_error_shape_with_retry_after() -> None:
    officer = bearer(Role.PERMIT_OFFICER, subject="officer-1")
    async with client(limited_app(LocalBuckets(100))) as http:
        await writes(http, officer, officer)
        refused = await http.post("/things", headers=officer)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["detail"].startswith("too many writes from this client; retry in ")
    assert int(refused.headers["retry-after"]) == 1000  # one token at 0.001 per second


async def test_the_retry_after_is_the_time_until_the_bucket_holds_one_request_again() -> None:
    now = [0.0]
    buckets = LocalBuckets(10, clock=lambda: now[0])
    rate = Rate("write", per_s=2.0, burst=2)
    assert [await buckets.take(rate, "c") for _ in range(2)] == [None, None]
    assert await buckets.take(rate, "c") == pytest.approx(0.5)
    now[0] = 0.5
    assert await buckets.take(rate, "c") is None  # refilled by then, and taken


async def test_memory_holds_at_most_max_clients_buckets_forgetting_the_least_recently_used() -> None:
    buckets = LocalBuckets(max_clients=1000)
    for n in range(50_000):
        await buckets.take(WRITE, f"address:10.{n // 65536}.{n // 256 % 256}.{n % 256}")
        assert len(buckets) <= 1000
    assert len(buckets) == 1000

    small = LocalBuckets(max_clients=3)
    for client in ("a", "b", "c", "a", "a"):  # a has spent its burst (2) and is the most recent
        await small.take(WRITE, client)
    await small.take(WRITE, "d")  # b, the least recently used, is forgotten
    assert len(small) == 3
    assert await small.take(WRITE, "a") is not None  # still refused: its bucket was kept
    assert await small.take(WRITE, "c") is None


async def test_an_unreachable_store_leaves_each_instance_counting_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    (port,) = free_ports(1)  # nothing listens there
    shared = SharedWindows(f"redis://127.0.0.1:{port}/0", "test", fallback=LocalBuckets(10))
    with caplog.at_level(logging.WARNING, logger="shared.web.limits"):
        assert [await shared.take(WRITE, "c") is None for _ in range(3)] == [True, True, False]
    assert "rate-limit store unavailable" in caplog.text


def test_the_store_must_be_redis_and_its_window_is_never_more_generous_than_the_bucket() -> None:
    assert LimitSettings(storage_uri="redis://127.0.0.1:6379/3").storage_uri == "redis://127.0.0.1:6379/3"
    assert LimitSettings(storage_uri="async+rediss://cache:6380/0").storage_uri is not None
    assert LimitSettings(storage_uri="").storage_uri is None
    with pytest.raises(ValidationError, match="must be a Redis URI"):
        LimitSettings(storage_uri="memcached://cache:11211")
    window = Rate("write", per_s=2.0, burst=5).window("permits")
    assert (window.amount, window.get_expiry()) == (5, 3)  # 5 per 3 s: 1.7/s, not more than 2/s


def test_every_metered_operation_documents_its_429_and_probes_do_not() -> None:
    paths = limited_app(LocalBuckets(1)).openapi()["paths"]
    for method in ("get", "post"):
        limited = paths["/things"][method]["responses"]["429"]
        assert "rate_limited" in limited["content"]["application/json"]["examples"]
        assert "Retry-After" in limited["headers"]
    assert "429" not in paths["/healthz"]["get"]["responses"]
