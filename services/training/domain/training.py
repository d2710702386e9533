"""Training rules (PRODUCT.md §2): classes, enrolment, completion and job placement, free of I/O.

Completions and placements are stage facts: one recorded with the wrong date is corrected, one recorded by
mistake is voided — kept, marked, and no longer counted. A voided completion may be recorded again.
A class scheduled, a completion or a placement recorded collects its event (shared.aggregates).
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from shared.aggregates import Aggregate
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.events import ParticipantPlaced, TrainingClassScheduled, TrainingCompleted
from shared.contracts.profile import ParticipantProfile
from shared.corrections import AlreadyVoided
from shared.dates import PROGRAMME_START, check_stage_date
from shared.errors import Conflict, RuleViolation
from shared.regions import programme_area


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


class PlacementDependsOnIt(Conflict):
    """A vocational completion may not be voided, or moved later, from under a placement it supports."""

    code = "placement_depends_on_it"


@dataclass(frozen=True)
class TrainingClass(Aggregate):
    class_id: UUID
    title: str
    program: TrainingProgram
    format: TrainingFormat
    kota_code: str
    venue: str | None
    starts_on: date
    ends_on: date
    capacity: int

    def scheduled(self, today: date) -> "TrainingClass":
        """This class as newly scheduled today: its schedule checked, its event collected."""
        check_schedule(self.starts_on, self.ends_on, self.kota_code)
        self.collect(
            TrainingClassScheduled(
                class_id=self.class_id,
                program=self.program,
                format=self.format,
                kota_code=self.kota_code,
                starts_on=self.starts_on,
                ends_on=self.ends_on,
                capacity=self.capacity,
            ),
            today,
        )
        return self


def check_schedule(starts_on: date, ends_on: date, kota_code: str) -> None:
    """Schedules may lie in the future; they must make sense and be in the programme area."""
    if starts_on < PROGRAMME_START:
        raise RuleViolation(f"starts_on {starts_on} is before the programme start {PROGRAMME_START}")
    if ends_on < starts_on:
        raise RuleViolation(f"ends_on {ends_on} is before starts_on {starts_on}")
    area = programme_area()
    if not area.is_region("kota", kota_code):
        raise RuleViolation(f"unknown kota {kota_code} (not a kota/kabupaten of {area.name})")


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


@dataclass(frozen=True)
class Completion(Aggregate):
    """A participant's completion of a class; `enrolled_on` and `program` come with it for its rules."""

    class_id: UUID
    participant_id: UUID
    program: TrainingProgram
    enrolled_on: date
    completed_on: date
    voided: bool = False

    def redate(
        self, cls: TrainingClass, completed_on: date, today: date, profile: ParticipantProfile
    ) -> "Completion":
        """The completion on its right date, which must pass the rules the original date passed."""
        self.check_not_voided()
        check_completion(cls, self.enrolled_on, completed_on, today, profile)
        return replace(self, completed_on=completed_on)

    def void(self) -> "Completion":
        self.check_not_voided()
        return replace(self, voided=True)

    def event(self, profile: ParticipantProfile) -> TrainingCompleted:
        return TrainingCompleted(
            participant_id=self.participant_id,
            class_id=self.class_id,
            program=self.program,
            completed_on=self.completed_on,
            profile=profile,
        )

    def check_not_voided(self) -> None:
        if self.voided:
            raise AlreadyVoided(
                f"the completion of class {self.class_id} by participant {self.participant_id} is voided",
                class_id=str(self.class_id),
                participant_id=str(self.participant_id),
            )


@dataclass(frozen=True)
class Placement(Aggregate):
    placement_id: UUID
    participant_id: UUID
    employer: str
    placed_on: date
    voided: bool = False

    def placed(
        self, today: date, profile: ParticipantProfile, first_vocational_completion: date | None
    ) -> "Placement":
        """This placement as newly recorded: its rules checked, its event collected."""
        check_placement(self.placed_on, today, profile, first_vocational_completion)
        self.collect(self.event(profile), self.placed_on)
        return self

    def redate(
        self,
        placed_on: date,
        today: date,
        profile: ParticipantProfile,
        first_vocational_completion: date | None,
    ) -> "Placement":
        """The placement on its right date, which must pass the rules the original date passed."""
        self.check_not_voided()
        check_placement(placed_on, today, profile, first_vocational_completion)
        return replace(self, placed_on=placed_on)

    def void(self) -> "Placement":
        self.check_not_voided()
        return replace(self, voided=True)

    def event(self, profile: ParticipantProfile) -> ParticipantPlaced:
        return ParticipantPlaced(
            participant_id=self.participant_id,
            placement_id=self.placement_id,
            placed_on=self.placed_on,
            profile=profile,
        )

    def check_not_voided(self) -> None:
        if self.voided:
            raise AlreadyVoided(
                f"placement {self.placement_id} is voided", placement_id=str(self.placement_id)
            )


def check_placements_still_follow(
    change: str, earliest_placement: Placement | None, vocational_completions: Iterable[date]
) -> None:
    """After `change` to a vocational completion, every live placement must still follow a live one.

    `vocational_completions` are the participant's live vocational completion dates as they would stand;
    the earliest placement is the one most at risk: if it follows the first completion, all do.
    """
    if earliest_placement is None:
        return
    first = min(vocational_completions, default=None)
    if first is None or earliest_placement.placed_on < first:
        supported = "no other vocational completion" if first is None else f"the first would be on {first}"
        raise PlacementDependsOnIt(
            f"cannot {change}: placement {earliest_placement.placement_id} on {earliest_placement.placed_on} "
            f"relies on it ({supported}); correct or void the placement first",
            placement_id=str(earliest_placement.placement_id),
        )
