/**
 * A topic's log as the NATS stream holds it. Every entry is stored with the
 * sequence of the topic's entry before it (`Typewire-Previous`), so that a
 * reader can tell an entry it missed from one that never was; this module
 * reads entries back, in batches, and leaves that judgement to its callers.
 *
 * A range is read through a consumer of its own, made for the read and
 * deleted after it: filtered on the topic's subject, starting at a sequence,
 * never acknowledged, in memory, gone by itself if left idle. Each pull asks
 * for a batch without waiting (`no_wait`): the server sends what it has, up
 * to the batch, at once. NATS 2.9 has no batched direct get (2.11 does), and a
 * direct get per entry costs a round trip each.
 *
 * @module
 */
import { createInbox, type Msg, type MsgHdrs, nanos, type NatsConnection, nuid } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";

/** The header that stores, with each entry, the sequence of its topic's entry before it (0: none). */
export const PREVIOUS = "Typewire-Previous";

/** Entries asked for per pull: a few hundred, so that a large read does not arrive as one burst. */
const BATCH = 256;

/** A read's consumer is deleted by the server once idle this long (if the read could not delete it), at least. */
const IDLE_MS = 5_000;

/** An entry of a topic's log. */
export interface Stored {
  /** Its sequence in the stream. */
  readonly seq: number;
  /** The sequence of its topic's entry before it (0: none; -1: not an entry this engine stored). */
  readonly previous: number;
  readonly frame: string;
  /** When the stream stored it, in ms since the epoch: known when read back, not when republished. */
  readonly time?: number;
}

/**
 * The sequence of the topic's entry before a stored or republished one, from its headers.
 *
 * @returns 0 when it was the topic's first; -1 when it is not an entry this engine stored.
 *
 * @example
 * ```ts
 * import { headers } from "@nats-io/transport-node";
 * import { PREVIOUS, previousOf } from "./nats_log.ts";
 * const header = headers();
 * header.set(PREVIOUS, "41");
 * console.log(previousOf(header), previousOf(undefined)); // 41 -1
 * ```
 */
export function previousOf(header: Pick<MsgHdrs, "get"> | undefined): number {
  const value = header?.get(PREVIOUS) ?? "";
  return /^(?:0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : -1;
}

/**
 * An entry a read's consumer delivered, and how many the consumer had left after it, from the message's reply
 * subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<seq>.<consumer seq>.<ns>.<pending>` (NATS 2.9), or with a
 * domain and an account before the stream and a token after (later servers).
 */
function deliveredOf(msg: Msg): { entry: Stored; left: number } | undefined {
  const tokens = msg.reply?.split(".") ?? [];
  if (tokens[0] !== "$JS" || tokens[1] !== "ACK" || tokens.length < 9) return undefined;
  const base = tokens.length === 9 ? 2 : 4;
  const [seq, ns, left] = [tokens[base + 3], tokens[base + 5], tokens[base + 6]].map(Number);
  if (!Number.isSafeInteger(seq) || seq === undefined || seq < 1 || ns === undefined || !(ns > 0)) return undefined;
  if (!Number.isSafeInteger(left) || left === undefined || left < 0) return undefined;
  return { entry: { seq, previous: previousOf(msg.headers), frame: msg.string(), time: ns / 1e6 }, left };
}

/** What one pull brought: entries in stream order, and how many the consumer had left after them (0: none). */
interface Pulled {
  readonly entries: Stored[];
  readonly left: number;
}

/**
 * The resumable topics' logs under one stream, read through one connection.
 *
 * @example Reading a topic's log
 * ```ts
 * import { connect } from "@nats-io/transport-node";
 * import { jetstreamManager } from "@nats-io/jetstream";
 * import { NatsLog } from "./nats_log.ts";
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
 * const log = new NatsLog(nc, await jetstreamManager(nc), "TYPEWIRE", 5000);
 * const last = await log.last("typewire.r.bcm9vbTox");
 * for (const entry of await log.read("typewire.r.bcm9vbTox", 1, last)) console.log(entry.seq, entry.frame);
 * await nc.close();
 * ```
 */
export class NatsLog {
  readonly #nc: NatsConnection;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #timeoutMs: number;

  /**
   * @param nc The connection to read through.
   * @param jsm Its JetStream manager (default API prefix).
   * @param stream The stream's name.
   * @param timeoutMs How long to wait for the server between answers, in ms.
   */
  constructor(nc: NatsConnection, jsm: JetStreamManager, stream: string, timeoutMs: number) {
    this.#nc = nc;
    this.#jsm = jsm;
    this.#stream = stream;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * The sequence of a topic's last entry the stream holds (from any server holding the stream).
   *
   * @param subject The topic's stored subject.
   * @returns 0 when it holds none.
   */
  async last(subject: string): Promise<number> {
    return (await this.#jsm.direct.getMessage(this.#stream, { last_by_subj: subject }))?.seq ?? 0;
  }

  /** The sequence of the stream's last message, whatever its topic (0: none). */
  async streamLast(): Promise<number> {
    return (await this.#jsm.streams.info(this.#stream)).state.last_seq;
  }

  /**
   * The entries of a topic the stream holds from `from` to `through` (both included), in order, as the stream has
   * them while they are read: an entry dropped meanwhile (the stream's limits) is not there, and nothing shows it
   * but the `previous` of the entry after it.
   *
   * @param subject The topic's stored subject.
   * @param from The first sequence to read, at least 1.
   * @param through The last sequence to read: what comes after is left out.
   * @throws {Error} (as a rejection) When NATS did not answer, or refused.
   */
  async read(subject: string, from: number, through: number): Promise<Stored[]> {
    if (through < from) return [];
    const name = `typewire_read_${nuid.next()}`;
    const info = await this.#jsm.consumers.add(this.#stream, {
      name,
      filter_subject: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: from,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(Math.max(IDLE_MS, this.#timeoutMs)),
    });
    const entries: Stored[] = [];
    try {
      for (let left = info.num_pending; left > 0;) {
        const pulled = await this.#pull(name, Math.min(BATCH, left), through);
        for (const entry of pulled.entries) {
          if (entry.seq > through) return entries;
          entries.push(entry);
        }
        if ((entries.at(-1)?.seq ?? 0) >= through) return entries;
        left = pulled.left;
      }
      return entries;
    } finally {
      // Not waited for: the read is done, and the server deletes it anyway once idle.
      this.#jsm.consumers.delete(this.#stream, name).catch(() => {});
    }
  }

  /**
   * Up to `count` entries a read's consumer has next (fewer when it runs out, or once one reaches `through`).
   *
   * @throws {Error} (as a rejection) When the server was silent for `timeoutMs`, or answered with an error.
   */
  #pull(consumer: string, count: number, through: number): Promise<Pulled> {
    return new Promise((resolve, reject) => {
      const entries: Stored[] = [];
      let left = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const inbox = createInbox();
      const settle = (error?: Error) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        if (error === undefined) resolve({ entries, left });
        else reject(error);
      };
      const silent = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => settle(new Error(`NATS sent no entry of the read within ${this.#timeoutMs} ms`)),
          this.#timeoutMs,
        );
      };
      const subscription = this.#nc.subscribe(inbox, {
        callback: (error, msg) => {
          if (error !== null) return settle(error);
          const delivered = deliveredOf(msg);
          if (delivered === undefined) {
            const code = msg.headers?.code ?? 0;
            // 404 (nothing left) or 408 (fewer left than asked for): the consumer ran out.
            if (code === 404 || code === 408) return settle();
            return settle(new Error(`NATS answered a read with ${code} ${msg.headers?.description ?? ""}`.trim()));
          }
          entries.push(delivered.entry);
          left = delivered.left;
          if (entries.length >= count || left === 0 || delivered.entry.seq >= through) settle();
          else silent();
        },
      });
      silent();
      try {
        this.#nc.publish(
          `$JS.API.CONSUMER.MSG.NEXT.${this.#stream}.${consumer}`,
          JSON.stringify({ batch: count, no_wait: true }),
          { reply: inbox },
        );
      } catch (error) {
        settle(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}
