"""What the mentoring handlers may ask of storage: a repository per aggregate bound to a transaction, and
the read-only views queries use. Implemented on the database (`mentors`, `sessions`, `storage`) and in
memory by the unit tests' fakes.

Lists of sessions hold the caller's area only, in SQL, so a page is a page of what the caller may see.
Writers store an aggregate with the events it collected; a conditional write returns False when another
request changed the row since it was read.
"""

from datetime import date
from typing import Protocol
from uuid import UUID

from services.mentoring.domain.caseload import CaseloadEntry
from services.mentoring.domain.mentor import Mentor
from services.mentoring.domain.session import Session
from shared.corrections.lifecycle import CorrectionLog, Voided
from shared.outbox.unit_of_work import Storage
from shared.participants.views import ParticipantsView

Position = tuple[date, UUID]  # keyset paging: the sort date and id of the last item shown


class StaffNumberTaken(Exception):
    """The staff number belongs to a mentor already — perhaps one a concurrent request just added: the
    unique index, not a read-then-write, decides."""


class MentorsView(Protocol):
    async def get(self, mentor_id: UUID) -> Mentor | None: ...

    async def with_staff_number(self, staff_number: str) -> UUID | None:
        """The mentor holding the staff number, if any."""

    async def page(
        self, *, kecamatan_code: str | None, after_seq: int, limit: int
    ) -> tuple[list[Mentor], int | None]:
        """Mentors in the order recorded, after `after_seq`; the seq to continue after, None at the end.
        Every caller sees every mentor: mentors belong to no participant."""


class Mentors(MentorsView, Protocol):
    async def add(self, mentor: Mentor) -> None:
        """Stores the mentor and the event it collected; StaffNumberTaken if the number is not free."""


class SessionsView(Protocol):
    async def get(self, session_id: UUID) -> Session | None: ...

    async def page(
        self, *, participant_id: UUID | None, mentor_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Session], int | None]:
        """The caller's area's sessions in the order recorded, voided ones included, after `after_seq`;
        the seq to continue after, None at the end."""

    async def caseload(
        self, mentor_id: UUID, *, last_session_by: date | None, position: Position | None, limit: int
    ) -> tuple[list[CaseloadEntry], CaseloadEntry | None]:
        """The mentor's participants of the caller's area from the sessions that stand, most idle first
        (then by id), only those last seen by `last_session_by` if given; the last one shown if more
        follow."""


class Sessions(SessionsView, Protocol):
    async def add(self, session: Session) -> None:
        """Stores the session and the event it collected."""

    async def redate(self, read: Session, held_on: date) -> bool:
        """Stores the new date only if the session is still live and as `read`."""

    async def void(self, read: Session, voided: Voided) -> bool:
        """Marks it voided only if the session is still live and as `read`."""


class MentoringReads(Protocol):
    """The read-only view queries get."""

    @property
    def mentors(self) -> MentorsView: ...
    @property
    def sessions(self) -> SessionsView: ...
    @property
    def participants(self) -> ParticipantsView: ...


class MentoringWrites(Protocol):
    """The repositories of one transaction: what they store commits together with the events it caused."""

    @property
    def mentors(self) -> Mentors: ...
    @property
    def sessions(self) -> Sessions: ...
    @property
    def participants(self) -> ParticipantsView: ...
    @property
    def corrections(self) -> CorrectionLog:
        """Who re-dated or voided which session and why, with its FactCorrected or FactVoided event."""


MentoringStorage = Storage[MentoringWrites, MentoringReads]
