"""Registering many participants at once (legacy imports): the same rules as one, row by row, free of I/O.

A batch never fails as a whole for a bad row: every row gets its own result. Within a batch the first row
of a NIK claims it; later rows of that NIK are refused as `duplicate_in_file`. A NIK already registered is
skipped, or restated (`update`) when the caller asks for it — never with a registration date after the
participant's earliest stage fact (`stage_fact_precedes`). A row whose kota or agency is outside the
caller's area is `out_of_scope`. A NIK registered outside the caller's area is only ever "taken"
(`duplicate_nik` without a participant_id, PRODUCT.md §2): skipped, or refused when it would be restated,
with the same words as `POST /participants`' 409 (DuplicateNik.of).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from uuid import UUID

from services.registration.domain.participant import (
    DuplicateNik,
    Participant,
    RegisterParticipant,
    register,
    restate,
)
from services.registration.domain.stage_facts import registration_date_problem
from shared.auth.principal import OutOfScope
from shared.errors import RuleViolation

MAX_ROWS = 500
DUPLICATE_IN_FILE = "duplicate_in_file"
UNCHANGED = "unchanged"

AreaCheck = Callable[[str, str], str | None]
"""Why a kota and agency lie outside the caller's area, or None when the caller may act there."""


def anywhere(_kota_code: str, _agency: str) -> str | None:
    return None


class OnDuplicate(StrEnum):
    SKIP = "skip"
    UPDATE = "update"


class RowStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"
    INVALID = "invalid"
    WOULD_CREATE = "would_create"
    WOULD_UPDATE = "would_update"


@dataclass(frozen=True)
class RowResult:
    index: int
    status: RowStatus
    participant_id: UUID | None = None
    code: str | None = None
    detail: str | None = None

    @classmethod
    def invalid(cls, index: int, code: str, detail: str) -> "RowResult":
        return cls(index, RowStatus.INVALID, code=code, detail=detail)

    def as_dry_run(self) -> "RowResult":
        """The same outcome, said in the conditional: nothing was written, so a new row has no id yet."""
        if self.status is RowStatus.CREATED:
            return RowResult(self.index, RowStatus.WOULD_CREATE)
        if self.status is RowStatus.UPDATED:
            return replace(self, status=RowStatus.WOULD_UPDATE)
        return self


@dataclass(frozen=True)
class Candidate:
    """A row that passed every registration rule and is the first of its NIK in the batch."""

    index: int
    command: RegisterParticipant
    participant: Participant


@dataclass(frozen=True)
class Screened:
    candidates: list[Candidate]
    rejected: list[RowResult]

    @property
    def niks(self) -> list[str]:
        return [c.participant.nik for c in self.candidates]


@dataclass(frozen=True)
class Change:
    before: Participant
    after: Participant

    @property
    def profile_changed(self) -> bool:
        """Followers only store the profile: a new phone number or name is no news to them."""
        return self.before.profile() != self.after.profile()


@dataclass
class Decisions:
    """What storing the candidates does, given the participants already registered under their NIKs."""

    create: list[Participant] = field(default_factory=list)
    update: list[Change] = field(default_factory=list)
    results: list[RowResult] = field(default_factory=list)
    # For the audit trail: participants whose NIK a row matched, and what the caller learnt of them.
    found: list[UUID] = field(default_factory=list)  # in the caller's area, named, not restated
    taken: list[UUID] = field(default_factory=list)  # outside it: told only "taken"
    refused: list[UUID] = field(default_factory=list)  # outside it, and the row would have restated them


def screen(
    rows: Sequence[RegisterParticipant | RowResult], today: date, outside: AreaCheck = anywhere
) -> Screened:
    """Rows whose shape was refused arrive as results already; the others meet the registration rules."""
    candidates: list[Candidate] = []
    rejected: list[RowResult] = []
    first_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        if isinstance(row, RowResult):
            rejected.append(row)
        elif refusal := outside(row.domicile.kota_code, row.agency.value):
            rejected.append(RowResult.invalid(index, OutOfScope.code, refusal))
        elif row.nik in first_of:
            detail = f"the same NIK as row {first_of[row.nik]} of this batch, which is the one taken"
            rejected.append(RowResult.invalid(index, DUPLICATE_IN_FILE, detail))
        else:
            first_of[row.nik] = index
            try:
                candidates.append(Candidate(index, row, register(row, today)))
            except RuleViolation as exc:
                rejected.append(RowResult.invalid(index, exc.code, exc.detail))
    return Screened(candidates, rejected)


def decide(
    candidates: Sequence[Candidate],
    registered: Mapping[str, Participant],
    on_duplicate: OnDuplicate,
    today: date,
    outside: AreaCheck = anywhere,
    *,
    earliest_facts: Mapping[UUID, date] | None = None,
) -> Decisions:
    """`earliest_facts`: the earliest stage fact date of registered participants that have one."""
    decisions = Decisions()
    earliest = earliest_facts or {}
    for c in candidates:
        existing = registered.get(c.participant.nik)
        if existing is None:
            decisions.create.append(c.participant.newly_registered())
            decisions.results.append(RowResult(c.index, RowStatus.CREATED, c.participant.participant_id))
        elif outside(*existing.area):
            taken = DuplicateNik.of(None).detail
            if on_duplicate is OnDuplicate.SKIP:
                decisions.taken.append(existing.participant_id)
                decisions.results.append(
                    RowResult(c.index, RowStatus.SKIPPED, None, DuplicateNik.code, taken)
                )
            else:
                decisions.refused.append(existing.participant_id)
                decisions.results.append(RowResult.invalid(c.index, DuplicateNik.code, taken))
        elif on_duplicate is OnDuplicate.SKIP:
            decisions.found.append(existing.participant_id)
            detail = DuplicateNik.of(existing.participant_id).detail
            decisions.results.append(_skipped(c.index, existing, DuplicateNik.code, detail))
        else:
            decisions.results.append(
                _update(c, existing, today, earliest.get(existing.participant_id), decisions)
            )
    return decisions


def _update(
    c: Candidate, existing: Participant, today: date, earliest_fact: date | None, decisions: Decisions
) -> RowResult:
    try:
        after = restate(existing, c.command, today)
    except RuleViolation as exc:  # e.g. the stored registration date, kept, breaks a rule with this row
        decisions.found.append(existing.participant_id)
        return RowResult.invalid(c.index, exc.code, exc.detail)
    moved = after.registered_on != existing.registered_on
    if moved and (refusal := registration_date_problem(after.registered_on, earliest_fact)):
        decisions.found.append(existing.participant_id)
        return RowResult.invalid(c.index, refusal.code, refusal.detail)
    if after == existing:
        decisions.found.append(existing.participant_id)
        return _skipped(c.index, existing, UNCHANGED, "the registered record already says the same")
    decisions.update.append(Change(existing, after))
    return RowResult(c.index, RowStatus.UPDATED, existing.participant_id)


def _skipped(index: int, existing: Participant, code: str, detail: str) -> RowResult:
    return RowResult(index, RowStatus.SKIPPED, existing.participant_id, code, detail)
