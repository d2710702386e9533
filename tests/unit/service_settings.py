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

SETTINGS: dict[str, type[BaseSettings]] = {
    "registration": RegistrationSettings,
    "training": TrainingSettings,
    "permits": PermitsSettings,
    "reporting": ReportingSettings,
    "mentoring": MentoringSettings,
    "marketing": MarketingSettings,
    "finance": FinanceSettings,
}
PRODUCING = ("registration", "training", "permits", "mentoring", "marketing", "finance")
# Read by the OpenTelemetry SDK itself (the OTLP exporter's endpoint, headers, ...), not by a settings class.
STANDARD_PREFIXES = ("OTEL_",)


def contract_port(service: str) -> int:
    port: int = SETTINGS[service].model_fields["port"].default
    return port


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
