"""Outbox housekeeping settings shared by every producing service (environment prefix OUTBOX_)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OutboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OUTBOX_", extra="ignore")

    retention_hours: float = Field(
        default=72,
        gt=0,
        description="Published rows are deleted this long after Kafka took them (the topic keeps the events)",
    )
    prune_every_minutes: float = Field(
        default=10, gt=0, description="How often the relay looks for rows to prune"
    )
    prune_batch: int = Field(
        default=5000, ge=1, description="Rows deleted per statement: the relay publishes between two of them"
    )
