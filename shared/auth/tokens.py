"""Minting (development) and verifying bearer tokens with PyJWT: no hand-rolled crypto.

`authenticate` is what request handlers await: with a JWKS it never blocks the event loop (a key fetch
runs in a worker thread). `verify` is the same check for code that cannot await; with a JWKS it may
block on a fetch when the token's key is not cached yet.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from shared.auth.jwks import UnknownKey, key_id
from shared.auth.principal import MAX_SUBJECT_CHARS, Principal, Role, Unauthorized
from shared.auth.settings import AuthSettings
from shared.contracts.codes import ACCOUNT_ID
from shared.contracts.enums import Agency
from shared.regions import programme_area

_AGENCIES = frozenset(agency.value for agency in Agency)
Key = Any  # a secret, a PEM string or a cryptography public key: whatever jwt.decode accepts


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


async def authenticate(settings: AuthSettings, token: str) -> Principal:
    """The caller a token speaks for; 401 (Unauthorized) for anything that does not verify."""
    jwks = settings.jwks
    if jwks is None:
        return _principal(_claims(settings, token, settings.verification_key))
    try:
        key = await jwks.signing_key(key_id(token))
    except (UnknownKey, jwt.PyJWTError) as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from None
    return _principal(_claims(settings, token, key.key))


def verify(settings: AuthSettings, token: str) -> Principal:
    """`authenticate` for callers that cannot await."""
    return _principal(_claims(settings, token, _key(settings, token)))


def expiry(settings: AuthSettings, token: str) -> datetime:
    """When a (verified) token expires; checked as `verify` checks it, leeway included."""
    return datetime.fromtimestamp(int(_claims(settings, token, _key(settings, token))["exp"]), UTC)


def _key(settings: AuthSettings, token: str) -> Key:
    jwks = settings.jwks
    if jwks is None:
        return settings.verification_key
    try:
        return jwks.fetch(key_id(token)).key
    except (UnknownKey, jwt.PyJWTError) as exc:
        raise Unauthorized(f"the token is not valid: {exc}") from None


def _claims(settings: AuthSettings, token: str, key: Key) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=settings.algorithms,
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway_s,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired; sign in again") from None
    except jwt.PyJWTError as exc:  # InvalidTokenError, and InvalidKeyError for a key of another type
        raise Unauthorized(f"the token is not valid: {exc}") from None
    return claims


def _principal(claims: dict[str, Any]) -> Principal:
    known = {role.value for role in Role}
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise Unauthorized("the token's roles claim must be a list of role names")
    subject = str(claims["sub"])
    if not re.fullmatch(ACCOUNT_ID, subject):  # events carry it: an account id, never a name or e-mail
        raise Unauthorized(
            f"the token's subject must be an account id: 1 to {MAX_SUBJECT_CHARS} letters, digits "
            "or . _ : | - (no spaces, no @)"
        )
    return Principal(
        subject=subject,
        roles=frozenset(Role(r) for r in roles if r in known),
        kota=_scope_claim(claims, "kota", _is_kota, "one kota code of the programme area like 31.71"),
        agency=_scope_claim(claims, "agency", _is_agency, f"one of {', '.join(a.value for a in Agency)}"),
    )


def _scope_claim(
    claims: dict[str, Any], name: str, known: Callable[[str], bool], expected: str
) -> str | None:
    """An area claim: absent means the whole province (or every agency); present, it must be one known code.

    A malformed claim read as "no scope" would widen the caller's area to everything, so it is a 401.
    """
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, str) and known(value):
        return value
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise Unauthorized(f"the token's {name} claim must be {expected}, not {shown}")


def _is_kota(value: str) -> bool:
    return programme_area().is_region("kota", value)


def _is_agency(value: str) -> bool:
    return value in _AGENCIES
