"""Showcases: recording a product shown at an exhibition, correcting and voiding it; a showcase and the
showcase list. Corrections and voids run the shared lifecycle (shared.corrections.lifecycle) over
`ShowcaseCorrections`."""

from dataclasses import dataclass
from uuid import UUID

from services.marketing.adapters.repositories import MarketingStorage, MarketingWrites, ShowcasesView, Taken
from services.marketing.commands import ShowcaseProduct
from services.marketing.domain.exhibition import AlreadyShowcased, Showcase, ShowcaseContext, show
from services.marketing.handlers.exhibitions import existing_exhibition
from services.marketing.handlers.products import visible_product
from shared.corrections import Voided
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.db.unique import naming_holder
from shared.errors import NotFound
from shared.participants.views import ParticipantsView


async def showcase_product(uow: MarketingStorage, command: ShowcaseProduct) -> Showcase:
    # The one-showcase-per-exhibition index refused it, possibly against a concurrent request.
    async with (
        naming_holder(
            uow.view,
            Taken,
            lambda view: view.showcases.standing(command.exhibition_id, command.product_id),
            lambda existing: AlreadyShowcased(
                f"product {command.product_id} is already shown at exhibition {command.exhibition_id}",
                showcase_id=existing,
            ),
        ),
        uow.begin() as tx,
    ):
        exhibition = await existing_exhibition(tx.exhibitions, command.exhibition_id)
        product = await visible_product(tx.products, tx.participants, command.product_id)
        profile = await tx.participants.profile(product.participant_id)
        showcase = show(command, exhibition, product, profile, jakarta_today())
        await tx.showcases.add(showcase)
    return showcase


async def get_showcase(uow: MarketingStorage, showcase_id: UUID) -> Showcase:
    async with uow.view() as view:
        return await visible_showcase(view.showcases, view.participants, showcase_id)


async def showcases_page(
    uow: MarketingStorage, *, exhibition_id: UUID | None, product_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Showcase], int | None]:
    async with uow.view() as view:
        return await view.showcases.page(
            exhibition_id=exhibition_id, product_id=product_id, after_seq=after_seq, limit=limit
        )


async def visible_showcase(
    showcases: ShowcasesView, participants: ParticipantsView, showcase_id: UUID
) -> Showcase:
    """The showcase, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"showcase {showcase_id} not found", showcase_id=str(showcase_id))
    return await participants.found_in_area(await showcases.get(showcase_id), missing)


@dataclass(frozen=True)
class ShowcaseCorrections:
    """Showcases as the correction lifecycle reads and writes them (`lifecycle.CorrectionStore`), through
    one transaction's repositories."""

    tx: MarketingWrites

    async def read(self, fact_id: UUID) -> Showcase:
        return await visible_showcase(self.tx.showcases, self.tx.participants, fact_id)

    async def context_of(self, fact: Showcase) -> ShowcaseContext:
        return ShowcaseContext(
            await existing_exhibition(self.tx.exhibitions, fact.exhibition_id),
            await visible_product(self.tx.products, self.tx.participants, fact.product_id),
            await self.tx.participants.profile(fact.participant_id),
        )

    async def save_date(self, read: Showcase, corrected: Showcase) -> bool:
        return await self.tx.showcases.redate(read, corrected.shown_on)

    async def save_void(self, read: Showcase, voided: Showcase, details: Voided) -> bool:
        return await self.tx.showcases.void(read, details)


# Re-date a showcase (to the date it has: nothing changes, nothing is recorded), or withdraw one.
_corrections = StageCorrections[MarketingWrites, Showcase](ShowcaseCorrections, lambda tx: tx.corrections)
correct_showcase = _corrections.correct
void_showcase = _corrections.void
