/**
 * Messages handed to `send()` before the connection is open, bounded by count
 * and by bytes, flushed in order once it opens.
 *
 * @module
 */
import { QueueFullError } from "./errors.ts";

/** What happens when a message arrives at a full queue. */
export type OverflowPolicy = "reject" | "drop-oldest";

/** One message waiting to go out. */
export interface Queued<C> {
  readonly message: C;
  /** The frame as encoded when `send()` was called. */
  readonly frame: string;
  /**
   * For a request: told when its turn to go out comes (`"send"`: it answers whether the request still waits, and
   * counts it as sent), or when the overflow policy dropped it (`"drop"`).
   */
  readonly request?: (event: "send" | "drop") => boolean;
}

/**
 * A bounded FIFO of messages.
 *
 * @example
 * ```ts
 * import { SendQueue } from "./send_queue.ts";
 * const queue = new SendQueue<string>(2, 1024, "drop-oldest");
 * queue.push({ message: "a", frame: '"a"' });
 * queue.push({ message: "b", frame: '"b"' });
 * queue.push({ message: "c", frame: '"c"' }); // returns [{ message: "a", ... }]: dropped
 * ```
 */
export class SendQueue<C> {
  #items: Queued<C>[] = [];
  #bytes = 0;

  /**
   * @param maxMessages The most messages it holds.
   * @param maxBytes The most bytes (of encoded frames, counted as UTF-16 units) it holds.
   * @param overflow `"reject"` refuses a new message when full; `"drop-oldest"` makes room by dropping the oldest.
   */
  constructor(readonly maxMessages: number, readonly maxBytes: number, readonly overflow: OverflowPolicy) {}

  /** How many messages wait. */
  get length(): number {
    return this.#items.length;
  }

  /** How many bytes wait. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Adds a message at the end.
   *
   * @returns The messages dropped to make room (empty unless the policy is `"drop-oldest"`).
   * @throws {QueueFullError} When full and the policy is `"reject"`, or when one frame alone exceeds `maxBytes`.
   */
  push(item: Queued<C>): Queued<C>[] {
    const size = item.frame.length;
    if (size > this.maxBytes) throw new QueueFullError(this.maxMessages, this.maxBytes);
    const dropped: Queued<C>[] = [];
    while (this.#items.length >= this.maxMessages || this.#bytes + size > this.maxBytes) {
      if (this.overflow === "reject") throw new QueueFullError(this.maxMessages, this.maxBytes);
      const oldest = this.#items.shift() as Queued<C>;
      this.#bytes -= oldest.frame.length;
      dropped.push(oldest);
    }
    this.#items.push(item);
    this.#bytes += size;
    return dropped;
  }

  /** Removes and returns every waiting message, oldest first. */
  drain(): Queued<C>[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return items;
  }
}
