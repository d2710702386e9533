from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.service.settings import ProducingServiceSettings


class MentoringSettings(ProducingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MENTORING_", extra="ignore")

    port: int = Field(default=8005, ge=1, le=65535)
    database_url: str = "sqlite:///.run/mentoring.db"
