/**
 * Follows on the NATS engine: each followed topic is a core subscription to
 * the entries the stream republishes as it stores them, which can tell when it
 * missed one (each names the one before it), and reads the stream only to
 * catch up.
 *
 * A follow delivers an entry whose previous entry is the last it delivered.
 * When one shows it missed something, and after every reconnection, it holds
 * live entries, reads the stream from its cursor up to the topic's last entry,
 * delivers that, then what it held: exactly once, in order. Where what it read
 * breaks (an entry does not name the one before it), the missing entries were
 * dropped from the log before the follow could read them: `gap`.
 *
 * @module
 */
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { type NatsLog, previousOf, type Stored } from "./nats_log.ts";
import type { NatsSubjects } from "./nats_subjects.ts";

/** Follows caught up at once after a reconnection. */
const PARALLEL_CATCH_UPS = 32;

/** What the follows need of the engine they belong to. */
export interface FollowHost {
  readonly subjects: NatsSubjects;
  /** Whether NATS is away (`lost` was reported, `restored` not yet). */
  lost(): boolean;
  /** Whether the engine is closed. */
  closed(): boolean;
  /** The position of an entry of the stream as it is now. */
  position(seq: number): string;
  /** A topic's newest sequence seen, for its next append. */
  learn(stored: string, seq: number): void;
  /** Delivers an entry (`BackplaneEvents.entry`). */
  entry(topic: string, position: string, frame: string): void;
  /** Reports entries dropped before the follow could read them (`BackplaneEvents.gap`). */
  gap(topic: string, detail: string): void;
  /** A catch-up failed while NATS seemed reachable: every follow is to be caught up again soon. */
  retry(): void;
}

/** Why a follow catches up. */
interface Needs {
  /** The stream was created again (the server lost its store): the old log is gone. */
  recreated: boolean;
  /** A live entry said that the topic's entry before it is this one, after the cursor (0: none said so). */
  previous: number;
}

/** A followed topic. */
interface Follow {
  readonly topic: string;
  /** The subject its entries are stored on. */
  readonly stored: string;
  /** Its republished entries, once started. */
  subscription: Subscription | undefined;
  /**
   * The sequence of the last entry delivered, or, before the first, of the entry before it (0: none). An entry comes
   * next if the entry before it is this one, or none (the ones before expired).
   */
  cursor: number;
  /** Whether `cursor` is known yet: from the first live entry (or, if NATS went away before one came, `floor`). */
  anchored: boolean;
  /** The sequence of the topic's last entry once subscribed (0: none), asked for in case NATS goes away. */
  floor: number | undefined;
  /** Asking for `floor`. */
  asking: Promise<number> | undefined;
  /** While catching up (or while NATS is away), live entries wait here. */
  held: Stored[] | undefined;
  /** What the next catch-up must look for; undefined when none is due. */
  needs: Needs | undefined;
  /** The catch-up under way. */
  catchingUp: Promise<void> | undefined;
}

/**
 * An engine's followed topics.
 *
 * @example What the NATS engine does with them
 * ```ts
 * import { connect } from "@nats-io/transport-node";
 * import { jetstreamManager } from "@nats-io/jetstream";
 * import { NatsFollows } from "./nats_follow.ts";
 * import { NatsLog } from "./nats_log.ts";
 * import { NatsSubjects } from "./nats_subjects.ts";
 * const subjects = new NatsSubjects("typewire");
 * const follows = new NatsFollows({
 *   subjects,
 *   lost: () => false,
 *   closed: () => false,
 *   position: (seq) => `1764500000000-${seq}`,
 *   learn: () => {},
 *   entry: (topic, position, frame) => console.log(topic, position, frame),
 *   gap: (topic, detail) => console.warn(topic, detail),
 *   retry: () => {},
 * });
 * follows.follow("room:1");
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
 * follows.start(nc, new NatsLog(nc, await jetstreamManager(nc), subjects.stream, 5000));
 * ```
 */
export class NatsFollows {
  readonly #host: FollowHost;
  readonly #follows = new Map<string, Follow>();
  #nc: NatsConnection | undefined;
  #log: NatsLog | undefined;

  /** @param host The engine the follows belong to. */
  constructor(host: FollowHost) {
    this.#host = host;
  }

  /** Connected: every follow made so far listens from now on, and so will those made later. */
  start(nc: NatsConnection, log: NatsLog): void {
    this.#nc = nc;
    this.#log = log;
    for (const follow of this.#follows.values()) this.#listen(follow);
  }

  /** Follows a topic (idempotent): delivers its entries from the next one appended once the server has the subscription. */
  follow(topic: string): void {
    if (this.#follows.has(topic)) return;
    const follow: Follow = {
      topic,
      stored: this.#host.subjects.stored(topic),
      subscription: undefined,
      cursor: 0,
      anchored: false,
      floor: undefined,
      asking: undefined,
      held: this.#host.lost() ? [] : undefined,
      needs: undefined,
      catchingUp: undefined,
    };
    this.#follows.set(topic, follow);
    if (this.#nc !== undefined) this.#listen(follow);
  }

  /** Stops following a topic (idempotent). */
  unfollow(topic: string): void {
    this.#follows.get(topic)?.subscription?.unsubscribe();
    this.#follows.delete(topic);
  }

  /** NATS went away: what comes in meanwhile may have gaps, so every follow holds it until it catches up. */
  hold(): void {
    for (const follow of this.#follows.values()) follow.held ??= [];
  }

  /** The stream was created again (the server lost its store): every follow is told, at its next catch-up. */
  recreated(): void {
    for (const follow of this.#follows.values()) this.#due(follow, { recreated: true, previous: 0 });
  }

  /**
   * Catches up every follow that holds entries (since a disconnection, or asked for meanwhile), a few at a time,
   * until none is left or `current` turns false.
   *
   * @throws {Error} (as a rejection) When NATS did not answer: what each follow needs is kept for the next try.
   */
  async catchUpHeld(current: () => boolean): Promise<void> {
    for (;;) {
      const follows = [...this.#follows.values()].filter((follow) => follow.held !== undefined);
      if (follows.length === 0 || !current()) return;
      const worker = async () => {
        for (let follow = follows.shift(); follow !== undefined; follow = follows.shift()) {
          if (!current()) return;
          await this.#catchUp(follow, { recreated: false, previous: 0 });
        }
      };
      await Promise.all(Array.from({ length: PARALLEL_CATCH_UPS }, worker));
    }
  }

  /**
   * Subscribes a follow to its republished entries (before anything this instance sends next: an append it makes
   * next is delivered), then asks for its floor: subscribed first, so that no entry falls between the two.
   */
  #listen(follow: Follow): void {
    follow.subscription = this.#nc?.subscribe(this.#host.subjects.republished(follow.topic), {
      callback: (_, msg) => this.#live(follow, msg),
    });
    if (!this.#host.lost()) this.#floor(follow).catch(() => {});
  }

  #requireLog(): NatsLog {
    if (this.#log === undefined) throw new Error("this NatsBackplane is not started");
    return this.#log;
  }

  /**
   * The follow's floor, asked once. Only a catch-up uses it, never to leave out a live entry: the reply may come
   * after entries stored after the subscription (and so after the follow began), which the reply already counts.
   */
  #floor(follow: Follow): Promise<number> {
    if (follow.floor !== undefined) return Promise.resolve(follow.floor);
    follow.asking ??= this.#requireLog().last(follow.stored).then((last) => (follow.floor ??= last)).finally(() => {
      follow.asking = undefined;
    });
    return follow.asking;
  }

  /** An entry the stream republished. */
  #live(follow: Follow, msg: Msg): void {
    if (this.#host.closed() || this.#follows.get(follow.topic) !== follow) return;
    const seq = Number(msg.headers?.get("Nats-Sequence"));
    const previous = previousOf(msg.headers);
    if (!Number.isSafeInteger(seq) || seq < 1 || previous < 0) return;
    const entry: Stored = { seq, previous, frame: msg.string() };
    this.#host.learn(follow.stored, seq);
    if (follow.held !== undefined) {
      follow.held.push(entry);
      return;
    }
    if (!follow.anchored) {
      // The first: the entry before it was stored before this follow subscribed (or it would have come first).
      follow.anchored = true;
      follow.cursor = previous;
    }
    if (seq <= follow.cursor) return;
    if (previous <= follow.cursor) this.#deliver(follow, entry);
    else {
      follow.held = [entry];
      this.#catchUpSoon(follow, { recreated: false, previous });
    }
  }

  #deliver(follow: Follow, entry: Stored): void {
    follow.cursor = entry.seq;
    this.#host.entry(follow.topic, this.#host.position(entry.seq), entry.frame);
  }

  /** Catches up in the background; tried again soon if NATS did not answer (and is not away: then at recovery). */
  #catchUpSoon(follow: Follow, needs: Needs): void {
    this.#catchUp(follow, needs).catch(() => {
      if (!this.#host.closed() && !this.#host.lost()) this.#host.retry();
    });
  }

  /**
   * Catches a follow up, then delivers what it held: one catch-up at a time per follow, and asked again meanwhile,
   * once more. Rejects when NATS did not answer (what it needs is kept for the next try).
   */
  #catchUp(follow: Follow, needs: Needs): Promise<void> {
    this.#due(follow, needs);
    follow.catchingUp ??= this.#catchUpLoop(follow);
    return follow.catchingUp;
  }

  /** Notes what a follow's next catch-up must look for; it holds live entries until then. */
  #due(follow: Follow, needs: Needs): void {
    const due = follow.needs;
    follow.needs = due === undefined ? needs : {
      recreated: due.recreated || needs.recreated,
      previous: Math.max(due.previous, needs.previous),
    };
    follow.held ??= [];
  }

  async #catchUpLoop(follow: Follow): Promise<void> {
    // Never done at once: `catchingUp` is set before this goes on, and cleared in the same turn as it stops.
    await null;
    const current = () => !this.#host.closed() && this.#follows.get(follow.topic) === follow;
    try {
      for (let needs = follow.needs; needs !== undefined && current(); needs = follow.needs) {
        follow.needs = undefined;
        try {
          await this.#fill(follow, needs, current);
        } catch (error) {
          follow.needs ??= needs;
          throw error;
        }
        // What was held meanwhile: delivered in turn, unless it shows another miss (then once more around).
        const held = follow.held ?? [];
        let index = 0;
        for (; index < held.length && follow.needs === undefined && current(); index++) {
          const entry = held[index] as Stored;
          if (entry.seq <= follow.cursor) continue;
          if (entry.previous <= follow.cursor) this.#deliver(follow, entry);
          else follow.needs = { recreated: false, previous: entry.previous };
        }
        follow.held = held.slice(index);
      }
      if (follow.needs === undefined) follow.held = undefined;
    } finally {
      follow.catchingUp = undefined;
    }
  }

  /**
   * Reads the stream from the cursor up to the topic's last entry and delivers what follows the cursor; reports a
   * gap when some of that was dropped (an entry that does not name the one before it, or nothing left of what a live
   * entry said came before it).
   */
  async #fill(follow: Follow, needs: Needs, current: () => boolean): Promise<void> {
    const log = this.#requireLog();
    if (needs.recreated) {
      if (follow.anchored || follow.floor !== undefined) {
        this.#gap(
          follow,
          `the stream ${this.#host.subjects.stream} was created again (NATS lost its store): entries may be missing`,
        );
      }
      // Everything in the new stream came after.
      follow.anchored = true;
      follow.cursor = 0;
    }
    if (!follow.anchored) {
      // No live entry came before NATS went away: it began at its floor (asked now if NATS was away from the start).
      follow.cursor = await this.#floor(follow);
      follow.anchored = true;
    }
    // After a reconnection, usually nothing was missed: this one request tells.
    const last = await log.last(follow.stored);
    const entries = last > follow.cursor ? await log.read(follow.stored, Math.max(follow.cursor, 1), last) : [];
    if (!current()) return;
    let told = false;
    for (const entry of entries) {
      if (entry.seq <= follow.cursor) continue;
      if (entry.previous > follow.cursor && !told) {
        told = true;
        this.#gap(
          follow,
          `entries after ${this.#host.position(follow.cursor)} were dropped from the log before they were read`,
        );
      }
      this.#deliver(follow, entry);
    }
    if (needs.previous > follow.cursor && !needs.recreated) {
      // A live entry named one before it that the log no longer has (nor anything after the cursor up to it): what
      // came before that is lost, and the live entries held can go on from there.
      if (!told) {
        this.#gap(
          follow,
          `entries after ${this.#host.position(follow.cursor)} were dropped from the log before they were read`,
        );
      }
      follow.cursor = needs.previous;
    }
  }

  #gap(follow: Follow, detail: string): void {
    this.#host.gap(follow.topic, detail);
  }
}
