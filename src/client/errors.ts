/**
 * The errors typewire's client throws or reports. Each has a `name` to
 * switch on and a message that says what to do.
 *
 * @module
 */
import type { EncodeError } from "../runtime/result.ts";

/**
 * `send()` refused a message that does not match the protocol; nothing was
 * sent or queued. `detail` names the field (`detail.pointer`) and what was expected.
 *
 * @example
 * ```ts
 * import { OutgoingMessageError } from "./errors.ts";
 * const error = new OutgoingMessageError({ kind: "not-object", message: "expected a JSON object, found null" });
 * console.log(error.detail.kind);
 * ```
 */
export class OutgoingMessageError extends Error {
  override readonly name = "OutgoingMessageError";
  /** @param detail Why the encoder refused the message. */
  constructor(readonly detail: EncodeError) {
    super(`cannot send: ${detail.message}`);
  }
}

/**
 * `send()` found the queue of messages waiting for a connection full, and the
 * overflow policy is `"reject"`. The message was not queued.
 *
 * @example
 * ```ts
 * import { QueueFullError } from "./errors.ts";
 * throw new QueueFullError(1000, 1048576);
 * ```
 */
export class QueueFullError extends Error {
  override readonly name = "QueueFullError";
  /**
   * @param maxMessages The queue's bound on messages.
   * @param maxBytes The queue's bound on bytes.
   */
  constructor(readonly maxMessages: number, readonly maxBytes: number) {
    super(
      `cannot send: the queue waiting for a connection is full (${maxMessages} messages, ${maxBytes} bytes)`,
    );
  }
}

/**
 * The client is closing or closed for good: nothing more is sent, and
 * pending `next()` calls and `for await` loops end with this error.
 *
 * @example
 * ```ts
 * import { ClientClosedError } from "./errors.ts";
 * throw new ClientClosedError();
 * ```
 */
export class ClientClosedError extends Error {
  override readonly name = "ClientClosedError";
  constructor() {
    super("the client is closed");
  }
}

/**
 * A page loaded over `https:` may not open a plain `ws:` connection (mixed
 * content): the URL must be `wss:`.
 *
 * @example
 * ```ts
 * import { MixedContentError } from "./errors.ts";
 * throw new MixedContentError("ws://example.com/");
 * ```
 */
export class MixedContentError extends Error {
  override readonly name = "MixedContentError";
  /** @param url The refused URL. */
  constructor(readonly url: string) {
    super(`refusing ${url}: a page on https: must use wss: (mixed content)`);
  }
}

/**
 * `next()` waited longer than its timeout.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./errors.ts";
 * throw new TimeoutError("id", 5000);
 * ```
 */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError";
  /**
   * @param type The message type waited for.
   * @param timeout How long, in milliseconds.
   */
  constructor(readonly type: string, readonly timeout: number) {
    super(`no ${JSON.stringify(type)} message within ${timeout} ms`);
  }
}
