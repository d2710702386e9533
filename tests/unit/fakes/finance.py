"""The finance repositories in memory, keeping the rules the database keeps for the SQL ones: one live
report per participant and period (`Taken`), an application's status changed only from the status it was
read with, a report or disbursement re-dated or voided only while live, lists restricted to the caller's
area and paged by their recorded order (seq)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Self, TypeVar
from uuid import UUID

from services.finance.adapters.repositories import Taken
from services.finance.domain.financing import Disbursement, FinancingApplication, FinancingStatus
from services.finance.domain.report import FinancialReport
from shared.contracts.profile import ParticipantProfile
from tests.unit.fakes.corrections import FakeCorrectionLog, Logged
from tests.unit.fakes.paging import seq_page
from tests.unit.fakes.participants import FakeParticipants, in_caller_area
from tests.unit.fakes.storage import FakeOutbox, FakeStorage

T = TypeVar("T")
Race = Callable[["FinanceState"], None]


@dataclass
class FinanceState:
    participants: dict[UUID, ParticipantProfile] = field(default_factory=dict)
    reports: dict[UUID, FinancialReport] = field(default_factory=dict)  # in seq order
    applications: dict[UUID, FinancingApplication] = field(default_factory=dict)  # with disbursements
    # The correction log: one table, whichever fact (report or disbursement) was changed.
    corrections: list[Logged] = field(default_factory=list)
    # A change another request commits just before this one's next write (tests/unit/fakes/races.py).
    races: list[Race] = field(default_factory=list)

    def copy(self) -> Self:
        return type(self)(
            dict(self.participants),
            dict(self.reports),
            dict(self.applications),
            list(self.corrections),
            list(self.races),
        )

    def race(self) -> None:
        while self.races:
            self.races.pop(0)(self)


def numbered(rows: Iterable[T], keep: Callable[[T], bool]) -> list[tuple[int, T]]:
    """The rows `keep` selects, each with its seq: the order it was recorded in, from 1."""
    return [(seq, row) for seq, row in enumerate(rows, start=1) if keep(row)]


@dataclass
class FakeReports:
    state: FinanceState
    outbox: FakeOutbox

    async def get(self, report_id: UUID) -> FinancialReport | None:
        return self.state.reports.get(report_id)

    async def page(
        self, *, participant_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[FinancialReport], int | None]:
        def kept(r: FinancialReport) -> bool:
            return participant_id in (None, r.participant_id) and in_caller_area(
                self.state.participants, r.participant_id
            )

        return seq_page(numbered(self.state.reports.values(), kept), after_seq, limit)

    async def live_for_period(self, participant_id: UUID, start: date, end: date) -> str | None:
        live = (
            r
            for r in self.state.reports.values()
            if (r.participant_id, r.period_start, r.period_end) == (participant_id, start, end)
            and r.voided is None
        )
        found = next(live, None)
        return str(found.report_id) if found else None

    async def add(self, report: FinancialReport) -> None:
        self.state.race()
        if await self.live_for_period(report.participant_id, report.period_start, report.period_end):
            raise Taken(f"participant {report.participant_id} has a report for the period")
        self.state.reports[report.report_id] = replace(report)  # a copy: the row, not the events
        await self.outbox.collect(report)

    async def save_date(self, report: FinancialReport) -> bool:
        return self._update_live(report.report_id, lambda r: replace(r, submitted_on=report.submitted_on))

    async def save_void(self, report: FinancialReport) -> bool:
        return self._update_live(report.report_id, lambda r: replace(r, voided=report.voided))

    def _update_live(self, report_id: UUID, change: Callable[[FinancialReport], FinancialReport]) -> bool:
        self.state.race()
        stored = self.state.reports[report_id]
        if stored.voided is not None:
            return False
        self.state.reports[report_id] = change(stored)
        return True


@dataclass
class FakeApplications:
    state: FinanceState
    outbox: FakeOutbox

    async def get(self, application_id: UUID) -> FinancingApplication | None:
        return self.state.applications.get(application_id)

    async def page(
        self, *, participant_id: UUID | None, status: FinancingStatus | None, after_seq: int, limit: int
    ) -> tuple[list[FinancingApplication], int | None]:
        def kept(a: FinancingApplication) -> bool:
            return (
                participant_id in (None, a.participant_id)
                and status in (None, a.status)
                and in_caller_area(self.state.participants, a.participant_id)
            )

        return seq_page(numbered(self.state.applications.values(), kept), after_seq, limit)

    async def add(self, application: FinancingApplication) -> None:
        self.state.race()
        self.state.applications[application.application_id] = replace(application)
        await self.outbox.collect(application)

    async def transition(self, changed: FinancingApplication, *, was: FinancingStatus) -> bool:
        self.state.race()
        stored = self.state.applications[changed.application_id]
        if stored.status is not was:
            return False
        paid = changed.disbursement
        self.state.applications[changed.application_id] = replace(
            stored,
            status=changed.status,
            approved_amount=changed.approved_amount,
            approved_on=changed.approved_on,
            rejected_on=changed.rejected_on,
            rejection_reason=changed.rejection_reason,
            disbursements=(*stored.disbursements, paid) if paid else stored.disbursements,
        )
        await self.outbox.collect(changed)
        return True

    async def redate_disbursement(self, disbursement: Disbursement) -> bool:
        self.state.race()
        return self._replace_live(disbursement, lambda d: replace(d, disbursed_on=disbursement.disbursed_on))

    async def void_disbursement(self, voided: FinancingApplication) -> bool:
        self.state.race()
        withdrawn = voided.disbursements[-1]
        stored = self.state.applications[voided.application_id]
        if stored.status is not FinancingStatus.DISBURSED:
            return False
        self.state.applications[voided.application_id] = replace(stored, status=FinancingStatus.APPROVED)
        return self._replace_live(withdrawn, lambda d: replace(d, voided=withdrawn.voided))

    def _replace_live(
        self, disbursement: Disbursement, change: Callable[[Disbursement], Disbursement]
    ) -> bool:
        for application_id, application in self.state.applications.items():
            paid = list(application.disbursements)
            for index, stored in enumerate(paid):
                if stored.disbursement_id == disbursement.disbursement_id:
                    if stored.voided is not None:
                        return False
                    paid[index] = change(stored)
                    self.state.applications[application_id] = replace(application, disbursements=tuple(paid))
                    return True
        return False


@dataclass
class FakeFinanceWrites:
    reports: FakeReports
    applications: FakeApplications
    participants: FakeParticipants
    report_log: FakeCorrectionLog
    disbursement_log: FakeCorrectionLog

    @classmethod
    def on(cls, state: FinanceState, outbox: FakeOutbox) -> FakeFinanceWrites:
        return cls(
            FakeReports(state, outbox),
            FakeApplications(state, outbox),
            FakeParticipants(state.participants),
            FakeCorrectionLog(state.corrections),
            FakeCorrectionLog(state.corrections),
        )


FinanceFakes = FakeStorage[FinanceState, FakeFinanceWrites, FakeFinanceWrites]


def fake_finance_storage(state: FinanceState | None = None) -> FinanceFakes:
    """A view reads the committed state through the same repositories, on a copy: like the read-only
    connection, it keeps nothing a handler might write there."""
    return FakeStorage(
        state or FinanceState(),
        writes=FakeFinanceWrites.on,
        reads=lambda state: FakeFinanceWrites.on(state.copy(), FakeOutbox()),
    )
