"""FastAPI dependencies: `Caller` verifies the bearer token; `requires(...)` also checks a role."""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth.context import set_current_principal
from shared.auth.principal import Principal, Role, Unauthorized
from shared.auth.settings import AuthSettings
from shared.auth.tokens import authenticate

bearer = HTTPBearer(
    auto_error=False, description="A JWT from the identity provider (`jakpreneur token` locally)"
)


# The ASGI scope key of a token verified earlier in the same request (by the rate limiter, which needs the
# caller before the route runs). The scope lives exactly as long as its request.
_VERIFIED = "jakpreneur.verified_token"


def remember_verified(
    scope: MutableMapping[str, Any], settings: AuthSettings, token: str, principal: Principal
) -> None:
    """A token that verified under `settings` in this request: `caller` takes its principal instead of
    decoding the token a second time (a JWT check is ~0.3 ms of CPU; every request made two)."""
    scope[_VERIFIED] = (settings, token, principal)


def _verified_earlier(request: Request, settings: AuthSettings, token: str) -> Principal | None:
    """The principal of this very token under these very settings, if the request verified it already."""
    found = request.scope.get(_VERIFIED)
    if found is None:
        return None
    verified_settings, verified_token, principal = found
    return principal if verified_settings is settings and verified_token == token else None


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
    token = credentials.credentials
    principal = _verified_earlier(request, settings, token) or await authenticate(settings, token)
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
