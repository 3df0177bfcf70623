/**
 * Close reasons as the WebSocket protocol allows them: at most 123 bytes of
 * UTF-8 (RFC 6455, 5.5: a control frame's payload is 125 bytes, two of them
 * the code). Runtimes differ on a longer one (Deno throws, Bun cuts it
 * anywhere); every adapter cuts it here first, at a character boundary.
 *
 * @module
 */

/** The code and reason a server closed a connection with, as its close handler is told them. */
export interface ClosedWith {
  readonly code: number;
  readonly reason: string;
}

/** The most UTF-8 bytes a close reason may have. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Cuts a close reason to 123 UTF-8 bytes at a character boundary, ending it
 * with `...` when it was cut.
 *
 * @param reason Any text.
 * @returns The reason, at most 123 bytes long.
 * @example
 * ```ts
 * import { closeReason } from "./close_reason.ts";
 * closeReason("é".repeat(100)).length; // 61: 60 two-byte characters and "..."
 * ```
 */
export function closeReason(reason: string): string {
  // Fast path: every UTF-16 unit is at most 3 UTF-8 bytes.
  if (reason.length * 3 <= MAX_CLOSE_REASON_BYTES) return reason;
  let bytes = 0;
  let cut = -1;
  for (let i = 0; i < reason.length; i++) {
    const unit = reason.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < reason.length;
    const size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > MAX_CLOSE_REASON_BYTES - 3 && cut < 0) cut = i;
    bytes += size;
    if (bytes > MAX_CLOSE_REASON_BYTES) return `${reason.slice(0, cut)}...`;
    if (pair) i++;
  }
  return reason;
}
