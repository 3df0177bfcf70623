/**
 * Appends to resumable topics in the order they were made, through outages:
 * one call per topic in flight (with everything waiting for the topic, where
 * the engine takes several at once), and one that fails is tried again (with
 * the same ids, so the engine stores each once) before anything made after it.
 *
 * @module
 */
import type { Backplane } from "./backplane.ts";

interface Pending {
  readonly frame: string;
  readonly id: string;
}

/** The most appends in one call, and about the most bytes. */
const BATCH_COUNT = 256;
const BATCH_BYTES = 512 * 1024;

/** The head of a queue, as many as one call takes (at least one). */
function takeBatch(queue: readonly Pending[]): Pending[] {
  let bytes = 0;
  let count = 0;
  while (count < queue.length && count < BATCH_COUNT && (count === 0 || bytes < BATCH_BYTES)) {
    bytes += (queue[count] as Pending).frame.length;
    count++;
  }
  return queue.slice(0, count);
}

/** What the appender reports. */
export interface AppenderEvents {
  /** An append was given up: the outbox was full. */
  lost(topic: string, count: number, detail: string): void;
}

/**
 * Ordered, retried appends for one instance.
 *
 * @example
 * ```ts
 * import { Appender } from "./appender.ts";
 * import { MemoryHub } from "./memory.ts";
 * const appender = new Appender(new MemoryHub().backplane(), "instance-1", 10_000, { lost: () => {} });
 * appender.append("news", '{"type":"headline"}');
 * ```
 */
export class Appender {
  readonly #queues = new Map<string, Pending[]>();
  readonly #busy = new Set<string>();
  #counter = 0;
  #waiting = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param backplane Where appends go.
   * @param instance This instance's id: with a counter, each append's id.
   * @param maxWaiting The most appends waiting across topics (in flight or held by an outage); past it, new ones are
   * given up and reported.
   * @param events Where losses are reported.
   */
  constructor(
    private readonly backplane: Backplane,
    private readonly instance: string,
    private readonly maxWaiting: number,
    private readonly events: AppenderEvents,
  ) {}

  /** Appends waiting (in flight, queued, or held by an outage). */
  get waiting(): number {
    return this.#waiting;
  }

  /** Queues an append behind the topic's earlier ones. */
  append(topic: string, frame: string): void {
    if (this.#waiting >= this.maxWaiting) {
      this.events.lost(
        topic,
        1,
        `more than ${this.maxWaiting} appends waiting for the ${this.backplane.engine} engine`,
      );
      return;
    }
    let queue = this.#queues.get(topic);
    if (queue === undefined) this.#queues.set(topic, queue = []);
    queue.push({ frame, id: `${this.instance}:${++this.#counter}` });
    this.#waiting++;
    this.#next(topic);
  }

  /** Tries the held appends again now (the engine is back). */
  resume(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    for (const topic of this.#queues.keys()) this.#next(topic);
  }

  /** Drops what waits (the instance leaves its cluster); appends made after are queued as new. */
  clear(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#queues.clear();
    this.#busy.clear();
    this.#waiting = 0;
  }

  #next(topic: string): void {
    if (this.#busy.has(topic)) return;
    const queue = this.#queues.get(topic);
    if (queue === undefined || queue.length === 0) {
      this.#queues.delete(topic);
      return;
    }
    this.#busy.add(topic);
    // Everything waiting for the topic goes in one call where the engine takes several: one round trip, in order.
    const batch = this.backplane.appendMany ? takeBatch(queue) : queue.slice(0, 1);
    const stored = this.backplane.appendMany
      ? this.backplane.appendMany(topic, batch)
      : this.backplane.append(topic, batch[0]!.frame, batch[0]!.id);
    stored.then(
      () => {
        // Cleared meanwhile: the queue is not this topic's any more.
        if (this.#queues.get(topic) !== queue) return;
        this.#busy.delete(topic);
        queue.splice(0, batch.length);
        this.#waiting -= batch.length;
        this.#next(topic);
      },
      () => {
        if (this.#queues.get(topic) !== queue) return;
        this.#busy.delete(topic);
        this.#retry ??= setTimeout(() => this.resume(), 250);
      },
    );
  }
}
