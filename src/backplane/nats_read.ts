/**
 * `read` on the NATS engine: what followed a position in a topic's log, all of
 * it or nothing. The read stops at the topic's last entry as of its start
 * (what comes after is live), and accepts what it read only if each entry
 * names the one before it as its `previous`, the first naming the position:
 * entries the stream dropped while the read went on (its limits) show as a
 * break, and make the answer `gone`, never entries with a hole.
 *
 * @module
 */
import type { LogEntry, ReadResult, RecoveryWindow } from "./backplane.ts";
import type { NatsLog } from "./nats_log.ts";

/** What a read needs besides the log. */
export interface ReadContext {
  /** How long the log keeps entries: what is older than `maxAgeMs` is left out. */
  readonly window: RecoveryWindow;
  /** The position of an entry of the stream as it is now. */
  position(seq: number): string;
  /** The position asked about, for messages. */
  readonly where: string;
}

/**
 * The entries of a topic's log after one of its sequences (from the stream as it is: its epoch checked before).
 *
 * @param log The stream's logs.
 * @param subject The topic's stored subject.
 * @param after The sequence of the position.
 * @returns Every entry after it, in order, or `gone` (`invalid` when the stream never reached it).
 * @throws {Error} (as a rejection) When NATS did not answer.
 *
 * @example
 * ```ts
 * import { connect } from "@nats-io/transport-node";
 * import { jetstreamManager } from "@nats-io/jetstream";
 * import { NatsLog } from "./nats_log.ts";
 * import { readAfter } from "./nats_read.ts";
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
 * const log = new NatsLog(nc, await jetstreamManager(nc), "TYPEWIRE", 5000);
 * const result = await readAfter(log, "typewire.r.bcm9vbTox", 41, {
 *   window: { maxMessages: 1000, maxAgeMs: 120_000 },
 *   position: (seq) => `1764500000000-${seq}`,
 *   where: `"1764500000000-41" of "room:1"`,
 * });
 * console.log(result.ok ? result.entries.length : result.reason);
 * await nc.close();
 * ```
 */
export async function readAfter(
  log: NatsLog,
  subject: string,
  after: number,
  context: ReadContext,
): Promise<ReadResult> {
  const { window, where } = context;
  const gone = (message: string): ReadResult => ({ ok: false, reason: "gone", message });
  const last = await log.last(subject);
  if (last < after) {
    // The topic holds nothing at the position or after it: dropped (by age), unless the stream never got that far.
    return (await log.streamLast()) < after
      ? { ok: false, reason: "invalid", message: `NATS never gave ${where}` }
      : gone(`the log no longer holds ${where}`);
  }
  if (last === after) return { ok: true, entries: [] };
  // From the position itself: still there, or the entry after it names it (entries go oldest first), or it is gone.
  const stored = await log.read(subject, after, last);
  const entries: LogEntry[] = [];
  let before = after;
  let oldest: number | undefined;
  for (const entry of stored) {
    if (entry.seq === after) continue;
    if (entry.previous !== before) {
      return gone(
        before === after
          ? `the log no longer holds what followed ${where}`
          : `entries after ${context.position(before)} were dropped from the log while ${where} was read`,
      );
    }
    oldest ??= entry.time;
    entries.push({ position: context.position(entry.seq), frame: entry.frame });
    before = entry.seq;
  }
  if (before !== last) {
    return gone(`entries up to ${context.position(last)} were dropped from the log while ${where} was read`);
  }
  if (entries.length > window.maxMessages) return gone(`more than ${window.maxMessages} entries followed ${where}`);
  if (oldest !== undefined && Date.now() - oldest > window.maxAgeMs) {
    return gone(`what followed ${where} is older than ${window.maxAgeMs} ms`);
  }
  return { ok: true, entries };
}
