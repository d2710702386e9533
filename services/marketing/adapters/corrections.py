"""Showcases as the correction lifecycle reads and writes them (shared.corrections.lifecycle)."""

from uuid import UUID

from services.marketing.adapters import repository
from services.marketing.domain.exhibition import Showcase, ShowcaseContext
from shared.corrections import Voided
from shared.corrections.use_cases import SqlStore


class ShowcaseStore(SqlStore):
    async def read(self, fact_id: UUID) -> Showcase:
        return await repository.visible_showcase(self.conn, fact_id)

    async def context_of(self, fact: Showcase) -> ShowcaseContext:
        return ShowcaseContext(
            await repository.existing_exhibition(self.conn, fact.exhibition_id),
            await repository.visible_product(self.conn, fact.product_id),
            await repository.profile(self.conn, fact.participant_id),
        )

    async def save_date(self, read: Showcase, corrected: Showcase) -> bool:
        return await repository.redate(self.conn, read, corrected.shown_on)

    async def save_void(self, read: Showcase, voided: Showcase, details: Voided) -> bool:
        return await repository.mark_voided(self.conn, read, details)
