"""The mentoring repositories in memory, keeping the rules the database keeps for the SQL ones: a staff
number per mentor, lists in the order recorded (paged by seq) and restricted to the caller's area, the
caseload from the sessions that stand, and conditional writes that refuse a session changed since read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Self
from uuid import UUID

from services.mentoring.adapters.repositories import Position, StaffNumberTaken
from services.mentoring.domain.caseload import CaseloadEntry
from services.mentoring.domain.mentor import Mentor
from services.mentoring.domain.session import Session
from shared.contracts.profile import ParticipantProfile
from shared.corrections.lifecycle import Voided
from shared.db.keyset import one_page
from tests.unit.fakes.corrections import FakeCorrectionLog, Logged
from tests.unit.fakes.paging import after, seq_page
from tests.unit.fakes.participants import FakeParticipants, in_caller_area
from tests.unit.fakes.storage import FakeOutbox, FakeStorage

Race = Callable[["MentoringState"], None]


@dataclass
class MentoringState:
    participants: dict[UUID, ParticipantProfile] = field(default_factory=dict)
    mentors: dict[UUID, Mentor] = field(default_factory=dict)  # in the order recorded: seq 1, 2, …
    sessions: dict[UUID, Session] = field(default_factory=dict)  # in the order recorded: seq 1, 2, …
    voids: dict[UUID, Voided] = field(default_factory=dict)  # who voided which session, when and why
    corrections: list[Logged] = field(default_factory=list)
    # A change another request commits just before this one's next write (then forgotten): a lost race.
    races: list[Race] = field(default_factory=list)

    def copy(self) -> Self:
        return type(self)(
            dict(self.participants),
            dict(self.mentors),
            dict(self.sessions),
            dict(self.voids),
            list(self.corrections),
            list(self.races),
        )

    def race(self) -> None:
        while self.races:
            self.races.pop(0)(self)


@dataclass(frozen=True)
class FakeMentors:
    state: MentoringState
    outbox: FakeOutbox

    async def get(self, mentor_id: UUID) -> Mentor | None:
        return self.state.mentors.get(mentor_id)

    async def with_staff_number(self, staff_number: str) -> UUID | None:
        holders = (m.mentor_id for m in self.state.mentors.values() if m.staff_number == staff_number)
        return next(holders, None)

    async def page(
        self, *, kecamatan_code: str | None, after_seq: int, limit: int
    ) -> tuple[list[Mentor], int | None]:
        numbered = enumerate(self.state.mentors.values(), start=1)
        kept = [(seq, m) for seq, m in numbered if kecamatan_code in (None, m.kecamatan_code)]
        return seq_page(kept, after_seq, limit)

    async def add(self, mentor: Mentor) -> None:
        self.state.race()
        if await self.with_staff_number(mentor.staff_number):  # the unique index
            raise StaffNumberTaken(mentor.staff_number)
        self.state.mentors[mentor.mentor_id] = mentor
        await self.outbox.collect(mentor)


@dataclass(frozen=True)
class FakeSessions:
    state: MentoringState
    outbox: FakeOutbox

    async def get(self, session_id: UUID) -> Session | None:
        return self.state.sessions.get(session_id)

    async def page(
        self, *, participant_id: UUID | None, mentor_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Session], int | None]:
        numbered = enumerate(self.state.sessions.values(), start=1)
        kept = [
            (seq, s)
            for seq, s in numbered
            if in_caller_area(self.state.participants, s.participant_id)
            and participant_id in (None, s.participant_id)
            and mentor_id in (None, s.mentor_id)
        ]
        return seq_page(kept, after_seq, limit)

    async def caseload(
        self, mentor_id: UUID, *, last_session_by: date | None, position: Position | None, limit: int
    ) -> tuple[list[CaseloadEntry], CaseloadEntry | None]:
        held: dict[UUID, list[date]] = {}
        for s in self.state.sessions.values():
            if (
                s.mentor_id == mentor_id
                and not s.voided
                and in_caller_area(self.state.participants, s.participant_id)
            ):
                held.setdefault(s.participant_id, []).append(s.held_on)
        entries = sorted(
            (CaseloadEntry(p, max(days), len(days)) for p, days in held.items()),
            key=lambda e: (e.last_session_on, str(e.participant_id)),
        )
        kept = [
            e
            for e in entries
            if (last_session_by is None or e.last_session_on <= last_session_by)
            and after(e.last_session_on, e.participant_id, position)
        ]
        return one_page(kept, limit)

    async def add(self, session: Session) -> None:
        self.state.race()
        self.state.sessions[session.session_id] = session
        await self.outbox.collect(session)

    async def redate(self, read: Session, held_on: date) -> bool:
        return self._update_as_read(read, replace(read, held_on=held_on))

    async def void(self, read: Session, voided: Voided) -> bool:
        if changed := self._update_as_read(read, replace(read, voided=True)):
            self.state.voids[read.session_id] = voided
        return changed

    def _update_as_read(self, read: Session, changed: Session) -> bool:
        self.state.race()
        stored = self.state.sessions[read.session_id]
        if stored.voided or stored.held_on != read.held_on:  # the SQL's WHERE: live, and as read
            return False
        self.state.sessions[read.session_id] = changed
        return True


@dataclass(frozen=True)
class FakeMentoringWrites:
    mentors: FakeMentors
    sessions: FakeSessions
    participants: FakeParticipants
    corrections: FakeCorrectionLog

    @classmethod
    def on(cls, state: MentoringState, outbox: FakeOutbox) -> FakeMentoringWrites:
        return cls(
            FakeMentors(state, outbox),
            FakeSessions(state, outbox),
            FakeParticipants(state.participants),
            FakeCorrectionLog(state.corrections),
        )


def fake_mentoring_storage(
    state: MentoringState | None = None,
) -> FakeStorage[MentoringState, FakeMentoringWrites, FakeMentoringWrites]:
    """A view reads the committed state through the same repositories, on a copy: like the read-only
    connection, which rolls back when it closes, it keeps nothing a handler might write there."""
    return FakeStorage(
        state or MentoringState(),
        writes=FakeMentoringWrites.on,
        reads=lambda state: FakeMentoringWrites.on(state.copy(), FakeOutbox()),
    )
