from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.personal_data import PersonalDataKeys, personal_data_keys
from shared.service.settings import ProducingServiceSettings

PREFIX = "REGISTRATION_"


class PersonalDataKeyFields(BaseModel):
    """The keys personal data is protected with (`REGISTRATION_PII_*`), for whichever settings read them."""

    pii_hash_key: SecretStr | None = Field(
        default=None,
        description="HMAC-SHA256 key (>= 32 bytes) of the NIK digests; changing it orphans every stored one",
    )
    pii_encryption_key: SecretStr | None = Field(
        default=None, description="Fernet key the NIK, name, phone and e-mail are encrypted with at rest"
    )

    def keys(self, *, production: bool) -> PersonalDataKeys:
        return personal_data_keys(
            production=production,
            hash_key=self.pii_hash_key,
            encryption_key=self.pii_encryption_key,
            prefix=PREFIX,
        )


class RegistrationSettings(ProducingServiceSettings, PersonalDataKeyFields):
    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    port: int = Field(default=8001, ge=1, le=65535)
    database_url: str = "sqlite:///.run/registration.db"
    _personal_data: PersonalDataKeys = PrivateAttr()

    @model_validator(mode="after")
    def _production_needs_real_keys(self) -> "RegistrationSettings":
        # Checked here, as AUTH_ secrets are: a service with public keys never starts in production.
        self._personal_data = self.keys(production=self.auth.environment == "production")
        return self

    @property
    def personal_data(self) -> PersonalDataKeys:
        return self._personal_data


class PersonalDataSettings(BaseSettings, PersonalDataKeyFields):
    """The personal-data keys alone, for a migration that reads or writes personal data: a migrate job has
    its database URL and these keys, not the token settings (AUTH_JWT_*) a serving instance needs.

    Production is the default here too (AUTH_ENVIRONMENT, as shared.auth.settings reads it), so a migrate
    job refuses the public development keys just as the service does.
    """

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore")

    environment: Literal["development", "production"] = Field(
        default="production", validation_alias="AUTH_ENVIRONMENT"
    )

    @property
    def personal_data(self) -> PersonalDataKeys:
        return self.keys(production=self.environment == "production")
