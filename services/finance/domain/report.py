"""Financial reports (pelaporan keuangan): submitting, re-dating and voiding — PRODUCT.md §2, free of I/O.

A report covers one business period of at most a year and is submitted once that period has closed. A
participant has one live (non-voided) report per period; the database keeps that rule, since only it sees
concurrent submissions, and `DuplicateReport` names how it fails. A report submitted collects its event
(shared.aggregates).
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from uuid import UUID, uuid4

from shared.aggregates import Aggregate
from shared.contracts.events import FinancialReportSubmitted
from shared.contracts.profile import ParticipantProfile
from shared.corrections import AlreadyVoided, Voided
from shared.dates import check_stage_date
from shared.decisions import refuse
from shared.errors import Conflict, DomainError, RuleViolation


class DuplicateReport(Conflict):
    code = "duplicate_report"


@dataclass(frozen=True)
class SubmitReport:
    participant_id: UUID
    period_start: date
    period_end: date
    revenue: int
    expenses: int
    employees: int
    submitted_on: date | None


@dataclass(frozen=True)
class FinancialReport(Aggregate):
    report_id: UUID
    participant_id: UUID
    period_start: date
    period_end: date
    submitted_on: date
    revenue: int
    expenses: int
    employees: int
    voided: Voided | None = None

    # shared.corrections.Correctable

    def redate(self, on: date, today: date, context: ParticipantProfile) -> "FinancialReport":
        """The same report with the right submission date, which must pass the rules the original did."""
        self._check_live()
        _check_submitted_on(on, self.period_end, context.registered_on, today)
        return replace(self, submitted_on=on)

    def void(self, voided: Voided) -> "FinancialReport":
        self._check_live()
        return replace(self, voided=voided)

    def fact(self, context: ParticipantProfile) -> FinancialReportSubmitted:
        return self.event(context)

    def changed_meanwhile(self, now: "FinancialReport") -> DomainError:
        # Only a void makes the conditional write miss: a report's date is not part of its condition.
        return AlreadyVoided.meanwhile(f"report {self.report_id}", report_id=str(self.report_id))

    def _check_live(self) -> None:
        if self.voided is not None:
            raise AlreadyVoided.of(f"report {self.report_id}", report_id=str(self.report_id))

    def event(self, profile: ParticipantProfile) -> FinancialReportSubmitted:
        return FinancialReportSubmitted(
            report_id=self.report_id,
            participant_id=self.participant_id,
            period_start=self.period_start,
            period_end=self.period_end,
            submitted_on=self.submitted_on,
            revenue=self.revenue,
            expenses=self.expenses,
            employees=self.employees,
            profile=profile,
        )


def submit(command: SubmitReport, profile: ParticipantProfile, today: date) -> FinancialReport:
    """A new report, collecting its event; submitted_on defaults to today."""
    check_period(command.period_start, command.period_end)
    submitted_on = command.submitted_on or today
    _check_submitted_on(submitted_on, command.period_end, profile.registered_on, today)
    report = FinancialReport(
        report_id=uuid4(),
        participant_id=command.participant_id,
        period_start=command.period_start,
        period_end=command.period_end,
        submitted_on=submitted_on,
        revenue=command.revenue,
        expenses=command.expenses,
        employees=command.employees,
    )
    report.collect(report.event(profile), submitted_on)
    return report


def check_period(start: date, end: date) -> None:
    """A period runs from start to end inclusive and is at most a year long (1 January to 31 December)."""
    if end < start:
        raise RuleViolation(f"period_end {end} is before period_start {start}")
    if end > last_day_of_year_from(start):
        raise RuleViolation(
            f"the period {start}..{end} is longer than a year: it may end on {last_day_of_year_from(start)}"
        )


def last_day_of_year_from(start: date) -> date:
    """The last day of the year that begins on `start` (a year from 29 February ends on 28 February)."""
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:
        anniversary = date(start.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


def _check_submitted_on(submitted_on: date, period_end: date, registered_on: date, today: date) -> None:
    refuse(check_stage_date("submitted_on", submitted_on, today, registered_on))
    if submitted_on < period_end:
        # A report states figures of a closed period: it cannot be handed in before the period ends.
        raise RuleViolation(f"submitted_on {submitted_on} is before period_end {period_end}")
