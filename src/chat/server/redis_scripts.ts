/**
 * The Lua scripts `RedisNames` runs in Redis: each change to the room's
 * names (a name claimed, a client gone, an instance forgotten or restored) is
 * one script, so it is atomic across every instance.
 *
 * A name is held by its keys (`nameKeys`, its skeletons: look-alike names
 * share one; two, the second '' when there is one), so every script takes
 * keys where it looks a name up. Redis keys, for a room R (the braces keep
 * them in one Redis Cluster slot; the cluster's keys, `typewire:{topic}:...`,
 * are never among them): `typewire:names:{R}:holders` (hash: name key ->
 * "instance/id"), `:shown` (hash: name key -> the name as shown), `:users`
 * (sorted set: names by login order), `:held:<instance>` (set: name keys an
 * instance's clients hold), `:counter` (rename digits), and three numbers
 * that start at Redis's clock in microseconds, so they keep growing even if
 * Redis loses its data: `:ids`, `:order`, `:version`.
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

/** Removes the name with key `key` from the room (not from a `held` set). */
const UNLIST = `
local function unlist(holders, shown, users, key)
  local name = redis.call('HGET', shown, key)
  if name then redis.call('ZREM', users, name) end
  redis.call('HDEL', holders, key)
  redis.call('HDEL', shown, key)
end
`;

/** Removes the name with key `key` from the room if `owner` holds it. */
const DROP = `${UNLIST}
local function drop(holders, shown, users, held, key, owner)
  if key ~= '' and redis.call('HGET', holders, key) == owner then
    unlist(holders, shown, users, key)
    redis.call('SREM', held, key)
  end
end
`;

/** Gives a name (and its keys) to `owner`, at the end of the login order. */
const TAKE = `
local function take(holders, shown, users, order, held, keys, name, owner)
  for _, key in ipairs(keys) do
    if key ~= '' then
      redis.call('HSET', holders, key, owner)
      redis.call('HSET', shown, key, name)
      redis.call('SADD', held, key)
    end
  end
  redis.call('ZADD', users, bump(order, 1), name)
end
`;

/** Whether a client other than `owner` holds one of the keys. */
const HELD = `
local function heldByOther(holders, keys, owner)
  for _, key in ipairs(keys) do
    local holder = key ~= '' and redis.call('HGET', holders, key)
    if holder and holder ~= owner then return true end
  end
  return false
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
 * A login or rename: KEYS holders, shown, users, counter, order, version,
 * held; ARGV owner, requested, its two keys, the previous name's two keys
 * (empty for a login), then the keys of the digits 0 to 9. While another
 * client holds one of the keys, digits from the room's counter are appended
 * (to the name, and their keys to the keys). Returns {name, version, users}.
 */
export const CLAIM = `${BUMP}${LIST}${DROP}${TAKE}${HELD}
local owner, requested = ARGV[1], ARGV[2]
local name, keys = requested, {ARGV[3], ARGV[4]}
local function digitKey(digit) return ARGV[7 + tonumber(digit)] end
while heldByOther(KEYS[1], keys, owner) do
  local digits = tostring(redis.call('INCR', KEYS[4]))
  local suffix = string.gsub(digits, '%d', digitKey)
  name = requested .. digits
  keys = {ARGV[3] .. suffix, ARGV[4] ~= '' and ARGV[4] .. suffix or ''}
end
drop(KEYS[1], KEYS[2], KEYS[3], KEYS[7], ARGV[5], owner)
drop(KEYS[1], KEYS[2], KEYS[3], KEYS[7], ARGV[6], owner)
take(KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[7], keys, name, owner)
local after = list(KEYS[3], KEYS[6])
return {name, after[1], after[2]}
`;

/**
 * A client left: KEYS holders, shown, users, version, held; ARGV owner, its name's two keys (empty without a name).
 * Returns {version, users}.
 */
export const RELEASE = `${BUMP}${LIST}${DROP}
drop(KEYS[1], KEYS[2], KEYS[3], KEYS[5], ARGV[2], ARGV[1])
drop(KEYS[1], KEYS[2], KEYS[3], KEYS[5], ARGV[3], ARGV[1])
return list(KEYS[3], KEYS[4])
`;

/**
 * Drops every name in `held` that the instance with owner prefix `prefix`
 * holds, unless `keep` lists its key or `keepOwners` its holder; returns how
 * many of the instance's name keys it dropped.
 */
const DROP_HELD = `${UNLIST}
local function dropHeld(holders, shown, users, held, prefix, keep, keepOwners)
  local dropped = 0
  for _, key in ipairs(redis.call('SMEMBERS', held)) do
    local holder = redis.call('HGET', holders, key)
    if not keep[key] and not (holder and keepOwners[holder]) then
      if holder and string.sub(holder, 1, #prefix) == prefix then
        unlist(holders, shown, users, key)
        dropped = dropped + 1
      end
      redis.call('SREM', held, key)
    end
  end
  return dropped
end
`;

/**
 * Makes the room hold exactly this instance's names, after Redis was
 * unreachable or the instance was taken for dead: names of its clients that
 * nobody took are given back, names it no longer has a client for (a release
 * or a claim whose answer was lost) are dropped. KEYS holders, shown, users,
 * order, version, held; ARGV owner prefix ("instance/"), then for each client
 * its id, name and two keys (an empty name for a client whose claim is under
 * way: whatever it holds stays). Returns {version, users, ids whose name (or a
 * look-alike) someone else took}.
 */
export const RESTORE = `${BUMP}${LIST}${TAKE}${DROP_HELD}${HELD}
local lost, keep, claiming = {}, {}, {}
for i = 2, #ARGV, 4 do
  local owner, name, keys = ARGV[1] .. ARGV[i], ARGV[i + 1], {ARGV[i + 2], ARGV[i + 3]}
  if name == '' then
    claiming[owner] = true
  elseif heldByOther(KEYS[1], keys, owner) then
    table.insert(lost, ARGV[i])
  else
    if redis.call('HGET', KEYS[1], keys[1]) ~= owner then
      take(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[6], keys, name, owner)
    end
    keep[keys[1]], keep[keys[2]] = true, true
  end
end
dropHeld(KEYS[1], KEYS[2], KEYS[3], KEYS[6], ARGV[1], keep, claiming)
local after = list(KEYS[3], KEYS[5])
return {after[1], after[2], lost}
`;

/**
 * Drops every name an instance's clients hold (it died, or left), whatever
 * their claims: KEYS holders, shown, users, version, held; ARGV owner prefix
 * ("instance/"). Returns {version, users}: the version moves only when a name
 * was dropped, so that the instances that all forget one dead instance
 * publish one list.
 */
export const FORGET = `${BUMP}${LIST}${DROP_HELD}
local dropped = dropHeld(KEYS[1], KEYS[2], KEYS[3], KEYS[5], ARGV[1], {}, {})
if dropped > 0 or redis.call('EXISTS', KEYS[4]) == 0 then return list(KEYS[3], KEYS[4]) end
return {tonumber(redis.call('GET', KEYS[4])), redis.call('ZRANGE', KEYS[3], 0, -1)}
`;
