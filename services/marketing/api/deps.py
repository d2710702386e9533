"""The marketing repositories for a request, wired on the service's unit of work."""

from typing import Annotated

from fastapi import Depends

from services.marketing.adapters.repositories import MarketingStorage
from services.marketing.adapters.storage import marketing_storage
from shared.web.deps import Uow


async def storage(uow: Uow) -> MarketingStorage:  # async: no worker-thread hop per request
    return marketing_storage(uow)


Storage = Annotated[MarketingStorage, Depends(storage)]
