"""Request and response bodies of the registration API (contract v1, PRODUCT.md §4)."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from services.registration.domain.audit import Action, AuditEntry, FieldChange, Outcome, Value
from services.registration.domain.batch import MAX_ROWS, OnDuplicate, RowResult, RowStatus
from services.registration.domain.duplicates import Dismissal
from services.registration.domain.names import NameTag
from services.registration.domain.nik import NIK_PATTERN, mask_nik
from services.registration.domain.participant import (
    Business,
    Domicile,
    Erased,
    Participant,
    RegisterParticipant,
    age_on,
)
from services.registration.domain.upkeep import EditParticipant
from shared.contracts.enums import AgeBand, Agency, Gender, Sector
from shared.contracts.profile import KECAMATAN_CODE, KELURAHAN_CODE, KOTA_CODE
from shared.regions import Kota
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
    """An address of the programme area (`PROGRAMME_AREA`, DKI Jakarta by default): its kabupaten/kota,
    a kecamatan of it and a kelurahan/desa of that, as dotted Kemendagri codes (`GET /regions`)."""

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


# Fields a PATCH may set to null: the optional ones of a registration.
CLEARABLE = frozenset({"phone", "email", "business"})


class ParticipantPatch(Strict):
    """A `POST /participants` body's fields, each optional, with the reason for the change."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "salah ketik nomor telepon", "phone": "081298765432"},
                {
                    "reason": "pindah domisili (surat keterangan kelurahan)",
                    "domicile": {
                        "kota_code": "31.71",
                        "kecamatan_code": "31.71.01",
                        "kelurahan_code": "31.71.01.1002",
                    },
                },
                {"reason": "NIK salah ketik saat pendaftaran", "nik": "3171014509900002"},
            ]
        },
    )

    reason: Reason = Field(
        description="Why the record changes; kept in the audit trail, so write no personal data into it",
        examples=["salah ketik nomor telepon"],
    )
    nik: Nik | None = None
    full_name: Name | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    phone: Phone | None = Field(default=None, description="null clears it")
    email: EmailStr | None = Field(default=None, description="null clears it")
    disability: bool | None = None
    domicile: DomicileIn | None = None
    business: BusinessIn | None = Field(default=None, description="null: no business any more")
    agency: Agency | None = None
    registered_on: date | None = Field(
        default=None, description="May not move after the participant's earliest stage fact"
    )

    @model_validator(mode="after")
    def _only_optional_fields_cleared(self) -> "ParticipantPatch":
        for name in self.model_fields_set - CLEARABLE - {"reason"}:
            if getattr(self, name) is None:
                raise ValueError(
                    f"{name} may not be null (only {', '.join(sorted(CLEARABLE))} may be cleared)"
                )
        return self

    def to_command(self) -> EditParticipant:
        changes: dict[str, Any] = {}
        for name in self.model_fields_set - {"reason"}:
            value = getattr(self, name)
            if isinstance(value, DomicileIn):
                value = Domicile(**value.model_dump())
            elif isinstance(value, BusinessIn):
                value = Business(value.name, value.sector)
            elif name == "email" and value is not None:
                value = str(value)
            changes[name] = value
        return EditParticipant(self.reason, changes)


MAX_RESOLVE = 500


class ResolveIn(Strict):
    participant_ids: list[UUID] = Field(
        min_length=1,
        max_length=MAX_RESOLVE,
        description=f"Up to {MAX_RESOLVE} ids, e.g. of a class roster or a work list",
        examples=[["0b6f3e4c-5d1a-4f8e-9c2b-7a1d2e3f4a5b"]],
    )


class NameTagOut(BaseModel):  # a NameTag as answered: ResolveOut.of reads its fields by name
    participant_id: UUID
    full_name: str = Field(examples=["Siti Aminah"])
    nik_masked: str = Field(description="The NIK's last 4 digits only", examples=["************0001"])


class ResolveOut(BaseModel):
    items: list[NameTagOut] = Field(
        description="In the order asked, each id once; ids outside the caller's area, unknown or erased "
        "are left out"
    )

    @classmethod
    def of(cls, tags: Sequence[NameTag]) -> "ResolveOut":
        """Validated in one call, each tag read by attribute: 500 NameTagOut.of calls cost twice as much."""
        return cls.model_validate({"items": tags}, from_attributes=True)


class DuplicateMemberOut(BaseModel):
    participant_id: UUID
    full_name: str
    nik_masked: str = Field(examples=["************0001"])
    birth_date: date
    domicile: DomicileIn
    agency: Agency
    registered_on: date

    @classmethod
    def of(cls, p: Participant) -> "DuplicateMemberOut":
        return cls(
            participant_id=p.participant_id,
            full_name=p.full_name,
            nik_masked=mask_nik(p.nik),
            birth_date=p.birth_date,
            domicile=DomicileIn(**vars(p.domicile)),
            agency=p.agency,
            registered_on=p.registered_on,
        )


class PossibleDuplicateOut(BaseModel):
    participants: list[DuplicateMemberOut] = Field(
        description="The two participants, earlier registration first: the same normalised name and "
        "birth date, different NIKs"
    )


class PossibleDuplicatePage(BaseModel):
    items: list[PossibleDuplicateOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class DismissIn(Strict):
    participant_ids: list[UUID] = Field(
        min_length=2,
        max_length=2,
        description="The pair, as `GET /participants/possible-duplicates` lists it (either order)",
        examples=[["0b6f3e4c-5d1a-4f8e-9c2b-7a1d2e3f4a5b", "6a1c9e2d-3b4f-4a5e-8d7c-1f2e3d4c5b6a"]],
    )
    reason: Reason = Field(
        description="Why they are two people; kept with the dismissal and in the audit trail, so write no "
        "personal data into it",
        examples=["dua orang berbeda: dicek dengan KTP asli di loket"],
    )

    @field_validator("participant_ids")
    @classmethod
    def _two_people(cls, ids: list[UUID]) -> list[UUID]:
        if len(set(ids)) != len(ids):
            raise ValueError("name two different participants")
        return ids

    @property
    def pair(self) -> tuple[UUID, UUID]:
        return self.participant_ids[0], self.participant_ids[1]


class DismissalOut(BaseModel):
    participant_ids: list[UUID] = Field(description="The pair, smaller id first")
    dismissed_by: str = Field(description="The account (token subject) that dismissed it")
    dismissed_at: datetime
    reason: str

    @classmethod
    def of(cls, d: Dismissal) -> "DismissalOut":
        return cls(
            participant_ids=[d.first_id, d.second_id],
            dismissed_by=d.dismissed_by,
            dismissed_at=d.dismissed_at,
            reason=d.reason,
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
        '"taken"), stage_fact_precedes (an update would move registered_on after the participant\'s '
        "earliest stage fact), unchanged",
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
    detail: str | None = Field(
        description="An erasure's, edit's or dismissal's reason; why an attempt was refused"
    )
    changes: list["FieldChangeOut"] | None = Field(
        default=None, description="What an edit (PATCH) changed; null for every other entry"
    )

    @classmethod
    def of(cls, entry: AuditEntry) -> "AuditEntryOut":
        changes = None if entry.changes is None else [FieldChangeOut.of(c) for c in entry.changes]
        return cls(**{**vars(entry), "changes": changes})


class FieldChangeOut(BaseModel):
    field: str = Field(examples=["kelurahan_code"])
    before: Value = Field(
        description="The value before; null for a personal field (NIK, name, birth date, phone, e-mail, "
        "business name), which the trail names but never keeps: it outlives an erasure",
        examples=["31.71.01.1001"],
    )
    after: Value = Field(description="The value after; null for a personal field", examples=["31.71.01.1002"])

    @classmethod
    def of(cls, change: FieldChange) -> "FieldChangeOut":
        return cls(**vars(change))


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

    @classmethod
    def of(cls, kota: Kota) -> "KotaOut":
        return cls(
            code=kota.code,
            name=kota.name,
            kecamatan=[
                KecamatanOut(
                    code=kec.code,
                    name=kec.name,
                    kelurahan=[KelurahanOut(code=kel.code, name=kel.name) for kel in kec.kelurahan],
                )
                for kec in kota.kecamatan
            ],
        )


class ProvinceOut(BaseModel):
    code: str = Field(examples=["31"])
    name: str = Field(examples=["Daerah Khusus Ibukota Jakarta"])
