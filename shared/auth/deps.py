"""FastAPI dependencies: `Caller` verifies the bearer token; `requires(...)` also checks a role."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.context import set_current_principal
from shared.auth.principal import Principal, Role, Unauthorized
from shared.auth.settings import AuthSettings
from shared.auth.tokens import authenticate

bearer = HTTPBearer(
    auto_error=False, description="A JWT from the identity provider (`jakpreneur token` locally)"
)


# Dependencies are async even where nothing awaits: FastAPI runs a plain `def` in a worker thread.
async def auth_settings(request: Request) -> AuthSettings:
    found: AuthSettings = request.app.state.auth
    return found


async def caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    settings: Annotated[AuthSettings, Depends(auth_settings)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("sign in: send `Authorization: Bearer <token>`")
    principal = await authenticate(settings, credentials.credentials)
    request.state.principal = principal  # for access logs and the audit trail
    set_current_principal(principal)  # async dependency: same task as the endpoint, so the endpoint sees it
    return principal


Caller = Annotated[Principal, Depends(caller)]


def requires(*any_of: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency: the verified caller, provided they hold one of these roles (admin holds all)."""

    async def check(principal: Caller) -> Principal:
        principal.require(*any_of)
        return principal

    return check
