"""A request's bearer token is decoded once: the rate limiter's verification is the route's (no server)."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import Role
from shared.auth import tokens as tokens_module
from shared.auth.deps import Caller
from shared.auth.settings import AuthSettings
from shared.web.errors import install_error_handlers
from shared.web.limits import LocalBuckets, Rate, RateLimitMiddleware
from tests.tokens import DEVELOPMENT, bearer

GENEROUS = Rate("read", per_s=1000.0, burst=1000)


def app_with(middleware_settings: AuthSettings, route_settings: AuthSettings = DEVELOPMENT) -> FastAPI:
    app = FastAPI()
    app.state.auth = route_settings
    install_error_handlers(app)

    @app.get("/me")
    async def me(caller: Caller) -> dict[str, Any]:
        return {"subject": caller.subject, "kota": caller.kota, "roles": sorted(caller.roles)}

    app.add_middleware(
        RateLimitMiddleware, meter=LocalBuckets(100), auth=middleware_settings, read=GENEROUS, write=GENEROUS
    )
    return app


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token tokens._claims verified (what `authenticate` decodes with PyJWT)."""
    seen: list[str] = []
    verify = tokens_module._claims

    def counting(settings: AuthSettings, token: str, key: Any) -> dict[str, Any]:
        seen.append(token)
        return verify(settings, token, key)

    monkeypatch.setattr(tokens_module, "_claims", counting)
    return seen


async def get_me(app: FastAPI, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://once") as http:
        return await http.get("/me", headers=headers)


async def test_a_valid_token_is_decoded_once_and_the_route_gets_its_principal(decodes: list[str]) -> None:
    headers = bearer(Role.REGISTRAR, subject="registrar-7", kota="31.71")
    response = await get_me(app_with(DEVELOPMENT), headers)
    assert response.status_code == 200
    assert response.json() == {"subject": "registrar-7", "kota": "31.71", "roles": [Role.REGISTRAR.value]}
    assert len(decodes) == 1
    second = await get_me(app_with(DEVELOPMENT), bearer(Role.ADMIN, subject="admin-1"))
    assert second.json()["subject"] == "admin-1"  # one request's principal never answers another's
    assert len(decodes) == 2


async def test_a_token_that_does_not_verify_is_still_refused_by_the_route(decodes: list[str]) -> None:
    response = await get_me(app_with(DEVELOPMENT), {"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert decodes == ["not-a-jwt", "not-a-jwt"]  # nothing remembered: the route checks it itself


async def test_a_principal_verified_under_other_settings_is_not_reused(decodes: list[str]) -> None:
    """The limiter accepts the token; the route's settings (another audience) refuse it all the same."""
    other = AuthSettings(environment="development", audience="another-audience")
    response = await get_me(app_with(DEVELOPMENT, other), bearer(Role.REGISTRAR, subject="registrar-7"))
    assert response.status_code == 401
    assert len(decodes) == 2
