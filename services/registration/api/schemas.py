"""Request and response bodies of the registration API (contract v1, PRODUCT.md §4)."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, ValidationError

from services.registration.domain.audit import Action, AuditEntry, Outcome
from services.registration.domain.batch import MAX_ROWS, OnDuplicate, RowResult, RowStatus
from services.registration.domain.nik import NIK_PATTERN, mask_nik
from services.registration.domain.participant import (
    Business,
    Domicile,
    Erased,
    Participant,
    RegisterParticipant,
    age_on,
)
from shared.contracts.enums import AgeBand, Agency, Gender, Sector
from shared.contracts.profile import KECAMATAN_CODE, KELURAHAN_CODE, KOTA_CODE
from shared.web.errors import _describe

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\+62|62|0)8[1-9][0-9]{6,10}$")]
# Exactly 16 ASCII digits: any other character (a full-width or Arabic-Indic digit, a space) is a 422.
Nik = Annotated[
    str,
    Field(
        pattern=NIK_PATTERN,
        description="16-digit national ID: ASCII digits 0-9 only",
        examples=["3171014509900001"],
    ),
]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DomicileIn(Strict):
    kota_code: str = Field(pattern=KOTA_CODE, examples=["31.71"])
    kecamatan_code: str = Field(pattern=KECAMATAN_CODE, examples=["31.71.01"])
    kelurahan_code: str = Field(pattern=KELURAHAN_CODE, examples=["31.71.01.1001"])


class BusinessIn(Strict):
    name: Name
    sector: Sector


class ParticipantIn(Strict):
    nik: Nik
    full_name: Name
    gender: Gender
    birth_date: date
    phone: Phone | None = None
    email: EmailStr | None = None
    disability: bool = False
    domicile: DomicileIn
    business: BusinessIn | None = None
    agency: Agency = Agency.PPKUKM
    registered_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")

    def to_command(self) -> RegisterParticipant:
        return RegisterParticipant(
            nik=self.nik,
            full_name=self.full_name,
            gender=self.gender,
            birth_date=self.birth_date,
            phone=self.phone,
            email=str(self.email) if self.email else None,
            disability=self.disability,
            domicile=Domicile(**self.domicile.model_dump()),
            business=Business(self.business.name, self.business.sector) if self.business else None,
            agency=self.agency,
            registered_on=self.registered_on,
        )


class BatchIn(Strict):
    rows: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ROWS,
        description="Each row is a `POST /participants` body; rows are checked one by one, so a bad row "
        "is reported in its result and never refuses the batch.",
    )
    on_duplicate: OnDuplicate = Field(
        default=OnDuplicate.SKIP,
        description="A NIK already registered: `skip` it, or `update` the record with the row",
    )
    dry_run: bool = Field(default=False, description="Check and report what would happen; write nothing")

    def commands(self) -> list[RegisterParticipant | RowResult]:
        """Each row through the very schema of `POST /participants`; a refused row becomes its result."""
        checked: list[RegisterParticipant | RowResult] = []
        for index, row in enumerate(self.rows):
            try:
                checked.append(ParticipantIn.model_validate(row).to_command())
            except ValidationError as exc:
                checked.append(RowResult.invalid(index, "validation_error", _readable(exc)))
        return checked


def _readable(exc: ValidationError) -> str:
    # The wording of a refused `POST /participants` body, so a row reads the same either way.
    return "; ".join(_describe(dict(error)) for error in exc.errors()[:5])


class LookupIn(Strict):
    nik: Nik


class EraseIn(Strict):
    reason: Reason = Field(
        description="Why (e.g. the person's request under UU 27/2022); kept in the audit trail, so write no "
        "personal data into it",
        examples=["permintaan penghapusan data oleh yang bersangkutan, surat 12/2024"],
    )


class ErasedOut(BaseModel):
    participant_id: UUID
    erased_at: datetime

    @classmethod
    def of(cls, erased: Erased) -> "ErasedOut":
        return cls(participant_id=erased.participant_id, erased_at=erased.erased_at)


class RowResultOut(BaseModel):
    index: int = Field(description="Position of the row in `rows`, from 0")
    status: RowStatus
    participant_id: UUID | None = Field(
        default=None,
        description="The participant created, updated or skipped (the one already registered) — left out "
        "when that participant is outside the caller's area",
    )
    code: str | None = Field(
        default=None,
        description="Why a row is invalid or skipped: validation_error, rule_violation, duplicate_in_file, "
        "out_of_scope (the row's kota or agency is outside the caller's area), duplicate_nik (skipped; or "
        "invalid when it would update a participant outside the caller's area, who is only ever "
        '"taken"), unchanged',
    )
    detail: str | None = Field(default=None, description="Readable reason")

    @classmethod
    def of(cls, result: RowResult) -> "RowResultOut":
        return cls(**vars(result))


class BatchOut(BaseModel):
    results: list[RowResultOut] = Field(description="One per row, in the order of `rows`")


class BusinessOut(BaseModel):
    name: str
    sector: Sector


class ParticipantOut(BaseModel):
    participant_id: UUID
    nik_masked: str = Field(
        description="The NIK's last 4 digits only (the first 12 encode region and birth date)",
        examples=["************0001"],
    )
    nik: str | None = Field(
        description="The full NIK for a caller with the `admin` role; null for every other caller, who "
        "gets `nik_masked` only"
    )
    full_name: str
    gender: Gender
    birth_date: date
    age_band: AgeBand
    phone: str | None
    email: str | None
    disability: bool
    domicile: DomicileIn
    business: BusinessOut | None
    agency: Agency
    ktp_dki: bool
    registered_on: date

    @classmethod
    def of(cls, p: Participant, *, unmasked: bool) -> "ParticipantOut":
        return cls(
            participant_id=p.participant_id,
            nik_masked=mask_nik(p.nik),
            nik=p.nik if unmasked else None,
            full_name=p.full_name,
            gender=p.gender,
            birth_date=p.birth_date,
            age_band=AgeBand.of_age(age_on(p.birth_date, p.registered_on)),
            phone=p.phone,
            email=p.email,
            disability=p.disability,
            domicile=DomicileIn(**vars(p.domicile)),
            business=BusinessOut(name=p.business.name, sector=p.business.sector) if p.business else None,
            agency=p.agency,
            ktp_dki=p.ktp_dki,
            registered_on=p.registered_on,
        )


class ParticipantPage(BaseModel):
    items: list[ParticipantOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class AuditEntryOut(BaseModel):
    entry_id: int
    recorded_at: datetime
    subject: str = Field(description="The account (token subject) that read or changed the data")
    action: Action = Field(
        description="`read` (GET one), `list` (on a page of GET /participants), `register` (POST), "
        "`import` (created by a batch), `update` (restated by a batch), `lookup` (their NIK was looked up: "
        "a 409, a batch row or dry run, POST /participants/lookup), `erase`"
    )
    participant_id: UUID | None = Field(
        description="Whom it was about — also a participant the caller was not told of; null for a NIK "
        "that matched nobody or a refused request about no one in particular"
    )
    correlation_id: str | None = Field(description="The request's X-Correlation-ID: groups a page's entries")
    outcome: Outcome = Field(
        description="`done`; for lookups `found` (named to the caller), `taken` (outside the caller's area: "
        "told only that the NIK is taken), `not_found`; `refused` (outside the caller's area: refused, "
        "or answered as unknown)"
    )
    detail: str | None = Field(description="An erasure's reason; why an attempt was refused")

    @classmethod
    def of(cls, entry: AuditEntry) -> "AuditEntryOut":
        return cls(**vars(entry))


class AuditPage(BaseModel):
    items: list[AuditEntryOut] = Field(description="Oldest first")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class KelurahanOut(BaseModel):
    code: str
    name: str


class KecamatanOut(BaseModel):
    code: str
    name: str
    kelurahan: list[KelurahanOut]


class KotaOut(BaseModel):
    code: str
    name: str
    kecamatan: list[KecamatanOut]
