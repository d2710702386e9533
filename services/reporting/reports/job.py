"""One report, start to end: its figures read, its files rendered, e-mailed to its recipients."""

from dataclasses import dataclass
from datetime import datetime

from services.reporting.api.period import Period
from services.reporting.exports.words import Lang
from services.reporting.reports.compose import Report, compose
from services.reporting.reports.delivery import RetryPolicy, Sender, deliver
from services.reporting.reports.figures_api import FiguresApi
from services.reporting.reports.formats import Format
from services.reporting.reports.mail import report_message
from services.reporting.reports.render import Attachment, render
from services.reporting.reports.scope import Scope
from services.reporting.reports.settings import ReportSettings


@dataclass(frozen=True)
class Mailing:
    sender: Sender
    policy: RetryPolicy
    from_address: str
    formats: list[Format]
    lang: Lang

    @classmethod
    def of(cls, settings: ReportSettings, sender: Sender) -> "Mailing":
        policy = RetryPolicy(settings.send_attempts, settings.retry_first_s, settings.retry_max_s)
        assert settings.sender, "checked by ReportSettings when reports are scheduled"
        return cls(sender, policy, str(settings.sender), settings.formats, settings.lang)


@dataclass(frozen=True)
class Made:
    report: Report
    files: list[Attachment]


async def make_report(
    api: FiguresApi, *, scope: Scope, period: Period, lang: Lang, formats: list[Format], as_of: datetime
) -> Made:
    report = await compose(api, scope, period, lang, as_of)
    return Made(report, render(report, formats))


async def send_report(made: Made, recipients: list[str], mailing: Mailing) -> int:
    """E-mail a made report (the tries it took); ReportNotSent when every try failed."""
    message = report_message(made.report, made.files, mailing.from_address, recipients)
    period = made.report.period
    what = f"{made.report.scope.key} {period.start.isoformat()}..{period.end.isoformat()}"
    return await deliver(mailing.sender, message, mailing.policy, what)


async def mail_report(
    api: FiguresApi, *, scope: Scope, period: Period, recipients: list[str], mailing: Mailing, as_of: datetime
) -> int:
    """Make and e-mail one report: the tries it took; ReportNotSent when every try failed."""
    made = await make_report(
        api, scope=scope, period=period, lang=mailing.lang, formats=mailing.formats, as_of=as_of
    )
    return await send_report(made, recipients, mailing)
