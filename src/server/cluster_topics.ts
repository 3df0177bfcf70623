/**
 * The typed server's topics across instances: which connections of this
 * instance listen to which topic, what the cluster carries to them, presence,
 * and the replay that gives a reconnecting client what it missed on a
 * resumable topic before the live stream, exactly once and in order.
 *
 * @module
 */
import type { Cluster } from "../backplane/cluster.ts";
import type { ReadResult } from "../backplane/backplane.ts";
import type { ResumeSpec } from "../runtime/resume_engine.ts";
import { encodeResumed, formatToken } from "../runtime/resume_tokens.ts";
import type { ServerSocket } from "./contract.ts";

/**
 * How long after it connects a resuming connection has to be subscribed to each topic it resumes; a topic not
 * subscribed by then is told `not-subscribed`, rather than left to look resumed.
 */
export const RESUME_CLAIM_MS = 5_000;

/** A connection, as the topics need it. */
export interface TopicMember {
  readonly id: number;
  readonly socket: ServerSocket;
  readonly closing: boolean;
  /** The topics it listens to, once it subscribed to one. */
  subscribed: Set<string> | undefined;
  /** The positions its client resumes from, by topic (from the upgrade URL); each is used once. */
  readonly resumeFrom: Map<string, string> | undefined;
  sendFrame(frame: string): boolean;
}

/** A connection catching up on one topic: live entries wait in `held` until its missed ones are sent. */
interface Replay {
  readonly member: TopicMember;
  readonly held: { position: string; frame: string }[];
  heldBytes: number;
  /** Once the missed entries are sent: the last one's position; live entries up to it were sent already. */
  floor: string | undefined;
}

/** What the topics need from their server. */
export interface TopicsContext {
  readonly cluster: Cluster;
  readonly discriminator: string;
  /** The protocol's resumable messages, when it has any. */
  readonly resume: ResumeSpec | undefined;
  /** A label for each connection in presence; presence is off without it. */
  readonly presence: ((member: TopicMember) => string | undefined) | undefined;
  /** The most bytes of live entries held for one connection while it catches up. */
  readonly maxHeldBytes: number;
  /** Sends a frame to this instance's subscribers of a topic (the adapter's publish). */
  deliver(topic: string, frame: string): void;
  /** Closes a connection that could not keep up with its catching up. */
  overflow(member: TopicMember, reason: string): void;
}

/**
 * Topics of one typed server on its cluster.
 *
 * @example
 * ```ts
 * import { ServerTopics } from "./cluster_topics.ts";
 * import { Cluster } from "../backplane/cluster.ts";
 * import { MemoryHub } from "../backplane/memory.ts";
 * const topics = new ServerTopics({
 *   cluster: new Cluster(new MemoryHub().backplane()),
 *   discriminator: "type",
 *   resume: undefined,
 *   presence: undefined,
 *   maxHeldBytes: 4 * 1024 * 1024,
 *   deliver: (topic, frame) => console.log(topic, frame),
 *   overflow: () => {},
 * });
 * ```
 */
export class ServerTopics {
  /** Per topic, how this instance listens: its subscriber count, what stops listening, and when it is in place. */
  readonly #listening = new Map<string, { count: number; stop: () => void; ready: Promise<void> }>();
  readonly #replays = new Map<string, Set<Replay>>();
  /** The deadlines of resuming connections that have topics left to claim. */
  readonly #claims = new Map<TopicMember, ReturnType<typeof setTimeout>>();
  /** `{"<property>":` for stamping positions into frames. */
  readonly #stampPrefix: string;
  readonly #resumable: ReadonlySet<string>;

  constructor(private readonly context: TopicsContext) {
    this.#stampPrefix = context.resume ? `{${JSON.stringify(context.resume.property)}:` : "";
    this.#resumable = new Set(context.resume?.types ?? []);
    if (context.resume === undefined) return;
    // This instance missed entries its subscribers were owed (an outage longer than the window): they are told, as a
    // client that resumes too late is.
    context.cluster.onStatus(({ kind, topic, detail }) => {
      if (kind !== "gap" || topic === undefined || !this.#listening.has(topic)) return;
      const message = `this server missed messages of the topic: ${detail}`;
      context.deliver(topic, encodeResumed(context.discriminator, { topic, resumed: false, reason: "gone", message }));
    });
  }

  /**
   * Publishes an encoded message: a resumable one is appended to the topic's log, any other goes to the plain topic.
   *
   * @param topic The topic.
   * @param type The message's type.
   * @param frame The frame, without a position.
   */
  publish(topic: string, type: string, frame: string): void {
    if (this.#resumable.has(type)) this.context.cluster.append(topic, frame);
    else this.context.cluster.publish(topic, frame);
  }

  /** Whether messages of `type` go through topics' logs. */
  isResumable(type: string): boolean {
    return this.#resumable.has(type);
  }

  /**
   * A message without the position property, when it is resumable and carries one: the position is the cluster's to
   * write (a made-up one would become the client's resume token).
   */
  withoutPosition<M>(message: M): M {
    const property = this.context.resume?.property;
    if (property === undefined || !Object.hasOwn(message as object, property)) return message;
    const type = String((message as Readonly<Record<string, unknown>>)[this.context.discriminator]);
    return this.#resumable.has(type) ? { ...message, [property]: undefined } : message;
  }

  /**
   * A connection subscribes: replayed first when its client resumes this topic, live from now otherwise.
   *
   * @returns Resolves once this instance's subscription is in place on the engine.
   */
  subscribe(member: TopicMember, topic: string): Promise<void> {
    if (member.closing) return Promise.resolve();
    member.subscribed ??= new Set();
    if (member.subscribed.has(topic)) return this.#listening.get(topic)?.ready ?? Promise.resolve();
    member.subscribed.add(topic);
    const ready = this.#listen(topic);
    this.#join(member, topic);
    return ready;
  }

  #join(member: TopicMember, topic: string): void {
    if (this.context.presence) this.context.cluster.join(topic, member.id, this.context.presence(member));
    const position = this.context.resume ? member.resumeFrom?.get(topic) : undefined;
    if (position === undefined) return member.socket.subscribe(topic);
    // Resumed once: subscribing again later is a fresh subscription.
    member.resumeFrom?.delete(topic);
    // Every topic claimed: no deadline left to keep (a timer keeps a Durable Object from hibernating).
    if (member.resumeFrom?.size === 0) this.#unclaim(member);
    const replay: Replay = { member, held: [], heldBytes: 0, floor: undefined };
    let replays = this.#replays.get(topic);
    if (replays === undefined) this.#replays.set(topic, replays = new Set());
    replays.add(replay);
    this.context.cluster.read(topic, position).then((result) => this.#caughtUp(topic, replay, position, result));
  }

  /** A connection unsubscribes (or closes: `closing`). */
  unsubscribe(member: TopicMember, topic: string, reason: "unsubscribed" | "closed" = "unsubscribed"): void {
    if (!member.subscribed?.delete(topic)) return;
    if (reason === "unsubscribed") member.socket.unsubscribe(topic);
    this.#endReplay(topic, member);
    if (this.context.presence) this.context.cluster.leave(topic, member.id, reason);
    const listening = this.#listening.get(topic);
    if (listening === undefined || --listening.count > 0) return;
    this.#listening.delete(topic);
    listening.stop();
  }

  /**
   * A connection opened: if its client resumes topics, each one it is not subscribed to within
   * {@link RESUME_CLAIM_MS} gets a `not-subscribed` notice.
   *
   * @returns Cancels the deadline (the connection closed first).
   */
  opened(member: TopicMember): (() => void) | undefined {
    if (this.context.resume === undefined || member.resumeFrom === undefined) return undefined;
    const timer = setTimeout(() => {
      this.#claims.delete(member);
      const message = `the server did not subscribe this connection to the topic within ${RESUME_CLAIM_MS} ms of ` +
        "connecting: send what subscribes it again after every reconnection";
      for (const topic of member.resumeFrom?.keys() ?? []) {
        const notice = { topic, resumed: false, reason: "not-subscribed", message } as const;
        member.sendFrame(encodeResumed(this.context.discriminator, notice));
      }
      member.resumeFrom?.clear();
    }, RESUME_CLAIM_MS);
    this.#claims.set(member, timer);
    return () => this.#unclaim(member);
  }

  #unclaim(member: TopicMember): void {
    clearTimeout(this.#claims.get(member));
    this.#claims.delete(member);
  }

  /** A connection closed: it leaves every topic. */
  drop(member: TopicMember): void {
    for (const topic of member.subscribed ?? []) this.unsubscribe(member, topic, "closed");
  }

  #listen(topic: string): Promise<void> {
    const listening = this.#listening.get(topic);
    if (listening !== undefined) {
      listening.count++;
      return listening.ready;
    }
    const cluster = this.context.cluster;
    const stopPlain = cluster.listen(topic, (frame) => this.context.deliver(topic, frame));
    const stopLog = this.context.resume
      ? cluster.follow(topic, (position, frame) => this.#entry(topic, position, frame))
      : undefined;
    const ready = Promise.all([stopPlain.ready, stopLog?.ready]).then(() => {});
    this.#listening.set(topic, {
      count: 1,
      ready,
      stop: () => {
        stopPlain();
        stopLog?.();
      },
    });
    return ready;
  }

  /** A live entry of a resumable topic: to every subscriber, and to the ones catching up as their replay allows. */
  #entry(topic: string, position: string, frame: string): void {
    const stamped = this.#stamp(topic, position, frame);
    this.context.deliver(topic, stamped);
    const replays = this.#replays.get(topic);
    if (replays === undefined) return;
    for (const replay of replays) {
      if (replay.floor === undefined) {
        replay.held.push({ position, frame: stamped });
        replay.heldBytes += stamped.length;
        if (replay.heldBytes > this.context.maxHeldBytes) {
          this.#endReplay(topic, replay.member);
          this.context.overflow(replay.member, `more than ${this.context.maxHeldBytes} bytes held while catching up`);
        }
      } else if (this.context.cluster.compare(position, replay.floor) > 0) {
        // The live stream has passed what the replay sent: from here the connection listens as any other.
        replay.member.sendFrame(stamped);
        this.#goLive(topic, replay);
      }
    }
  }

  /** The missed entries arrived: send them, then what was held, then the live stream. */
  #caughtUp(topic: string, replay: Replay, position: string, result: ReadResult): void {
    if (!this.#replays.get(topic)?.has(replay)) return;
    const { member } = replay;
    const discriminator = this.context.discriminator;
    let floor = position;
    if (result.ok) {
      for (const entry of result.entries) member.sendFrame(this.#stamp(topic, entry.position, entry.frame));
      floor = result.entries.at(-1)?.position ?? position;
      member.sendFrame(encodeResumed(discriminator, { topic, resumed: true, replayed: result.entries.length }));
    } else {
      member.sendFrame(
        encodeResumed(discriminator, { topic, resumed: false, reason: result.reason, message: result.message }),
      );
    }
    const compare = (a: string, b: string) => this.context.cluster.compare(a, b);
    for (const held of replay.held) {
      if (!result.ok || compare(held.position, floor) > 0) {
        member.sendFrame(held.frame);
        floor = held.position;
      }
    }
    replay.held.length = 0;
    const cursor = this.context.cluster.cursor(topic);
    // Without a replay there is nothing to skip; with one, live entries up to `floor` may still be on their way.
    if (!result.ok || (cursor !== undefined && compare(cursor, floor) >= 0)) return this.#goLive(topic, replay);
    replay.floor = floor;
  }

  #goLive(topic: string, replay: Replay): void {
    this.#endReplay(topic, replay.member);
    if (!replay.member.closing) replay.member.socket.subscribe(topic);
  }

  #endReplay(topic: string, member: TopicMember): void {
    const replays = this.#replays.get(topic);
    if (replays === undefined) return;
    for (const replay of replays) if (replay.member === member) replays.delete(replay);
    if (replays.size === 0) this.#replays.delete(topic);
  }

  #stamp(topic: string, position: string, frame: string): string {
    return `${this.#stampPrefix}${JSON.stringify(formatToken(position, topic))},${frame.slice(1)}`;
  }
}
