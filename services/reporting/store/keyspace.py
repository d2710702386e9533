"""Which keyspace holds the live aggregates. A rebuild fills a fresh one, then flips the pointer.

{base}:active    string   name of the live keyspace (absent: the base name itself)
{base}:changed   pubsub   a message whenever figures may have changed, whichever keyspace is live
"""

from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from services.reporting.store.keys import Keys


@dataclass(frozen=True)
class Keyspaces:
    base: str

    @property
    def pointer(self) -> str:
        return f"{self.base}:active"

    @property
    def changed_channel(self) -> str:
        return f"{self.base}:changed"

    async def live(self, client: Redis | Pipeline) -> Keys:
        name = await client.get(self.pointer)
        return Keys(name.decode() if isinstance(name, bytes) else name or self.base)
