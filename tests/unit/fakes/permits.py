"""The permits repositories in memory, keeping the rules the database keeps for the SQL ones: one active
NIB per participant, a permit number per type, decisions only on an applied permit, corrections and voids
only on an issue still as read, and lists in application order (or the work list's) in the caller's area."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Self
from uuid import UUID

from services.permits.adapters.repositories import ActiveNibTaken, PermitNumberTaken, Position
from services.permits.domain.permit import Permit, PermitStatus
from shared.contracts.enums import PermitType
from shared.contracts.profile import ParticipantProfile
from shared.db.keyset import one_page
from tests.unit.fakes.corrections import FakeCorrectionLog, Logged
from tests.unit.fakes.paging import after, seq_page
from tests.unit.fakes.participants import FakeParticipants, in_caller_area
from tests.unit.fakes.storage import FakeOutbox, FakeStorage

Race = Callable[["PermitsState"], None]


@dataclass
class PermitsState:
    participants: dict[UUID, ParticipantProfile] = field(default_factory=dict)
    permits: dict[UUID, Permit] = field(default_factory=dict)  # in application order: seq 1, 2, …
    corrections: list[Logged] = field(default_factory=list)
    # A change another request commits just before this one's next write (then forgotten): a lost race.
    races: list[Race] = field(default_factory=list)

    def copy(self) -> Self:
        return type(self)(
            dict(self.participants), dict(self.permits), list(self.corrections), list(self.races)
        )

    def race(self) -> None:
        while self.races:
            self.races.pop(0)(self)


@dataclass(frozen=True)
class FakePermits:
    state: PermitsState
    outbox: FakeOutbox

    async def get(self, permit_id: UUID) -> Permit | None:
        return self.state.permits.get(permit_id)

    async def active_nib_of(self, participant_id: UUID) -> UUID | None:
        active = (
            p.permit_id
            for p in self.state.permits.values()
            if p.participant_id == participant_id
            and p.permit_type is PermitType.NIB
            and p.status is not PermitStatus.REJECTED
        )
        return next(active, None)

    async def holder_of_number(self, permit_type: PermitType, number: str) -> UUID | None:
        holders = (
            p.permit_id
            for p in self.state.permits.values()
            if p.permit_type is permit_type and p.permit_number == number
        )
        return next(holders, None)

    async def page(
        self, *, participant_id: UUID | None, status: PermitStatus | None, after_seq: int, limit: int
    ) -> tuple[list[Permit], int | None]:
        numbered = enumerate(self.state.permits.values(), start=1)
        kept = [
            (seq, p)
            for seq, p in numbered
            if in_caller_area(self.state.participants, p.participant_id)
            and participant_id in (None, p.participant_id)
            and status in (None, p.status)
        ]
        return seq_page(kept, after_seq, limit)

    async def waiting(
        self, *, participant_id: UUID | None, applied_by: date, position: Position | None, limit: int
    ) -> tuple[list[Permit], Permit | None]:
        kept = sorted(
            (
                p
                for p in self.state.permits.values()
                if p.status is PermitStatus.APPLIED
                and p.applied_on <= applied_by
                and after(p.applied_on, p.permit_id, position)
                and in_caller_area(self.state.participants, p.participant_id)
                and participant_id in (None, p.participant_id)
            ),
            key=lambda p: (p.applied_on, str(p.permit_id)),
        )
        return one_page(kept, limit)

    async def add(self, permit: Permit) -> None:
        self.state.race()
        if permit.permit_type is PermitType.NIB and await self.active_nib_of(permit.participant_id):
            raise ActiveNibTaken(str(permit.participant_id))  # ux_permits_one_active_nib
        self.state.permits[permit.permit_id] = permit
        await self.outbox.collect(permit)

    async def decide(self, decided: Permit) -> bool:
        self.state.race()
        if self.state.permits[decided.permit_id].status is not PermitStatus.APPLIED:
            return False
        if decided.permit_number is not None:
            holder = await self.holder_of_number(decided.permit_type, decided.permit_number)
            if holder not in (None, decided.permit_id):  # uq_permits_type_number
                raise PermitNumberTaken(decided.permit_number)
        self.state.permits[decided.permit_id] = decided
        await self.outbox.collect(decided)
        return True

    async def redate_issue(self, read: Permit, issued_on: date) -> bool:
        return self._update_issue_as_read(read, replace(read, issued_on=issued_on))

    async def void_issue(self, read: Permit) -> bool:
        applied = replace(read, status=PermitStatus.APPLIED, permit_number=None, issued_on=None)
        return self._update_issue_as_read(read, applied)

    def _update_issue_as_read(self, read: Permit, changed: Permit) -> bool:
        self.state.race()
        stored = self.state.permits[read.permit_id]
        as_read = (stored.status, stored.permit_number, stored.issued_on) == (
            PermitStatus.ISSUED,
            read.permit_number,
            read.issued_on,
        )
        if as_read:
            self.state.permits[read.permit_id] = changed
        return as_read


@dataclass(frozen=True)
class FakePermitsWrites:
    permits: FakePermits
    participants: FakeParticipants
    corrections: FakeCorrectionLog

    @classmethod
    def on(cls, state: PermitsState, outbox: FakeOutbox) -> FakePermitsWrites:
        return cls(
            FakePermits(state, outbox),
            FakeParticipants(state.participants),
            FakeCorrectionLog(state.corrections),
        )


def fake_permits_storage(
    state: PermitsState | None = None,
) -> FakeStorage[PermitsState, FakePermitsWrites, FakePermitsWrites]:
    """A view reads the committed state through the same repositories, on a copy: like the read-only
    connection, which rolls back when it closes, it keeps nothing a handler might write there."""
    return FakeStorage(
        state or PermitsState(),
        writes=FakePermitsWrites.on,
        reads=lambda state: FakePermitsWrites.on(state.copy(), FakeOutbox()),
    )
