"""Completions and placements — the training service's stage facts — in the training database."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Update, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.training.adapters.tables import classes, completions, enrollments, placements
from services.training.domain.training import AlreadyCompleted, Completion, Placement
from shared.contracts.enums import TrainingProgram
from shared.outbox.unit_of_work import Transaction


@dataclass(frozen=True)
class SqlCompletionsView:
    conn: AsyncConnection

    async def get(self, class_id: UUID, participant_id: UUID) -> Completion | None:
        query = (
            select(completions, enrollments.c.enrolled_on, classes.c.program)
            .join(
                enrollments,
                (enrollments.c.class_id == completions.c.class_id)
                & (enrollments.c.participant_id == completions.c.participant_id),
            )
            .join(classes, classes.c.class_id == completions.c.class_id)
            .where(
                completions.c.class_id == str(class_id), completions.c.participant_id == str(participant_id)
            )
            .order_by(completions.c.voided_at.is_(None).desc(), completions.c.seq.desc())
            .limit(1)
        )
        row = (await self.conn.execute(query)).one_or_none()
        return _to_completion(row) if row else None


@dataclass(frozen=True)
class SqlCompletions(SqlCompletionsView):
    tx: Transaction

    async def add(self, done: Completion) -> None:
        try:
            await self.add_all([done])
        except IntegrityError:
            # The one-live-completion index refused it (ux_completions_one_live); a voided completion does
            # not count, so it can be recorded again.
            raise AlreadyCompleted(
                f"participant {done.participant_id} already completed class {done.class_id}"
            ) from None

    async def add_all(self, done: Sequence[Completion]) -> None:
        rows = [
            {
                "class_id": str(c.class_id),
                "participant_id": str(c.participant_id),
                "completed_on": c.completed_on,
            }
            for c in done
        ]
        if rows:
            await self.conn.execute(completions.insert(), rows)
        await self.tx.collect(*done)

    async def redate(self, live: Completion, completed_on: date) -> None:
        await self.conn.execute(_live_completion_update(live).values(completed_on=completed_on))

    async def void(self, live: Completion, *, by: str, reason: str) -> None:
        await self.conn.execute(_live_completion_update(live).values(**_void(by, reason)))

    async def live_vocational(self, participant_id: UUID) -> dict[UUID, date]:
        query = (
            select(completions.c.class_id, completions.c.completed_on)
            .join(classes, classes.c.class_id == completions.c.class_id)
            .where(
                completions.c.participant_id == str(participant_id),
                completions.c.voided_at.is_(None),
                classes.c.program == TrainingProgram.VOCATIONAL.value,
            )
        )
        return {UUID(row.class_id): row.completed_on for row in await self.conn.execute(query)}


@dataclass(frozen=True)
class SqlPlacementsView:
    conn: AsyncConnection

    async def get(self, placement_id: UUID) -> Placement | None:
        query = select(placements).where(placements.c.placement_id == str(placement_id))
        row = (await self.conn.execute(query)).one_or_none()
        return _to_placement(row) if row else None


@dataclass(frozen=True)
class SqlPlacements(SqlPlacementsView):
    tx: Transaction

    async def add(self, placement: Placement) -> None:
        await self.conn.execute(
            placements.insert().values(
                placement_id=str(placement.placement_id),
                participant_id=str(placement.participant_id),
                employer=placement.employer,
                placed_on=placement.placed_on,
            )
        )
        await self.tx.collect(placement)

    async def earliest_live(self, participant_id: UUID) -> Placement | None:
        query = (
            select(placements)
            .where(placements.c.participant_id == str(participant_id), placements.c.voided_at.is_(None))
            .order_by(placements.c.placed_on, placements.c.placement_id)
            .limit(1)
        )
        row = (await self.conn.execute(query)).one_or_none()
        return _to_placement(row) if row else None

    async def redate(self, placement: Placement, placed_on: date) -> None:
        await self.conn.execute(_placement_update(placement).values(placed_on=placed_on))

    async def void(self, placement: Placement, *, by: str, reason: str) -> None:
        await self.conn.execute(_placement_update(placement).values(**_void(by, reason)))


def _live_completion_update(live: Completion) -> Update:
    return completions.update().where(
        completions.c.class_id == str(live.class_id),
        completions.c.participant_id == str(live.participant_id),
        completions.c.voided_at.is_(None),
    )


def _placement_update(placement: Placement) -> Update:
    return placements.update().where(placements.c.placement_id == str(placement.placement_id))


def _void(by: str, reason: str) -> dict[str, Any]:
    return {"voided_at": datetime.now(UTC), "voided_by": by, "void_reason": reason}


def _to_completion(row: Row[Any]) -> Completion:
    return Completion(
        class_id=UUID(row.class_id),
        participant_id=UUID(row.participant_id),
        program=TrainingProgram(row.program),
        enrolled_on=row.enrolled_on,
        completed_on=row.completed_on,
        voided=row.voided_at is not None,
    )


def _to_placement(row: Row[Any]) -> Placement:
    return Placement(
        placement_id=UUID(row.placement_id),
        participant_id=UUID(row.participant_id),
        employer=row.employer,
        placed_on=row.placed_on,
        voided=row.voided_at is not None,
    )
