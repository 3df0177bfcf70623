/**
 * The last line of defence of every adapter: a handler that throws, or
 * returns a promise that rejects, is reported and closes its own connection
 * with 1011; nothing reaches the runtime, so no frame can end the process.
 *
 * @module
 */
import type { ServeOptions, ServerSocket } from "./contract.ts";

/** The close code for a connection whose handler failed: 1011, internal error. */
export const INTERNAL_ERROR = 1011;

/**
 * Runs one handler call so that a throw or a rejection closes only its connection.
 *
 * @param options Where failures are reported (`onError`).
 * @param socket The connection the call is about.
 * @param call The handler call.
 * @example
 * ```ts
 * import { guarded } from "./guard.ts";
 * declare const socket: import("./contract.ts").ServerSocket;
 * guarded({}, socket, () => {
 *   throw new Error("bug"); // reported; the socket is closed with 1011
 * });
 * ```
 */
export function guarded(options: ServeOptions, socket: ServerSocket, call: () => unknown): void {
  const fail = (error: unknown) => {
    try {
      (options.onError ?? report)(error, socket);
    } catch (hookError) {
      report(hookError, socket);
    }
    socket.close(INTERNAL_ERROR, "internal error");
  };
  try {
    const result = call();
    if (result instanceof Promise) result.catch(fail);
  } catch (error) {
    fail(error);
  }
}

function report(error: unknown, socket: ServerSocket): void {
  console.error(
    `typewire: a handler failed for a connection from ${socket.remoteAddress}; it is closed with 1011:`,
    error,
  );
}
