/**
 * The NATS engine: typed servers in several processes share topics through
 * NATS (nats-server 2.9 or later, JetStream on), with `@nats-io/transport-node`
 * and `@nats-io/jetstream`.
 *
 * Plain topics and control payloads are core NATS. Resumable topics share one
 * JetStream stream, a subject per topic. Every entry is stored with the
 * sequence of the topic's entry before it (an append says which it expects,
 * and the stream refuses it if another came first), and the stream republishes
 * it as it stores it: a follow is a core subscription that can tell when it
 * missed an entry, and reads the stream only to catch up.
 *
 * The parts: `nats_subjects.ts` (subjects and the stream's name),
 * `nats_positions.ts`, `nats_greeting.ts` (is a server there), `nats_stream.ts`
 * (the stream's configuration), `nats_log.ts` (reading a topic's log in
 * batches), `nats_read.ts` (`read`), `nats_follow.ts` (follows); this file
 * holds the connection, its comings and goings, and appends.
 *
 * @module
 */
import { connect, headers, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import {
  jetstream,
  JetStreamApiCodes,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type StreamInfo,
} from "@nats-io/jetstream";
import {
  type Backplane,
  type BackplaneEvents,
  DEFAULT_RECOVERY_WINDOW,
  type ReadResult,
  type RecoveryWindow,
} from "./backplane.ts";
import { NatsFollows } from "./nats_follow.ts";
import { greeting } from "./nats_greeting.ts";
import { NatsLog, PREVIOUS } from "./nats_log.ts";
import { comparePositions, parsePosition } from "./nats_positions.ts";
import { compareDigits, messageOf, quote } from "./text.ts";
import { readAfter } from "./nats_read.ts";
import { ensureStream, epochOf, isApiError } from "./nats_stream.ts";
import { NatsSubjects } from "./nats_subjects.ts";

/** How an instance uses NATS. */
export interface NatsBackplaneOptions {
  /**
   * Instances with the same prefix share topics: the first token(s) of every subject (letters, digits, `_`, `-`;
   * tokens separated by dots), and, upper-cased, the stream's name.
   * @default "typewire"
   */
  readonly prefix?: string;
  /** How long resumable logs keep their entries (the stream's limits, set at `start`). @default 1000 messages, 2 minutes */
  readonly window?: Partial<RecoveryWindow>;
  /** How long `start` waits for a server to answer, and JetStream requests for their reply, in ms. @default 5000 */
  readonly connectTimeoutMs?: number;
}

/** Between tries of a failed recovery, in ms. */
const RETRY_MS = 250;

/** Appends to one topic tried again at most this many times when another instance's came first. */
const MAX_RACES = 1000;

/** Topics whose last sequence is remembered for appends, after which the memo starts over. */
const REMEMBERED = 10_000;

/**
 * The NATS engine. One connection, which reconnects by itself (forever, every
 * 0.5 to 1 s); while NATS is away `publish` and `announce` are dropped,
 * `append` rejects and `read` answers `unreachable`, at once.
 *
 * Subjects, under prefix P: `P.p.<topic>` (plain), `P.c` (control), `P.r.<topic>`
 * (entries, in a stream named P upper-cased), `P.f.<topic>` (entries as the
 * stream republishes them). A topic is one subject token: its UTF-8 bytes in
 * base64url, or a hash when long. The stream keeps `maxMessages` entries per
 * topic, for `maxAgeMs` and a minute or more beyond (`read` leaves out what is
 * older than `maxAgeMs`), and recognises a retried append by its id for as
 * long. Appends to one topic go one at a time from an instance; when another
 * instance's came first, an append is tried again at once.
 *
 * `read` reads the log in batches up to the topic's last entry as of its
 * start, and answers `gone` rather than entries with a hole. A follow holds
 * live entries and reads the stream to catch up after a miss or a
 * reconnection, then reports `gap` for what the log dropped meanwhile, then
 * `status("restored")` (see `nats_follow.ts`).
 *
 * @example Two instances on one NATS
 * ```ts
 * import { NatsBackplane } from "./nats.ts";
 * const events = {
 *   message: (topic: string, frame: string) => console.log(topic, frame),
 *   entry: (topic: string, position: string, frame: string) => console.log(topic, position, frame),
 *   control: () => {},
 *   status: (status: string, detail: string) => console.log(status, detail),
 *   gap: (topic: string, detail: string) => console.warn(topic, detail),
 * };
 * const a = new NatsBackplane("nats://127.0.0.1:4222", { window: { maxMessages: 500 } });
 * const b = new NatsBackplane(["nats://127.0.0.1:4222"], { window: { maxMessages: 500 } });
 * await a.start(events);
 * await b.start(events);
 * await a.follow("room:1");
 * const position = await b.append("room:1", '{"type":"line"}', "b:1");
 * console.log(await a.read("room:1", position)); // { ok: true, entries: [] }
 * await Promise.all([a.close(), b.close()]);
 * ```
 */
export class NatsBackplane implements Backplane {
  readonly engine = "nats";
  readonly window: RecoveryWindow;
  readonly #servers: string[];
  readonly #subjects: NatsSubjects;
  readonly #connectTimeoutMs: number;
  #nc: NatsConnection | undefined;
  #jsm: JetStreamManager | undefined;
  #js: JetStreamClient | undefined;
  #log: NatsLog | undefined;
  #events: BackplaneEvents | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** `lost` was reported, `restored` not yet (and, until then, appends and reads are refused). */
  #lost = false;
  /** Connected now (plain frames go out; while not, they are dropped rather than sent late). */
  #connected = false;
  /** Bumped at every disconnection: a recovery begun before reports nothing. */
  #epoch = 0;
  /** The stream's creation time, ms: the first half of every position. */
  #created = "";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #repairing: Promise<unknown> | undefined;
  readonly #plain = new Map<string, Subscription | undefined>();
  readonly #follows: NatsFollows;
  /** Per stored subject: the last sequence known (the next append expects it), and the appends waiting. */
  readonly #last = new Map<string, number>();
  readonly #appending = new Map<string, Promise<unknown>>();

  /**
   * @param servers `nats://host:port`, or several (of one cluster).
   * @param options The prefix shared by the instances, the window, the connect timeout.
   * @throws {RangeError} When the prefix or the window is not valid.
   */
  constructor(servers: string | string[], options: NatsBackplaneOptions = {}) {
    this.#servers = typeof servers === "string" ? [servers] : [...servers];
    this.#subjects = new NatsSubjects(options.prefix ?? "typewire");
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.window = { ...DEFAULT_RECOVERY_WINDOW, ...options.window };
    const { maxMessages, maxAgeMs } = this.window;
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1 || !Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1) {
      throw new RangeError(`a window is whole numbers, at least 1 message and 1 ms: ${JSON.stringify(this.window)}`);
    }
    this.#follows = new NatsFollows({
      subjects: this.#subjects,
      lost: () => this.#lost,
      closed: () => this.#closed,
      position: (seq) => this.#position(seq),
      learn: (stored, seq) => this.#learn(stored, seq),
      entry: (topic, position, frame) => this.#hear(() => this.#events?.entry(topic, position, frame)),
      gap: (topic, detail) => this.#hear(() => this.#events?.gap(topic, detail)),
      retry: () => {
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#recover(this.#epoch, "a follow caught up"), RETRY_MS);
      },
    });
  }

  async start(events: BackplaneEvents): Promise<void> {
    if (this.#events !== undefined || this.#nc !== undefined || this.#closed) {
      throw new Error("this NatsBackplane was started already");
    }
    const where = this.#servers.join(", ");
    let nc: NatsConnection;
    try {
      await greeting(this.#servers, this.#connectTimeoutMs);
      nc = await connect({
        servers: this.#servers,
        name: `typewire ${this.#subjects.prefix}`,
        timeout: this.#connectTimeoutMs,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        reconnectJitter: 500,
        pingInterval: 15_000,
        maxPingOut: 2,
      });
    } catch (error) {
      throw new Error(`could not reach NATS at ${where} within ${this.#connectTimeoutMs} ms: ${messageOf(error)}`, {
        cause: error,
      });
    }
    let log: NatsLog;
    try {
      const jsm = await jetstreamManager(nc, { timeout: this.#connectTimeoutMs });
      this.#jsm = jsm;
      this.#js = jetstream(nc, { timeout: this.#connectTimeoutMs });
      log = new NatsLog(nc, jsm, this.#subjects.stream, this.#connectTimeoutMs);
      this.#created = epochOf(await ensureStream(jsm, this.#subjects, this.window));
    } catch (error) {
      await nc.close().catch(() => {});
      throw new Error(`NATS at ${where} has no usable JetStream (is nats-server run with -js?): ${messageOf(error)}`, {
        cause: error,
      });
    }
    if (this.#closed) {
      await nc.close().catch(() => {});
      return;
    }
    this.#nc = nc;
    this.#log = log;
    this.#events = events;
    this.#connected = true;
    nc.subscribe(this.#subjects.control, {
      callback: (_, msg) => this.#hear(() => events.control(msg.string())),
    });
    for (const topic of this.#plain.keys()) this.#plain.set(topic, this.#subscribePlain(topic));
    this.#follows.start(nc, log);
    this.#watch(nc);
    await nc.flush();
  }

  publish(topic: string, frame: string): void {
    this.#send(this.#subjects.plain(topic), frame);
  }

  subscribe(topic: string): Promise<void> {
    if (!this.#plain.has(topic)) this.#plain.set(topic, this.#subscribePlain(topic));
    return this.#inPlace();
  }

  unsubscribe(topic: string): void {
    this.#plain.get(topic)?.unsubscribe();
    this.#plain.delete(topic);
  }

  append(topic: string, frame: string, id: string): Promise<string> {
    if (this.#js === undefined || this.#closed) {
      return Promise.reject(new Error("this NatsBackplane is not started, or closed"));
    }
    const stored = this.#subjects.stored(topic);
    // After this instance's earlier appends to the topic: they would only race each other.
    const before = this.#appending.get(stored) ?? Promise.resolve();
    const run = before.then(() => this.#store(topic, stored, frame, id));
    const tail = run.catch(() => {});
    this.#appending.set(stored, tail);
    tail.then(() => this.#appending.get(stored) === tail && this.#appending.delete(stored));
    return run;
  }

  follow(topic: string): Promise<void> {
    this.#follows.follow(topic);
    return this.#inPlace();
  }

  /**
   * Resolves once the server has every subscription made so far (a round trip after them: it handles a connection's
   * messages in order); while NATS is away, once it is back (subscriptions are made again on reconnection).
   */
  #inPlace(): Promise<void> {
    const nc = this.#nc;
    if (nc === undefined || this.#closed) return Promise.resolve();
    return nc.flush().catch(() => undefined);
  }

  unfollow(topic: string): void {
    this.#follows.unfollow(topic);
  }

  async read(topic: string, position: string): Promise<ReadResult> {
    const parsed = parsePosition(position);
    if (parsed === undefined) {
      return { ok: false, reason: "invalid", message: `${quote(position)} is not a NATS backplane position` };
    }
    const log = this.#log;
    if (log === undefined || this.#closed || this.#lost) {
      return { ok: false, reason: "unreachable", message: "NATS is unreachable (or this NatsBackplane is closed)" };
    }
    const where = `${quote(position)} of ${JSON.stringify(topic)}`;
    const era = compareDigits(parsed.epoch, this.#created);
    if (era > 0) return { ok: false, reason: "invalid", message: `NATS never gave ${where}` };
    if (era < 0) {
      return {
        ok: false,
        reason: "gone",
        message: `the stream was created again since ${where} (NATS lost its store)`,
      };
    }
    const created = this.#created;
    try {
      return await readAfter(log, this.#subjects.stored(topic), parsed.seq, {
        window: this.window,
        position: (seq) => `${created}-${seq}`,
        where,
      });
    } catch (error) {
      return { ok: false, reason: "unreachable", message: `NATS did not answer: ${messageOf(error)}` };
    }
  }

  compare(a: string, b: string): number {
    return comparePositions(a, b);
  }

  announce(payload: string): void {
    this.#send(this.#subjects.control, payload);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#events = undefined;
    clearTimeout(this.#timer);
    const nc = this.#nc;
    if (nc === undefined || nc.isClosed()) return;
    // Drained when connected (what was published goes first); a drain would wait for a reconnection, so not when lost.
    if (!this.#lost) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#connectTimeoutMs)));
      await Promise.race([nc.drain().catch(() => {}), late]);
      clearTimeout(timer);
    }
    await nc.close().catch(() => {});
  }

  #position(seq: number): string {
    return `${this.#created}-${seq}`;
  }

  /** Publishes at most once: nothing while disconnected (nor a frame over the server's `max_payload`). */
  #send(subject: string, payload: string): void {
    const nc = this.#nc;
    if (nc === undefined || this.#closed || !this.#connected) return;
    try {
      nc.publish(subject, payload);
    } catch {
      // Closed meanwhile, or too large for the server: at most once.
    }
  }

  /** Runs `deliver` unless closed; what it throws is reported and does not break the subscription. */
  #hear(deliver: () => void): void {
    if (this.#closed || this.#events === undefined) return;
    try {
      deliver();
    } catch (error) {
      console.error("typewire NatsBackplane: an event listener failed:", error);
    }
  }

  #subscribePlain(topic: string): Subscription | undefined {
    return this.#nc?.subscribe(this.#subjects.plain(topic), {
      callback: (_, msg) => this.#hear(() => this.#events?.message(topic, msg.string())),
    });
  }

  /**
   * Stores an entry after the topic's last: the stream refuses it when another came first (it says which: the
   * append is tried again after that one), and stores it once whatever the number of tries with its id.
   */
  async #store(topic: string, stored: string, frame: string, id: string): Promise<string> {
    const js = this.#js;
    const log = this.#log;
    if (js === undefined || log === undefined || this.#closed) throw new Error("this NatsBackplane is closed");
    if (this.#lost) throw new Error(`NATS is unreachable: the append to ${JSON.stringify(topic)} was not sent`);
    let expected = this.#last.get(stored) ?? 0;
    for (let race = 0; race < MAX_RACES; race++) {
      const header = headers();
      header.set(PREVIOUS, String(expected));
      try {
        const ack = await js.publish(stored, frame, {
          msgID: id,
          headers: header,
          expect: { streamName: this.#subjects.stream, lastSubjectSequence: expected },
        });
        this.#learn(stored, ack.seq);
        return this.#position(ack.seq);
      } catch (error) {
        if (isApiError(error, JetStreamApiCodes.StreamWrongLastSequence)) {
          const said = /wrong last sequence: ([0-9]{1,16})$/.exec(error.message)?.[1];
          expected = said === undefined ? await log.last(stored) : Number(said);
          this.#last.set(stored, expected);
          continue;
        }
        // No stream answered: it may have been deleted, or lost with the server's store.
        if (!this.#lost && !this.#closed) this.#repair();
        throw new Error(`NATS did not store the append to ${JSON.stringify(topic)}: ${messageOf(error)}`, {
          cause: error,
        });
      }
    }
    throw new Error(`the append to ${JSON.stringify(topic)} lost ${MAX_RACES} races with other instances' appends`);
  }

  /** Notes a topic's newest sequence seen, for its next append. */
  #learn(stored: string, seq: number): void {
    if (seq <= (this.#last.get(stored) ?? 0)) return;
    if (this.#last.size >= REMEMBERED) this.#last.clear();
    this.#last.set(stored, seq);
  }

  /** The stream answered no append: made again in the background (one try at a time). */
  #repair(): void {
    this.#repairing ??= this.#ensureStream().then((info) => {
      if (epochOf(info) !== this.#created) this.#recover(this.#epoch, "the stream was created again");
    }).catch(() => {}).finally(() => (this.#repairing = undefined));
  }

  /** Creates the stream, or updates it to this instance's window (see `ensureStream`). */
  #ensureStream(): Promise<StreamInfo> {
    const jsm = this.#jsm;
    if (jsm === undefined) return Promise.reject(new Error("this NatsBackplane is not started"));
    return ensureStream(jsm, this.#subjects, this.window);
  }

  /** Reports the connection's comings and goings, and recovers when it comes back. */
  #watch(nc: NatsConnection): void {
    (async () => {
      for await (const status of nc.status()) {
        if (this.#closed) return;
        if (status.type === "disconnect") this.#disconnected(`NATS connection lost (${status.server})`);
        else if (status.type === "reconnect") {
          this.#connected = true;
          this.#recover(this.#epoch, `reconnected to ${status.server}`);
        }
      }
    })().catch(() => {});
    nc.closed().then((error) => {
      if (!this.#closed) this.#disconnected(`NATS connection closed: ${error ? messageOf(error) : "for good"}`);
    });
  }

  /** What comes in meanwhile may have gaps: follows hold it until they catch up. */
  #disconnected(detail: string): void {
    this.#epoch++;
    this.#connected = false;
    clearTimeout(this.#timer);
    this.#follows.hold();
    if (this.#lost) return;
    this.#lost = true;
    this.#hear(() => this.#events?.status("lost", detail));
  }

  /**
   * Once reconnected: the stream made again if the server lost it, then every follow caught up; then `restored`
   * (when `lost` was reported). A failed pass is tried again after `RETRY_MS`, until the connection is lost again.
   */
  #recover(epoch: number, detail: string): void {
    clearTimeout(this.#timer);
    this.#recoverOnce(epoch).then(
      () => {
        if (epoch !== this.#epoch || this.#closed || !this.#lost) return;
        this.#lost = false;
        this.#hear(() => this.#events?.status("restored", `${detail}; subscriptions and follows are back`));
      },
      () => {
        if (epoch !== this.#epoch || this.#closed) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#recover(epoch, detail), RETRY_MS);
      },
    );
  }

  async #recoverOnce(epoch: number): Promise<void> {
    const created = epochOf(await this.#ensureStream());
    if (created !== this.#created) {
      // Every follow is told, even if this pass fails before it gets there.
      this.#follows.recreated();
      this.#last.clear();
      this.#created = created;
    }
    await this.#follows.catchUpHeld(() => epoch === this.#epoch && !this.#closed);
  }
}
