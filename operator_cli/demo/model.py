"""What a demo history consists of: plain, dated facts, with no ids a service hands out.

A plan refers to what services will create by its own keys (a class key, a mentor's staff number, an
exhibition key); the executor maps them to the ids the APIs return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.contracts.enums import (
    Agency,
    CurationLevel,
    ExhibitionKind,
    ExhibitionScope,
    FinancingProduct,
    Gender,
    PermitType,
    Sector,
    TrainingFormat,
    TrainingProgram,
)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Domicile:
    kota_code: str
    kecamatan_code: str
    kelurahan_code: str


@dataclass(frozen=True)
class Person:
    nik: str
    full_name: str
    gender: Gender
    birth_date: date
    phone: str | None
    email: str | None
    disability: bool
    kota_code: str
    kecamatan_code: str
    kelurahan_code: str
    business_name: str | None  # job-seekers register without a business
    sector: Sector | None
    agency: Agency
    registered_on: date


@dataclass(frozen=True)
class TrainingClass:
    key: str
    title: str
    program: TrainingProgram
    format: TrainingFormat
    kota_code: str
    venue: str
    starts_on: date
    ends_on: date
    capacity: int


@dataclass(frozen=True)
class Enrolment:
    class_key: str
    enrolled_on: date
    completed_on: date | None  # None: dropped out, or the class has not ended by the period's end
    withdrawn_on: date | None = None  # a drop-out the trainer recorded: the place is freed
    refills: bool = False  # enrols in the full class only after a withdrawal freed a place


@dataclass(frozen=True)
class Placement:
    employer: str
    placed_on: date


@dataclass(frozen=True)
class PermitCase:
    permit_type: PermitType
    applied_on: date
    issued_on: date | None = None
    permit_number: str | None = None
    rejected_on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Mentor:
    staff_number: str  # unique: also the plan's key for the mentor
    full_name: str
    kecamatan_code: str
    assigned_on: date


@dataclass(frozen=True)
class Session:
    staff_number: str
    held_on: date
    topic: str
    notes: str | None


@dataclass(frozen=True)
class Exhibition:
    key: str
    title: str
    kind: ExhibitionKind
    scope: ExhibitionScope
    venue: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Curation:
    level: CurationLevel
    passed: bool
    criteria: tuple[tuple[str, int], ...]
    curated_on: date


@dataclass(frozen=True)
class Showing:
    exhibition_key: str
    shown_on: date


@dataclass(frozen=True)
class Product:
    name: str
    sector: Sector | None
    registered_on: date
    curations: tuple[Curation, ...]  # in the order they happen
    showings: tuple[Showing, ...]
    listed_on: date | None


@dataclass(frozen=True)
class Report:
    period_start: date
    period_end: date
    revenue: int
    expenses: int
    employees: int
    submitted_on: date


@dataclass(frozen=True)
class Financing:
    lender: str
    product: FinancingProduct
    amount: int
    applied_on: date
    approved_amount: int | None = None
    approved_on: date | None = None
    disbursed_on: date | None = None
    rejected_on: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Edit:
    """A registrar's correction (PATCH), sent once every stage fact of the participant is recorded."""

    reason: str
    phone: str | None = None  # a corrected phone number: no counted attribute changes
    domicile: Domicile | None = None  # another kelurahan, or a move to another kota

    @property
    def changes_profile(self) -> bool:
        """Whether registration publishes ParticipantUpdated for it (the profile carries the domicile)."""
        return self.domicile is not None


@dataclass(frozen=True)
class Journey:
    """One participant's history. Within a stage, facts are listed in the order they must be recorded."""

    person: Person
    courses: tuple[Enrolment, ...] = ()  # entrepreneurship classes
    vocational: tuple[Enrolment, ...] = ()
    placements: tuple[Placement, ...] = ()
    permits: tuple[PermitCase, ...] = ()
    sessions: tuple[Session, ...] = ()
    products: tuple[Product, ...] = ()
    reports: tuple[Report, ...] = ()
    financing: tuple[Financing, ...] = ()
    edits: tuple[Edit, ...] = ()

    @property
    def home(self) -> Domicile:
        """Where the participant lives once the edits are made: where every figure counts them."""
        p = self.person
        moved = [e.domicile for e in self.edits if e.domicile]
        return moved[-1] if moved else Domicile(p.kota_code, p.kecamatan_code, p.kelurahan_code)

    @property
    def moved_kota(self) -> bool:
        return self.home.kota_code != self.person.kota_code
