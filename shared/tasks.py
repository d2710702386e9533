"""Background asyncio tasks that services start in their lifespan and must stop cleanly."""

import asyncio
import contextlib


async def cancel_and_wait(task: "asyncio.Task[None] | None") -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
