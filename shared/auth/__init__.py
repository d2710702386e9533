"""Who may do what: OAuth2 bearer JWTs, roles and area scope, verified by every service the same way.

Only the pure names are exported here, so the domain can speak of principals and roles without PyJWT:
settings, tokens, the FastAPI dependencies and the session cookie are imported from their modules.
"""

from shared.auth.principal import Principal, Role

__all__ = ["Principal", "Role"]
