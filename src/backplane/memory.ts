/**
 * The in-memory engine: instances in one process share topics through one
 * `MemoryHub`. It is what a typed server uses when given no backplane (a hub
 * of its own), and what tests use to run several instances in one process.
 *
 * @module
 */
import {
  type Backplane,
  type BackplaneEvents,
  DEFAULT_RECOVERY_WINDOW,
  type ReadResult,
  type RecoveryWindow,
} from "./backplane.ts";
import { compareDigits, quote } from "./text.ts";

interface Stored {
  readonly seq: number;
  readonly frame: string;
  readonly at: number;
}

/** One topic's log: the entries kept, the last sequence number given, and the appends seen per instance. */
interface Log {
  readonly entries: Stored[];
  last: number;
}

/**
 * A position: the hub's epoch (its own, different for every hub made), then a sequence number counting from 1 per
 * topic, in decimal. A position of another epoch is one a hub gave before this one (a process, or a Durable Object,
 * that started again): its log is gone with that hub.
 */
const POSITION = /^([0-9a-z]{1,24})-([1-9][0-9]{0,15})$/;

/** The sequence number of a position of this engine. */
function sequenceOf(position: string): string {
  return position.slice(position.indexOf("-") + 1);
}

/**
 * What the backplanes of one process share: plain subscriptions, resumable
 * logs and the control channel. Delivery is synchronous; a delivery that
 * publishes again is queued behind the one under way, so every instance
 * hears frames in one order.
 *
 * @example Two instances in one process
 * ```ts
 * import { MemoryHub } from "./memory.ts";
 * const hub = new MemoryHub({ maxMessages: 100, maxAgeMs: 60_000 });
 * const a = hub.backplane();
 * const b = hub.backplane();
 * ```
 */
export class MemoryHub {
  readonly #window: RecoveryWindow;
  /** What sets this hub's positions apart from those of every other (its creation, and chance). */
  readonly #epoch = Date.now().toString(36) + Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, "0");
  readonly #members = new Set<MemoryBackplane>();
  readonly #logs = new Map<string, Log>();
  /** Appends already stored, by id, so that a retried append is stored once. */
  readonly #appended = new Map<string, string>();
  readonly #queue: (() => void)[] = [];
  #delivering = false;

  /** @param window How long logs keep their entries. @default 1000 messages, 2 minutes */
  constructor(window: Partial<RecoveryWindow> = {}) {
    this.#window = { ...DEFAULT_RECOVERY_WINDOW, ...window };
  }

  /** A new instance's backplane on this hub. */
  backplane(): MemoryBackplane {
    return new MemoryBackplane(this, this.#window);
  }

  /** @internal */
  join(member: MemoryBackplane): void {
    this.#members.add(member);
  }

  /** @internal */
  leave(member: MemoryBackplane): void {
    this.#members.delete(member);
  }

  /** @internal Runs `work` now, or after the delivery under way. */
  deliver(work: () => void): void {
    this.#queue.push(work);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) next();
    } finally {
      this.#delivering = false;
    }
  }

  /** @internal */
  broadcast(each: (member: MemoryBackplane) => void): void {
    this.deliver(() => {
      for (const member of this.#members) each(member);
    });
  }

  /** @internal */
  append(topic: string, frame: string, id: string): string {
    const known = this.#appended.get(id);
    if (known !== undefined) return known;
    let log = this.#logs.get(topic);
    if (log === undefined) this.#logs.set(topic, log = { entries: [], last: 0 });
    const stored = { seq: ++log.last, frame, at: Date.now() };
    log.entries.push(stored);
    this.#trim(log, stored.at);
    const position = this.#position(stored.seq);
    this.#appended.set(id, position);
    if (this.#appended.size > 4 * this.#window.maxMessages) {
      this.#appended.delete(this.#appended.keys().next().value as string);
    }
    this.broadcast((member) => member.hearEntry(topic, position, frame));
    return position;
  }

  /** @internal */
  read(topic: string, position: string): ReadResult {
    const log = this.#logs.get(topic);
    const parts = POSITION.exec(position);
    if (parts !== null && parts[1] !== this.#epoch) {
      return { ok: false, reason: "gone", message: "the log that gave this position is gone (its hub started again)" };
    }
    if (parts === null || log === undefined || Number(parts[2]) > log.last) {
      return { ok: false, reason: "invalid", message: `${quote(position)} is not a position of this topic` };
    }
    this.#trim(log, Date.now());
    const after = Number(parts[2]);
    const first = log.entries[0]?.seq ?? log.last + 1;
    if (first > after + 1) {
      return { ok: false, reason: "gone", message: `the log no longer holds position ${after}` };
    }
    const entries = log.entries.filter((e) => e.seq > after).map((e) => ({
      position: this.#position(e.seq),
      frame: e.frame,
    }));
    return { ok: true, entries };
  }

  #position(seq: number): string {
    return `${this.#epoch}-${seq}`;
  }

  #trim(log: Log, now: number): void {
    const { maxMessages, maxAgeMs } = this.#window;
    let drop = Math.max(0, log.entries.length - maxMessages);
    while (drop < log.entries.length && now - (log.entries[drop] as Stored).at > maxAgeMs) drop++;
    if (drop > 0) log.entries.splice(0, drop);
  }
}

/**
 * One instance's view of a {@link MemoryHub}.
 *
 * @example
 * ```ts
 * import { MemoryHub } from "./memory.ts";
 * const backplane = new MemoryHub().backplane();
 * ```
 */
export class MemoryBackplane implements Backplane {
  readonly engine = "memory";
  readonly #hub: MemoryHub;
  readonly #subscribed = new Set<string>();
  readonly #followed = new Set<string>();
  #events: BackplaneEvents | undefined;

  /** @internal Made by `MemoryHub.backplane()`. */
  constructor(hub: MemoryHub, readonly window: RecoveryWindow) {
    this.#hub = hub;
  }

  start(events: BackplaneEvents): Promise<void> {
    this.#events = events;
    this.#hub.join(this);
    return Promise.resolve();
  }

  publish(topic: string, frame: string): void {
    if (this.#events === undefined) return;
    this.#hub.broadcast((member) => member.#subscribed.has(topic) && member.#events?.message(topic, frame));
  }

  subscribe(topic: string): Promise<void> {
    this.#subscribed.add(topic);
    return Promise.resolve();
  }

  unsubscribe(topic: string): void {
    this.#subscribed.delete(topic);
  }

  append(topic: string, frame: string, id: string): Promise<string> {
    if (this.#events === undefined) return Promise.reject(new Error("the memory backplane is not started"));
    return Promise.resolve(this.#hub.append(topic, frame, id));
  }

  appendMany(topic: string, entries: readonly { readonly frame: string; readonly id: string }[]): Promise<string[]> {
    if (this.#events === undefined) return Promise.reject(new Error("the memory backplane is not started"));
    return Promise.resolve(entries.map(({ frame, id }) => this.#hub.append(topic, frame, id)));
  }

  follow(topic: string): Promise<void> {
    this.#followed.add(topic);
    return Promise.resolve();
  }

  unfollow(topic: string): void {
    this.#followed.delete(topic);
  }

  read(topic: string, position: string): Promise<ReadResult> {
    return Promise.resolve(this.#hub.read(topic, position));
  }

  compare(a: string, b: string): number {
    return compareDigits(sequenceOf(a), sequenceOf(b));
  }

  announce(payload: string): void {
    if (this.#events === undefined) return;
    this.#hub.broadcast((member) => member.#events?.control(payload));
  }

  close(): Promise<void> {
    this.#hub.leave(this);
    this.#events = undefined;
    return Promise.resolve();
  }

  /** @internal */
  hearEntry(topic: string, position: string, frame: string): void {
    if (this.#followed.has(topic)) this.#events?.entry(topic, position, frame);
  }
}
