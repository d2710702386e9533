"""A batch's reads and writes as ONE Redis command each: Lua loops instead of thousands of replies.

A batch of 5,000 events touches ~90,000 counter fields (day, month and year counters, total and five
dimensions); as separate HINCRBYs, packing and parsing their replies dominated the apply time, and even as
Lua arguments packing them one by one did. So the writes travel as one JSON document that Redis decodes.
Keys are named inside it, so this targets a standalone Redis (with replicas), not Redis Cluster: that is
the deployment PRODUCT.md §5 names.
"""

import json
from collections.abc import Mapping
from datetime import date

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript

# ARGV[1] is {"c": [[counter prefix, day, {field: amount}]...]   HINCRBY on the day's d:, m: and y: counters
#                                                                (the labels of periods.Bucket),
#             "p": [[key, field, amount]...]                     HINCRBY as given,
#             "h": [[key, {field: value}]...]                    HSET,
#             "d": [[key, field]...]}                            HDEL.
_LUA = """
local w = cjson.decode(ARGV[1])
for _, c in ipairs(w.c) do
  local prefix, day = c[1], c[2]
  local keys = {prefix .. 'd:' .. day, prefix .. 'm:' .. string.sub(day, 1, 7),
                prefix .. 'y:' .. string.sub(day, 1, 4)}
  for field, amount in pairs(c[3]) do
    for _, key in ipairs(keys) do redis.call('HINCRBY', key, field, amount) end
  end
end
for _, p in ipairs(w.p) do redis.call('HINCRBY', p[1], p[2], p[3]) end
for _, h in ipairs(w.h) do
  local flat = {}
  for field, value in pairs(h[2]) do flat[#flat + 1] = field; flat[#flat + 1] = value end
  redis.call('HSET', h[1], unpack(flat))
end
for _, d in ipairs(w.d) do redis.call('HDEL', d[1], d[2]) end
return #w.c + #w.p + #w.h + #w.d
"""


class BulkWrite:
    def __init__(self, redis: Redis) -> None:
        self._script: AsyncScript = redis.register_script(_LUA)

    async def queue(
        self,
        tx: Pipeline,
        increments: Mapping[tuple[str, date], Mapping[str, int]],
        plain: Mapping[tuple[str, str], int],
        hashes: Mapping[str, Mapping[str, str]],
        removed: list[tuple[str, str]],
    ) -> None:
        """Add the writes to a MULTI pipeline (they run atomically with the rest of it)."""
        document = {
            # Lua's cjson turns empty objects into tables that ipairs reads as empty lists: same meaning.
            "c": [[prefix, day.isoformat(), fields] for (prefix, day), fields in increments.items()],
            "p": [[key, field, amount] for (key, field), amount in plain.items()],
            "h": [[key, values] for key, values in hashes.items()],
            "d": [[key, field] for key, field in removed],
        }
        await self._script(keys=[], args=[json.dumps(document, separators=(",", ":"))], client=tx)


_READ_LUA = """
local out = {}
for i, key in ipairs(ARGV) do out[i] = redis.call('HGETALL', key) end
return out
"""


class BulkRead:
    """HGETALL of many keys in one call (one command to pack and one reply to parse, not one per key)."""

    def __init__(self, redis: Redis) -> None:
        self._script: AsyncScript = redis.register_script(_READ_LUA)

    async def hashes(self, keys: list[str]) -> list[dict[str, str]]:
        if not keys:
            return []
        replies = await self._script(keys=[], args=keys)
        return [dict(zip(flat[::2], flat[1::2], strict=True)) for flat in replies]
