"""The correction lifecycle of shared.corrections, on in-memory fakes: every stage's correct and void run it.

Real stage facts (a mentoring session, a permit's issue) go through a fake store that keeps one fact and can
let a concurrent request write between the lifecycle's read and its conditional write.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Generic
from uuid import UUID, uuid4

import pytest

from services.mentoring.domain.mentor import AssignMentor, assign
from services.mentoring.domain.session import HoldSession, Session, SessionContext, hold
from services.permits.domain.permit import ApplyForPermit, IssuePermit, Permit, apply
from shared.contracts.corrections import CorrectableFact
from shared.contracts.enums import PermitType
from shared.corrections import AlreadyVoided, ConcurrentChange, CorrectDate, Voided, VoidFact
from shared.corrections.lifecycle import Fact, correct, void
from shared.decisions import InvalidTransition
from shared.errors import NotFound, RuleViolation
from tests.factories import profile

TODAY = date(2024, 6, 30)
AT = datetime(2024, 6, 30, 3, tzinfo=UTC)
PROFILE = profile(registered_on=date(2023, 3, 1), kota_code="31.74", kecamatan_code="31.74.07")
MENTOR = assign(AssignMentor("PJLP-2023-0142", "Siti Rahmawati", "31.74.07", date(2023, 1, 2)), TODAY)
CONTEXT = SessionContext(PROFILE, MENTOR)
PARTICIPANT = uuid4()


@dataclass
class MemoryStore(Generic[Fact]):
    """One stored fact; `meanwhile` is a concurrent request's write, run just before the conditional write."""

    fact_id: UUID
    stored: Fact
    context: Any
    meanwhile: Callable[[Fact], Fact] | None = None
    reads: int = 0

    async def read(self, fact_id: UUID) -> Fact:
        if fact_id != self.fact_id:
            raise NotFound(f"fact {fact_id} not found")
        self.reads += 1
        return self.stored

    async def context_of(self, fact: Fact) -> Any:
        return self.context

    async def save_date(self, read: Fact, corrected: Fact) -> bool:
        return self._save_if_unchanged(read, corrected)

    async def save_void(self, read: Fact, voided: Fact, details: Voided) -> bool:
        return self._save_if_unchanged(read, voided)

    def _save_if_unchanged(self, read: Fact, new: Fact) -> bool:
        if self.meanwhile is not None:
            self.stored, self.meanwhile = self.meanwhile(self.stored), None
        if self.stored != read:
            return False
        self.stored = new
        return True


@dataclass
class MemoryLog:
    entries: list[tuple[str, CorrectableFact, date | None, str, str]] = field(default_factory=list)

    async def corrected(
        self, fact: CorrectableFact, *, fact_id: UUID, new_on: date, by: str, reason: str
    ) -> None:
        self.entries.append(("corrected", fact, new_on, by, reason))

    async def voided(self, fact: CorrectableFact, *, fact_id: UUID, by: str, reason: str) -> None:
        self.entries.append(("voided", fact, None, by, reason))


def session_store(**overrides: Any) -> MemoryStore[Session]:
    session = hold(
        HoldSession(PARTICIPANT, MENTOR.mentor_id, date(2024, 2, 1), "Kas", None),
        PROFILE,
        MENTOR,
        TODAY,
    )
    return MemoryStore(session.session_id, session, CONTEXT, **overrides)


def correction(store: MemoryStore[Any], on: date = date(2024, 1, 20)) -> CorrectDate:
    return CorrectDate(store.fact_id, on, "officer-7", "typed the wrong month")


def voiding(store: MemoryStore[Any]) -> VoidFact:
    return VoidFact(store.fact_id, "officer-7", "held with another participant")


async def test_a_correction_re_dates_the_fact_and_logs_it_as_it_stood() -> None:
    store, log = session_store(), MemoryLog()
    before = store.stored
    corrected = await correct(store, log, correction(store), TODAY)
    assert corrected == replace(before, held_on=date(2024, 1, 20)) == store.stored
    assert log.entries == [
        ("corrected", before.fact(CONTEXT), date(2024, 1, 20), "officer-7", "typed the wrong month")
    ]


async def test_a_correction_to_the_date_it_has_records_nothing_unless_the_stage_logs_it() -> None:
    store, log = session_store(), MemoryLog()
    same = correction(store, store.stored.held_on)
    assert await correct(store, log, same, TODAY) == store.stored
    assert log.entries == []
    await correct(store, log, same, TODAY, log_same_date=True)
    assert [entry[:3] for entry in log.entries] == [("corrected", store.stored.fact(CONTEXT), same.on)]


async def test_a_correction_breaking_the_facts_own_rules_is_refused_and_records_nothing() -> None:
    store, log = session_store(), MemoryLog()
    before = store.stored
    with pytest.raises(RuleViolation, match="after today"):
        await correct(store, log, correction(store, date(2024, 7, 1)), TODAY)
    assert store.stored == before and log.entries == []


async def test_a_void_keeps_the_fact_marked_voided_and_logs_it() -> None:
    store, log = session_store(), MemoryLog()
    before = store.stored
    voided = await void(store, log, voiding(store), AT)
    assert voided == replace(before, voided=True) == store.stored
    assert log.entries == [
        ("voided", before.fact(CONTEXT), None, "officer-7", "held with another participant")
    ]


async def test_void_then_correct_is_refused_as_already_voided() -> None:
    store, log = session_store(), MemoryLog()
    await void(store, log, voiding(store), AT)
    with pytest.raises(AlreadyVoided) as refused:
        await correct(store, log, correction(store), TODAY)
    assert (refused.value.status_code, refused.value.code) == (409, "already_voided")
    assert refused.value.context == {"session_id": str(store.fact_id)}
    assert [entry[0] for entry in log.entries] == ["voided"] and store.stored.voided


async def test_a_voided_fact_cannot_be_voided_again() -> None:
    store, log = session_store(), MemoryLog()
    await void(store, log, voiding(store), AT)
    with pytest.raises(AlreadyVoided):
        await void(store, log, voiding(store), AT)
    assert [entry[0] for entry in log.entries] == ["voided"]


async def test_a_correction_that_lost_the_race_to_a_void_is_refused_as_already_voided() -> None:
    store, log = session_store(meanwhile=lambda s: replace(s, voided=True)), MemoryLog()
    with pytest.raises(AlreadyVoided, match="is voided"):
        await correct(store, log, correction(store), TODAY)
    assert store.stored.held_on == date(2024, 2, 1) and log.entries == []


async def test_a_void_that_lost_the_race_to_a_correction_is_refused_as_a_concurrent_change() -> None:
    store, log = session_store(meanwhile=lambda s: replace(s, held_on=date(2024, 1, 5))), MemoryLog()
    with pytest.raises(ConcurrentChange) as refused:
        await void(store, log, voiding(store), AT)
    assert (refused.value.status_code, refused.value.code) == (409, "concurrent_change")
    assert refused.value.detail == (
        f"session {store.fact_id} was re-dated to 2024-01-05 by a concurrent request; retry"
    )
    assert not store.stored.voided and log.entries == []
    assert store.reads == 2, "the refusal reads the fact as it now stands"


async def test_an_unknown_fact_is_not_found_and_nothing_is_logged() -> None:
    store, log = session_store(), MemoryLog()
    with pytest.raises(NotFound):
        await correct(store, log, CorrectDate(uuid4(), TODAY, "officer-7", "x"), TODAY)
    with pytest.raises(NotFound):
        await void(store, log, VoidFact(uuid4(), "officer-7", "x"), AT)
    assert log.entries == []


def issued_permit() -> MemoryStore[Permit]:
    applied = apply(ApplyForPermit(PARTICIPANT, PermitType.NIB, date(2024, 1, 10)), PROFILE, TODAY)
    permit = applied.issue(IssuePermit(applied.permit_id, "1234567890123", date(2024, 2, 1)), TODAY)
    return MemoryStore(permit.permit_id, permit, PROFILE)


async def test_another_stage_refuses_in_its_own_terms_a_correction_that_lost_the_race_to_a_void() -> None:
    store, log = issued_permit(), MemoryLog()
    store.meanwhile = lambda p: p.void(Voided(AT, "officer-9", "wrong application"))
    with pytest.raises(InvalidTransition) as refused:
        await correct(store, log, correction(store, date(2024, 1, 20)), TODAY)
    assert refused.value.context == {"permit_id": str(store.fact_id), "status": "applied"}
    assert log.entries == []


async def test_another_stage_voids_through_the_same_lifecycle() -> None:
    store, log = issued_permit(), MemoryLog()
    issued = store.stored
    reopened = await void(store, log, voiding(store), AT)
    assert reopened.permit_number is None and reopened == store.stored
    assert log.entries == [
        ("voided", issued.fact(PROFILE), None, "officer-7", "held with another participant")
    ]
