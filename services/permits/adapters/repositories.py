"""What the permits handlers may ask of storage: the permits repository bound to a transaction, and the
read-only view queries use. Implemented on the database (`permits`, `storage`) and in memory by the unit
tests' fakes.

Lists hold the caller's area only, in SQL, so a page is a page of what the caller may see. Writers store a
permit with the events it collected; a conditional write returns False when another request changed the
permit since it was read. The uniqueness rules that span permits are the database's: only it sees
concurrent requests.
"""

from datetime import date
from typing import Protocol
from uuid import UUID

from services.permits.domain.permit import Permit, PermitStatus
from shared.contracts.enums import PermitType
from shared.corrections.lifecycle import CorrectionLog
from shared.outbox.unit_of_work import Storage
from shared.participants.views import ParticipantsView

Position = tuple[date, UUID]  # keyset paging: the sort date and id of the last item shown


class ActiveNibTaken(Exception):
    """The participant holds an NIB already (applied or issued) — perhaps a concurrent request's."""


class PermitNumberTaken(Exception):
    """Another permit of the type carries the number already — perhaps a concurrent request's."""


class PermitsView(Protocol):
    async def get(self, permit_id: UUID) -> Permit | None: ...

    async def active_nib_of(self, participant_id: UUID) -> UUID | None:
        """The participant's applied or issued NIB, if any."""

    async def holder_of_number(self, permit_type: PermitType, number: str) -> UUID | None:
        """The permit of the type that carries the number, if any."""

    async def page(
        self, *, participant_id: UUID | None, status: PermitStatus | None, after_seq: int, limit: int
    ) -> tuple[list[Permit], int | None]:
        """The caller's area's permits in application order, after `after_seq`; the seq to continue after,
        None at the end."""

    async def waiting(
        self, *, participant_id: UUID | None, applied_by: date, position: Position | None, limit: int
    ) -> tuple[list[Permit], Permit | None]:
        """The caller's area's applications still applied on or before `applied_by`, oldest first (then by
        id); the last one shown if more follow."""


class Permits(PermitsView, Protocol):
    async def add(self, permit: Permit) -> None:
        """Stores the application and the event it collected; ActiveNibTaken if it is a second NIB."""

    async def decide(self, decided: Permit) -> bool:
        """Stores an issue or rejection and its event only if the permit is still applied;
        PermitNumberTaken if the issued number is another permit's."""

    async def redate_issue(self, read: Permit, issued_on: date) -> bool:
        """Re-dates the issue only if it still stands as `read` (number and date)."""

    async def void_issue(self, read: Permit) -> bool:
        """Withdraws the issue (applied again, number freed) only if it still stands as `read`."""


class PermitsReads(Protocol):
    """The read-only view queries get."""

    @property
    def permits(self) -> PermitsView: ...
    @property
    def participants(self) -> ParticipantsView: ...


class PermitsWrites(Protocol):
    """The repositories of one transaction: what they store commits together with the events it caused."""

    @property
    def permits(self) -> Permits: ...
    @property
    def participants(self) -> ParticipantsView: ...
    @property
    def corrections(self) -> CorrectionLog:
        """Who re-dated or voided which issue and why, with its FactCorrected or FactVoided event."""


PermitsStorage = Storage[PermitsWrites, PermitsReads]
