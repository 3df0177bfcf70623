/**
 * Presence that heals, on any engine: which connections of which instance
 * are in which topic, and which instances are alive, kept by every instance
 * from what they announce on the backplane's control channel.
 *
 * Each instance numbers its changes. It announces each one, a heartbeat
 * carrying its latest number every `heartbeatMs`, and its whole state when
 * asked. Another instance applies a change only in sequence; a gap (a
 * message lost while the engine was away) makes it ask for the whole state.
 * An instance not heard for `instanceTtlMs` is dead: its connections leave
 * every topic. One that is heard again (it was stalled, or cut off) is asked
 * for its state and its connections come back. An instance that finds its
 * own clock jumped past the timeout (it was the one stalled) gives the
 * others a fresh grace period instead of declaring them all dead, and
 * announces its state.
 *
 * @module
 */

/** One connection in a topic. */
export interface PresenceMember {
  /** The instance it is connected to. */
  readonly instance: string;
  /** Its connection id on that instance. */
  readonly id: number;
  /** What the instance said about it (the typed server's `presence` option), if anything. */
  readonly label?: string;
}

/** Why a member joined or left. */
export type PresenceReason =
  | "subscribed"
  | "unsubscribed"
  | "closed"
  | "instance-dead"
  | "instance-left"
  | "reconciled";

/** A member joined or left a topic. */
export interface PresenceChange {
  readonly topic: string;
  readonly member: PresenceMember;
  readonly joined: boolean;
  readonly reason: PresenceReason;
}

/**
 * What happened to an instance: `dead` (not heard within the timeout), `back` (heard again after being declared
 * dead), `left` (it closed), `reconciled` (this instance itself: the others had taken it for dead, or it found
 * itself stalled past the timeout; its state has been announced again).
 */
export interface InstanceChange {
  readonly instance: string;
  readonly status: "dead" | "back" | "left" | "reconciled";
}

/** Liveness timings. */
export interface LivenessOptions {
  /** How often an instance says it is alive, in ms. @default 1000 */
  readonly heartbeatMs?: number;
  /**
   * How long after it was last heard an instance counts as dead, in ms: its connections leave every topic on every
   * other instance within `heartbeatMs + instanceTtlMs`. @default 3000
   */
  readonly instanceTtlMs?: number;
  /**
   * No other instance can ever reach this one's engine (a typed server's own `MemoryHub`, or one inside a Durable
   * Object): no heartbeat then, so no timer keeps the process running or a Durable Object from hibernating.
   * @default false
   */
  readonly alone?: boolean;
}

/** What the book reports. */
export interface PresenceEvents {
  /** Sends a control payload to every instance. */
  announce(payload: string): void;
  change(change: PresenceChange): void;
  instance(change: InstanceChange): void;
}

type Members = Map<string, Map<number, string | undefined>>;

/** How many dead instances are remembered, to tell each that it was taken for dead if it comes back. */
const MAX_REMEMBERED_DEAD = 1024;

interface Remote {
  heard: number;
  seq: number;
  synced: boolean;
  asked: number;
  /** Declared dead before it was heard again, and not told so yet: the next ask says it. */
  revived: boolean;
  members: Members;
}

/** Control messages. `k` kind, `i` instance, `s` its change number. */
type Control =
  | { k: "beat"; i: string; s: number }
  | { k: "join" | "leave"; i: string; s: number; t: string; c: number; l?: string; r?: PresenceReason }
  | { k: "snap"; i: string; s: number; m: [string, [number, string?][]][] }
  | { k: "ask"; i: string; of: string; dead?: boolean }
  | { k: "bye"; i: string };

/** Parses a control payload; anything else (another version, garbage) is ignored. */
function parseControl(payload: string): Control | undefined {
  try {
    const value = JSON.parse(payload) as Control;
    return typeof value === "object" && value !== null && typeof value.k === "string" && typeof value.i === "string"
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One instance's view of presence and liveness across the cluster.
 *
 * @example
 * ```ts
 * import { PresenceBook } from "./presence.ts";
 * const book = new PresenceBook("instance-1", {}, {
 *   announce: (payload) => console.log(payload),
 *   change: (change) => console.log(change),
 *   instance: (change) => console.log(change),
 * });
 * book.join("lobby", 1, "alice");
 * console.log(book.members("lobby"));
 * book.stop();
 * ```
 */
export class PresenceBook {
  readonly heartbeatMs: number;
  readonly instanceTtlMs: number;
  readonly alone: boolean;
  readonly #local: Members = new Map();
  readonly #remote = new Map<string, Remote>();
  /** Instances declared dead, so that hearing one again is told as `back`. */
  readonly #dead = new Set<string>();
  #seq = 0;
  #lastSweep = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param instance This instance's id.
   * @param options Liveness timings.
   * @param events Where announcements and changes go.
   */
  constructor(readonly instance: string, options: LivenessOptions, private readonly events: PresenceEvents) {
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.instanceTtlMs = options.instanceTtlMs ?? 3000;
    this.alone = options.alone ?? false;
    if (!(this.heartbeatMs > 0) || !(this.instanceTtlMs > this.heartbeatMs)) {
      throw new RangeError(
        `instanceTtlMs (${this.instanceTtlMs}) must be above heartbeatMs (${this.heartbeatMs}), and both above 0`,
      );
    }
  }

  /** Starts the heartbeat; announces this instance's state and asks every other for theirs. */
  start(): void {
    this.#lastSweep = Date.now();
    if (!this.alone) this.#timer = setInterval(() => this.#sweep(), this.heartbeatMs);
    this.resync();
  }

  /** Announces this instance's whole state and asks the others for theirs (after the engine was unreachable). */
  resync(): void {
    this.#snapshot();
    this.#send({ k: "ask", i: this.instance, of: "*" });
  }

  /** Says goodbye (the others drop this instance's members at once) and stops. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#send({ k: "bye", i: this.instance });
  }

  /** A connection of this instance joined a topic. */
  join(topic: string, id: number, label?: string): void {
    let members = this.#local.get(topic);
    if (members === undefined) this.#local.set(topic, members = new Map());
    if (members.has(id)) return;
    members.set(id, label);
    this.#send({
      k: "join",
      i: this.instance,
      s: ++this.#seq,
      t: topic,
      c: id,
      ...(label !== undefined && { l: label }),
    });
    this.#tell(topic, this.instance, id, label, true, "subscribed");
  }

  /** A connection of this instance left a topic. */
  leave(topic: string, id: number, reason: "unsubscribed" | "closed"): void {
    const members = this.#local.get(topic);
    if (members === undefined || !members.has(id)) return;
    const label = members.get(id);
    members.delete(id);
    if (members.size === 0) this.#local.delete(topic);
    this.#send({ k: "leave", i: this.instance, s: ++this.#seq, t: topic, c: id, r: reason });
    this.#tell(topic, this.instance, id, label, false, reason);
  }

  /** Every member of a topic, on every instance alive. */
  members(topic: string): PresenceMember[] {
    const all: PresenceMember[] = [];
    const add = (instance: string, members: Members) => {
      for (const [id, label] of members.get(topic) ?? []) {
        all.push(label === undefined ? { instance, id } : { instance, id, label });
      }
    };
    add(this.instance, this.#local);
    for (const [instance, remote] of this.#remote) add(instance, remote.members);
    return all;
  }

  /** The instances heard within the timeout, this one first. */
  instances(): string[] {
    return [this.instance, ...this.#remote.keys()];
  }

  /** A control payload from the backplane. */
  hear(payload: string): void {
    const control = parseControl(payload);
    if (control === undefined) return;
    if (control.k === "ask") {
      if (control.of === this.instance || control.of === "*") {
        if (control.dead === true) this.events.instance({ instance: this.instance, status: "reconciled" });
        if (control.i !== this.instance) this.#snapshot();
      }
      return;
    }
    if (control.i === this.instance) return;
    if (control.k === "bye") return this.#drop(control.i, "instance-left");
    const now = Date.now();
    let remote = this.#remote.get(control.i);
    if (remote === undefined) {
      const revived = this.#dead.delete(control.i);
      remote = { heard: now, seq: 0, synced: false, asked: 0, revived, members: new Map() };
      this.#remote.set(control.i, remote);
      if (revived) {
        this.events.instance({ instance: control.i, status: "back" });
        // Whatever it said first (its state, after an outage of its own), it is told it was taken for dead.
        this.#ask(control.i, remote, now);
      }
    }
    remote.heard = now;
    if (control.k === "snap") return this.#replace(control.i, remote, control);
    if (control.k === "beat") {
      if (!remote.synced || control.s !== remote.seq) this.#ask(control.i, remote, now);
      return;
    }
    if (!remote.synced || control.s !== remote.seq + 1) return this.#ask(control.i, remote, now);
    remote.seq = control.s;
    const members = remote.members;
    if (control.k === "join") {
      let inTopic = members.get(control.t);
      if (inTopic === undefined) members.set(control.t, inTopic = new Map());
      inTopic.set(control.c, control.l);
      this.#tell(control.t, control.i, control.c, control.l, true, "subscribed");
    } else {
      const inTopic = members.get(control.t);
      if (inTopic === undefined || !inTopic.has(control.c)) return;
      const label = inTopic.get(control.c);
      inTopic.delete(control.c);
      if (inTopic.size === 0) members.delete(control.t);
      this.#tell(control.t, control.i, control.c, label, false, control.r ?? "unsubscribed");
    }
  }

  #ask(instance: string, remote: Remote, now: number): void {
    remote.synced = false;
    if (now - remote.asked < this.heartbeatMs) return;
    remote.asked = now;
    this.#send({ k: "ask", i: this.instance, of: instance, ...(remote.revived && { dead: true }) });
    remote.revived = false;
  }

  /** A whole state: members that appeared join, members that vanished leave, both as `reconciled`. */
  #replace(instance: string, remote: Remote, snap: Extract<Control, { k: "snap" }>): void {
    const next: Members = new Map();
    for (const [topic, list] of Array.isArray(snap.m) ? snap.m : []) {
      next.set(topic, new Map(list.map(([id, label]) => [id, label])));
    }
    const before = remote.members;
    remote.members = next;
    remote.seq = snap.s;
    remote.synced = true;
    for (const [topic, members] of before) {
      for (const [id, label] of members) {
        if (!next.get(topic)?.has(id)) this.#tell(topic, instance, id, label, false, "reconciled");
      }
    }
    for (const [topic, members] of next) {
      for (const [id, label] of members) {
        if (!before.get(topic)?.has(id)) this.#tell(topic, instance, id, label, true, "reconciled");
      }
    }
  }

  /** An instance is gone: each of its members leaves. */
  #drop(instance: string, reason: "instance-dead" | "instance-left"): void {
    const remote = this.#remote.get(instance);
    if (remote === undefined) return;
    this.#remote.delete(instance);
    if (reason === "instance-dead") {
      this.#dead.add(instance);
      // Remembered to tell a stalled instance it was taken for dead; restarted processes are new instances.
      if (this.#dead.size > MAX_REMEMBERED_DEAD) this.#dead.delete(this.#dead.values().next().value as string);
    }
    this.events.instance({ instance, status: reason === "instance-dead" ? "dead" : "left" });
    for (const [topic, members] of remote.members) {
      for (const [id, label] of members) this.#tell(topic, instance, id, label, false, reason);
    }
  }

  #sweep(): void {
    const now = Date.now();
    if (now - this.#lastSweep > this.instanceTtlMs) {
      // This process was the one stalled: the others were not silent, it was not listening.
      for (const remote of this.#remote.values()) remote.heard = now;
      this.events.instance({ instance: this.instance, status: "reconciled" });
      this.resync();
    }
    this.#lastSweep = now;
    for (const [instance, remote] of this.#remote) {
      if (now - remote.heard > this.instanceTtlMs) this.#drop(instance, "instance-dead");
    }
    this.#send({ k: "beat", i: this.instance, s: this.#seq });
  }

  #snapshot(): void {
    const m = [...this.#local].map(([topic, members]) =>
      [topic, [...members].map(([id, label]) => label === undefined ? [id] : [id, label])] as const
    );
    this.#send({ k: "snap", i: this.instance, s: this.#seq, m } as Control);
  }

  #send(control: Control): void {
    this.events.announce(JSON.stringify(control));
  }

  #tell(
    topic: string,
    instance: string,
    id: number,
    label: string | undefined,
    joined: boolean,
    reason: PresenceReason,
  ) {
    const member = label === undefined ? { instance, id } : { instance, id, label };
    this.events.change({ topic, member, joined, reason });
  }
}
