/**
 * Waiting for messages of a type: the next one as a promise, or all of them
 * as an async iterator. Built on the client's public API, in a module of its
 * own, so a bundle that does not wait carries none of it.
 *
 * @module
 */
import type { MessageOf, TagOf } from "../runtime/dispatch.ts";
import type { TypewireClient } from "./client.ts";
import { ClientClosedError, TimeoutError } from "./errors.ts";
import type { NextOptions } from "./options.ts";

/**
 * Calls `onEnd` once the client closes for good (at once if it has).
 *
 * @returns A function that stops listening.
 */
function whenClosed<S, C, K extends string, R>(client: TypewireClient<S, C, K, R>, onEnd: () => void): () => void {
  if (client.readyState === 3) {
    onEnd();
    return () => {};
  }
  return client.onEvent("close", (event) => {
    if (!event.willReconnect) onEnd();
  });
}

/**
 * Registers a handler that only listens: it answers no request, so it suits every message type, requests included,
 * which neither of `on()`'s typed overloads accepts for a type not known yet.
 */
function listen<S, C, K extends string, R, T extends TagOf<S, K>>(
  client: TypewireClient<S, C, K, R>,
  type: T,
  handler: (message: MessageOf<S, K, T>) => void,
): () => void {
  // The implementation's own signature: what both overloads call.
  const untyped = client as unknown as { on(type: string, handler: (message: never) => unknown): () => void };
  return untyped.on(type, handler);
}

/**
 * Waits for the next message of a type.
 *
 * @param client The client.
 * @param type The message's discriminator value.
 * @param options A filter, a timeout, an `AbortSignal`.
 * @returns The message.
 * @throws {TimeoutError} After `timeout` milliseconds.
 * @throws {ClientClosedError} When the client closes for good first.
 * @example Waiting for the id the server sends first
 * ```ts
 * import { connect } from "./mod.ts";
 * import { nextMessage } from "./wait.ts";
 * import { chatClientProtocol } from "../generated/chat.ts";
 * const client = connect(chatClientProtocol, "ws://127.0.0.1:6502");
 * const { id } = await nextMessage(client, "id", { timeout: 5_000 });
 * ```
 */
export function nextMessage<S, C, K extends string, T extends TagOf<S, K>, R>(
  client: TypewireClient<S, C, K, R>,
  type: T,
  options: NextOptions<MessageOf<S, K, T>> = {},
): Promise<MessageOf<S, K, T>> {
  const { filter, timeout, signal } = options;
  return new Promise((resolve, reject) => {
    if (client.readyState === 3) return reject(new ClientClosedError());
    if (signal?.aborted) return reject(signal.reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (outcome: () => void) => {
      unsubscribe();
      stopWatching();
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      outcome();
    };
    const unsubscribe = listen<S, C, K, R, T>(client, type, (message) => {
      try {
        if (filter === undefined || filter(message)) settle(() => resolve(message));
      } catch (error) {
        settle(() => reject(error));
      }
    });
    const onAbort = () => settle(() => reject(signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeout !== undefined) timer = setTimeout(() => settle(() => reject(new TimeoutError(type, timeout))), timeout);
    const stopWatching = whenClosed(
      client,
      () => settle(() => reject(new ClientClosedError())),
    );
  });
}

/**
 * Iterates over the messages of a type as they arrive, until the client
 * closes for good (the loop then ends) or the loop is left.
 *
 * @param client The client.
 * @param type The message's discriminator value.
 * @param options `buffer`: how many unread messages to hold (default 1000); past it the loop throws a RangeError.
 * @returns An async iterator of typed messages.
 * @example Every chat line, until the client closes
 * ```ts
 * import { connect } from "./mod.ts";
 * import { messagesOf } from "./wait.ts";
 * import { chatClientProtocol } from "../generated/chat.ts";
 * const client = connect(chatClientProtocol, "ws://127.0.0.1:6502");
 * for await (const line of messagesOf(client, "message")) console.log(`${line.name}: ${line.text}`);
 * ```
 */
export async function* messagesOf<S, C, K extends string, T extends TagOf<S, K>, R>(
  client: TypewireClient<S, C, K, R>,
  type: T,
  options: { buffer?: number } = {},
): AsyncGenerator<MessageOf<S, K, T>> {
  const limit = options.buffer ?? 1000;
  const buffer: MessageOf<S, K, T>[] = [];
  let overflowed = false;
  let ended = false;
  let wake: (() => void) | undefined;
  const unsubscribe = listen<S, C, K, R, T>(client, type, (message) => {
    if (buffer.length < limit) buffer.push(message);
    else overflowed = true;
    wake?.();
  });
  const stopWatching = whenClosed(client, () => {
    ended = true;
    wake?.();
  });
  try {
    for (;;) {
      if (buffer.length > 0) {
        yield buffer.shift() as MessageOf<S, K, T>;
      } else if (overflowed) {
        throw new RangeError(
          `messagesOf(${JSON.stringify(type)}): more than ${limit} messages waited unread; some were lost`,
        );
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    }
  } finally {
    unsubscribe();
    stopWatching();
  }
}
