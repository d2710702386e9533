"""What the registration handlers may ask of storage: participants, the audit trail, possible duplicates and
the stage facts followed, bound to one transaction, or to a view for queries. Implemented on the database
(`storage`) and in memory by the unit tests' fakes.

Besides a transaction that records events (`begin`) and a read-only view (`view`), registration reads
personal data, and every read is audited in the same breath: `audited` is a transaction that records no
event (a read and its audit entries, an erasure, a dismissal), `each_statement_commits` a connection
whose statements commit one by one (a lookup, a page, a resolve: one read and its audit entries, each
atomic by itself). A refused attempt is audited even though the request's own transaction rolls back with
the refusal: `record_refusal` writes it in a short transaction of its own.
"""

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import NamedTuple, Protocol
from uuid import UUID

from services.registration.adapters.repository import Filters
from services.registration.domain.audit import Action, AuditEntry, FieldChange, Outcome
from services.registration.domain.duplicates import Dismissal
from services.registration.domain.names import NameTag
from services.registration.domain.participant import Erased, Participant
from shared.auth.principal import Principal
from shared.outbox.unit_of_work import Storage

Pair = tuple[Participant, Participant]


class NikTaken(Exception):
    """The unique index on the NIK refused a write: another registration holds it — perhaps a concurrent
    request's, committed after this one looked."""


class Holder(NamedTuple):
    """Who holds a NIK, and where (what decides whether the caller may be told who)."""

    participant_id: str
    kota_code: str
    agency: str


class Area(NamedTuple):
    """A participant's kota and agency, read without decrypting anything, and when they were erased."""

    kota_code: str
    agency: str
    erased_at: datetime | None


class ParticipantPage(Protocol):
    """A page as stored, not decrypted yet (`open`): whom it shows is known first, so its audit entries are
    written while it is decrypted."""

    @property
    def participant_ids(self) -> list[str]: ...
    @property
    def last_seq(self) -> int | None: ...
    def open(self) -> list[Participant]: ...


class NameTags(Protocol):
    """The name tags a resolve read, not opened yet; `outside`: the ids found outside the caller's area."""

    @property
    def named(self) -> list[tuple[UUID, str]]:
        """Each participant named, with its id as stored."""

    @property
    def outside(self) -> list[UUID]: ...
    def open(self) -> list[NameTag]: ...


class ParticipantsView(Protocol):
    async def get(self, participant_id: UUID) -> Participant | Erased | None: ...

    async def area_of(self, participant_id: UUID) -> Area | None: ...

    async def holder_of_nik(self, nik: str) -> Holder | None: ...

    async def by_nik(self, nik: str) -> Participant | None: ...

    async def by_niks(self, niks: Sequence[str]) -> dict[str, Participant]:
        """The participants registered under these NIKs, by NIK."""

    async def page(self, filters: Filters, *, after_seq: int, limit: int) -> ParticipantPage:
        """One page in registration order, filtered (the caller's area is among the filters)."""

    async def name_tags(self, participant_ids: Sequence[UUID], caller: Principal) -> NameTags:
        """The name tags of those not erased in the caller's area, and the ids found outside it."""


class Participants(ParticipantsView, Protocol):
    async def locked(self, participant_id: UUID) -> Participant | Erased | None:
        """`get`, the row held until the transaction ends: two edits of one participant take turns."""

    async def locked_by_niks(self, niks: Sequence[str]) -> dict[str, Participant]:
        """`by_niks`, their rows held until the transaction ends: two imports restating one take turns."""

    async def add(self, *new: Participant) -> None:
        """Stores new participants and the events they collected; NikTaken if a NIK is registered."""

    async def update(self, *changed: Participant) -> None:
        """Restates registered participants under their ids, with the events they collected; NikTaken if
        a corrected NIK is another participant's."""

    async def erase(self, participant_id: UUID) -> datetime | None:
        """Clears every personal value; when, or None if it was erased already."""


class AuditTrail(Protocol):
    async def record(
        self,
        subject: str,
        action: Action,
        participant_ids: Iterable[UUID | str | None],
        *,
        outcome: Outcome = Outcome.DONE,
        detail: str | None = None,
        changes: Sequence[FieldChange] | None = None,
    ) -> None:
        """One entry per participant (None: about nobody)."""

    async def page(
        self, *, participant_id: UUID | None, subject: str | None, after_id: int, limit: int
    ) -> tuple[list[AuditEntry], int | None]:
        """Oldest first; the id to continue after, or None at the end."""


class DuplicatesView(Protocol):
    async def page(
        self, *, kota_code: str | None, agency: str | None, after: int, limit: int
    ) -> tuple[list[Pair], int | None]:
        """Pairs of the area with the same normalised name and birth date, not dismissed, in the order of
        their members' registration; the cursor to continue after, or None at the end."""

    async def pair_matches(self, pair: tuple[UUID, UUID]) -> bool:
        """Whether the two (not erased) participants have the same normalised name and birth date."""


class Duplicates(DuplicatesView, Protocol):
    async def dismiss(self, pair: tuple[UUID, UUID], subject: str, reason: str) -> Dismissal:
        """Records the dismissal once; dismissing the pair again answers the first."""


class StageFactsView(Protocol):
    async def earliest(self, participant_ids: Sequence[UUID]) -> dict[UUID, date]:
        """The earliest date of each participant's stage facts not voided, for those that have one."""


class RegistrationReads(Protocol):
    """Queries, and the audit entries of what they show."""

    @property
    def participants(self) -> ParticipantsView: ...
    @property
    def duplicates(self) -> DuplicatesView: ...
    @property
    def stage_facts(self) -> StageFactsView: ...
    @property
    def audit(self) -> AuditTrail: ...


class RegistrationWrites(Protocol):
    """The repositories of one transaction: what they store commits with its events and audit entries."""

    @property
    def participants(self) -> Participants: ...
    @property
    def duplicates(self) -> Duplicates: ...
    @property
    def stage_facts(self) -> StageFactsView: ...
    @property
    def audit(self) -> AuditTrail: ...


class RegistrationStorage(Storage[RegistrationWrites, RegistrationReads], Protocol):
    def audited(self) -> AbstractAsyncContextManager[RegistrationWrites]:
        """A transaction that records no event: it takes no writer's turn and wakes no relay."""

    def each_statement_commits(self) -> AbstractAsyncContextManager[RegistrationReads]:
        """Reads and their audit entries, each statement committed by itself: a transaction around them
        would guard nothing and cost two round trips (BEGIN, COMMIT) of a lookup's four. An entry is
        written before the answer leaves, and a failed one fails the request, as inside a transaction."""

    async def record_refusal(
        self, subject: str, action: Action, participant_id: UUID | str | None, detail: str
    ) -> None:
        """A refused attempt, in a short transaction of its own: the request's rolls back with the refusal."""
