"""FastAPI dependencies every producing service's routes use."""

from typing import Annotated

from fastapi import Depends, Request

from shared.outbox.unit_of_work import UnitOfWork


async def unit_of_work(request: Request) -> UnitOfWork:  # async: no worker-thread hop per request
    uow: UnitOfWork = request.app.state.runtime.unit_of_work
    return uow


Uow = Annotated[UnitOfWork, Depends(unit_of_work)]
