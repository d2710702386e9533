"""A browser session for read-only pages: the bearer token kept in an HttpOnly cookie.

A browser's EventSource cannot send an Authorization header, so a dashboard behind sign-in stores its token
with `POST /session` and the cookie rides along on every same-origin read, the stream included. Writes still
demand the header, so a forged cross-site request cannot use the cookie.
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from shared.auth.context import set_current_principal
from shared.auth.deps import auth_settings, bearer
from shared.auth.principal import Principal, Role, Unauthorized
from shared.auth.settings import AuthSettings
from shared.auth.tokens import expiry, verify

COOKIE = "jp_session"


class SessionIn(BaseModel):
    token: str = Field(min_length=1, max_length=8192, description="A bearer token (JWT)")


class SessionOut(BaseModel):
    subject: str
    roles: list[Role]
    expires_at: datetime


def reader(*any_of: Role) -> Callable[..., Awaitable[Principal]]:
    """A read dependency: header or session cookie, and one of these roles."""

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        settings: Annotated[AuthSettings, Depends(auth_settings)],
    ) -> Principal:
        token = credentials.credentials if credentials else request.cookies.get(COOKIE)
        if not token:
            raise Unauthorized("sign in: send `Authorization: Bearer <token>` or open a session")
        principal = verify(settings, token)
        principal.require(*any_of)
        set_current_principal(principal)
        return principal

    return check


session_router = APIRouter(tags=["session"])


@session_router.post("/session", response_model=SessionOut)
async def open_session(
    body: SessionIn,
    request: Request,
    response: Response,
    settings: Annotated[AuthSettings, Depends(auth_settings)],
) -> SessionOut:
    """Keep a token in an HttpOnly cookie so the browser's reads (and its event stream) carry it."""
    principal = verify(settings, body.token)
    expires_at = expiry(settings, body.token)
    response.set_cookie(
        COOKIE,
        body.token,
        max_age=max(0, int((expires_at - datetime.now(UTC)).total_seconds())),
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
        path="/",
    )
    return SessionOut(subject=principal.subject, roles=sorted(principal.roles), expires_at=expires_at)


@session_router.delete("/session", status_code=204)
async def close_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
