"""Registering a participant: the rules of PRODUCT.md §2 that concern registration, free of I/O."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID, uuid4

from services.registration.domain.nik import is_dki_nik, nik_problem
from shared.aggregates import Aggregate
from shared.contracts.enums import AgeBand, Agency, Gender, Sector
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.contracts.profile import ParticipantProfile
from shared.dates import check_fact_date
from shared.errors import Conflict, DomainError, RuleViolation
from shared.regions import programme_area

TAKEN = "NIK is already registered"


class DuplicateNik(Conflict):
    code = "duplicate_nik"

    @classmethod
    def of(cls, participant_id: UUID | str | None) -> "DuplicateNik":
        """Naming the participant to a caller whose area holds them (pass None otherwise: only "taken").

        PRODUCT.md §2: no answer tells a caller that a participant exists outside its area, or its id.
        """
        if participant_id is None:
            return cls(TAKEN)
        return cls(f"{TAKEN} as participant {participant_id}", participant_id=str(participant_id))


class ParticipantErased(DomainError):
    status_code = 410
    code = "erased"


@dataclass(frozen=True)
class Domicile:
    kota_code: str
    kecamatan_code: str
    kelurahan_code: str


@dataclass(frozen=True)
class Business:
    name: str
    sector: Sector


@dataclass(frozen=True)
class RegisterParticipant:
    """The command, as the API received it (shapes already checked, rules not yet)."""

    nik: str
    full_name: str
    gender: Gender
    birth_date: date
    phone: str | None
    email: str | None
    disability: bool
    domicile: Domicile
    business: Business | None
    agency: Agency
    registered_on: date | None


@dataclass(frozen=True)
class Participant(Aggregate):
    """A registered participant; a registration or a change of the profile collects its event."""

    participant_id: UUID
    nik: str
    full_name: str
    gender: Gender
    birth_date: date
    phone: str | None
    email: str | None
    disability: bool
    domicile: Domicile
    business: Business | None
    agency: Agency
    registered_on: date
    revision: int = 0  # of the profile (ParticipantProfile.revision): one more with each change of it

    @property
    def ktp_dki(self) -> bool:
        return is_dki_nik(self.nik)

    @property
    def area(self) -> tuple[str, str]:
        """The kota and agency an area scope is checked against."""
        return self.domicile.kota_code, self.agency.value

    def profile(self) -> ParticipantProfile:
        return ParticipantProfile(
            registered_on=self.registered_on,
            gender=self.gender,
            age_band=AgeBand.of_age(age_on(self.birth_date, self.registered_on)),
            kota_code=self.domicile.kota_code,
            kecamatan_code=self.domicile.kecamatan_code,
            kelurahan_code=self.domicile.kelurahan_code,
            sector=self.business.sector if self.business else None,
            agency=self.agency,
            disability=self.disability,
            ktp_dki=self.ktp_dki,
            revision=self.revision,
        )

    def succeeded_by(self, after: "Participant") -> "Participant":
        """`after` as the next state of this participant: its id, and the next profile revision if its
        profile changed (so whoever holds both profiles knows which is current, whatever their order)."""
        kept = replace(after, participant_id=self.participant_id, revision=self.revision)
        if kept.profile() == self.profile():
            return kept  # followers and reporting hold the profile only: no news to them
        changed = replace(kept, revision=self.revision + 1)
        changed.collect(changed.updated_event(), changed.registered_on)
        return changed

    def newly_registered(self) -> "Participant":
        """This participant as a registration stores them: a copy that collected ParticipantRegistered
        (a copy, so that a transaction tried again collects the event afresh)."""
        registered = replace(self)
        registered.collect(registered.registered_event(), registered.registered_on)
        return registered

    def registered_event(self) -> ParticipantRegistered:
        return ParticipantRegistered(participant_id=self.participant_id, profile=self.profile())

    def updated_event(self) -> ParticipantUpdated:
        return ParticipantUpdated(participant_id=self.participant_id, profile=self.profile())


@dataclass(frozen=True)
class Erased:
    """A participant whose personal data was erased (PRODUCT.md §2): only what the figures count is left."""

    participant_id: UUID
    kota_code: str
    agency: str
    erased_at: datetime

    @property
    def area(self) -> tuple[str, str]:
        return self.kota_code, self.agency

    def refusal(self) -> ParticipantErased:
        when = self.erased_at.date().isoformat()
        return ParticipantErased(f"participant {self.participant_id}'s personal data was erased on {when}")


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def register(command: RegisterParticipant, today: date) -> Participant:
    """Apply every registration rule; raises RuleViolation with a readable reason."""
    registered_on = command.registered_on or today
    problem = (
        nik_problem(command.nik, command.birth_date, command.gender)
        or check_fact_date("registered_on", registered_on, today)
        or _birth_date_problem(command.birth_date, registered_on)
        or programme_area().check_domicile(
            command.domicile.kota_code, command.domicile.kecamatan_code, command.domicile.kelurahan_code
        )
    )
    if problem:
        raise RuleViolation(problem)
    return Participant(
        participant_id=uuid4(),
        nik=command.nik,
        full_name=command.full_name,
        gender=command.gender,
        birth_date=command.birth_date,
        phone=command.phone,
        email=command.email,
        disability=command.disability,
        domicile=command.domicile,
        business=command.business,
        agency=command.agency,
        registered_on=registered_on,
    )


def restate(existing: Participant, command: RegisterParticipant, today: date) -> Participant:
    """The registered participant as a later record of the same NIK states them: same id, every rule again.

    A record without a registration date keeps the one already stored rather than moving it to today.
    """
    dated = replace(command, registered_on=command.registered_on or existing.registered_on)
    return existing.succeeded_by(register(dated, today))


def _birth_date_problem(birth_date: date, registered_on: date) -> str | None:
    if birth_date >= registered_on:
        return "birth_date must be before registered_on"
    if age_on(birth_date, registered_on) > 120:
        return "birth_date is more than 120 years before registered_on"
    return None
