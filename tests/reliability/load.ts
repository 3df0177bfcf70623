/**
 * Load scenarios. Many chat sessions join the reference server (in a
 * process of its own, with its default limits) and chat; every line must
 * reach every session. And a client that stops reading must be cut off at
 * its buffer limit while the others carry on at the same pace.
 */
import net from "node:net";
import { ChatSession } from "../../src/chat/mod.ts";
import type { Refusal } from "../../src/chat/server/room.ts";
import { serverRuntime } from "../../src/server/this_runtime.ts";
import { startReferenceServer } from "../../scripts/chat/server.ts";
import { command, startServer } from "../../scripts/bench/processes.ts";
import { summarize, type Summary } from "../../scripts/bench/stats.ts";
import { closeAll, joinSessions } from "./sessions.ts";
import { type Check, checks, sleep, until, within } from "./verdict.ts";

/** The most lines a slow-reader phase sends, whether or not the room has cut the stalled client off. */
const MAX_LINES = 5_000;

/** How long a session may take to log in while the room fills (every login sends the user list to everyone). */
const LOGIN_TIMEOUT = 120_000;

/** Every this many deliveries, one latency sample. */
const SAMPLE_EVERY = 7;

/** How the load scenario runs. */
export interface LoadOptions {
  readonly clients: number;
  /** Sessions opened per second while joining. */
  readonly joinPerSecond: number;
  /** Lines each session says. */
  readonly linesPerClient: number;
  /** Lines said per second by all sessions together (the room's default limit is 20 per client). */
  readonly linesPerSecond: number;
}

/** What the load scenario measured. */
export interface LoadFigures {
  readonly clients: number;
  /** Sessions that did not log in within two minutes. */
  readonly loginFailures: number;
  readonly lines: number;
  /** Lines times the sessions that should receive each. */
  readonly expected: number;
  readonly delivered: number;
  readonly missing: number;
  /** Sessions whose connection closed during the run. */
  readonly disconnected: number;
  readonly refusals: number;
  readonly joinSeconds: number;
  readonly chatSeconds: number;
  /** Delivered lines per second while chatting. */
  readonly throughput: number;
  /** From saying a line to its arrival at each session (sampled), in ms. */
  readonly latency: Summary & { readonly p99: number };
  /**
   * The server's resident memory, in bytes: listening with no client, with every session logged in, after the
   * chat, and 2 s after every session left. Resident memory includes garbage the engine has not returned yet.
   */
  readonly serverRss: { readonly idle: number; readonly joined: number; readonly end: number; readonly left: number };
  readonly checks: readonly Check[];
}

/** The latency figures with p99, from samples; NaN throughout for none. */
export function latencySummary(samples: readonly number[]): Summary & { readonly p99: number } {
  if (samples.length === 0) return { median: NaN, p25: NaN, p75: NaN, min: NaN, max: NaN, n: 0, p99: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  return { ...summarize(sorted), p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? NaN };
}

/**
 * Runs the load scenario against a server process on this runtime.
 *
 * @returns The figures, with checks.
 */
export async function runLoad(options: LoadOptions): Promise<LoadFigures> {
  const server = await startServer(command(serverRuntime(), "scripts/bench/chat_server.ts", ["--limits", "default"]));
  const url = `ws://127.0.0.1:${server.port}/`;
  const sessions: ChatSession[] = [];
  let delivered = 0;
  let disconnected = 0;
  const samples: number[] = [];
  try {
    await sleep(200);
    const idleRss = server.rssBytes();
    const joinStarted = performance.now();
    const batch = Math.max(1, Math.round(options.joinPerSecond / 10));
    for (let i = 0; i < options.clients; i += batch) {
      for (let j = i; j < Math.min(options.clients, i + batch); j++) {
        const session = new ChatSession(url, { name: `c${j}`, reconnect: false, loginTimeout: LOGIN_TIMEOUT });
        session.client.onEvent("close", () => disconnected++);
        session.onLine((line) => {
          if (!line.text.startsWith("line ")) return;
          delivered++;
          if (delivered % SAMPLE_EVERY === 0) samples.push(Date.now() - line.date);
        });
        sessions.push(session);
      }
      await sleep(100);
    }
    const logins = await Promise.allSettled(sessions.map((s) => within(s.loggedIn(), LOGIN_TIMEOUT, "logging in")));
    const loginFailures = logins.filter((l) => l.status === "rejected").length;
    const joinSeconds = (performance.now() - joinStarted) / 1_000;
    await sleep(200);
    const joinedRss = server.rssBytes();

    // Only sessions that logged in chat and are counted on; a failed login is a failed check of its own.
    const chatting = sessions.filter((_, i) => logins[i]?.status === "fulfilled");
    const lines = chatting.length * options.linesPerClient;
    const expected = lines * chatting.length;
    const chatStarted = performance.now();
    const perTick = options.linesPerSecond / 100;
    let said = 0;
    for (let tick = 0; said < lines; tick++) {
      while (said < Math.min(lines, Math.round((tick + 1) * perTick))) {
        (chatting[said % chatting.length] as ChatSession).say(`line ${said}`);
        said++;
      }
      await sleep(10);
    }
    await until(
      () => delivered >= expected || disconnected > loginFailures,
      30_000 + (lines / options.linesPerSecond) * 1_000,
    );
    const chatSeconds = (performance.now() - chatStarted) / 1_000;

    // A newcomer after the load: the server still serves.
    const late = new ChatSession(url, { name: "late", reconnect: false });
    const echoed = new Promise<boolean>((resolve) => late.onLine((line) => line.id === late.id && resolve(true)));
    const served = await within(late.loggedIn().then(() => (late.say("still there?"), echoed)), 30_000, "a newcomer")
      .catch(() => false);
    await late.close();
    const refusals = server.output().split("\n").filter((l) => l.startsWith("refusal ")).map((l) =>
      JSON.parse(l.slice(8)) as Refusal
    );
    const endRss = server.rssBytes();
    // Sessions that failed to log in closed then: they are counted as login failures, not as drops.
    const droppedDuringRun = disconnected - loginFailures;
    await closeAll(sessions);
    await sleep(2_000);
    return {
      clients: options.clients,
      loginFailures,
      lines,
      expected,
      delivered,
      missing: expected - delivered,
      disconnected: droppedDuringRun,
      refusals: refusals.length,
      joinSeconds,
      chatSeconds,
      throughput: delivered / chatSeconds,
      latency: latencySummary(samples),
      serverRss: { idle: idleRss, joined: joinedRss, end: endRss, left: server.rssBytes() },
      checks: checks([
        ["every session logged in", loginFailures === 0],
        ["every session received every line", delivered === expected],
        ["no session was disconnected", droppedDuringRun === 0 && refusals.length === 0],
        ["the server kept running and served a newcomer afterwards", server.running() && served],
      ]),
    };
  } finally {
    await closeAll(sessions);
    await server.stop();
  }
}

/** How the slow-reader scenario runs. */
export interface SlowReaderOptions {
  /** Well-behaved sessions that read everything. */
  readonly listeners: number;
  /** Lines per phase; each is `lineBytes` of UTF-8 (at most 16 KiB: the protocol allows 4,096 characters). */
  readonly lines: number;
  readonly lineBytes: number;
  /** The room's limit of unsent bytes per client. */
  readonly maxUnsentBytes: number;
}

/** One phase of the slow-reader scenario, as the well-behaved sessions saw it. */
export interface PhaseFigures {
  readonly seconds: number;
  /** Per line: from saying it to its arrival at the last listener, in ms. */
  readonly latency: Summary & { readonly p99: number };
  readonly missing: number;
}

/** What the slow-reader scenario measured. */
export interface SlowReaderFigures {
  readonly listeners: number;
  readonly lines: number;
  readonly lineBytes: number;
  readonly maxUnsentBytes: number;
  /** `lines` lines without a stalled client; then, with one, lines until the room cut it off and `lines` more. */
  readonly without: PhaseFigures;
  readonly with: PhaseFigures;
  /** Lines sent in the second phase: until the cut, then `lines` more. */
  readonly sentWithStalled: number;
  /** What the room told the stalled client. */
  readonly refusal: string;
  /** Lines the stalled client had been sent when it was cut off. */
  readonly cutAfterLines: number;
  readonly checks: readonly Check[];
}

/**
 * A talker sends big lines to a room of listeners, first alone, then with a
 * client that completed the WebSocket upgrade and stopped reading. The room
 * (in this process) must cut that client off at its limit; the listeners
 * must get every line in both phases, at much the same pace.
 *
 * @returns Both phases' figures, with checks.
 */
export async function runSlowReader(options: SlowReaderOptions): Promise<SlowReaderFigures> {
  const refusals: Refusal[] = [];
  const server = await startReferenceServer({
    port: 0,
    page: false,
    // The talker sends faster than the default rate limit allows a client: only the buffer limit is under test.
    room: {
      limits: { maxUnsentBytes: options.maxUnsentBytes, framesPerSecond: 10_000, burst: 10_000 },
      onRefusal: (r) => refusals.push(r),
    },
  });
  let sessions: ChatSession[] = [];
  const stalled = new net.Socket();
  try {
    const names = ["talker", ...Array.from({ length: options.listeners }, (_, i) => `listener${i}`)];
    sessions = await joinSessions(server.socketUrl, names);
    const [talker, ...listeners] = sessions as [ChatSession, ...ChatSession[]];
    // Four bytes of UTF-8 per character: big lines within the protocol's 4,096 characters.
    const text = "😀".repeat(Math.ceil(options.lineBytes / 4));
    // Lines go out in a window of 4, so that the listeners, which share this process, keep up. A phase sends
    // `options.lines` lines; with `untilCut`, it goes on until the room has cut a client off, then sends that many more.
    const phase = async (untilCut: boolean): Promise<{ figures: PhaseFigures; sent: number; cutAt: number }> => {
      const arrivals = listeners.map(() => 0);
      const done = new Map<number, number>();
      const saidAt: number[] = [];
      const removers = listeners.map((listener, index) =>
        listener.onLine((line) => {
          if (line.id !== talker.id) return;
          arrivals[index]!++;
          if (arrivals.every((n) => n >= arrivals[index]!)) done.set(line.date, performance.now());
        })
      );
      const started = performance.now();
      let cutAt = -1;
      const goOn = (i: number) =>
        i < MAX_LINES && (untilCut ? cutAt < 0 || i < cutAt + options.lines : i < options.lines);
      let i = 0;
      for (; goOn(i); i++) {
        await until(() => i < 4 || done.has(i - 4), 30_000);
        saidAt.push(performance.now());
        talker.client.send({ type: "message", id: talker.id ?? 0, text, date: i });
        if (cutAt < 0 && refusals.length > 0) cutAt = i;
      }
      await until(() => done.size === i, 30_000);
      removers.forEach((remove) => remove());
      const latencies = [...done].map(([line, at]) => at - (saidAt[line] ?? at));
      const figures = {
        seconds: (performance.now() - started) / 1_000,
        latency: latencySummary(latencies),
        missing: i * listeners.length - arrivals.reduce((a, b) => a + b, 0),
      };
      return { figures, sent: i, cutAt };
    };
    const without = (await phase(false)).figures;
    await new Promise<void>((resolve) => stalled.connect(server.port, "127.0.0.1", resolve));
    stalled.write(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: json\r\n\r\n",
    );
    stalled.pause();
    await until(() => server.room.size === sessions.length + 1, 5_000);
    const { figures: withStalled, sent, cutAt: cutAfterLines } = await phase(true);
    const refusal = refusals.map((r) => `${r.code} ${r.reason}`).join("; ");
    return {
      listeners: options.listeners,
      lines: options.lines,
      lineBytes: options.lineBytes,
      maxUnsentBytes: options.maxUnsentBytes,
      without,
      with: withStalled,
      sentWithStalled: sent,
      refusal,
      cutAfterLines,
      checks: checks([
        [
          "the stalled client, and only it, was cut off as too slow",
          refusals.length === 1 && refusals[0]!.code === 1008 && refusals[0]!.reason.startsWith("too slow"),
        ],
        ["the listeners received every line in both phases", without.missing === 0 && withStalled.missing === 0],
        [
          "with the stalled client the listeners' p99 stayed within twice its value without (plus 20 ms)",
          withStalled.latency.p99 <= 2 * without.latency.p99 + 20,
        ],
      ]),
    };
  } finally {
    stalled.destroy();
    await closeAll(sessions);
    await server.stop();
  }
}
