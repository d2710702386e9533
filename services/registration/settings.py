from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.service.settings import ProducingServiceSettings


class RegistrationSettings(ProducingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore")

    port: int = Field(default=8001, ge=1, le=65535)
    database_url: str = "sqlite:///.run/registration.db"
