"""A report as an e-mail, and sending it over SMTP (the standard library's client, in a worker thread)."""

import asyncio
import smtplib
import ssl
from email.message import EmailMessage

from services.reporting.reports.compose import Report
from services.reporting.reports.render import Attachment
from services.reporting.reports.settings import SmtpSettings
from services.reporting.reports.words import BODY


def report_message(
    report: Report, files: list[Attachment], sender: str, recipients: list[str]
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = report.title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    as_of = report.as_of.isoformat(timespec="minutes")
    message.set_content(BODY[report.lang].format(title=report.title, as_of=as_of))
    for file in files:
        kind, _, subtype = file.media_type.partition("/")
        message.add_attachment(file.content, maintype=kind, subtype=subtype, filename=file.filename)
    return message


class SmtpSender:
    """Sends one message per call on a fresh connection: STARTTLS and login when the settings ask."""

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.host:
            raise ValueError("SMTP_HOST is not set: there is no mail server to send reports through")
        self._settings = settings
        self._host = settings.host

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        settings = self._settings
        with smtplib.SMTP(self._host, settings.port, timeout=settings.timeout_s) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                password = settings.password.get_secret_value() if settings.password else ""
                smtp.login(settings.user, password)
            smtp.send_message(message)
