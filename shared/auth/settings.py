"""Token verification settings (environment prefix AUTH_), the same for every service.

Production is the default: a service verifies with the identity provider's keys (a JWKS URL, with rotation,
or one PEM public key) or a real shared secret, and refuses to start with the public development secret,
with none, or with one too short to resist guessing. Development, with its well-known secret so `make up`
works in one command, is only ever asked for: `AUTH_ENVIRONMENT=development`.
"""

from typing import Literal

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.auth.jwks import JwksKeys

# Public on purpose: it only ever signs local development tokens, and production refuses it.
DEVELOPMENT_SECRET = "jakpreneur-development-only-secret-do-not-deploy"
MIN_SECRET_BYTES = 32
# What an identity provider signs with; never HS256 with a key that a JWKS or PEM makes public.
ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


class InsecureAuthSettings(ValueError):
    """Production settings that would let anyone mint tokens."""


class AuthSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    environment: Literal["development", "production"] = Field(
        default="production", description="development (public secret allowed) only when asked for"
    )
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 shared secret; development falls back to a well-known one"
    )
    jwt_public_key: str | None = Field(
        default=None, description="PEM public key of the identity provider (RS256/ES256); replaces the secret"
    )
    jwks_url: str | None = Field(
        default=None,
        description="The identity provider's JWKS URL: keys picked by `kid`, cached, refetched on an "
        "unknown `kid` (key rotation); replaces the secret and the PEM key",
    )
    jwks_cache_s: float = Field(default=300, gt=0, description="How long a fetched JWKS is used as is")
    jwks_refetch_cooldown_s: float = Field(
        default=30, ge=0, description="Least time between refetches for unknown `kid`s (bounds IdP load)"
    )
    issuer: str = "jakpreneur"
    audience: str = "jakpreneur-api"
    leeway_s: int = Field(default=30, ge=0, le=300, description="Clock skew tolerated on exp/nbf")
    _jwks: JwksKeys | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _production_needs_a_real_key(self) -> "AuthSettings":
        if self.jwks_url:
            self._jwks = JwksKeys(self.jwks_url, self.jwks_cache_s, self.jwks_refetch_cooldown_s)
        if self.environment != "production" or self.jwt_public_key or self.jwks_url:
            return self
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
        if not secret:
            raise InsecureAuthSettings(
                "AUTH_JWKS_URL, AUTH_JWT_PUBLIC_KEY or AUTH_JWT_SECRET is required in production "
                "(AUTH_ENVIRONMENT=development runs with the public development secret)"
            )
        if secret == DEVELOPMENT_SECRET:
            raise InsecureAuthSettings("AUTH_JWT_SECRET is the public development secret; set a real one")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise InsecureAuthSettings(f"AUTH_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        return self

    @property
    def jwks(self) -> JwksKeys | None:
        """The identity provider's key set, when AUTH_JWKS_URL is set."""
        return self._jwks

    @property
    def algorithms(self) -> list[str]:
        return ASYMMETRIC_ALGORITHMS if self.jwt_public_key or self.jwks_url else ["HS256"]

    @property
    def verification_key(self) -> str:
        """The PEM key or shared secret; with a JWKS the key depends on the token (see JwksKeys)."""
        if self.jwt_public_key:
            return self.jwt_public_key
        return self.signing_secret

    @property
    def signing_secret(self) -> str:
        """The HS256 secret development tokens are minted with."""
        return self.jwt_secret.get_secret_value() if self.jwt_secret else DEVELOPMENT_SECRET


def development_settings() -> AuthSettings | None:
    """The settings a development token is minted with, or None unless AUTH_ENVIRONMENT=development."""
    try:
        settings = AuthSettings()
    except ValidationError:  # production without a key: certainly not development
        return None
    return settings if settings.environment == "development" else None
