/**
 * The Lua scripts `RedisBackend` runs in Redis: each change to the shared
 * room (a name claimed, a client gone, an instance dead) is one script, so
 * it is atomic across every instance.
 *
 * Keys, for a room R (the braces keep them in one Redis Cluster slot):
 * `typewire:{R}:owners` (hash: name -> "instance/id"), `:users` (sorted set:
 * names by login order), `:mine:<instance>` (set: names an instance's clients
 * hold), `:instances` (sorted set: instance -> when it counts as dead),
 * `:counter` (rename digits), and three numbers that start at Redis's clock
 * in microseconds, so they keep growing even if Redis loses its data:
 * `:ids`, `:order`, `:version`.
 *
 * @module
 */

/** Starts `key` at Redis's clock in microseconds if it is missing, then adds `by`. */
const BUMP = `
local function bump(key, by)
  if redis.call('EXISTS', key) == 0 then
    local now = redis.call('TIME')
    redis.call('SET', key, now[1] .. string.format('%06d', now[2]))
  end
  return redis.call('INCRBY', key, by)
end
`;

/** The user list after a change, as the room publishes it: a new version and the names in login order. */
const LIST = `
local function list(users, version)
  return {bump(version, 1), redis.call('ZRANGE', users, 0, -1)}
end
`;

/** Removes a name from the room if `owner` holds it. */
const DROP = `
local function drop(owners, users, mine, name, owner)
  if name ~= '' and redis.call('HGET', owners, name) == owner then
    redis.call('HDEL', owners, name)
    redis.call('ZREM', users, name)
    redis.call('SREM', mine, name)
  end
end
`;

/** Gives a name to `owner`, at the end of the login order. */
const TAKE = `
local function take(owners, users, order, mine, name, owner)
  redis.call('HSET', owners, name, owner)
  redis.call('ZADD', users, bump(order, 1), name)
  redis.call('SADD', mine, name)
end
`;

/**
 * A block of client ids: KEYS ids; ARGV size, floor (the highest id this
 * instance has seen). Returns the block's first id.
 */
export const TAKE_IDS = `${BUMP}
local size = tonumber(ARGV[1])
local last = bump(KEYS[1], size)
local floor = tonumber(ARGV[2])
if last - size < floor then
  last = floor + size
  redis.call('SET', KEYS[1], string.format('%d', last))
end
return last - size + 1
`;

/**
 * A login or rename: KEYS owners, users, counter, order, version, mine;
 * ARGV owner, requested, previous (empty for a login). While another client
 * holds the name, digits from the room's counter are appended. Returns
 * {name, version, users}.
 */
export const CLAIM = `${BUMP}${LIST}${DROP}${TAKE}
local owner, requested, previous = ARGV[1], ARGV[2], ARGV[3]
local name = requested
while true do
  local holder = redis.call('HGET', KEYS[1], name)
  if not holder or holder == owner then break end
  name = requested .. redis.call('INCR', KEYS[3])
end
drop(KEYS[1], KEYS[2], KEYS[6], previous, owner)
take(KEYS[1], KEYS[2], KEYS[4], KEYS[6], name, owner)
local after = list(KEYS[2], KEYS[5])
return {name, after[1], after[2]}
`;

/** A client left: KEYS owners, users, version, mine; ARGV owner, name (may be empty). Returns {version, users}. */
export const RELEASE = `${BUMP}${LIST}${DROP}
drop(KEYS[1], KEYS[2], KEYS[4], ARGV[2], ARGV[1])
return list(KEYS[2], KEYS[3])
`;

/**
 * Drops every name in `mine` that the instance with owner prefix `prefix`
 * holds, unless `keep` lists the name or `keepOwners` its holder.
 */
const FORGET = `
local function forget(owners, users, mine, prefix, keep, keepOwners)
  for _, name in ipairs(redis.call('SMEMBERS', mine)) do
    local holder = redis.call('HGET', owners, name)
    if not keep[name] and not (holder and keepOwners[holder]) then
      if holder and string.sub(holder, 1, #prefix) == prefix then
        redis.call('HDEL', owners, name)
        redis.call('ZREM', users, name)
      end
      redis.call('SREM', mine, name)
    end
  end
end
`;

/**
 * Makes the room hold exactly this instance's names, after Redis was
 * unreachable or the instance was taken for dead: names of its clients that
 * nobody took are given back, names it no longer has a client for (a release
 * or a claim whose answer was lost) are dropped. KEYS owners, users, order,
 * version, mine; ARGV owner prefix ("instance/"), then id and name pairs (an
 * empty name for a client whose claim is under way: whatever it holds stays).
 * Returns {version, users, ids whose name someone else took}.
 */
export const RESTORE = `${BUMP}${LIST}${TAKE}${FORGET}
local lost, keep, claiming = {}, {}, {}
for i = 2, #ARGV, 2 do
  local owner, name = ARGV[1] .. ARGV[i], ARGV[i + 1]
  local holder = name ~= '' and redis.call('HGET', KEYS[1], name)
  if name == '' then
    claiming[owner] = true
  elseif not holder then
    take(KEYS[1], KEYS[2], KEYS[3], KEYS[5], name, owner)
    keep[name] = true
  elseif holder == owner then
    keep[name] = true
  else
    table.insert(lost, ARGV[i])
  end
end
forget(KEYS[1], KEYS[2], KEYS[5], ARGV[1], keep, claiming)
local after = list(KEYS[2], KEYS[4])
return {after[1], after[2], lost}
`;

/**
 * This instance leaves the room for good: every name it holds is dropped
 * (claims still answered or not), and it is no longer watched for liveness.
 * KEYS owners, users, version, mine, instances; ARGV owner prefix, instance.
 * Returns {version, users}.
 */
export const LEAVE = `${BUMP}${LIST}${FORGET}
forget(KEYS[1], KEYS[2], KEYS[4], ARGV[1], {}, {})
redis.call('ZREM', KEYS[5], ARGV[2])
return list(KEYS[2], KEYS[3])
`;

/**
 * This instance is alive until now + ttl; every instance past its time is
 * dead, and its clients' names leave the room. KEYS instances, owners, users,
 * version; ARGV instance, ttl in ms, the prefix of the `mine` sets. Returns
 * {reaped, version, users}: reaped is 1 when this instance was not listed as
 * alive (taken for dead, or Redis came back empty: it must restore its
 * names); version is 0 when nobody left.
 */
export const HEARTBEAT = `${BUMP}${LIST}${FORGET}
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local until_ = redis.call('ZSCORE', KEYS[1], ARGV[1])
local reaped = (not until_ or tonumber(until_) <= now) and 1 or 0
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #dead == 0 then return {reaped, 0, {}} end
for _, instance in ipairs(dead) do
  forget(KEYS[2], KEYS[3], ARGV[3] .. instance, instance .. '/', {}, {})
  redis.call('ZREM', KEYS[1], instance)
end
local after = list(KEYS[3], KEYS[4])
return {reaped, after[1], after[2]}
`;
