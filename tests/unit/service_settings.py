"""What the deployment files (docker-compose.yml, deploy/kubernetes/) are checked against: each service's
settings class, the variables it reads and its contract port."""

from pydantic_settings import BaseSettings

from services.finance.settings import FinanceSettings
from services.marketing.settings import MarketingSettings
from services.mentoring.settings import MentoringSettings
from services.permits.settings import PermitsSettings
from services.registration.settings import RegistrationSettings
from services.reporting.settings import ReportingSettings
from services.training.settings import TrainingSettings
from shared.service.settings import ServiceSettings

SETTINGS: dict[str, type[ServiceSettings]] = {
    "registration": RegistrationSettings,
    "training": TrainingSettings,
    "permits": PermitsSettings,
    "reporting": ReportingSettings,
    "mentoring": MentoringSettings,
    "marketing": MarketingSettings,
    "finance": FinanceSettings,
}
PRODUCING = ("registration", "training", "permits", "mentoring", "marketing", "finance")
# Beyond its database URL, the secrets a migration reads: registration's 0005 decrypts the stored names to
# index them, with the service's keys read through RegistrationSettings (which checks the AUTH_ settings too).
MIGRATION_SECRETS = {"registration": {"REGISTRATION_PII_HASH_KEY", "REGISTRATION_PII_ENCRYPTION_KEY"}}
# Read by the OpenTelemetry SDK itself (the OTLP exporter's endpoint, headers, ...), not by a settings class.
STANDARD_PREFIXES = ("OTEL_",)


def contract_port(service: str) -> int:
    port: int = SETTINGS[service].model_fields["port"].default
    return port


def migration_reads(service: str, auth: set[str]) -> set[str]:
    """What `<service>-migrate` is given: its database URL, its migrations' secrets and, when it has any, the
    `auth` variables that let its settings class load."""
    secrets = MIGRATION_SECRETS.get(service, set())
    return {f"{service.upper()}_DATABASE_URL"} | secrets | (auth if secrets else set())


def env_names(settings: type[BaseSettings]) -> set[str]:
    """Every variable the class reads: its own fields under its prefix, and those of its nested groups
    (KAFKA_, AUTH_, LIMIT_), each under the group's own prefix."""
    prefix = settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in settings.model_fields.items():
        group = field.annotation
        if isinstance(group, type) and issubclass(group, BaseSettings):
            names |= env_names(group)
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def unknown_variables(service: str, variables: set[str]) -> set[str]:
    known = env_names(SETTINGS[service])
    return {v for v in variables if v not in known and not v.startswith(STANDARD_PREFIXES)}
