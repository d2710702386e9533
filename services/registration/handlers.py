"""Use cases of the registration service: each one transaction, state and event together."""

from sqlalchemy.exc import IntegrityError

from services.registration.adapters import repository
from services.registration.domain.participant import (
    DuplicateNik,
    Participant,
    RegisterParticipant,
    register,
)
from shared.dates import jakarta_today
from shared.outbox.unit_of_work import UnitOfWork


async def register_participant(uow: UnitOfWork, command: RegisterParticipant) -> Participant:
    participant = register(command, jakarta_today())
    try:
        async with uow.begin() as tx:
            existing = await repository.participant_id_for_nik(tx.conn, command.nik)
            if existing is None:
                await repository.insert(tx.conn, participant)
                await tx.record(
                    participant.registered_event(),
                    key=str(participant.participant_id),
                    occurred_on=participant.registered_on,
                )
    except IntegrityError:
        # Lost a race with a concurrent registration of the same NIK: the unique index decided.
        async with uow.engine.connect() as conn:
            existing = await repository.participant_id_for_nik(conn, command.nik)
        if existing is None:
            raise
    if existing is not None:
        raise DuplicateNik(f"NIK is already registered as participant {existing}", participant_id=existing)
    return participant
