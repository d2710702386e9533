"""The registration service's own dependencies: the keys its personal data is protected with."""

from typing import Annotated

from fastapi import Depends, Request

from shared.personal_data import PersonalDataKeys


async def personal_data_keys(request: Request) -> PersonalDataKeys:
    keys: PersonalDataKeys = request.app.state.personal_data
    return keys


Keys = Annotated[PersonalDataKeys, Depends(personal_data_keys)]
