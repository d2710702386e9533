"""Delivering a report: bounded tries with doubling waits, a log line for every failed try and an error
when the last one fails, counted in metrics. A report is sent or it is an error; never silently dropped.

Logs name the report (scope, period) and the failure (its type and SMTP code), never an address:
recipients' e-mail addresses are personal data.
"""

import asyncio
import logging
import smtplib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from prometheus_client import Counter

log = logging.getLogger(__name__)

REPORTS = Counter("reporting_reports_total", "Leadership reports e-mailed, by outcome", ["outcome"])
SEND_FAILURES = Counter("reporting_report_send_failures_total", "Failed tries at sending a report e-mail")
RETRIED = (smtplib.SMTPException, OSError)  # refused, unreachable, timed out, TLS, disconnected


class Sender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class ReportNotSent(RuntimeError):
    """Every try failed; the last failure is its cause."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_wait_s: float = 5.0
    max_wait_s: float = 300.0

    def wait_after(self, attempt: int) -> float:
        """The wait after failed try number `attempt` (1-based): first, doubling, at most max."""
        return min(self.first_wait_s * 2.0 ** (attempt - 1), self.max_wait_s)


async def deliver(
    sender: Sender,
    message: EmailMessage,
    policy: RetryPolicy,
    what: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Send `message`, trying again after a failure; the number of tries it took. `what` names the report."""
    attempt = 1
    while True:
        try:
            await sender.send(message)
        except RETRIED as exc:
            SEND_FAILURES.inc()
            reason = _reason(exc)
            if attempt == policy.attempts:
                REPORTS.labels("failed").inc()
                log.error("report %s not sent: all %d tries failed, the last with %s", what, attempt, reason)
                raise ReportNotSent(f"report {what} not sent after {attempt} tries: {reason}") from exc
            wait = policy.wait_after(attempt)
            log.warning(
                "report %s: try %d of %d failed with %s; trying again in %.1fs",
                what, attempt, policy.attempts, reason, wait,
            )  # fmt: skip
            await sleep(wait)
            attempt += 1
        else:
            REPORTS.labels("sent").inc()
            log.info("report %s sent (try %d)", what, attempt)
            return attempt


def _reason(exc: BaseException) -> str:
    """The failure without its text, which may quote an address: its type, and its SMTP code if any."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(c) for c, _ in exc.recipients.values()})
        return f"SMTPRecipientsRefused (codes {', '.join(codes)})"
    return f"{type(exc).__name__} (code {code})" if code else type(exc).__name__
