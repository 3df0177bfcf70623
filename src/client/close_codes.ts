/**
 * WebSocket close codes (RFC 6455 section 7.4 and the IANA registry) and
 * their names, and the codes typewire's client uses when it drops a
 * connection itself.
 *
 * @module
 */

const NAMES: Readonly<Record<number, string>> = {
  1000: "normal closure",
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1005: "no status received",
  1006: "abnormal closure",
  1007: "invalid frame payload data",
  1008: "policy violation",
  1009: "message too big",
  1010: "mandatory extension",
  1011: "internal error",
  1012: "service restart",
  1013: "try again later",
  1014: "bad gateway",
  1015: "TLS handshake failure",
};

/** The client heard nothing from the server for its idle timeout (a dead peer or a half-open connection). */
export const IDLE_TIMEOUT = 4100;
/** The handshake hook failed or timed out. */
export const HANDSHAKE_FAILED = 4101;
/** `reconnect()` was called. */
export const RECONNECT_REQUESTED = 4102;
/** A server's "bad credentials": the upgrade was accepted only to say so. Terminal: the client does not reconnect. */
export const UNAUTHORIZED = 4401;
/** A server's "not allowed": the credentials are good but do not allow this. Terminal, like every code in 4400-4499. */
export const FORBIDDEN = 4403;

/**
 * Whether a close code tells the client not to reconnect by default: 1008
 * (policy violation) and the range 4400-4499, which typewire reserves for a
 * server that refuses a client for what it is rather than for the moment
 * (bad credentials 4401, forbidden 4403; HTTP's 4xx, plus 4000). A server
 * cannot tell a browser client why it refused an upgrade (the WebSocket API
 * reports every failed connection as 1006), so it accepts the upgrade and
 * closes at once with one of these; the typed server's `upgrade` hook does
 * that for you with `refuseAfterUpgrade`.
 *
 * @param code A close code.
 * @returns `true` for 1008 and 4400-4499.
 * @example
 * ```ts
 * import { isTerminalCode } from "./close_codes.ts";
 * isTerminalCode(4401); // true: bad credentials, reconnecting would not help
 * isTerminalCode(1006); // false
 * ```
 */
export function isTerminalCode(code: number): boolean {
  return code === 1008 || (code >= 4400 && code <= 4499);
}

/**
 * Names a close code.
 *
 * @param code A close code.
 * @returns Its name, e.g. `"policy violation"` for 1008; `"application code"` for 4000-4999.
 * @example
 * ```ts
 * import { closeCodeName } from "./close_codes.ts";
 * closeCodeName(1006); // "abnormal closure"
 * ```
 */
export function closeCodeName(code: number): string {
  if (code === IDLE_TIMEOUT) return "idle timeout";
  if (code === HANDSHAKE_FAILED) return "handshake failed";
  if (code === RECONNECT_REQUESTED) return "reconnect requested";
  if (code === UNAUTHORIZED) return "unauthorized";
  if (code === FORBIDDEN) return "forbidden";
  return NAMES[code] ??
    (isTerminalCode(code)
      ? "refused"
      : code >= 4000 && code <= 4999
      ? "application code"
      : code >= 3000 && code <= 3999
      ? "registered code"
      : "unknown code");
}
