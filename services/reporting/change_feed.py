"""One Redis subscription per instance tells every open stream that figures changed.

The consumer that applied a batch may run in another instance, so changes travel over Redis pub/sub.
"""

import asyncio
import contextlib
import logging

from redis.asyncio import Redis

from shared.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class ChangeFeed:
    def __init__(self, redis: Redis, channel: str) -> None:
        self._redis = redis
        self._channel = channel
        self._changed = asyncio.Condition()
        self.version = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="change-feed")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def wait_newer_than(self, version: int, timeout_s: float) -> int:
        """The current version once it exceeds `version`, or after the timeout whatever it is."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version > version), timeout_s)
            return self.version

    async def _bump(self) -> None:
        async with self._changed:
            self.version += 1
            self._changed.notify_all()

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self._channel)
                    await self._bump()  # (re)subscribed: changes may have been missed meanwhile
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            await self._bump()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("change feed lost redis (%s); resubscribing", type(exc).__name__)
                await asyncio.sleep(1.0)
