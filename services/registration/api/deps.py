"""The registration service's own dependencies: its repositories for a request, with the keys its
personal data is protected with."""

from typing import Annotated

from fastapi import Depends, Request

from services.registration.adapters.repositories import RegistrationStorage
from services.registration.adapters.storage import registration_storage
from shared.personal_data import PersonalDataKeys
from shared.web.deps import Uow


async def personal_data_keys(request: Request) -> PersonalDataKeys:
    keys: PersonalDataKeys = request.app.state.personal_data
    return keys


Keys = Annotated[PersonalDataKeys, Depends(personal_data_keys)]


async def storage(uow: Uow, keys: Keys) -> RegistrationStorage:  # async: no worker-thread hop per request
    return registration_storage(uow, keys)


Storage = Annotated[RegistrationStorage, Depends(storage)]
