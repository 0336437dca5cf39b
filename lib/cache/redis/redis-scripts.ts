import { createHash } from 'node:crypto'

/**
 * The Lua scripts the Redis store runs. A script runs atomically in one round trip, and takes its
 * timestamps from the Redis server's clock (`TIME`), so entries and tag revalidations written by
 * different instances compare on one clock, whatever the instances' own clocks say. Each is sent
 * by its SHA-1 (`EVALSHA`), its source only when Redis lacks it (see RedisConnection.runScript):
 * `EVAL` would send the whole source with every cache read, and Redis hash it every time.
 */
export interface RedisScript {
  readonly source: string
  readonly sha: string
}

function script(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') }
}

/**
 * Milliseconds since the epoch on the server's clock, to the microsecond (`1795902841873.123`):
 * Redis runs one script at a time, so a revalidation and an entry written in the same millisecond
 * still compare in the order they happened.
 */
const NOW_MS = `local time = redis.call('TIME')
local micros = tonumber(time[2])
local now = string.format('%d.%03d', tonumber(time[1]) * 1000 + math.floor(micros / 1000), micros % 1000)`

/**
 * Stores an entry: KEYS[1] the entry; ARGV[1] its tags as a JSON array, ARGV[2] its meta and body,
 * ARGV[3] its time to live in ms. The stored frame is `lastModified\ntags\nmeta\nbody`.
 * Returns lastModified.
 */
export const SET_ENTRY = script(`${NOW_MS}
redis.call('SET', KEYS[1], now .. '\\n' .. ARGV[1] .. '\\n' .. ARGV[2], 'PX', ARGV[3])
return now`)

/**
 * Reads an entry unless one of its tags (stored in the frame, plus the caller's in ARGV) expired
 * after it was set: KEYS[1] the entry, KEYS[2] the tag hash. As Next.js's \`areTagsExpired\`: a tag
 * expiry counts once it is due (\`expired <= now\`) and only for entries set before it. Returns
 * nil, or the frame followed by each of those tags with its \`s:\` and \`x:\` fields (false for
 * none), so the caller judges staleness without a second round trip.
 */
export const GET_ENTRY = script(`local frame = redis.call('GET', KEYS[1])
if not frame then return nil end
${NOW_MS}
now = tonumber(now)
local first = string.find(frame, '\\n', 1, true)
local second = string.find(frame, '\\n', first + 1, true)
local lastModified = tonumber(string.sub(frame, 1, first - 1))
local tags = cjson.decode(string.sub(frame, first + 1, second - 1))
for i = 1, #ARGV do tags[#tags + 1] = ARGV[i] end
local reply = { frame }
for _, tag in ipairs(tags) do
  local fields = redis.call('HMGET', KEYS[2], 's:' .. tag, 'x:' .. tag)
  local expired = tonumber(fields[2])
  if expired and expired <= now and expired > lastModified then return nil end
  reply[#reply + 1] = tag
  reply[#reply + 1] = fields[1] or false
  reply[#reply + 1] = fields[2] or false
end
return reply`)

/**
 * Revalidates tags (Next 16's \`revalidateTag(tag, profile)\` semantics): KEYS[1] the tag hash;
 * ARGV[1] 'stale' (durations given: stale now, expired after ARGV[2] seconds when not empty) or
 * 'expire' (expired now); ARGV[3…] the tags. Fields: \`s:<tag>\` stale since, \`x:<tag>\` expired at.
 */
export const REVALIDATE_TAGS = script(`${NOW_MS}
for i = 3, #ARGV do
  if ARGV[1] == 'stale' then
    redis.call('HSET', KEYS[1], 's:' .. ARGV[i], now)
    if ARGV[2] ~= '' then
      redis.call('HSET', KEYS[1], 'x:' .. ARGV[i], string.format('%.3f', tonumber(now) + tonumber(ARGV[2]) * 1000))
    end
  else
    redis.call('HSET', KEYS[1], 'x:' .. ARGV[i], now)
  end
end
return #ARGV - 2`)

/**
 * Keeps a lock its holder still has for ARGV[2] ms from now (1), or says it has not (0): it timed out
 * and may have moved on. One command, so no other instance can take the lock in between.
 */
export const RENEW = script(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`)

/** Releases a lock only if it still holds this holder's token (it may have timed out and moved on). */
export const UNLOCK = script(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)
