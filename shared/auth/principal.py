"""The caller as a token describes them: an account, its roles and the area it may act in."""

from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.profile import ParticipantProfile
from shared.errors import DomainError


class Role(StrEnum):
    REGISTRAR = "registrar"
    TRAINER = "trainer"
    PERMIT_OFFICER = "permit_officer"
    MENTOR = "mentor"
    MARKETING = "marketing"
    FINANCE = "finance"
    ANALYST = "analyst"
    ADMIN = "admin"  # holds every role


MAX_SUBJECT_CHARS = 100  # what audit trails, correction logs and events' `by` store


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class OutOfScope(DomainError):
    status_code = 403
    code = "out_of_scope"


@dataclass(frozen=True)
class Principal:
    subject: str  # the account id: recorded in audit trails and corrections, never a name
    roles: frozenset[Role]
    kota: str | None = None  # scoped to one kota (31.71 …), or to the whole province
    agency: str | None = None  # scoped to one supervising agency's participants, or to all

    def has(self, role: Role) -> bool:
        return Role.ADMIN in self.roles or role in self.roles

    def require(self, *any_of: Role) -> None:
        if not any(self.has(role) for role in any_of):
            needed = " or ".join(role.value for role in any_of)
            raise Forbidden(f"this needs the {needed} role", required=needed)

    @property
    def scoped(self) -> bool:
        return self.kota is not None or self.agency is not None

    def covers(self, kota_code: str, agency: str) -> bool:
        return (self.kota is None or self.kota == kota_code) and (
            self.agency is None or self.agency == agency
        )

    def outside(self, kota_code: str, agency: str) -> str | None:
        """Why a kota and agency lie outside this caller's area, or None when the caller may act there."""
        if self.covers(kota_code, agency):
            return None
        return f"kota {kota_code}, agency {agency} is outside your area ({self.area})"

    def check_scope(self, kota_code: str, agency: str) -> None:
        """Refuses a participant (or a write about one) outside the caller's kota or agency."""
        if not self.covers(kota_code, agency):
            raise OutOfScope(f"this participant is outside your area ({self.area})")

    def check_participant(self, profile: ParticipantProfile) -> None:
        self.check_scope(profile.kota_code, profile.agency.value)

    @property
    def area(self) -> str:
        parts = [f"kota {self.kota}" if self.kota else "", f"agency {self.agency}" if self.agency else ""]
        return ", ".join(p for p in parts if p) or "all of Jakarta"
