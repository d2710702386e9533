"""The training repositories for a request, wired on the service's unit of work."""

from typing import Annotated

from fastapi import Depends

from services.training.adapters.repositories import TrainingStorage
from services.training.adapters.storage import training_storage
from shared.web.deps import Uow


async def storage(uow: Uow) -> TrainingStorage:  # async: no worker-thread hop per request
    return training_storage(uow)


Storage = Annotated[TrainingStorage, Depends(storage)]
