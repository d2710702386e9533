"""Request and response bodies of the registration API (contract v1, PRODUCT.md §4)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from services.registration.domain.nik import mask_nik
from services.registration.domain.participant import (
    Business,
    Domicile,
    Participant,
    RegisterParticipant,
    age_on,
)
from shared.contracts.enums import AgeBand, Agency, Gender, Sector
from shared.contracts.profile import KECAMATAN_CODE, KELURAHAN_CODE, KOTA_CODE

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\+62|62|0)8[1-9]\d{6,10}$")]


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
    nik: str = Field(pattern=r"^\d{16}$", description="16-digit national ID", examples=["3171014509900001"])
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


class BusinessOut(BaseModel):
    name: str
    sector: Sector


class ParticipantOut(BaseModel):
    participant_id: UUID
    nik_masked: str = Field(description="NIK with birth date and serial hidden")
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
    def of(cls, p: Participant) -> "ParticipantOut":
        return cls(
            participant_id=p.participant_id,
            nik_masked=mask_nik(p.nik),
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
