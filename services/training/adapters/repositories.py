"""What the training handlers may ask of storage: one repository per aggregate, bound to a transaction,
and the read-only views queries use. Implemented on the database (`classes`, `facts`, `storage`) and in
memory by the unit tests' fakes.

Writers lock what their rule spans (a class's capacity, a participant's completions and placements) and
turn a write the database refuses as a duplicate into the refusal a lost race deserves.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from services.training.domain.enrollment import Enrollment
from services.training.domain.training import Completion, Placement, TrainingClass
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.events import ParticipantPlaced, TrainingCompleted
from shared.outbox.unit_of_work import Storage
from shared.participants.views import ParticipantsView

Position = tuple[date, UUID]  # keyset paging: the sort date and id of the last item shown


@dataclass(frozen=True)
class ClassFilters:
    kota_code: str | None = None
    program: TrainingProgram | None = None
    format: TrainingFormat | None = None
    active_on: date | None = None  # classes running that day: starts_on <= active_on <= ends_on


class Participants(ParticipantsView, Protocol):
    async def lock(self, participant_id: UUID) -> None:
        """Serialise changes to the participant's completions and placements until the transaction ends."""


class ClassesView(Protocol):
    async def get(self, class_id: UUID) -> TrainingClass | None: ...

    async def places_taken(self, class_id: UUID) -> int: ...

    async def page(
        self, filters: ClassFilters, position: Position | None, limit: int
    ) -> tuple[list[tuple[TrainingClass, int]], TrainingClass | None]:
        """Classes by start date (then id), each with its places taken; the last one shown if more follow.
        Every caller sees every class: classes belong to no participant."""


class Classes(ClassesView, Protocol):
    async def locked(self, class_id: UUID) -> TrainingClass | None:
        """The class, locked until the transaction ends: its enrolments and completions are serialised."""

    async def add(self, training: TrainingClass) -> None: ...


class EnrollmentsView(Protocol):
    async def roster(
        self, class_id: UUID, position: Position | None, limit: int
    ) -> tuple[list[Enrollment], Enrollment | None]:
        """The class's enrolments of the caller's area, by enrolment date (then participant id), withdrawn
        ones included; the last one shown if more follow."""


class Enrollments(EnrollmentsView, Protocol):
    async def get(self, class_id: UUID, participant_id: UUID) -> Enrollment | None:
        """The enrolment, with the date of its live completion if there is one."""

    async def of(self, class_id: UUID, participant_ids: Collection[UUID]) -> dict[UUID, Enrollment]:
        """Those of the participants enrolled in the class, each with the date of its live completion."""

    async def add_if_room(self, training: TrainingClass, enrolment: Enrollment) -> bool:
        """Adds it only while the class has room (False when full); AlreadyEnrolled if a concurrent
        request enrolled the participant first."""

    async def withdraw(self, withdrawn: Enrollment, *, by: str, reason: str) -> None: ...


class CompletionsView(Protocol):
    async def get(self, class_id: UUID, participant_id: UUID) -> Completion | None:
        """The live completion of the enrolment, or else the last one voided; None if never completed."""


class Completions(CompletionsView, Protocol):
    async def add(self, done: Completion) -> None:
        """AlreadyCompleted if a concurrent request completed the enrolment first."""

    async def add_all(self, done: Sequence[Completion]) -> None: ...

    async def redate(self, live: Completion, completed_on: date) -> None: ...

    async def void(self, live: Completion, *, by: str, reason: str) -> None: ...

    async def live_vocational(self, participant_id: UUID) -> dict[UUID, date]:
        """class_id → completed_on of the participant's live vocational completions."""


class PlacementsView(Protocol):
    async def get(self, placement_id: UUID) -> Placement | None: ...


class Placements(PlacementsView, Protocol):
    async def add(self, placement: Placement) -> None: ...

    async def earliest_live(self, participant_id: UUID) -> Placement | None: ...

    async def redate(self, placement: Placement, placed_on: date) -> None: ...

    async def void(self, placement: Placement, *, by: str, reason: str) -> None: ...


TrainingFact = TrainingCompleted | ParticipantPlaced


class CorrectionLog(Protocol):
    """Who re-dated or voided which fact and why, written with its FactCorrected or FactVoided event."""

    async def corrected(
        self, fact: TrainingFact, *, fact_id: str, date_field: str, new_on: date, by: str, reason: str
    ) -> None: ...

    async def voided(
        self, fact: TrainingFact, *, fact_id: str, date_field: str, by: str, reason: str
    ) -> None: ...


class TrainingReads(Protocol):
    """The read-only view queries get."""

    @property
    def classes(self) -> ClassesView: ...
    @property
    def enrollments(self) -> EnrollmentsView: ...
    @property
    def completions(self) -> CompletionsView: ...
    @property
    def placements(self) -> PlacementsView: ...
    @property
    def participants(self) -> ParticipantsView: ...


class TrainingWrites(Protocol):
    """The repositories of one transaction: what they store commits together with the events it caused."""

    @property
    def classes(self) -> Classes: ...
    @property
    def enrollments(self) -> Enrollments: ...
    @property
    def completions(self) -> Completions: ...
    @property
    def placements(self) -> Placements: ...
    @property
    def participants(self) -> Participants: ...
    @property
    def corrections(self) -> CorrectionLog: ...


TrainingStorage = Storage[TrainingWrites, TrainingReads]
