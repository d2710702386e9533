"""A batch's writes as ONE Redis command: a Lua loop instead of tens of thousands of round-trip replies.

A batch of 5,000 events touches ~90,000 counter fields (day, month and year counters, total and five
dimensions); as separate HINCRBYs, packing and parsing their
replies dominated the apply time. Keys are passed in ARGV, so this targets a standalone Redis (with
replicas), not Redis Cluster: that is the deployment PRODUCT.md §5 names.
"""

from collections.abc import Mapping
from datetime import date

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript

# ARGV: n, then n x (counter prefix, day, k, k x (field, amount)) to HINCRBY on the day's day, month
#          and year counters (the labels of periods.Bucket: YYYY-MM-DD, YYYY-MM, YYYY);
#       p, then p x (key, field, amount) to HINCRBY as given;
#       m, then m x (key, k, k x (field, value)) to HSET;
#       d, then d x (key, field) to HDEL.
_LUA = """
local i = 1
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local prefix, day, k = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]); i = i + 3
  local keys = {prefix .. 'd:' .. day, prefix .. 'm:' .. string.sub(day, 1, 7),
                prefix .. 'y:' .. string.sub(day, 1, 4)}
  for _ = 1, k do
    for _, key in ipairs(keys) do redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1]) end
    i = i + 2
  end
end
local p = tonumber(ARGV[i]); i = i + 1
for _ = 1, p do
  redis.call('HINCRBY', ARGV[i], ARGV[i + 1], ARGV[i + 2]); i = i + 3
end
local m = tonumber(ARGV[i]); i = i + 1
for _ = 1, m do
  local key = ARGV[i]; local k = tonumber(ARGV[i + 1]); i = i + 2
  local pairs = {}
  for j = 0, k - 1 do pairs[2 * j + 1] = ARGV[i + 2 * j]; pairs[2 * j + 2] = ARGV[i + 2 * j + 1] end
  redis.call('HSET', key, unpack(pairs)); i = i + 2 * k
end
local d = tonumber(ARGV[i]); i = i + 1
for _ = 1, d do
  redis.call('HDEL', ARGV[i], ARGV[i + 1]); i = i + 2
end
return n + p + m + d
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
        args: list[str | int] = [len(increments)]
        for (prefix, day), fields in increments.items():
            args += [prefix, day.isoformat(), len(fields)]
            for field, amount in fields.items():
                args += [field, amount]
        args.append(len(plain))
        for (key, field), amount in plain.items():
            args += [key, field, amount]
        args.append(len(hashes))
        for key, values in hashes.items():
            args += [key, len(values)]
            for field, value in values.items():
                args += [field, value]
        args.append(len(removed))
        for key, field in removed:
            args += [key, field]
        await self._script(keys=[], args=args, client=tx)
