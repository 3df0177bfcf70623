/**
 * Fault scenarios: a chat session streams numbered lines to the reference
 * server (in this process) while the server is stopped and started again,
 * or while the network path under the connection is cut without a close
 * frame. An in-process member of the room records what the room received;
 * the ledger then says what arrived, what was lost, and whether every loss
 * is one the design allows and the session reported.
 */
import { ChatSession } from "../../src/chat/mod.ts";
import { watchIdle } from "../../src/client/mod.ts";
import type { ChatRoomOptions, Refusal } from "../../src/chat/server/room.ts";
import { type ReferenceServer, startReferenceServer } from "../../scripts/chat/server.ts";
import { summarize, type Summary } from "../../scripts/bench/stats.ts";
import { observeRoom } from "./observer.ts";
import { startTcpProxy } from "./proxy.ts";
import { type Check, checks, sleep, until, within } from "./verdict.ts";

/** One client streams a line every `lineEvery` ms; the room lets it (the default limit is 20 lines a second). */
function streamRoom(refusals: Refusal[]): ChatRoomOptions {
  return { limits: { framesPerSecond: 2_000, burst: 5_000 }, onRefusal: (refusal) => refusals.push(refusal) };
}

/** What a fault scenario measured. */
export interface StreamFigures {
  /** Lines handed to `say`. */
  readonly said: number;
  /** Of those, lines said while disconnected (queued by the client). */
  readonly saidWhileDown: number;
  /** Distinct lines the room received. */
  readonly arrived: number;
  /** Lines the room received more than once. */
  readonly duplicates: number;
  /** Lines that arrived after a later line. */
  readonly outOfOrder: number;
  /** Lines said while disconnected that never arrived. The design keeps these: must be 0. */
  readonly lostWhileDown: number;
  /** Lines written to a connection that died under them and never arrived: the protocol has no acknowledgements. */
  readonly lostInFlight: number;
  /** Lines the session reported as unconfirmed (written to a connection that closed before their echo). */
  readonly unconfirmed: number;
  /** Lines lost in flight that the session did not report. Must be 0. */
  readonly lostUnreported: number;
  /** Connections the client opened again. */
  readonly reconnects: number;
  readonly seconds: number;
  /** Half-open only: from cutting the path to the client's close, in ms. */
  readonly detection?: Summary;
  readonly checks: readonly Check[];
}

/** Follows every line from `say` to the room. */
class Ledger {
  readonly #queued = new Set<number>();
  readonly #reported = new Set<number>();
  readonly #arrivals: number[] = [];
  #said = 0;
  #session: ChatSession | undefined;

  constructor(readonly refusals: readonly Refusal[]) {}

  /** The streaming session; set once, before the first line. */
  get session(): ChatSession {
    if (this.#session === undefined) throw new Error("the ledger follows no session yet");
    return this.#session;
  }

  follow(session: ChatSession): void {
    this.#session = session;
    session.onUnconfirmed((lines) => lines.forEach((text) => this.#reported.add(Number(text))));
  }

  say(): void {
    const seq = this.#said++;
    if (this.session.say(String(seq)) === "queued") this.#queued.add(seq);
  }

  arrived(text: string): void {
    this.#arrivals.push(Number(text));
  }

  /** Every line has either come back to the session or been reported, and nothing waits in the queue. */
  settled(): boolean {
    const { said, confirmed, unconfirmed } = this.session.lines;
    return this.session.client.queued === 0 && confirmed + unconfirmed === said;
  }

  figures(seconds: number, extra: { detection?: Summary; detectionLimit?: number } = {}): StreamFigures {
    const seen = new Set<number>();
    let duplicates = 0;
    let outOfOrder = 0;
    let last = -1;
    for (const seq of this.#arrivals) {
      if (seen.has(seq)) duplicates++;
      seen.add(seq);
      if (seq < last) outOfOrder++;
      last = Math.max(last, seq);
    }
    let lostWhileDown = 0;
    let lostInFlight = 0;
    let lostUnreported = 0;
    for (let seq = 0; seq < this.#said; seq++) {
      if (seen.has(seq)) continue;
      if (this.#queued.has(seq)) lostWhileDown++;
      else lostInFlight++;
      if (!this.#reported.has(seq)) lostUnreported++;
    }
    const figures = {
      said: this.#said,
      saidWhileDown: this.#queued.size,
      arrived: seen.size,
      duplicates,
      outOfOrder,
      lostWhileDown,
      lostInFlight,
      unconfirmed: this.session.lines.unconfirmed,
      lostUnreported,
      reconnects: this.session.client.stats.reconnects,
      seconds,
      ...(extra.detection && { detection: extra.detection }),
    };
    return {
      ...figures,
      checks: checks([
        ["every line said while disconnected arrived", lostWhileDown === 0],
        ["no line arrived twice", duplicates === 0],
        ["lines arrived in the order said", outOfOrder === 0],
        ["every line lost in flight was reported unconfirmed", lostUnreported === 0],
        ["the session settled: every line confirmed or reported", this.settled()],
        ["the room refused nothing", this.refusals.length === 0],
        ...(extra.detection && extra.detectionLimit !== undefined
          ? [[
            `each half-open connection was found within ${extra.detectionLimit} ms`,
            extra.detection.max <= extra.detectionLimit,
          ] as [string, boolean]]
          : []),
      ]),
    };
  }
}

/** A session that will stream through `url`, reconnecting quickly, followed by the ledger. */
function streamer(url: string, ledger: Ledger): ChatSession {
  const session = new ChatSession(url, { name: "streamer", reconnect: { minDelay: 20, maxDelay: 100, factor: 2 } });
  ledger.follow(session);
  return session;
}

/**
 * Once the ledger's session has logged in, streams lines from it every `lineEvery` ms while `faults` runs, then
 * waits for the session to settle.
 */
async function stream(ledger: Ledger, lineEvery: number, faults: () => Promise<void>): Promise<void> {
  await within(ledger.session.loggedIn(), 10_000, "logging in");
  const timer = setInterval(() => ledger.say(), lineEvery);
  try {
    await faults();
  } finally {
    clearInterval(timer);
  }
  await until(() => ledger.settled(), 15_000);
}

/** The reference server for a streaming scenario, with an in-process member recording every line into the ledger. */
async function startObserved(port: number, refusals: Refusal[], ledger: Ledger): Promise<ReferenceServer> {
  const server = await startReferenceServer({ port, page: false, room: streamRoom(refusals) });
  observeRoom(server.room, (line) => ledger.arrived(line.text));
  return server;
}

/** How the restart scenario runs. */
export interface RestartOptions {
  readonly restarts: number;
  /** How long the server stays up between restarts, in ms. */
  readonly up: number;
  /** How long it stays down, in ms. */
  readonly down: number;
  /** A line every this many ms. */
  readonly lineEvery: number;
}

/**
 * The server is stopped (closing every connection with 1001) and started
 * again on the same port, `restarts` times, while a session streams lines.
 *
 * @returns The ledger's figures.
 */
export async function runRestarts(options: RestartOptions): Promise<StreamFigures> {
  const started = performance.now();
  const refusals: Refusal[] = [];
  const ledger = new Ledger(refusals);
  const start = (port: number) => startObserved(port, refusals, ledger);
  let server: ReferenceServer = await start(0);
  const session = streamer(server.socketUrl, ledger);
  try {
    await stream(ledger, options.lineEvery, async () => {
      for (let i = 0; i < options.restarts; i++) {
        await sleep(options.up);
        await server.stop();
        await sleep(options.down);
        server = await start(server.port);
      }
      await sleep(options.up);
    });
    return ledger.figures((performance.now() - started) / 1_000);
  } finally {
    await session.close();
    await server.stop();
  }
}

/** How the half-open scenario runs. */
export interface HalfOpenOptions {
  readonly cuts: number;
  /** How long the path stays sound after each reconnection, in ms. */
  readonly up: number;
  /** The client's idle timeout (`watchIdle`), in ms. */
  readonly idleTimeout: number;
  /** A line every this many ms. */
  readonly lineEvery: number;
}

/**
 * The session connects through a proxy that, `cuts` times, silently stops
 * forwarding: no FIN, no close frame. The session watches for silence with
 * `watchIdle`, drops the dead connection and reconnects.
 *
 * @returns The ledger's figures, and how long each cut took to find.
 */
export async function runHalfOpen(options: HalfOpenOptions): Promise<StreamFigures> {
  const started = performance.now();
  const refusals: Refusal[] = [];
  const ledger = new Ledger(refusals);
  const server = await startObserved(0, refusals, ledger);
  const proxy = await startTcpProxy(server.port);
  const session = streamer(`ws://127.0.0.1:${proxy.port}/`, ledger);
  watchIdle(session.client, { timeout: options.idleTimeout });
  const detections: number[] = [];
  try {
    await stream(ledger, options.lineEvery, async () => {
      for (let i = 0; i < options.cuts; i++) {
        await sleep(options.up);
        const closed = new Promise<number>((resolve) =>
          session.client.onEvent("close", () => resolve(performance.now()), { once: true })
        );
        const cutAt = performance.now();
        proxy.sever();
        detections.push((await within(closed, options.idleTimeout * 4, "finding the cut connection")) - cutAt);
        await within(session.loggedIn(), 10_000, "logging in again after the cut");
      }
      await sleep(options.up);
    });
    // watchIdle drops after `timeout` of silence, checking every quarter of it; timers may run a little late.
    const detectionLimit = Math.round(options.idleTimeout * 1.25 + 250);
    return ledger.figures((performance.now() - started) / 1_000, {
      detection: summarize(detections),
      detectionLimit,
    });
  } finally {
    await session.close();
    await proxy.close();
    await server.stop();
  }
}
