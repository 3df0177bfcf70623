/**
 * Topics for adapters whose runtime has no publish of its own (Deno, Node):
 * which sockets listen to which topic. Each adapter sends to them in a loop
 * of its own, the cheapest its runtime allows.
 *
 * @module
 */

/**
 * Subscriptions by topic, and by subscriber so that a closed connection
 * leaves every topic at once.
 *
 * @example
 * ```ts
 * import { TopicRegistry } from "./topics.ts";
 * const topics = new TopicRegistry<WebSocket>();
 * const socket = new WebSocket("ws://127.0.0.1:8080/");
 * topics.subscribe(socket, "news");
 * for (const subscriber of topics.subscribers("news")) subscriber.send("hello");
 * topics.drop(socket);
 * ```
 */
export class TopicRegistry<S> {
  readonly #byTopic = new Map<string, Set<S>>();
  readonly #bySubscriber = new Map<S, Set<string>>();

  /** Adds `subscriber` to `topic`. */
  subscribe(subscriber: S, topic: string): void {
    let members = this.#byTopic.get(topic);
    if (members === undefined) this.#byTopic.set(topic, members = new Set());
    members.add(subscriber);
    let topics = this.#bySubscriber.get(subscriber);
    if (topics === undefined) this.#bySubscriber.set(subscriber, topics = new Set());
    topics.add(topic);
  }

  /** Removes `subscriber` from `topic`. */
  unsubscribe(subscriber: S, topic: string): void {
    const members = this.#byTopic.get(topic);
    if (members?.delete(subscriber) && members.size === 0) this.#byTopic.delete(topic);
    const topics = this.#bySubscriber.get(subscriber);
    if (topics?.delete(topic) && topics.size === 0) this.#bySubscriber.delete(subscriber);
  }

  /** Removes `subscriber` from every topic. */
  drop(subscriber: S): void {
    for (const topic of this.#bySubscriber.get(subscriber) ?? []) {
      const members = this.#byTopic.get(topic);
      if (members?.delete(subscriber) && members.size === 0) this.#byTopic.delete(topic);
    }
    this.#bySubscriber.delete(subscriber);
  }

  /** The subscribers of `topic`, for an adapter's own publish loop. */
  subscribers(topic: string): Iterable<S> {
    return this.#byTopic.get(topic) ?? [];
  }
}
