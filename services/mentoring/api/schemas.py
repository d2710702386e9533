"""Request and response bodies of the mentoring API (contract v1, PRODUCT.md §4)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.mentoring.commands import AssignMentor, HoldSession
from services.mentoring.domain.caseload import CaseloadEntry
from services.mentoring.domain.mentor import Mentor
from services.mentoring.domain.session import Session
from shared.contracts.profile import KECAMATAN_CODE, KOTA_CODE

StaffNumber = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=50,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9./-]*$",
    ),
]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
KecamatanCode = Annotated[str, StringConstraints(pattern=KECAMATAN_CODE)]

MENTOR_ID = "6f1c2a52-8d3e-4c55-9f0e-2b7d1a9c4e10"
PARTICIPANT_ID = "0b9e4c1d-3f7a-4e2b-8c6d-5a1f2e3d4c5b"
SESSION_ID = "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # subclasses' configs merge with this one


class MentorIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "staff_number": "PJLP-2023-0142",
                    "full_name": "Siti Rahmawati",
                    "kecamatan_code": "31.71.01",
                    "assigned_on": "2023-01-02",
                }
            ]
        },
    )

    staff_number: StaffNumber = Field(
        description="PJLP staff number, unique; letters, digits, '.', '/' and '-', stored in upper case"
    )
    full_name: FullName = Field(description="Personal data: kept in the mentoring database only")
    kecamatan_code: KecamatanCode = Field(
        description="Kemendagri code of the Jakarta kecamatan the mentor serves", examples=["31.71.01"]
    )
    assigned_on: date | None = Field(
        default=None,
        description="Start of the assignment; not in the future; defaults to today (Asia/Jakarta)",
    )

    def to_command(self) -> AssignMentor:
        return AssignMentor(self.staff_number, self.full_name, self.kecamatan_code, self.assigned_on)


class MentorOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "mentor_id": MENTOR_ID,
                    "staff_number": "PJLP-2023-0142",
                    "full_name": "Siti Rahmawati",
                    "kota_code": "31.71",
                    "kecamatan_code": "31.71.01",
                    "assigned_on": "2023-01-02",
                }
            ]
        }
    )

    mentor_id: UUID
    staff_number: str
    full_name: str
    kota_code: str = Field(pattern=KOTA_CODE, description="The kota the kecamatan lies in")
    kecamatan_code: str = Field(pattern=KECAMATAN_CODE)
    assigned_on: date

    @classmethod
    def of(cls, m: Mentor) -> "MentorOut":
        return cls(**vars(m))


class MentorPage(BaseModel):
    items: list[MentorOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class SessionIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "participant_id": PARTICIPANT_ID,
                    "mentor_id": MENTOR_ID,
                    "held_on": "2023-02-14",
                    "topic": "Pencatatan keuangan sederhana",
                    "notes": "Belum memisahkan uang usaha dan pribadi; dibantu membuat buku kas.",
                }
            ]
        },
    )

    participant_id: UUID = Field(description="A participant registration has told this service of")
    mentor_id: UUID = Field(description="A mentor serving the participant's kecamatan")
    held_on: date | None = Field(
        default=None,
        description="Not before the participant's registration nor the mentor's assignment, not in the "
        "future; defaults to today (Asia/Jakarta)",
    )
    topic: Topic = Field(description="What the session was about; kept here, never published")
    notes: Notes | None = Field(
        default=None, description="Free text that may be sensitive: kept here, never published"
    )

    def to_command(self) -> HoldSession:
        return HoldSession(self.participant_id, self.mentor_id, self.held_on, self.topic, self.notes or None)


class SessionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "session_id": SESSION_ID,
                    "participant_id": PARTICIPANT_ID,
                    "mentor_id": MENTOR_ID,
                    "held_on": "2023-02-14",
                    "topic": "Pencatatan keuangan sederhana",
                    "notes": "Belum memisahkan uang usaha dan pribadi; dibantu membuat buku kas.",
                    "voided": False,
                }
            ]
        }
    )

    session_id: UUID
    participant_id: UUID
    mentor_id: UUID
    held_on: date
    topic: str
    notes: str | None
    voided: bool = Field(description="Recorded by mistake: kept for the record, counted nowhere")

    @classmethod
    def of(cls, s: Session) -> "SessionOut":
        return cls(**vars(s))


class SessionPage(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class CaseloadEntryOut(BaseModel):
    participant_id: UUID
    last_session_on: date = Field(description="The latest session with this mentor that stands")
    idle_days: int = Field(description="Days since that session (Asia/Jakarta days)", examples=[45])
    sessions: int = Field(description="Sessions with this mentor that stand (voided ones left out)")

    @classmethod
    def of(cls, entry: CaseloadEntry, today: date) -> "CaseloadEntryOut":
        return cls(idle_days=entry.idle_days(today), **vars(entry))


class CaseloadPage(BaseModel):
    items: list[CaseloadEntryOut] = Field(description="Most idle first")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")
