"""The finance repositories for a request, wired on the service's unit of work."""

from typing import Annotated

from fastapi import Depends

from services.finance.adapters.repositories import FinanceStorage
from services.finance.adapters.storage import finance_storage
from shared.web.deps import Uow


async def storage(uow: Uow) -> FinanceStorage:  # async: no worker-thread hop per request
    return finance_storage(uow)


Storage = Annotated[FinanceStorage, Depends(storage)]
