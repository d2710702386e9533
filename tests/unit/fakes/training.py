"""The training repositories in memory, keeping the rules the database keeps for the SQL ones: one
enrolment per participant and class, one live completion per enrolment, places counted until withdrawn,
lists restricted to the caller's area and paged by (date, id)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Self
from uuid import UUID

from services.training.adapters.repositories import ClassFilters, Position, TrainingFact
from services.training.domain.enrollment import Enrollment
from services.training.domain.training import (
    AlreadyCompleted,
    AlreadyEnrolled,
    Completion,
    Placement,
    TrainingClass,
)
from shared.auth.context import current_principal
from shared.contracts.enums import TrainingProgram
from shared.contracts.profile import ParticipantProfile
from shared.db.keyset import one_page
from shared.errors import DomainError
from shared.participants.area import OutsideArea, Record
from shared.participants.directory import UnknownParticipant
from tests.unit.fakes.storage import FakeOutbox, FakeStorage


@dataclass(frozen=True)
class Logged:
    """A row of the correction log."""

    action: str  # corrected | voided
    fact: TrainingFact
    fact_id: str
    date_field: str
    new_on: date | None
    by: str
    reason: str


Race = Callable[["TrainingState"], None]


@dataclass
class TrainingState:
    participants: dict[UUID, ParticipantProfile] = field(default_factory=dict)
    classes: dict[UUID, TrainingClass] = field(default_factory=dict)
    enrollments: dict[tuple[UUID, UUID], Enrollment] = field(default_factory=dict)  # completed_on unset
    completions: list[Completion] = field(default_factory=list)  # in the order recorded
    placements: dict[UUID, Placement] = field(default_factory=dict)
    corrections: list[Logged] = field(default_factory=list)
    locks: list[str] = field(default_factory=list)  # what transactions locked, in order
    # A change another request commits just before this one's next write (then forgotten): a lost race.
    races: list[Race] = field(default_factory=list)

    def copy(self) -> Self:
        return type(self)(
            dict(self.participants),
            dict(self.classes),
            dict(self.enrollments),
            list(self.completions),
            dict(self.placements),
            list(self.corrections),
            list(self.locks),
            list(self.races),
        )

    def race(self) -> None:
        while self.races:
            self.races.pop(0)(self)

    def live(self, class_id: UUID, participant_id: UUID) -> Completion | None:
        return next(
            (
                c
                for c in self.completions
                if (c.class_id, c.participant_id) == (class_id, participant_id) and not c.voided
            ),
            None,
        )

    def enrolment(self, key: tuple[UUID, UUID]) -> Enrollment:
        """As the SQL reads it: with the date of its live completion."""
        live = self.live(*key)
        return replace(self.enrollments[key], completed_on=live.completed_on if live else None)

    def in_caller_area(self, participant_id: UUID) -> bool:
        caller = current_principal()
        if caller is None or not caller.scoped:
            return True
        known = self.participants.get(participant_id)
        return known is not None and caller.covers(known.kota_code, known.agency.value)


def _after(on: date, key: UUID, position: Position | None) -> bool:
    return position is None or (on, str(key)) > (position[0], str(position[1]))


@dataclass
class FakeParticipants:
    state: TrainingState

    async def profile(self, participant_id: UUID) -> ParticipantProfile:
        unknown = UnknownParticipant(
            f"participant {participant_id} is not known here (yet): register first, or retry shortly",
            participant_id=str(participant_id),
        )
        found = self.state.participants.get(participant_id)
        if found is None:
            raise unknown
        if not self.state.in_caller_area(participant_id):
            raise OutsideArea(unknown, participant_id=str(participant_id))
        return found

    async def found_in_area(self, record: Record | None, missing: DomainError) -> Record:
        if record is None:
            raise missing
        if not self.state.in_caller_area(record.participant_id):
            raise OutsideArea(missing, participant_id=str(record.participant_id))
        return record

    async def lock(self, participant_id: UUID) -> None:
        self.state.locks.append(f"participant {participant_id}")


@dataclass
class FakeClasses:
    state: TrainingState
    outbox: FakeOutbox

    async def get(self, class_id: UUID) -> TrainingClass | None:
        return self.state.classes.get(class_id)

    async def places_taken(self, class_id: UUID) -> int:
        return sum(
            1 for (c, _), e in self.state.enrollments.items() if c == class_id and e.withdrawn_on is None
        )

    async def page(
        self, filters: ClassFilters, position: Position | None, limit: int
    ) -> tuple[list[tuple[TrainingClass, int]], TrainingClass | None]:
        def kept(c: TrainingClass) -> bool:
            active = filters.active_on
            return (
                filters.kota_code in (None, c.kota_code)
                and filters.program in (None, c.program)
                and filters.format in (None, c.format)
                and (active is None or c.starts_on <= active <= c.ends_on)
                and _after(c.starts_on, c.class_id, position)
            )

        found = sorted(
            filter(kept, self.state.classes.values()), key=lambda c: (c.starts_on, str(c.class_id))
        )
        page, last = one_page(found, limit)
        return [(c, await self.places_taken(c.class_id)) for c in page], last

    async def locked(self, class_id: UUID) -> TrainingClass | None:
        self.state.locks.append(f"class {class_id}")
        return await self.get(class_id)

    async def add(self, training: TrainingClass) -> None:
        self.state.race()
        assert training.class_id not in self.state.classes
        self.state.classes[training.class_id] = training
        await self.outbox.collect(training)


@dataclass
class FakeEnrollments:
    state: TrainingState
    outbox: FakeOutbox

    async def roster(
        self, class_id: UUID, position: Position | None, limit: int
    ) -> tuple[list[Enrollment], Enrollment | None]:
        found = sorted(
            (
                self.state.enrolment(key)
                for key, e in self.state.enrollments.items()
                if key[0] == class_id
                and self.state.in_caller_area(key[1])
                and _after(e.enrolled_on, key[1], position)
            ),
            key=lambda e: (e.enrolled_on, str(e.participant_id)),
        )
        return one_page(found, limit)

    async def get(self, class_id: UUID, participant_id: UUID) -> Enrollment | None:
        return (await self.of(class_id, [participant_id])).get(participant_id)

    async def of(self, class_id: UUID, participant_ids: Collection[UUID]) -> dict[UUID, Enrollment]:
        keys = [(class_id, p) for p in participant_ids if (class_id, p) in self.state.enrollments]
        return {p: self.state.enrolment((c, p)) for c, p in keys}

    async def add_if_room(self, training: TrainingClass, enrolment: Enrollment) -> bool:
        self.state.race()
        key = (training.class_id, enrolment.participant_id)
        if key in self.state.enrollments:  # the primary key
            raise AlreadyEnrolled(
                f"participant {enrolment.participant_id} is already enrolled in class {training.class_id}"
            )
        if await FakeClasses(self.state, self.outbox).places_taken(training.class_id) >= training.capacity:
            return False
        self.state.enrollments[key] = enrolment
        await self.outbox.collect(enrolment)
        return True

    async def withdraw(self, withdrawn: Enrollment, *, by: str, reason: str) -> None:
        key = (withdrawn.class_id, withdrawn.participant_id)
        self.state.enrollments[key] = replace(
            self.state.enrollments[key], withdrawn_on=withdrawn.withdrawn_on
        )


@dataclass
class FakeCompletions:
    state: TrainingState
    outbox: FakeOutbox

    async def get(self, class_id: UUID, participant_id: UUID) -> Completion | None:
        mine = [
            c for c in self.state.completions if (c.class_id, c.participant_id) == (class_id, participant_id)
        ]
        return self.state.live(class_id, participant_id) or (mine[-1] if mine else None)

    async def add(self, done: Completion) -> None:
        await self.add_all([done])

    async def add_all(self, done: Sequence[Completion]) -> None:
        self.state.race()
        for completion in done:
            if self.state.live(completion.class_id, completion.participant_id):  # ux_completions_one_live
                raise AlreadyCompleted(
                    f"participant {completion.participant_id} already completed class {completion.class_id}"
                )
            self.state.completions.append(completion)
        await self.outbox.collect(*done)

    async def redate(self, live: Completion, completed_on: date) -> None:
        self._replace(live, replace(live, completed_on=completed_on))

    async def void(self, live: Completion, *, by: str, reason: str) -> None:
        self._replace(live, replace(live, voided=True))

    def _replace(self, live: Completion, changed: Completion) -> None:
        index = self.state.completions.index(self.state.live(live.class_id, live.participant_id) or live)
        self.state.completions[index] = changed

    async def live_vocational(self, participant_id: UUID) -> dict[UUID, date]:
        return {
            c.class_id: c.completed_on
            for c in self.state.completions
            if c.participant_id == participant_id and not c.voided and c.program is TrainingProgram.VOCATIONAL
        }


@dataclass
class FakePlacements:
    state: TrainingState
    outbox: FakeOutbox

    async def get(self, placement_id: UUID) -> Placement | None:
        return self.state.placements.get(placement_id)

    async def add(self, placement: Placement) -> None:
        self.state.race()
        self.state.placements[placement.placement_id] = placement
        await self.outbox.collect(placement)

    async def earliest_live(self, participant_id: UUID) -> Placement | None:
        live = [
            p for p in self.state.placements.values() if p.participant_id == participant_id and not p.voided
        ]
        return min(live, key=lambda p: (p.placed_on, str(p.placement_id)), default=None)

    async def redate(self, placement: Placement, placed_on: date) -> None:
        self.state.placements[placement.placement_id] = replace(placement, placed_on=placed_on)

    async def void(self, placement: Placement, *, by: str, reason: str) -> None:
        self.state.placements[placement.placement_id] = replace(placement, voided=True)


@dataclass
class FakeCorrectionLog:
    state: TrainingState

    async def corrected(
        self, fact: TrainingFact, *, fact_id: str, date_field: str, new_on: date, by: str, reason: str
    ) -> None:
        self.state.corrections.append(Logged("corrected", fact, fact_id, date_field, new_on, by, reason))

    async def voided(
        self, fact: TrainingFact, *, fact_id: str, date_field: str, by: str, reason: str
    ) -> None:
        self.state.corrections.append(Logged("voided", fact, fact_id, date_field, None, by, reason))


@dataclass
class FakeTrainingWrites:
    classes: FakeClasses
    enrollments: FakeEnrollments
    completions: FakeCompletions
    placements: FakePlacements
    participants: FakeParticipants
    corrections: FakeCorrectionLog

    @classmethod
    def on(cls, state: TrainingState, outbox: FakeOutbox) -> FakeTrainingWrites:
        return cls(
            FakeClasses(state, outbox),
            FakeEnrollments(state, outbox),
            FakeCompletions(state, outbox),
            FakePlacements(state, outbox),
            FakeParticipants(state),
            FakeCorrectionLog(state),
        )


def fake_training_storage(
    state: TrainingState | None = None,
) -> FakeStorage[TrainingState, FakeTrainingWrites, FakeTrainingWrites]:
    """A view reads the committed state through the same repositories, on a copy: like the read-only
    connection, which rolls back when it closes, it keeps nothing a handler might write there."""
    return FakeStorage(
        state or TrainingState(),
        writes=FakeTrainingWrites.on,
        reads=lambda state: FakeTrainingWrites.on(state.copy(), FakeOutbox()),
    )
