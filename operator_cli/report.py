"""`jakpreneur report`: a leadership report on demand, e-mailed (--to) and/or written to a folder (--out).

Its figures are read from reporting's Redis through the API's own figure routes, in this process, so
they are the API's; it uses the REPORTING_*, REPORT_* and SMTP_* settings of the reporting service.
"""

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from redis.asyncio import Redis

from services.reporting.api.period import Period
from services.reporting.exports.words import Lang
from services.reporting.reports.delivery import ReportNotSent
from services.reporting.reports.figures_api import figures_api, figures_app
from services.reporting.reports.formats import Format
from services.reporting.reports.job import Made, Mailing, make_report, send_report
from services.reporting.reports.mail import SmtpSender
from services.reporting.reports.period import InvalidReportPeriod, parse_period
from services.reporting.reports.scope import Scope, UnknownScope, scope_of
from services.reporting.settings import ReportingSettings
from services.reporting.store.figures import Figures
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.targets import Targets
from services.reporting.target_scopes import province_key
from shared.dates import JAKARTA


def report_command(
    *,
    kota: Annotated[str | None, typer.Option(help="A kota's report, e.g. 31.75")] = None,
    agency: Annotated[str | None, typer.Option(help="An agency's report, e.g. PPAPP")] = None,
    period: Annotated[
        str, typer.Option(help="FROM..TO (2024-01-01..2024-06-30), year_to_date, month_to_date or last_month")
    ] = "year_to_date",
    to: Annotated[
        list[str] | None, typer.Option("--to", help="E-mail it to this address (repeatable)")
    ] = None,
    formats: Annotated[str, typer.Option("--format", help="Comma-separated: xlsx, pdf")] = "xlsx,pdf",
    out: Annotated[Path | None, typer.Option(help="Also write the files into this folder")] = None,
    lang: Annotated[Lang, typer.Option(help="id (Indonesian) or en")] = Lang.ID,
) -> None:
    """Make a leadership report (summary with both comparisons, achievement, kecamatan, funnel) for all of
    Jakarta, a kota or an agency. Exit code 1 when the e-mail could not be sent after every try."""
    if kota and agency:
        _refuse("choose --kota or --agency, not both")
    if not to and out is None:
        _refuse("nothing to do: give --to ADDRESS and/or --out FOLDER")
    now = datetime.now(JAKARTA)
    try:
        scope = scope_of(kota or agency or province_key())
        chosen = parse_period(period, now.date())
        files = [Format(f.strip()) for f in formats.split(",") if f.strip()]
    except (UnknownScope, InvalidReportPeriod) as exc:
        _refuse(str(exc))
    except ValueError:
        _refuse(f"--format {formats!r}: a comma-separated list of {', '.join(f.value for f in Format)}")
    settings = ReportingSettings()
    mailing = None
    if to:
        if settings.reports.sender is None or not settings.reports.smtp.host:
            _refuse("--to needs the mail settings: SMTP_HOST (and SMTP_PORT, …) and REPORT_FROM")
        asked = settings.reports.model_copy(update={"formats": files, "lang": lang})
        mailing = Mailing.of(asked, SmtpSender(settings.reports.smtp))
    made = asyncio.run(_make(settings, scope=scope, period=chosen, lang=lang, formats=files, now=now))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for file in made.files:
            (out / file.filename).write_bytes(file.content)
            typer.echo(f"wrote {out / file.filename}")
    if mailing and to:
        try:
            tries = asyncio.run(send_report(made, to, mailing))
        except ReportNotSent as exc:
            typer.echo(f"not sent: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"sent {made.report.title} to {len(to)} recipient(s) (try {tries})")


async def _make(
    settings: ReportingSettings,
    *,
    scope: Scope,
    period: Period,
    lang: Lang,
    formats: list[Format],
    now: datetime,
) -> Made:
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    try:
        keyspaces = Keyspaces(settings.keyspace)
        app = figures_app(Figures(redis, keyspaces), Targets(redis, keyspaces), settings.auth)
        async with figures_api(app) as api:
            return await make_report(api, scope=scope, period=period, lang=lang, formats=formats, as_of=now)
    finally:
        await redis.aclose()


def _refuse(why: str) -> NoReturn:
    typer.echo(why, err=True)
    raise typer.Exit(2)
