/**
 * The Lua scripts `RedisBackplane` runs in Redis, and how their replies are
 * read. Each is one atomic step: an append (dedupe, store, trim, publish), or
 * a snapshot of a log after a position.
 *
 * A resumable topic T, under prefix P, is three keys in one Redis Cluster slot
 * (the braces): `P:{T}:log`, a stream whose entries hold the frame (`f`) and
 * the position of the entry appended before it (`p`, `0-0` for the first),
 * so a reader can tell an entry it missed from one trimmed away; `P:{T}:ids`,
 * a hash from append id to position; and `P:{T}:order`, a list of those ids,
 * oldest first, keeping the hash to the last `maxMessages` of them.
 *
 * @module
 */

/**
 * Appends, in order, as one atomic step: KEYS log, ids, order; ARGV
 * maxMessages, maxAgeMs, the entries channel, then each append's id and
 * frame. Returns each entry's position (its stream id), or the one stored
 * under the same id before (a retried append is stored once). The stream's
 * newest entry is never trimmed (MAXLEN keeps at least one, MINID is computed
 * from the new id's own time), so it always tells the position appended
 * last. Trimming is approximate (`~`, whole stream nodes): the log may keep
 * more than its window, never less; `read` applies the window exactly.
 *
 * @example
 * ```ts
 * import { APPEND } from "./redis_scripts.ts";
 * console.log(APPEND.includes("XADD"));
 * ```
 */
export const APPEND = `
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local previous = '0-0'
if newest then previous = newest[1] end
local positions = {}
for i = 4, #ARGV, 2 do
  local id, frame = ARGV[i], ARGV[i + 1]
  local known = redis.call('HGET', KEYS[2], id)
  if known then
    table.insert(positions, known)
  else
    local position = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'f', frame, 'p', previous)
    previous = position
    redis.call('HSET', KEYS[2], id, position)
    if redis.call('RPUSH', KEYS[3], id) > tonumber(ARGV[1]) then
      redis.call('HDEL', KEYS[2], redis.call('LPOP', KEYS[3]))
    end
    redis.call('PUBLISH', ARGV[3], position .. ' ' .. frame)
    table.insert(positions, position)
  end
end
local oldest = tonumber(string.match(previous, '^%d+')) - tonumber(ARGV[2])
if oldest > 0 then redis.call('XTRIM', KEYS[1], 'MINID', '~', string.format('%d', oldest)) end
return positions
`;

/**
 * A snapshot of a log after a position: KEYS log; ARGV position (a valid
 * stream id), count. Returns `{now}` (Redis's clock in ms) when the log is
 * missing or empty, else `{now, newest, held, previousHeld, entries}`:
 * the newest position, whether the position itself is in the log (1/0),
 * whether the `p` of the first entry after it is (1/0), and up to `count`
 * entries after it, as XRANGE gives them.
 *
 * @example
 * ```ts
 * import { SNAPSHOT } from "./redis_scripts.ts";
 * console.log(SNAPSHOT.includes("XRANGE"));
 * ```
 */
export const SNAPSHOT = `
local time = redis.call('TIME')
local now = string.format('%d', tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000))
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if not newest then return {now} end
local held = #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
local after = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
local previousHeld = 0
if after[1] then
  local fields = after[1][2]
  for i = 1, #fields - 1, 2 do
    if fields[i] == 'p' and #redis.call('XRANGE', KEYS[1], fields[i + 1], fields[i + 1]) > 0 then previousHeld = 1 end
  end
end
return {now, newest[1], held, previousHeld, after}
`;

/**
 * The newest position of a log: KEYS log. Returns it, or `0-0` when the log is missing or empty.
 *
 * @example
 * ```ts
 * import { NEWEST } from "./redis_scripts.ts";
 * console.log(NEWEST.includes("XREVRANGE"));
 * ```
 */
export const NEWEST = `
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if newest then return newest[1] end
return '0-0'
`;

/** One stored entry, as `SNAPSHOT` returns it. */
export interface StoredEntry {
  readonly position: string;
  readonly frame: string;
  /** The position of the entry appended before it (`0-0` for a log's first). */
  readonly previous: string;
}

/** What `SNAPSHOT` found. */
export type Snapshot =
  | { readonly kind: "missing"; readonly nowMs: number }
  | {
    readonly kind: "log";
    readonly nowMs: number;
    readonly newest: string;
    readonly held: boolean;
    readonly previousHeld: boolean;
    readonly entries: readonly StoredEntry[];
  };

/**
 * Reads `SNAPSHOT`'s reply.
 *
 * @param reply What EVAL returned.
 * @returns The snapshot.
 * @throws {Error} When the reply is not shaped as `SNAPSHOT` returns.
 *
 * @example
 * ```ts
 * import { parseSnapshot } from "./redis_scripts.ts";
 * const snapshot = parseSnapshot(["1700000000000", "1700000000000-0", 1, 0, []]);
 * console.log(snapshot.kind); // "log"
 * ```
 */
export function parseSnapshot(reply: unknown): Snapshot {
  if (!Array.isArray(reply)) throw new Error("unexpected snapshot reply from Redis");
  const nowMs = Number(reply[0]);
  if (reply.length === 1) return { kind: "missing", nowMs };
  const [, newest, held, previousHeld, entries] = reply as unknown[];
  if (typeof newest !== "string" || !Array.isArray(entries)) throw new Error("unexpected snapshot reply from Redis");
  return {
    kind: "log",
    nowMs,
    newest,
    held: Number(held) === 1,
    previousHeld: Number(previousHeld) === 1,
    entries: entries.map(parseEntry),
  };
}

function parseEntry(raw: unknown): StoredEntry {
  const [position, fields] = Array.isArray(raw) ? raw as unknown[] : [];
  if (typeof position !== "string" || !Array.isArray(fields)) throw new Error("unexpected stream entry from Redis");
  let frame = "";
  let previous = "0-0";
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === "f") frame = String(fields[i + 1]);
    else if (fields[i] === "p") previous = String(fields[i + 1]);
  }
  return { position, frame, previous };
}
