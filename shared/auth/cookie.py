"""A browser session for read-only pages: the bearer token kept in an HttpOnly cookie.

A browser's EventSource cannot send an Authorization header, so a dashboard behind sign-in stores its token
with `POST /session` and the cookie rides along on every same-origin read, the stream included. Writes still
demand the header, so a forged cross-site request cannot use the cookie. The cookie is `Secure` when the
request came over HTTPS, as seen by the server: behind a TLS proxy that is the proxy's X-Forwarded-Proto,
which uvicorn honours from the trusted proxy addresses only (the service's `forwarded_allow_ips` setting).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Presented:
    """A verified token a read came with, from the header or the session cookie."""

    principal: Principal
    expires_at: datetime


async def presented(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    settings: Annotated[AuthSettings, Depends(auth_settings)],
) -> Presented | None:
    """The caller's verified token, or None when none was sent; a token that does not verify is a 401."""
    token = credentials.credentials if credentials else request.cookies.get(COOKIE)
    if not token:
        return None
    principal = verify(settings, token)
    request.state.principal = principal  # for access logs and per-client limits
    set_current_principal(principal)
    return Presented(principal, expiry(settings, token))


def reader(*any_of: Role) -> Callable[..., Awaitable[Presented]]:
    """A read dependency: header or session cookie, and one of these roles."""

    async def check(found: Annotated[Presented | None, Depends(presented)]) -> Presented:
        if found is None:
            raise Unauthorized("sign in: send `Authorization: Bearer <token>` or open a session")
        found.principal.require(*any_of)
        return found

    return check


def session_router(*any_of: Role) -> APIRouter:
    """`POST /session` and `DELETE /session` for a page whose reads need one of these roles."""
    router = APIRouter(tags=["session"])

    @router.post("/session", response_model=SessionOut)
    async def open_session(
        body: SessionIn,
        request: Request,
        response: Response,
        settings: Annotated[AuthSettings, Depends(auth_settings)],
    ) -> SessionOut:
        """Keep a token in an HttpOnly cookie so the browser's reads (and its event stream) carry it.
        Only a token that may read the page is kept (403 otherwise): a cookie that opens nothing is
        a credential lying around for nothing."""
        principal = verify(settings, body.token)
        principal.require(*any_of)
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

    @router.delete("/session", status_code=204)
    async def close_session(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")

    return router
