"""A batch's reads and writes as ONE Redis command each: Lua loops instead of thousands of replies.

The write also checks fields it is given first (a compare-and-set): the applier guards each participant's
profile statement that way, as reading it under WATCH would cost Redis a scan of the keys already watched
for every key watched (7.0: tens of thousands of participants take seconds).

A batch of 5,000 events changes tens of thousands of counter fields; as separate HINCRBYs, packing and
parsing their replies dominated the apply time, and even as Lua arguments packing them one by one did. So
the writes travel as one JSON document that Redis decodes. Keys are named inside it, so this targets a
standalone Redis (with replicas), not Redis Cluster: that is the deployment PRODUCT.md §5 names.
"""

import json
from collections.abc import Mapping, Sequence

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.commands.core import AsyncScript

# ARGV[1] is {"c": [[counter prefix, day, {field: amount}]...]  the day's d:, m: and y: counters (the labels
#                                                               of periods.Bucket) change by amount,
#             "p": [[key, {field: amount}]...]                  these change by amount,
#             "h": [[key, {field: value}]...]                   HSET,
#             "d": [[key, [field...]]...],                      HDEL,
#             "s": [[key, value]...],                           SET,
#             "g": [[key, field, value]...]}                    guards: unless each field holds its value
#                                                               ("" for none), nothing is written and the
#                                                               script returns -1.
# Changes are summed per key first (a batch's days share months and years), then each key is read and
# written with one HMGET and one HSET: a redis.call costs far more than the field it changes.
_LUA = """
local w = cjson.decode(ARGV[1])
for _, g in ipairs(w.g) do
  if (redis.call('HGET', g[1], g[2]) or '') ~= g[3] then return -1 end
end
local sums, order = {}, {}
local function sums_of(key)
  local fields = sums[key]
  if not fields then fields = {}; sums[key] = fields; order[#order + 1] = key end
  return fields
end
for _, c in ipairs(w.c) do
  local prefix, day = c[1], c[2]
  local d = sums_of(prefix .. 'd:' .. day)
  local m = sums_of(prefix .. 'm:' .. string.sub(day, 1, 7))
  local y = sums_of(prefix .. 'y:' .. string.sub(day, 1, 4))
  for field, amount in pairs(c[3]) do
    d[field] = (d[field] or 0) + amount
    m[field] = (m[field] or 0) + amount
    y[field] = (y[field] or 0) + amount
  end
end
for _, p in ipairs(w.p) do
  local fields = sums_of(p[1])
  for field, amount in pairs(p[2]) do fields[field] = (fields[field] or 0) + amount end
end
for _, key in ipairs(order) do
  local fields, names = sums[key], {}
  for field, amount in pairs(fields) do
    if amount ~= 0 then names[#names + 1] = field end
  end
  for first = 1, #names, 1000 do
    local last = math.min(first + 999, #names)
    local current = redis.call('HMGET', key, unpack(names, first, last))
    local flat = {}
    for i = first, last do
      local field = names[i]
      flat[#flat + 1] = field
      flat[#flat + 1] = (tonumber(current[i - first + 1]) or 0) + fields[field]
    end
    redis.call('HSET', key, unpack(flat))
  end
end
for _, h in ipairs(w.h) do
  local flat = {}
  for field, value in pairs(h[2]) do flat[#flat + 1] = field; flat[#flat + 1] = value end
  redis.call('HSET', h[1], unpack(flat))
end
for _, d in ipairs(w.d) do redis.call('HDEL', d[1], unpack(d[2])) end
for _, s in ipairs(w.s) do redis.call('SET', s[1], s[2]) end
return #order + #w.h + #w.d
"""


class BulkWrite:
    def __init__(self, redis: Redis) -> None:
        self._script: AsyncScript = redis.register_script(_LUA)

    async def queue(
        self,
        tx: Pipeline,
        days: Mapping[tuple[str, str], Mapping[str, int]],
        plain: Mapping[str, Mapping[str, int]],
        hashes: Mapping[str, Mapping[str, str]],
        removed: Mapping[str, Sequence[str]],
        *,
        strings: Mapping[str, str | int] | None = None,
        guards: Sequence[tuple[str, str, str]] = (),
    ) -> None:
        """Add the writes to a MULTI pipeline (they run atomically with the rest of it). `days` is keyed by
        (counter prefix, ISO day). With `guards` (key, field, value as read, "" for none), the script's
        reply is -1 and nothing is written if any field holds another value by then."""
        document = {
            # Lua's cjson turns empty objects into tables that ipairs reads as empty lists: same meaning.
            "c": [(prefix, day, fields) for (prefix, day), fields in days.items()],
            "p": list(plain.items()),
            "h": list(hashes.items()),
            "d": list(removed.items()),
            "s": list((strings or {}).items()),
            "g": list(guards),
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
