"""Settings every service has; each service subclasses with its own env prefix (e.g. REGISTRATION_)."""

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.auth.settings import AuthSettings
from shared.kafka.settings import KafkaSettings
from shared.outbox.settings import OutboxSettings
from shared.tracing import TracingExporter
from shared.web.limits import LimitSettings


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    host: str = "127.0.0.1"
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        description="Proxies (comma-separated addresses or CIDRs, * for any) whose X-Forwarded-Proto/-For "
        "are believed: the scheme (Secure cookies) and client address (limits) of requests they pass on",
    )
    port: int = Field(ge=1, le=65535)
    log_level: str = "INFO"
    tracing_exporter: TracingExporter = Field(default="none", description="none | otlp | console")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)


class ProducingServiceSettings(ServiceSettings):
    database_url: str = Field(description="sqlite:///path.db (embedded) or postgresql://user@host/db")
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    migrate_on_start: bool = Field(
        default=False,
        description="Development only: migrate at start-up. Otherwise `python -m services.<name> migrate` "
        "runs once per release before the instances, which refuse to start on a schema behind their code",
    )

    @model_validator(mode="after")
    def _production_migrates_once(self) -> Self:
        if self.migrate_on_start and self.auth.environment == "production":
            raise ValueError(
                "migrate_on_start is for development: in production run `migrate` once before the instances"
            )
        return self


def database_url(settings: type[ProducingServiceSettings]) -> str:
    """The database URL alone, read as `settings` reads it: a migration needs no token or personal-data
    secret, so `migrate` must not demand them."""
    prefix = settings.model_config.get("env_prefix", "")

    class Database(BaseSettings):
        model_config = SettingsConfigDict(env_prefix=prefix, extra="ignore")

        database_url: str = settings.model_fields["database_url"].default

    return Database().database_url
