from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.service.settings import ProducingServiceSettings


class MarketingSettings(ProducingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MARKETING_", extra="ignore")

    port: int = Field(default=8006, ge=1, le=65535)
    database_url: str = "sqlite:///.run/marketing.db"
