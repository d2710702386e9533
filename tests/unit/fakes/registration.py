"""The registration repositories in memory, keeping the rules the database keeps for the SQL ones: one
participant per NIK (the unique index: NikTaken), erasure once, a dismissal once per pair, pages in
registration order of the area asked for, and an audit trail that only grows.

Besides `begin` and `view` (tests/unit/fakes/storage.py), registration's storage has `audited` (a
transaction that must record no event: it fails the test if it does), `each_statement_commits` (each write
kept at once, whatever follows) and `record_refusal` (an entry committed on its own).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Self
from uuid import UUID

from services.registration.adapters.repositories import Area, Holder, NikTaken, Pair
from services.registration.adapters.repository import Filters
from services.registration.domain.audit import Action, AuditEntry, FieldChange, Outcome
from services.registration.domain.duplicates import Dismissal, canonical
from services.registration.domain.names import NameTag, name_words, normalised_name
from services.registration.domain.participant import Erased, Participant
from shared.auth.principal import Principal
from shared.db.keyset import one_page
from tests.unit.fakes.paging import seq_page
from tests.unit.fakes.storage import FakeOutbox, FakeStorage

Race = Callable[["RegistrationState"], None]
_SEQ_BITS = 31  # as adapters.duplicates: two seqs packed into one cursor number


@dataclass
class RegistrationState:
    rows: dict[UUID, Participant | Erased] = field(default_factory=dict)  # registration order: seq 1, 2, …
    audit: list[AuditEntry] = field(default_factory=list)
    dismissals: dict[tuple[UUID, UUID], Dismissal] = field(default_factory=dict)
    earliest_facts: dict[UUID, date] = field(default_factory=dict)  # as followed from the stage topics
    locks: list[UUID] = field(default_factory=list)  # the rows a transaction locked, in order
    # A change another request commits just before this one's next write (then forgotten): a lost race.
    races: list[Race] = field(default_factory=list)

    def copy(self) -> Self:
        return type(self)(
            dict(self.rows),
            list(self.audit),
            dict(self.dismissals),
            dict(self.earliest_facts),
            list(self.locks),
            list(self.races),
        )

    def race(self) -> None:
        while self.races:
            self.races.pop(0)(self)

    def entries(self) -> list[tuple[Action, Outcome, UUID | None]]:
        """The audit trail, what was done to whom and what came of it."""
        return [(e.action, e.outcome, e.participant_id) for e in self.audit]

    @property
    def participants(self) -> dict[UUID, Participant]:
        return {pid: row for pid, row in self.rows.items() if isinstance(row, Participant)}


@dataclass(frozen=True)
class FakePage:
    participants: list[Participant]
    last_seq: int | None

    @property
    def participant_ids(self) -> list[str]:
        return [str(p.participant_id) for p in self.participants]

    def open(self) -> list[Participant]:
        return list(self.participants)


@dataclass(frozen=True)
class FakeNameTags:
    tags: list[NameTag]
    outside: list[UUID]

    @property
    def named(self) -> list[tuple[UUID, str]]:
        return [(tag.participant_id, str(tag.participant_id)) for tag in self.tags]

    def open(self) -> list[NameTag]:
        return list(self.tags)


def _matches(p: Participant, filters: Filters) -> bool:
    given = (
        (filters.kota_code, p.domicile.kota_code),
        (filters.agency, p.agency.value),
        (filters.kecamatan_code, p.domicile.kecamatan_code),
        (filters.kelurahan_code, p.domicile.kelurahan_code),
    )
    words = set(name_words(p.full_name))
    return all(not wanted or wanted == value for wanted, value in given) and words >= set(
        name_words(filters.name or "")
    )


@dataclass(frozen=True)
class FakeParticipants:
    state: RegistrationState
    outbox: FakeOutbox

    async def get(self, participant_id: UUID) -> Participant | Erased | None:
        return self.state.rows.get(participant_id)

    async def locked(self, participant_id: UUID) -> Participant | Erased | None:
        self.state.locks.append(participant_id)
        return await self.get(participant_id)

    async def area_of(self, participant_id: UUID) -> Area | None:
        row = self.state.rows.get(participant_id)
        if row is None:
            return None
        erased_at = row.erased_at if isinstance(row, Erased) else None
        return Area(*row.area, erased_at)

    async def holder_of_nik(self, nik: str) -> Holder | None:
        found = await self.by_nik(nik)
        return None if found is None else Holder(str(found.participant_id), *found.area)

    async def by_nik(self, nik: str) -> Participant | None:
        return next((p for p in self.state.participants.values() if p.nik == nik), None)

    async def by_niks(self, niks: Sequence[str]) -> dict[str, Participant]:
        return {p.nik: p for p in self.state.participants.values() if p.nik in niks}

    async def locked_by_niks(self, niks: Sequence[str]) -> dict[str, Participant]:
        found = await self.by_niks(niks)
        self.state.locks.extend(p.participant_id for p in found.values())
        return found

    async def page(self, filters: Filters, *, after_seq: int, limit: int) -> FakePage:
        numbered = enumerate(self.state.rows.values(), start=1)
        kept = [(seq, p) for seq, p in numbered if isinstance(p, Participant) and _matches(p, filters)]
        return FakePage(*seq_page(kept, after_seq, limit))

    async def name_tags(self, participant_ids: Sequence[UUID], caller: Principal) -> FakeNameTags:
        found = [p for pid in participant_ids if (p := self.state.participants.get(pid))]
        return FakeNameTags(
            [
                NameTag.of_text(p.participant_id, NameTag.text(p.nik, p.full_name))
                for p in found
                if caller.covers(*p.area)
            ],
            [p.participant_id for p in found if not caller.covers(*p.area)],
        )

    async def add(self, *new: Participant) -> None:
        self.state.race()
        for p in new:
            if await self.by_nik(p.nik) is not None:
                raise NikTaken(p.nik)  # the unique index on the NIK digest
            self.state.rows[p.participant_id] = p
        await self.outbox.collect(*new)

    async def update(self, *changed: Participant) -> None:
        self.state.race()
        for p in changed:
            holder = await self.by_nik(p.nik)
            if holder is not None and holder.participant_id != p.participant_id:
                raise NikTaken(p.nik)
            self.state.rows[p.participant_id] = p
        await self.outbox.collect(*changed)

    async def erase(self, participant_id: UUID) -> datetime | None:
        self.state.race()
        row = self.state.rows[participant_id]
        if isinstance(row, Erased):
            return None  # erased meanwhile: the condition makes two erasures one
        erased_at = datetime.now(UTC)
        self.state.rows[participant_id] = Erased(participant_id, *row.area, erased_at)
        return erased_at


@dataclass(frozen=True)
class FakeAuditTrail:
    state: RegistrationState

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
        for pid in participant_ids:
            self.state.audit.append(
                AuditEntry(
                    entry_id=len(self.state.audit) + 1,
                    recorded_at=datetime.now(UTC),
                    subject=subject,
                    action=action,
                    participant_id=None if pid is None else UUID(str(pid)),
                    correlation_id=None,
                    outcome=outcome,
                    detail=detail,
                    changes=None if changes is None else tuple(changes),
                )
            )

    async def page(
        self, *, participant_id: UUID | None, subject: str | None, after_id: int, limit: int
    ) -> tuple[list[AuditEntry], int | None]:
        kept = [
            e
            for e in self.state.audit
            if e.entry_id > after_id
            and participant_id in (None, e.participant_id)
            and subject in (None, e.subject)
        ]
        entries, last = one_page(kept, limit)
        return entries, (last.entry_id if last else None)


@dataclass(frozen=True)
class FakeDuplicates:
    state: RegistrationState

    def _pairs(self, kota_code: str | None, agency: str | None) -> list[tuple[int, int, Pair]]:
        numbered = [
            (seq, p)
            for seq, p in enumerate(self.state.rows.values(), start=1)
            if isinstance(p, Participant)
            and kota_code in (None, p.domicile.kota_code)
            and agency in (None, p.agency.value)
        ]
        return [
            (sa, sb, (a, b))
            for sa, a in numbered
            for sb, b in numbered
            if sa < sb
            and _same_person(a, b)
            and canonical(a.participant_id, b.participant_id) not in self.state.dismissals
        ]

    async def page(
        self, *, kota_code: str | None, agency: str | None, after: int, limit: int
    ) -> tuple[list[Pair], int | None]:
        position = divmod(after, 1 << _SEQ_BITS)
        kept = [found for found in self._pairs(kota_code, agency) if found[:2] > position]
        shown, last = one_page(kept, limit)
        return [pair for _, _, pair in shown], None if last is None else (last[0] << _SEQ_BITS) | last[1]

    async def pair_matches(self, pair: tuple[UUID, UUID]) -> bool:
        a, b = (self.state.participants.get(pid) for pid in pair)
        return a is not None and b is not None and _same_person(a, b)

    async def dismiss(self, pair: tuple[UUID, UUID], subject: str, reason: str) -> Dismissal:
        self.state.race()
        key = canonical(*pair)
        if key not in self.state.dismissals:  # of two at once, the first wins
            self.state.dismissals[key] = Dismissal(*key, subject, datetime.now(UTC), reason)
        return self.state.dismissals[key]


def _same_person(a: Participant, b: Participant) -> bool:
    return (normalised_name(a.full_name), a.birth_date) == (normalised_name(b.full_name), b.birth_date)


@dataclass(frozen=True)
class FakeStageFacts:
    state: RegistrationState

    async def earliest(self, participant_ids: Sequence[UUID]) -> dict[UUID, date]:
        facts = self.state.earliest_facts
        return {pid: facts[pid] for pid in participant_ids if pid in facts}


@dataclass(frozen=True)
class FakeRegistration:
    participants: FakeParticipants
    duplicates: FakeDuplicates
    stage_facts: FakeStageFacts
    audit: FakeAuditTrail

    @classmethod
    def on(cls, state: RegistrationState, outbox: FakeOutbox) -> FakeRegistration:
        return cls(
            FakeParticipants(state, outbox),
            FakeDuplicates(state),
            FakeStageFacts(state),
            FakeAuditTrail(state),
        )


@dataclass
class FakeRegistrationStorage(FakeStorage[RegistrationState, FakeRegistration, FakeRegistration]):
    @asynccontextmanager
    async def audited(self) -> AsyncIterator[FakeRegistration]:
        async with self.begin() as tx:
            yield tx
            assert not tx.participants.outbox.facts, "an audited transaction records no event"

    @asynccontextmanager
    async def each_statement_commits(self) -> AsyncIterator[FakeRegistration]:
        outbox = FakeOutbox()
        yield FakeRegistration.on(self.state, outbox)  # the committed state itself: each write is kept
        assert not outbox.facts, "reads record no event"

    async def record_refusal(
        self, subject: str, action: Action, participant_id: UUID | str | None, detail: str
    ) -> None:
        refusals = FakeAuditTrail(self.state)  # on the committed state: its own transaction
        await refusals.record(subject, action, [participant_id], outcome=Outcome.REFUSED, detail=detail)


def fake_registration_storage(state: RegistrationState | None = None) -> FakeRegistrationStorage:
    """A view reads the committed state through the same repositories, on a copy: like the read-only
    connection, which rolls back when it closes, it keeps nothing a handler might write there."""
    return FakeRegistrationStorage(
        state or RegistrationState(),
        writes=FakeRegistration.on,
        reads=lambda state: FakeRegistration.on(state.copy(), FakeOutbox()),
    )
