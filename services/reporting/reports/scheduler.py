"""Scheduled reports as a background task of the reporting service (only when REPORT_* and SMTP_* say so).

At each run of the schedule every scope of REPORT_RECIPIENTS gets its report. With several instances,
the first to claim a run (a Redis key per scope and run time, SET NX) sends it, the others skip it; a
failure is logged and counted (delivery) and the schedule carries on.
"""

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from fastapi import FastAPI
from redis.asyncio import Redis

from services.reporting.reports.delivery import REPORTS, ReportNotSent, Sender
from services.reporting.reports.figures_api import figures_api, figures_app
from services.reporting.reports.job import Mailing, mail_report
from services.reporting.reports.mail import SmtpSender
from services.reporting.reports.period import resolve
from services.reporting.reports.scope import scope_of
from services.reporting.reports.settings import ReportSettings
from services.reporting.store.figures import Figures
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.targets import Targets
from shared.auth.settings import AuthSettings
from shared.dates import JAKARTA

log = logging.getLogger(__name__)
CLAIM_KEPT = timedelta(days=35)  # longer than the longest schedule (monthly)


class ReportScheduler:
    def __init__(
        self, settings: ReportSettings, figures: FastAPI, sender: Sender, redis: Redis, claims: str
    ) -> None:
        self._settings = settings
        self._figures = figures
        self._mailing = Mailing.of(settings, sender)
        self._redis = redis
        self._claims = claims  # the prefix of the claim keys
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scheduled-reports")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        schedule = self._settings.parsed_schedule
        due = schedule.next_after(datetime.now(JAKARTA))
        log.info("scheduled reports: %s, next at %s", self._settings.schedule, due.isoformat())
        while True:
            await asyncio.sleep(max(0.0, (due - datetime.now(JAKARTA)).total_seconds()))
            await self.run(due)
            due = schedule.next_after(max(due, datetime.now(JAKARTA)))  # a run missed while busy is skipped

    async def run(self, due: datetime) -> None:
        """Every scope's report for the run due at `due`; one failing does not stop the others."""
        period = resolve(self._settings.period, due.astimezone(JAKARTA).date())
        async with figures_api(self._figures) as api:
            for key, recipients in self._settings.recipients.items():
                if not await self._claim(key, due):
                    continue
                try:
                    await mail_report(
                        api,
                        scope=scope_of(key),
                        period=period,
                        recipients=list(recipients),
                        mailing=self._mailing,
                        as_of=due,
                    )
                except ReportNotSent:
                    pass  # logged with its tries and counted by delivery
                except Exception:
                    REPORTS.labels("failed").inc()
                    log.exception("report %s for %s could not be made", key, due.isoformat())

    async def _claim(self, key: str, due: datetime) -> bool:
        name = f"{self._claims}:{key}:{due.isoformat()}"
        return bool(await self._redis.set(name, "1", nx=True, ex=CLAIM_KEPT))


def scheduled_reports(
    settings: ReportSettings, redis: Redis, keyspaces: Keyspaces, auth: AuthSettings
) -> ReportScheduler | None:
    """The scheduler, when the settings schedule reports (else None)."""
    if not settings.scheduled:
        return None
    figures = figures_app(Figures(redis, keyspaces), Targets(redis, keyspaces), auth)
    return ReportScheduler(
        settings, figures, SmtpSender(settings.smtp), redis, f"{keyspaces.base}:report-runs"
    )
