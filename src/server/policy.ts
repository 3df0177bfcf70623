/**
 * The typed server's policy for bad input and its limits: what each option
 * means, its default, and the close codes, the same on every runtime. README's
 * "Your own server" section has the table.
 *
 * @module
 */
import { DEFAULT_CLOSE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_FRAME_BYTES } from "./contract.ts";

/** The typed server's limits. Every field is optional; the defaults are below. */
export interface Limits {
  /** The largest frame, in bytes; a bigger one closes the connection with 1009. @default 1048576 */
  readonly maxFrameBytes?: number;
  /** Frames a connection may send per second, sustained (a token bucket); over it: 1008. @default 50 */
  readonly framesPerSecond?: number;
  /** Frames a connection may send at once. @default 100 */
  readonly burst?: number;
  /**
   * Bytes that may wait unsent to one connection. A connection above it for `slowConsumerGrace` ms in a row, or above
   * four times it, is closed with 1008 as too slow. The backlog is measured four times a second, never while the
   * server itself lags.
   * @default 1048576
   */
  readonly maxUnsentBytes?: number;
  /** How long a connection may stay above `maxUnsentBytes`, in milliseconds. @default 2000 */
  readonly slowConsumerGrace?: number;
  /** Invalid messages a connection may send before it is closed with 1008 (each reported to `onInvalid`). @default 1 */
  readonly invalidStrikes?: number;
  /** Messages that may wait behind a handler that has not finished (an async one); more: 1008. @default 100 */
  readonly maxQueuedMessages?: number;
  /**
   * Bytes (UTF-16 units of text) that may wait behind a handler that has not finished, counting too the requests whose
   * handlers have not answered yet; a frame past it: 1008. @default 4194304
   */
  readonly maxQueuedBytes?: number;
  /**
   * Connections open at once, counting upgrades accepted whose socket has not opened yet (for up to 10 s), so that a
   * burst of upgrades cannot pass the limit; more are refused with 429. @default 20000
   */
  readonly maxConnections?: number;
  /**
   * Connections open at once from one remote address, accepted upgrades included as for `maxConnections`; more are
   * refused with 429. Clients behind one proxy or NAT share an address: raise it or leave it off there.
   * @default no limit
   */
  readonly maxConnectionsPerAddress?: number;
  /**
   * Requests per connection that may be in flight at once, each way. From the peer: requests whose handlers have not
   * answered yet; the connection's next frames wait (counted in `maxQueuedMessages`) until one answers. To the peer:
   * `conn.request()` calls waiting for answers; one more rejects at once with `too-many-pending`, unsent.
   * @default 100
   */
  readonly maxPendingRequests?: number;
  /** Milliseconds a new connection has to send its first message; silent past it: 1008. `0` is off. @default 60000 */
  readonly firstMessageTimeout?: number;
  /** Seconds a peer may stay silent to pings before it is cut (1006 to `close`); `0` is off. @default 30 */
  readonly idleTimeout?: number;
  /** Milliseconds a peer has to answer a close frame before its TCP connection is cut. @default 3000 */
  readonly closeTimeout?: number;
}

/** Every limit, with its default filled in. */
export type ResolvedLimits = Required<Limits>;

/** The defaults of {@link Limits}. */
export const DEFAULT_LIMITS: ResolvedLimits = {
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  framesPerSecond: 50,
  burst: 100,
  maxUnsentBytes: 1024 * 1024,
  slowConsumerGrace: 2_000,
  invalidStrikes: 1,
  maxQueuedMessages: 100,
  maxQueuedBytes: 4 * 1024 * 1024,
  maxConnections: 20_000,
  maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
  maxPendingRequests: 100,
  firstMessageTimeout: 60_000,
  idleTimeout: DEFAULT_IDLE_TIMEOUT,
  closeTimeout: DEFAULT_CLOSE_TIMEOUT,
};

/**
 * Fills in the defaults and refuses limits that make no sense.
 *
 * @param limits What the user set.
 * @returns Every limit.
 * @throws {RangeError} For a limit that is negative, not a number, or zero where zero means nothing.
 * @example
 * ```ts
 * import { resolveLimits } from "./policy.ts";
 * resolveLimits({ framesPerSecond: 20 }).burst; // 100
 * ```
 */
export function resolveLimits(limits: Limits = {}): ResolvedLimits {
  const resolved = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof Limits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) throw new RangeError(`unknown limit ${JSON.stringify(key)}`);
    const zeroAllowed = key === "firstMessageTimeout" || key === "idleTimeout" || key === "closeTimeout";
    if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (value === 0 && !zeroAllowed)) {
      throw new RangeError(`limits.${key} must be a ${zeroAllowed ? "non-negative" : "positive"} number, got ${value}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/** The close codes of the policy (RFC 6455, 7.4.1). */
export const CloseCode = {
  /** The server is stopping. */
  goingAway: 1001,
  /** A binary frame where the protocol has none. */
  unsupportedData: 1003,
  /** Not JSON, or JSON that is not an object. */
  invalidPayload: 1007,
  /** An invalid message, an unknown type, over the rate, too slow, silent past the first-message deadline. */
  policyViolation: 1008,
  /** A frame over `maxFrameBytes`. */
  messageTooBig: 1009,
  /** A handler threw. */
  internalError: 1011,
  /** A connection catching up on a resumable topic fell behind its live stream by more than `maxQueuedBytes`. */
  tryAgainLater: 1013,
} as const;
