/**
 * Dead-peer detection: a connection on which nothing arrives for a while is
 * dropped and reconnected. Built on the client's public API, in a module of
 * its own, so a bundle that does not watch carries none of it.
 *
 * @module
 */
import type { TypewireClient } from "./client.ts";
import { IDLE_TIMEOUT } from "./close_codes.ts";

/** How long silence may last, and how to break it. */
export interface IdleOptions<C> {
  /** Drop the connection (close code 4100) and reconnect after this many milliseconds without a frame. */
  readonly timeout: number;
  /** A message to send after half the timeout of silence, for a protocol that has a ping. */
  readonly ping?: () => C;
}

/**
 * Watches a client for silence: after half `timeout` without a frame it sends
 * `ping()` (when given), after `timeout` (at most a quarter more) it drops the
 * connection with close code 4100 and reconnects at once. A half-open
 * connection, whose peer vanished without a close frame, is found this way.
 *
 * @param client The client.
 * @param options The timeout, and the ping (write its `type` `as const`, or give the function a return type).
 * @returns A function that stops watching (it stops by itself when the client closes for good).
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * import { watchIdle } from "./idle.ts";
 * import { echoProtocol } from "../../tests/fixtures/generated/echo.ts";
 * const client = connect(echoProtocol, "ws://127.0.0.1:8080");
 * watchIdle(client, { timeout: 30_000, ping: () => ({ type: "ping" as const, seq: 0 }) });
 * ```
 */
export function watchIdle<S, C, K extends string, R>(
  client: TypewireClient<S, C, K, R>,
  options: IdleOptions<C>,
): () => void {
  const tick = Math.max(1, options.timeout / 4);
  let timer: ReturnType<typeof setInterval> | undefined;
  let seen = -1;
  let silentTicks = 0;
  const check = () => {
    if (client.readyState !== 1) return;
    if (client.stats.received !== seen) {
      seen = client.stats.received;
      silentTicks = 0;
      return;
    }
    silentTicks++;
    if (silentTicks === 2 && options.ping !== undefined) client.send(options.ping());
    if (silentTicks >= 4) client.reconnect(IDLE_TIMEOUT, `no frame for ${options.timeout} ms`);
  };
  const start = () => {
    clearInterval(timer);
    seen = client.stats.received;
    silentTicks = 0;
    timer = setInterval(check, tick);
  };
  const stopOpen = client.onEvent("open", start);
  const stopClose = client.onEvent("close", (event) => {
    clearInterval(timer);
    if (!event.willReconnect) stop();
  });
  const stop = () => {
    clearInterval(timer);
    stopOpen();
    stopClose();
  };
  if (client.readyState === 1) start();
  return stop;
}
