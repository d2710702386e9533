"""Training rules (PRODUCT.md §2): classes, enrolment, completion and job placement, free of I/O."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.profile import ParticipantProfile
from shared.dates import PROGRAMME_START, check_stage_date
from shared.errors import Conflict, RuleViolation
from shared.regions import jakarta


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"


class ClassFull(Conflict):
    code = "class_full"


class AlreadyCompleted(Conflict):
    code = "already_completed"


class NotEnrolled(RuleViolation):
    code = "not_enrolled"


class NotAVocationalGraduate(RuleViolation):
    code = "no_vocational_completion"


@dataclass(frozen=True)
class TrainingClass:
    class_id: UUID
    title: str
    program: TrainingProgram
    format: TrainingFormat
    kota_code: str
    venue: str | None
    starts_on: date
    ends_on: date
    capacity: int


def check_schedule(starts_on: date, ends_on: date, kota_code: str) -> None:
    """Schedules may lie in the future; they must make sense and be in Jakarta."""
    if starts_on < PROGRAMME_START:
        raise RuleViolation(f"starts_on {starts_on} is before the programme start {PROGRAMME_START}")
    if ends_on < starts_on:
        raise RuleViolation(f"ends_on {ends_on} is before starts_on {starts_on}")
    if jakarta().find_kota(kota_code) is None:
        raise RuleViolation(f"unknown kota {kota_code} (not a kota/kabupaten of DKI Jakarta)")


def _check_fact(field: str, day: date, today: date, profile: ParticipantProfile) -> None:
    problem = check_stage_date(field, day, today, profile.registered_on)
    if problem:
        raise RuleViolation(problem)


def check_enrolment(cls: TrainingClass, enrolled_on: date, today: date, profile: ParticipantProfile) -> None:
    _check_fact("enrolled_on", enrolled_on, today, profile)
    if enrolled_on > cls.ends_on:
        raise RuleViolation(f"enrolled_on {enrolled_on} is after the class ended on {cls.ends_on}")


def check_completion(
    cls: TrainingClass, enrolled_on: date, completed_on: date, today: date, profile: ParticipantProfile
) -> None:
    _check_fact("completed_on", completed_on, today, profile)
    if completed_on < enrolled_on:
        raise RuleViolation(f"completed_on {completed_on} is before enrolled_on {enrolled_on}")
    if not cls.starts_on <= completed_on <= cls.ends_on:
        raise RuleViolation(
            f"completed_on {completed_on} is outside the class dates {cls.starts_on}..{cls.ends_on}"
        )


def check_placement(
    placed_on: date, today: date, profile: ParticipantProfile, first_vocational_completion: date | None
) -> None:
    if first_vocational_completion is None:
        raise NotAVocationalGraduate("a placement needs a completed vocational class first")
    _check_fact("placed_on", placed_on, today, profile)
    if placed_on < first_vocational_completion:
        raise RuleViolation(
            f"placed_on {placed_on} is before the first vocational completion "
            f"on {first_vocational_completion}"
        )
