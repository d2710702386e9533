"""Mentors (pendamping, PJLP staff) and the kecamatan each one serves — free of I/O.

A mentor's staff number and name identify a person: they stay in the mentoring database. The MentorAssigned
event a new mentor collects only says that a kecamatan gained a mentor, and since when. Staff numbers are
unique; the database keeps that rule, since only it sees concurrent requests.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from shared.aggregates import Aggregate
from shared.contracts.events import MentorAssigned
from shared.dates import check_fact_date
from shared.errors import Conflict, RuleViolation
from shared.regions import Kecamatan, programme_area


class DuplicateMentor(Conflict):
    code = "duplicate_mentor"


class UnknownMentor(RuleViolation):
    """A session names a mentor this service does not have: a bad reference in the body, hence a 422."""

    code = "unknown_mentor"


class UnknownKecamatan(RuleViolation):
    code = "unknown_kecamatan"


@dataclass(frozen=True)
class AssignMentor:
    staff_number: str
    full_name: str
    kecamatan_code: str
    assigned_on: date | None


@dataclass(frozen=True)
class Mentor(Aggregate):
    mentor_id: UUID
    staff_number: str
    full_name: str
    kota_code: str
    kecamatan_code: str
    assigned_on: date

    def event(self) -> MentorAssigned:
        """What the rest of the platform may know: no staff number, no name."""
        return MentorAssigned(
            mentor_id=self.mentor_id,
            kota_code=self.kota_code,
            kecamatan_code=self.kecamatan_code,
            assigned_on=self.assigned_on,
        )


def assign(command: AssignMentor, today: date) -> Mentor:
    """A new mentor for a kecamatan of the programme area; the kota follows from the kecamatan's code."""
    area = programme_area()
    kecamatan = area.find(command.kecamatan_code)
    if not isinstance(kecamatan, Kecamatan):
        raise UnknownKecamatan(
            f"unknown kecamatan {command.kecamatan_code} (not a kecamatan of {area.name})",
            kecamatan_code=command.kecamatan_code,
        )
    assigned_on = command.assigned_on or today
    if problem := check_fact_date("assigned_on", assigned_on, today):
        raise RuleViolation(problem)
    mentor = Mentor(
        mentor_id=uuid4(),
        staff_number=command.staff_number,
        full_name=command.full_name,
        # Kemendagri codes are hierarchical: kecamatan 31.71.01 lies in kota 31.71.
        kota_code=kecamatan.code.rpartition(".")[0],
        kecamatan_code=kecamatan.code,
        assigned_on=assigned_on,
    )
    mentor.collect(mentor.event(), assigned_on)
    return mentor
