"""Token verification settings (environment prefix AUTH_), the same for every service.

Development runs with a well-known secret so `make up` works in one command; production refuses to start
with that secret, with none, or with one too short to resist guessing.
"""

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Public on purpose: it only ever signs local development tokens, and production refuses it.
DEVELOPMENT_SECRET = "jakpreneur-development-only-secret-do-not-deploy"
MIN_SECRET_BYTES = 32


class InsecureAuthSettings(ValueError):
    """Production settings that would let anyone mint tokens."""


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 shared secret; development falls back to a well-known one"
    )
    jwt_public_key: str | None = Field(
        default=None, description="PEM public key of the identity provider (RS256/ES256); replaces the secret"
    )
    issuer: str = "jakpreneur"
    audience: str = "jakpreneur-api"
    leeway_s: int = Field(default=30, ge=0, le=300, description="Clock skew tolerated on exp/nbf")

    @model_validator(mode="after")
    def _production_needs_a_real_key(self) -> "AuthSettings":
        if self.environment != "production" or self.jwt_public_key:
            return self
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
        if not secret:
            raise InsecureAuthSettings("AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY is required in production")
        if secret == DEVELOPMENT_SECRET:
            raise InsecureAuthSettings("AUTH_JWT_SECRET is the public development secret; set a real one")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise InsecureAuthSettings(f"AUTH_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        return self

    @property
    def algorithms(self) -> list[str]:
        return ["RS256", "ES256"] if self.jwt_public_key else ["HS256"]

    @property
    def verification_key(self) -> str:
        if self.jwt_public_key:
            return self.jwt_public_key
        return self.signing_secret

    @property
    def signing_secret(self) -> str:
        """The HS256 secret development tokens are minted with."""
        return self.jwt_secret.get_secret_value() if self.jwt_secret else DEVELOPMENT_SECRET
