"""Settings every service has; each service subclasses with its own env prefix (e.g. REGISTRATION_)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.auth.settings import AuthSettings
from shared.kafka.settings import KafkaSettings
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
