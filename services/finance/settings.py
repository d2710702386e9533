from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.service.settings import ProducingServiceSettings


class FinanceSettings(ProducingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FINANCE_", extra="ignore")

    port: int = Field(default=8007, ge=1, le=65535)
    database_url: str = "sqlite:///.run/finance.db"
