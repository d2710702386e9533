"""The mentoring repositories for a request, wired on the service's unit of work."""

from typing import Annotated

from fastapi import Depends

from services.mentoring.adapters.repositories import MentoringStorage
from services.mentoring.adapters.storage import mentoring_storage
from shared.web.deps import Uow


async def storage(uow: Uow) -> MentoringStorage:  # async: no worker-thread hop per request
    return mentoring_storage(uow)


Storage = Annotated[MentoringStorage, Depends(storage)]
