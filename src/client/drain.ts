/**
 * Backpressure for a polite sender: wait until what a client has not sent
 * yet falls back under a high-water mark. An import of its own, so that a
 * page that does not stream pays nothing for it.
 *
 * @module
 */

/** What `drained` reads of a client. */
export interface Drainable {
  readonly bufferedAmount: number;
  readonly readyState: number;
}

/**
 * Resolves once `client.bufferedAmount` (typewire's queue plus the socket's
 * buffer, where the runtime reports it) is at or below `highWaterMark`: at
 * once if it is, or when the client closes for good. It checks every 10 ms
 * while waiting, and holds no timer once resolved.
 *
 * @param client The client to watch.
 * @param highWaterMark In bytes (UTF-16 code units for queued frames). @default 1048576
 * @returns A promise that resolves when there is room.
 * @example Stream lines without flooding the socket
 * ```ts
 * import { connect } from "./mod.ts";
 * import { drained } from "./drain.ts";
 * import { chatClientProtocol } from "../generated/chat.ts";
 * const client = connect(chatClientProtocol, "ws://127.0.0.1:6502");
 * for (const text of ["a", "b"]) {
 *   client.send({ type: "message", id: 1, text, date: Date.now() });
 *   await drained(client, 64 * 1024);
 * }
 * ```
 */
export function drained(client: Drainable, highWaterMark = 1024 * 1024): Promise<void> {
  return new Promise((resolve) => {
    const check = () =>
      client.bufferedAmount <= highWaterMark || client.readyState === 3 ? resolve() : setTimeout(check, 10);
    check();
  });
}
