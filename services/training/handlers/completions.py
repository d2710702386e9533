"""Correcting and voiding a completion, and reading one.

A vocational completion supports the participant's placements: it may not be voided, or moved later,
from under the earliest one (`check_placements_still_follow`).
"""

from datetime import date
from uuid import UUID

from services.training.adapters.repositories import (
    Completions,
    CompletionsView,
    TrainingStorage,
)
from services.training.commands import CompletionKey, CorrectCompletion, VoidCompletion
from services.training.domain.training import Completion, check_placements_still_follow
from services.training.handlers.classes import found_class
from shared.contracts.corrections import redated_field
from shared.contracts.enums import TrainingProgram
from shared.contracts.events import TrainingCompleted
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.participants.views import ParticipantsView

COMPLETED_ON = redated_field(TrainingCompleted)  # the date field corrections change


async def correct_completion(uow: TrainingStorage, command: CorrectCompletion) -> Completion:
    """Re-date the live completion; correcting it to the date it already has changes nothing."""
    key, completed_on = command.key, command.completed_on
    async with uow.begin() as tx:
        await tx.participants.lock(key.participant_id)
        training = found_class(await tx.classes.get(key.class_id), key.class_id)
        current = await completion_in_area(tx.completions, tx.participants, key)
        profile = await tx.participants.profile(key.participant_id)
        corrected = current.redate(training, completed_on, jakarta_today(), profile)
        if corrected == current:
            return current
        if training.program is TrainingProgram.VOCATIONAL:
            check_placements_still_follow(
                f"move the completion of class {key.class_id} to {completed_on}",
                await tx.placements.earliest_live(key.participant_id),
                [*await other_vocational_completions(tx.completions, key), completed_on],
            )
        await tx.completions.redate(current, completed_on)
        await tx.corrections.corrected(
            current.event(profile),
            fact_id=str(key.class_id),
            date_field=COMPLETED_ON,
            new_on=completed_on,
            by=command.by,
            reason=command.reason,
        )
    return corrected


async def void_completion(uow: TrainingStorage, command: VoidCompletion) -> Completion:
    """Withdraw a completion recorded by mistake, unless a placement relies on it."""
    key = command.key
    async with uow.begin() as tx:
        await tx.participants.lock(key.participant_id)
        current = await completion_in_area(tx.completions, tx.participants, key)
        voided = current.void()
        if current.program is TrainingProgram.VOCATIONAL:
            check_placements_still_follow(
                f"void the completion of class {key.class_id}",
                await tx.placements.earliest_live(key.participant_id),
                await other_vocational_completions(tx.completions, key),
            )
        profile = await tx.participants.profile(key.participant_id)
        await tx.completions.void(current, by=command.by, reason=command.reason)
        await tx.corrections.voided(
            current.event(profile),
            fact_id=str(key.class_id),
            date_field=COMPLETED_ON,
            by=command.by,
            reason=command.reason,
        )
    return voided


async def get_completion(uow: TrainingStorage, key: CompletionKey) -> Completion:
    async with uow.view() as view:
        return await completion_in_area(view.completions, view.participants, key)


async def completion_in_area(
    completions: CompletionsView, participants: ParticipantsView, key: CompletionKey
) -> Completion:
    """The completion, or 404 — also for a participant outside the caller's area, whatever it did."""
    missing = NotFound(f"participant {key.participant_id} has no completion of class {key.class_id}")
    return await participants.found_in_area(await completions.get(key.class_id, key.participant_id), missing)


async def other_vocational_completions(completions: Completions, key: CompletionKey) -> list[date]:
    """The participant's live vocational completion dates, but for the one being changed."""
    live = await completions.live_vocational(key.participant_id)
    return [on for class_id, on in live.items() if class_id != key.class_id]


async def first_vocational_completion(completions: Completions, participant_id: UUID) -> date | None:
    live = await completions.live_vocational(participant_id)
    return min(live.values(), default=None)
