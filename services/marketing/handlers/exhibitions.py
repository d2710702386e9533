"""Exhibitions: scheduling one; an exhibition and the exhibition list (every caller sees every one)."""

from uuid import UUID

from services.marketing.adapters.repositories import ExhibitionsView, MarketingStorage
from services.marketing.commands import ScheduleExhibition
from services.marketing.domain.exhibition import Exhibition, schedule
from shared.contracts.enums import ExhibitionKind, ExhibitionScope
from shared.dates import jakarta_today
from shared.errors import NotFound


async def schedule_exhibition(uow: MarketingStorage, command: ScheduleExhibition) -> Exhibition:
    exhibition = schedule(command).scheduled(jakarta_today())
    async with uow.begin() as tx:
        await tx.exhibitions.add(exhibition)
    return exhibition


async def get_exhibition(uow: MarketingStorage, exhibition_id: UUID) -> Exhibition:
    async with uow.view() as view:
        return await existing_exhibition(view.exhibitions, exhibition_id)


async def exhibitions_page(
    uow: MarketingStorage,
    *,
    kind: ExhibitionKind | None,
    scope: ExhibitionScope | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Exhibition], int | None]:
    async with uow.view() as view:
        return await view.exhibitions.page(kind=kind, scope=scope, after_seq=after_seq, limit=limit)


async def existing_exhibition(exhibitions: ExhibitionsView, exhibition_id: UUID) -> Exhibition:
    """The exhibition, or 404."""
    found = await exhibitions.get(exhibition_id)
    if found is None:
        raise NotFound(f"exhibition {exhibition_id} not found", exhibition_id=str(exhibition_id))
    return found
