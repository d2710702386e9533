"""Who may do what: OAuth2 bearer JWTs, roles and area scope, verified by every service the same way."""

from shared.auth.principal import Principal, Role
from shared.auth.settings import AuthSettings
from shared.auth.tokens import authenticate, mint, verify

__all__ = ["AuthSettings", "Principal", "Role", "authenticate", "mint", "verify"]
