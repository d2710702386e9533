"""The permits repositories for a request, wired on the service's unit of work."""

from typing import Annotated

from fastapi import Depends

from services.permits.adapters.repositories import PermitsStorage
from services.permits.adapters.storage import permits_storage
from shared.web.deps import Uow


async def storage(uow: Uow) -> PermitsStorage:  # async: no worker-thread hop per request
    return permits_storage(uow)


Storage = Annotated[PermitsStorage, Depends(storage)]
