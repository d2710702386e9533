"""Bearer tokens for tests, minted with the development secret the test services run with."""

from datetime import timedelta

from shared.auth import Role
from shared.auth.settings import AuthSettings
from shared.auth.tokens import mint

# Development is only ever asked for: the test services get AUTH_ENVIRONMENT=development too (stack.py).
DEVELOPMENT = AuthSettings(environment="development")


def bearer(
    *roles: Role,
    subject: str = "test-officer",
    kota: str | None = None,
    agency: str | None = None,
    ttl: timedelta = timedelta(hours=1),
) -> dict[str, str]:
    token = mint(DEVELOPMENT, subject=subject, roles=list(roles), kota=kota, agency=agency, ttl=ttl)
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(Role.ADMIN)
