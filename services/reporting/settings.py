from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.contracts.topics import TOPIC_EVENTS
from shared.service.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REPORTING_", extra="ignore")

    port: int = Field(default=8004, ge=1, le=65535)
    redis_url: str = "redis://127.0.0.1:6379/0"
    keyspace: str = Field(default="jp", pattern=r"^[A-Za-z0-9_-]+$", description="Prefix of every Redis key")
    consumer_group: str = "reporting"
    sources: list[str] = Field(
        default_factory=lambda: list(TOPIC_EVENTS),
        description="Producing services whose topics are counted",
    )
    consume: bool = Field(default=True, description="Run the consumer here (false: API-only instance)")
    public_aggregates: bool = Field(
        default=True,
        description="Serve figures without a token; false: analysts sign in (header or session cookie)",
    )
    max_streams: int = Field(default=500, ge=1, description="Open event streams per instance (503 beyond)")
    stream_debounce_ms: int = Field(default=200, ge=0, le=5000)
