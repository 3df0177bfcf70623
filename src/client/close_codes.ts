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
  return NAMES[code] ??
    (code >= 4000 && code <= 4999
      ? "application code"
      : code >= 3000 && code <= 3999
      ? "registered code"
      : "unknown code");
}
