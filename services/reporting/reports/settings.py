"""Settings of the scheduled leadership report (REPORT_*) and of the mail server it goes through (SMTP_*).

Reports are scheduled only when REPORT_SCHEDULE, REPORT_RECIPIENTS and SMTP_HOST are all set.
"""

from typing import Self

from pydantic import EmailStr, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.reporting.exports.words import Lang
from services.reporting.reports.formats import Format
from services.reporting.reports.period import NamedPeriod
from services.reporting.reports.schedule import Schedule, parse_schedule
from services.reporting.reports.scope import scope_of


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMTP_", extra="ignore")

    host: str | None = Field(default=None, description="The mail server; unset: no e-mail is sent")
    port: int = Field(default=587, ge=1, le=65535)
    user: str | None = None
    password: SecretStr | None = None
    starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS before login")
    timeout_s: float = Field(default=30, gt=0, description="Per SMTP connection and command")


class ReportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REPORT_", extra="ignore", populate_by_name=True)

    schedule: str | None = Field(
        default=None,
        description="Asia/Jakarta: 'daily 07:00', 'weekly mon 07:00', 'monthly 1 07:00' or 'every 15m'",
    )
    recipients: dict[str, list[EmailStr]] = Field(
        default_factory=dict,
        description='JSON: scope → addresses, e.g. {"31.75": ["walikota@…"], "PPAPP": ["…"], "31": ["…"]}; '
        "a scope is a kota code, an agency code, or 31 for all of Jakarta",
    )
    sender: EmailStr | None = Field(default=None, alias="REPORT_FROM", description="The From: address")
    period: NamedPeriod = Field(
        default=NamedPeriod.YEAR_TO_DATE, description="The days a scheduled report covers"
    )
    formats: list[Format] = Field(default_factory=lambda: [Format.XLSX, Format.PDF])
    lang: Lang = Lang.ID
    send_attempts: int = Field(default=5, ge=1, le=20, description="Tries per e-mail before it is given up")
    retry_first_s: float = Field(default=5, ge=0, description="Wait after the first failed try; doubles")
    retry_max_s: float = Field(default=300, ge=0, description="The longest wait between tries")
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)

    @field_validator("schedule")
    @classmethod
    def _schedule_parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_schedule(value)
        return value

    @field_validator("recipients")
    @classmethod
    def _scopes_known(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for key in value:
            scope_of(key)
        return value

    @model_validator(mode="after")
    def _sender_when_scheduled(self) -> Self:
        if self.scheduled and self.sender is None:
            raise ValueError("REPORT_FROM is required when reports are scheduled")
        return self

    @property
    def scheduled(self) -> bool:
        return bool(self.schedule and self.recipients and self.smtp.host)

    @property
    def parsed_schedule(self) -> Schedule:
        assert self.schedule, "only a scheduled report has a schedule"
        return parse_schedule(self.schedule)
