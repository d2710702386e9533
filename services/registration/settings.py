from pydantic import Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.personal_data import PersonalDataKeys, personal_data_keys
from shared.service.settings import ProducingServiceSettings

PREFIX = "REGISTRATION_"


class RegistrationSettings(ProducingServiceSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    port: int = Field(default=8001, ge=1, le=65535)
    database_url: str = "sqlite:///.run/registration.db"
    pii_hash_key: SecretStr | None = Field(
        default=None,
        description="HMAC-SHA256 key (>= 32 bytes) of the NIK digests; changing it orphans every stored one",
    )
    pii_encryption_key: SecretStr | None = Field(
        default=None, description="Fernet key the NIK, name, phone and e-mail are encrypted with at rest"
    )
    _personal_data: PersonalDataKeys = PrivateAttr()

    @model_validator(mode="after")
    def _production_needs_real_keys(self) -> "RegistrationSettings":
        # Checked here, as AUTH_ secrets are: a service with public keys never starts in production.
        self._personal_data = personal_data_keys(
            production=self.auth.environment == "production",
            hash_key=self.pii_hash_key,
            encryption_key=self.pii_encryption_key,
            prefix=PREFIX,
        )
        return self

    @property
    def personal_data(self) -> PersonalDataKeys:
        return self._personal_data
