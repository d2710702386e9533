"""What the finance handlers may ask of storage: one repository per aggregate, bound to a transaction, and
the read-only views queries use. Implemented on the database (`reports`, `financing`, `storage`) and in
memory by the unit tests' fakes.

Lists are in recorded order (`seq`), of the caller's area; a page returns the seq to continue after, or
None at the end. Writes the database settles between concurrent requests are conditional (False: another
request changed the row first) or refused as `Taken`.
"""

from datetime import date
from typing import Protocol
from uuid import UUID

from services.finance.domain.financing import Disbursement, FinancingApplication, FinancingStatus
from services.finance.domain.report import FinancialReport
from shared.corrections.lifecycle import CorrectionLog
from shared.outbox.unit_of_work import Storage
from shared.participants.views import ParticipantsView


class Taken(Exception):
    """The one-live-report-per-period index refused a report: a concurrent submission came first. It ends
    the transaction; the handler then names the live report through the view."""


class ReportsView(Protocol):
    async def get(self, report_id: UUID) -> FinancialReport | None: ...

    async def page(
        self, *, participant_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[FinancialReport], int | None]: ...

    async def live_for_period(self, participant_id: UUID, start: date, end: date) -> str | None:
        """The report_id of the participant's live report for exactly this period, if any."""


class Reports(ReportsView, Protocol):
    async def add(self, report: FinancialReport) -> None:
        """`Taken` if the participant has a live report for the period."""

    async def save_date(self, report: FinancialReport) -> bool:
        """Store a corrected date unless the report was voided meanwhile (False)."""

    async def save_void(self, report: FinancialReport) -> bool:
        """Mark the report voided unless another request voided it first (False)."""


class ApplicationsView(Protocol):
    async def get(self, application_id: UUID) -> FinancingApplication | None:
        """The application with its disbursements, oldest first."""

    async def page(
        self, *, participant_id: UUID | None, status: FinancingStatus | None, after_seq: int, limit: int
    ) -> tuple[list[FinancingApplication], int | None]: ...


class Applications(ApplicationsView, Protocol):
    async def add(self, application: FinancingApplication) -> None: ...

    async def transition(self, changed: FinancingApplication, *, was: FinancingStatus) -> bool:
        """Store the new status, its decision and a new disbursement only if the application still has
        status `was`; False if another request moved it first."""

    async def redate_disbursement(self, disbursement: Disbursement) -> bool:
        """Store a corrected date unless the disbursement was voided meanwhile (False)."""

    async def void_disbursement(self, voided: FinancingApplication) -> bool:
        """The application approved again and its last disbursement voided, unless another request voided
        it first (False)."""


class FinanceReads(Protocol):
    """The read-only view queries get."""

    @property
    def reports(self) -> ReportsView: ...
    @property
    def applications(self) -> ApplicationsView: ...
    @property
    def participants(self) -> ParticipantsView: ...


class FinanceWrites(Protocol):
    """The repositories of one transaction: what they store commits together with the events it caused."""

    @property
    def reports(self) -> Reports: ...
    @property
    def applications(self) -> Applications: ...
    @property
    def participants(self) -> ParticipantsView: ...
    @property
    def report_log(self) -> CorrectionLog:
        """Corrections (`submitted_on`) and voids of reports, with each FactCorrected / FactVoided event."""

    @property
    def disbursement_log(self) -> CorrectionLog:
        """Corrections (`disbursed_on`) and voids of disbursements, likewise."""


FinanceStorage = Storage[FinanceWrites, FinanceReads]
