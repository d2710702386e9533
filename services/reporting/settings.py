from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from services.reporting.reports.settings import ReportSettings
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
        default=False,
        description="true: figures without a token, small cells withheld (PRODUCT.md §3); "
        "false: analysts sign in (header or session cookie)",
    )
    max_streams: int = Field(default=500, ge=1, description="Open event streams per instance (503 beyond)")
    max_streams_per_client: int = Field(
        default=5, ge=1, description="Open event streams per token subject, else per address (429 beyond)"
    )
    reports: ReportSettings = Field(
        default_factory=ReportSettings, description="REPORT_* and SMTP_*: the scheduled leadership report"
    )
    stream_debounce_ms: int = Field(default=200, ge=0, le=5000)
    min_stream_debounce_ms: int = Field(
        default=100, ge=0, le=5000, description="The least debounce_ms a client may ask for (422 below)"
    )

    @model_validator(mode="after")
    def _default_debounce_allowed(self) -> Self:
        if self.stream_debounce_ms < self.min_stream_debounce_ms:
            raise ValueError("stream_debounce_ms must be at least min_stream_debounce_ms")
        return self
