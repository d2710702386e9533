from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.service.settings import ProducingServiceSettings


class PermitsSettings(ProducingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PERMITS_", extra="ignore")

    port: int = Field(default=8003, ge=1, le=65535)
    database_url: str = "sqlite:///.run/permits.db"
