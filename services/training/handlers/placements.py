"""Job placements: recording one after a vocational completion, correcting, voiding and reading it."""

from uuid import UUID, uuid4

from services.training.adapters.repositories import (
    PlacementsView,
    TrainingStorage,
    TrainingWrites,
)
from services.training.commands import CorrectPlacement, Place, VoidPlacement
from services.training.domain.training import Placement
from services.training.handlers.completions import first_vocational_completion
from shared.contracts.corrections import redated_field
from shared.contracts.events import ParticipantPlaced
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.participants.views import ParticipantsView

PLACED_ON = redated_field(ParticipantPlaced)  # the date field corrections change


async def place(uow: TrainingStorage, command: Place) -> Placement:
    today = jakarta_today()
    placement = Placement(uuid4(), command.participant_id, command.employer, command.placed_on or today)
    async with uow.begin() as tx:
        await tx.participants.lock(command.participant_id)
        profile = await tx.participants.profile(command.participant_id)
        first = await first_vocational_completion(tx.completions, command.participant_id)
        await tx.placements.add(placement.placed(today, profile, first))
    return placement


async def correct_placement(uow: TrainingStorage, command: CorrectPlacement) -> Placement:
    """Re-date a placement; correcting it to the date it already has changes nothing."""
    async with uow.begin() as tx:
        current = await _locked_placement(tx, command.placement_id)
        profile = await tx.participants.profile(current.participant_id)
        first = await first_vocational_completion(tx.completions, current.participant_id)
        corrected = current.redate(command.placed_on, jakarta_today(), profile, first)
        if corrected == current:
            return current
        await tx.placements.redate(current, command.placed_on)
        await tx.corrections.corrected(
            current.event(profile),
            fact_id=str(command.placement_id),
            date_field=PLACED_ON,
            new_on=command.placed_on,
            by=command.by,
            reason=command.reason,
        )
    return corrected


async def void_placement(uow: TrainingStorage, command: VoidPlacement) -> Placement:
    async with uow.begin() as tx:
        current = await _locked_placement(tx, command.placement_id)
        voided = current.void()
        profile = await tx.participants.profile(current.participant_id)
        await tx.placements.void(current, by=command.by, reason=command.reason)
        await tx.corrections.voided(
            current.event(profile),
            fact_id=str(command.placement_id),
            date_field=PLACED_ON,
            by=command.by,
            reason=command.reason,
        )
    return voided


async def get_placement(uow: TrainingStorage, placement_id: UUID) -> Placement:
    async with uow.view() as view:
        return await _placement(view.placements, view.participants, placement_id)


async def _placement(
    placements: PlacementsView, participants: ParticipantsView, placement_id: UUID
) -> Placement:
    """The placement, or 404 when there is none the caller may see."""
    missing = NotFound(f"placement {placement_id} not found")
    return await participants.found_in_area(await placements.get(placement_id), missing)


async def _locked_placement(tx: TrainingWrites, placement_id: UUID) -> Placement:
    """The placement as it stands once its participant is locked (see `Participants.lock`)."""
    # A placement's participant never changes, so it may be read before the lock; the rest is read under it.
    participant_id = (await _placement(tx.placements, tx.participants, placement_id)).participant_id
    await tx.participants.lock(participant_id)
    return await _placement(tx.placements, tx.participants, placement_id)
