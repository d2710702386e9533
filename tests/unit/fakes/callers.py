"""A handler called as a request of one caller would call it: the principal set in its own context."""

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared.auth.context import set_current_principal
from shared.auth.principal import Principal

T = TypeVar("T")


async def as_caller(principal: Principal, work: Callable[[], Awaitable[T]]) -> T:
    """Runs `work` as a request of `principal` would: in its own context, with the caller set."""

    async def request() -> T:
        set_current_principal(principal)
        return await work()

    return await asyncio.create_task(request(), context=contextvars.copy_context())
