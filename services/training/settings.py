from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.service.settings import ProducingServiceSettings


class TrainingSettings(ProducingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TRAINING_", extra="ignore")

    port: int = Field(default=8002, ge=1, le=65535)
    database_url: str = "sqlite:///.run/training.db"
