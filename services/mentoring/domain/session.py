"""Mentoring sessions (pendampingan): holding, re-dating and voiding them — free of I/O.

A session is the fact that reaches the mentoring stage. Its mentor must serve the participant's kecamatan,
and its date is a stage fact date that also does not precede the mentor's assignment. Notes may hold
sensitive text: they stay in the mentoring database, never in an event.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple
from uuid import UUID, uuid4

from services.mentoring.domain.mentor import Mentor
from shared.aggregates import Aggregate
from shared.contracts.events import ParticipantMentored
from shared.contracts.profile import ParticipantProfile
from shared.corrections import AlreadyVoided, Voided
from shared.corrections.errors import lost_race
from shared.dates import check_stage_date
from shared.errors import DomainError, RuleViolation


class OutsideMentorArea(RuleViolation):
    code = "outside_mentor_area"


@dataclass(frozen=True)
class HoldSession:
    participant_id: UUID
    mentor_id: UUID
    held_on: date | None
    topic: str
    notes: str | None


class SessionContext(NamedTuple):
    """What a session's date rules and its event need beyond the session."""

    profile: ParticipantProfile
    mentor: Mentor


@dataclass(frozen=True)
class Session(Aggregate):
    session_id: UUID
    participant_id: UUID
    mentor_id: UUID
    held_on: date
    topic: str
    notes: str | None
    voided: bool = False  # who voided it, when and why are kept in its row and the correction log

    # shared.corrections.Correctable

    def redate(self, on: date, today: date, context: SessionContext) -> "Session":
        """The session on its right date, which must pass the date rules the original date passed.

        The area is not checked again: the participant may have moved since the session was held."""
        self.check_not_voided()
        check_held_on(on, today, context.profile, context.mentor)
        return replace(self, held_on=on)

    def void(self, voided: Voided) -> "Session":
        self.check_not_voided()
        return replace(self, voided=True)

    def fact(self, context: SessionContext) -> ParticipantMentored:
        return self.event(context.profile)

    def changed_meanwhile(self, now: "Session") -> DomainError:
        return lost_race(self._name, voided=now.voided, on=now.held_on, session_id=str(self.session_id))

    def event(self, profile: ParticipantProfile) -> ParticipantMentored:
        return ParticipantMentored(
            session_id=self.session_id,
            participant_id=self.participant_id,
            mentor_id=self.mentor_id,
            held_on=self.held_on,
            profile=profile,
        )

    def check_not_voided(self) -> None:
        if self.voided:
            raise AlreadyVoided.of(self._name, session_id=str(self.session_id))

    @property
    def _name(self) -> str:
        return f"session {self.session_id}"


def hold(command: HoldSession, profile: ParticipantProfile, mentor: Mentor, today: date) -> Session:
    """A session held by a mentor of the participant's kecamatan, collecting its ParticipantMentored; the
    date defaults to today."""
    if mentor.kecamatan_code != profile.kecamatan_code:
        raise OutsideMentorArea(
            f"mentor {mentor.mentor_id} serves kecamatan {mentor.kecamatan_code}, "
            f"the participant lives in kecamatan {profile.kecamatan_code}",
            mentor_kecamatan_code=mentor.kecamatan_code,
            participant_kecamatan_code=profile.kecamatan_code,
        )
    held_on = command.held_on or today
    check_held_on(held_on, today, profile, mentor)
    session = Session(
        session_id=uuid4(),
        participant_id=command.participant_id,
        mentor_id=mentor.mentor_id,
        held_on=held_on,
        topic=command.topic,
        notes=command.notes,
    )
    session.collect(session.event(profile), held_on)
    return session


def check_held_on(held_on: date, today: date, profile: ParticipantProfile, mentor: Mentor) -> None:
    if problem := check_stage_date("held_on", held_on, today, profile.registered_on):
        raise RuleViolation(problem)
    if held_on < mentor.assigned_on:
        raise RuleViolation(
            f"held_on {held_on} is before the mentor was assigned on {mentor.assigned_on.isoformat()}"
        )
