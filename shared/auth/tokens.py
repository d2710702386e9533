"""Minting (development) and verifying bearer tokens with PyJWT: no hand-rolled crypto."""

from datetime import UTC, datetime, timedelta

import jwt

from shared.auth.principal import MAX_SUBJECT_CHARS, Principal, Role, Unauthorized
from shared.auth.settings import AuthSettings


def mint(
    settings: AuthSettings,
    *,
    subject: str,
    roles: list[Role],
    kota: str | None = None,
    agency: str | None = None,
    ttl: timedelta = timedelta(hours=8),
) -> str:
    """A token signed with the shared secret; production tokens come from the identity provider."""
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "roles": [role.value for role in roles],
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
    }
    if kota:
        claims["kota"] = kota
    if agency:
        claims["agency"] = agency
    return jwt.encode(claims, settings.signing_secret, algorithm="HS256")


def verify(settings: AuthSettings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.verification_key,
            algorithms=settings.algorithms,
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway_s,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired; sign in again") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from None
    known = {role.value for role in Role}
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise Unauthorized("the token's roles claim must be a list of role names")
    subject = str(claims["sub"])
    if not 0 < len(subject) <= MAX_SUBJECT_CHARS:
        raise Unauthorized(f"the token's subject must be 1 to {MAX_SUBJECT_CHARS} characters")
    return Principal(
        subject=subject,
        roles=frozenset(Role(r) for r in roles if r in known),
        kota=_optional_str(claims.get("kota")),
        agency=_optional_str(claims.get("agency")),
    )


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def expiry(settings: AuthSettings, token: str) -> datetime:
    """When a (verified) token expires."""
    claims = jwt.decode(
        token, settings.verification_key, algorithms=settings.algorithms, audience=settings.audience
    )
    return datetime.fromtimestamp(int(claims["exp"]), UTC)
