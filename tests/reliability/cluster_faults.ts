/**
 * Cluster faults: a resumable topic streams to clients spread over three feed
 * server instances (processes: the runtime running this, the other one, this
 * one again) that share Redis or NATS, while the cluster is hurt, one fault
 * after another: nothing (while a few extra clients are held away past the
 * recovery window), every client connection cut without a close frame (a
 * proxy in front of each instance), an instance stopped (SIGSTOP) past its
 * liveness timeout and continued, the engine restarted (keeping its data), an
 * instance killed (SIGKILL). The publisher is a process of its own, on the
 * other runtime, that no fault touches but the engine's restart.
 *
 * Every client is given every instance's URL (each list starting at another
 * one), watches for silence with `watchIdle` (its ping is `join`, which every
 * live instance answers with `joined`, so a quiet topic is not taken for a
 * dead server), and joins again on every `open`. It records the `n` of every
 * entry and every `resumed` notice; the verdict, per client and per fault, is
 * what it lost (of every entry from the first it received to the last one
 * published), received twice, or received out of order, and whether each
 * entry it lost lies in a gap it was told of (`resumed: false`): a loss it was
 * not told of is silent, and never allowed.
 *
 * Run as a program (for `npm run soak`), it runs both engines and prints its
 * figures as one line of JSON:
 *
 * Usage: cluster_faults.ts [--size ci|full] [--engines redis,nats]
 *
 * @module
 */
import process from "node:process";
import { connect, type TypewireClient, type UrlSource, watchIdle } from "../../src/client/mod.ts";
import { type FeedClientMessage, feedProtocol, type FeedServerMessage } from "../fixtures/generated/feed.ts";
import { command, type Runtime, type ServerProcess, startServer } from "../../scripts/bench/processes.ts";
import { startRedis } from "../../scripts/bench/redis_server.ts";
import { option, parseOptions } from "../../scripts/args.ts";
import { startNats } from "../support/nats_server.ts";
import { startTcpProxy, type TcpProxy } from "./proxy.ts";
import { type Check, checks, sleep, until } from "./verdict.ts";

/** An engine the instances share. */
export type EngineName = "redis" | "nats";

/** The engines, in the order they run. */
export const ENGINE_NAMES: readonly EngineName[] = ["redis", "nats"];

/** How big a run is. */
export interface ClusterFaultOptions {
  /** Clients that must lose nothing, spread over the three instances. */
  readonly clients: number;
  /** Entries published a second. */
  readonly rate: number;
  /** How long the stream runs undisturbed before each fault, and before the end, in ms. */
  readonly steadyMs: number;
  /** The clients' `watchIdle` timeout, in ms: well above the interval between entries. */
  readonly idleTimeoutMs: number;
  /** The instances' (and the publisher's) heartbeat, in ms. */
  readonly heartbeatMs: number;
  /** How long an instance may be silent before the others take it for dead, in ms. */
  readonly ttlMs: number;
  /** How long the stopped instance stays stopped, in ms: longer than `ttlMs`. */
  readonly stopMs: number;
  /** How long the engine stays down when it restarts, in ms. */
  readonly engineDownMs: number;
  /** The recovery window, in entries (its age limit is 2 minutes, longer than any run). */
  readonly windowMessages: number;
  /** Extra clients held away past the window during the first phase: each must be told. */
  readonly stragglers: number;
  /** The longest wait for every client to have the stream again after a fault, and for the final drain, in ms. */
  readonly recoverMs: number;
}

/** `ci` for the test suite (about 25 s per engine), `full` for `npm run soak`. */
export const CLUSTER_SIZES: Record<"ci" | "full", ClusterFaultOptions> = {
  ci: {
    clients: 12,
    rate: 100,
    steadyMs: 1_000,
    idleTimeoutMs: 1_000,
    heartbeatMs: 250,
    ttlMs: 1_000,
    stopMs: 2_000,
    engineDownMs: 500,
    windowMessages: 300,
    stragglers: 2,
    recoverMs: 15_000,
  },
  full: {
    clients: 50,
    rate: 200,
    steadyMs: 5_000,
    idleTimeoutMs: 1_500,
    heartbeatMs: 250,
    ttlMs: 1_000,
    stopMs: 3_000,
    engineDownMs: 2_000,
    windowMessages: 1_000,
    stragglers: 2,
    recoverMs: 30_000,
  },
};

/** The faults, in the order they are caused: a key, and what happens. */
export const FAULTS: readonly (readonly [string, string])[] = [
  ["window", "no fault, while other clients are held away past the window"],
  ["cut", "every client connection cut without a close frame"],
  ["stop", "an instance stopped (SIGSTOP) past its liveness timeout, then continued"],
  ["engine", "the engine restarted, keeping its data"],
  ["kill", "an instance killed (SIGKILL)"],
];

/** What one fault did to the clients that must lose nothing (all of them but the stragglers). */
export interface PhaseFigures {
  readonly fault: string;
  /** Entries published from the start of the phase (its calm included) to the next one's. */
  readonly entries: number;
  /** Summed over the clients; `worst` is the client with the most lost, duplicated and out of order. */
  readonly lost: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  readonly worst: { readonly lost: number; readonly duplicated: number; readonly outOfOrder: number };
  /** Of `lost`, entries that lie in a gap the client was told of. */
  readonly reported: number;
  /** `resumed: true` notices, and the entries they replayed. */
  readonly resumed: number;
  readonly replayed: number;
  /** `resumed: false` notices, by reason. */
  readonly notResumed: Record<string, number>;
  /** Connections the clients lost and opened again. */
  readonly reconnections: number;
  /** How long the fault itself lasted (the stop, the restart...), in ms. */
  readonly faultMs: number;
  /**
   * From the moment the fault took effect (the proxies cut, the instance stopped or gone, the engine down) to the
   * moment every client had received an entry published after it, in ms (NaN: never).
   */
  readonly recoveryMs: number;
  /** Whether every client had every entry published by the fault's end, in time. */
  readonly caughtUp: boolean;
}

/** What became of the clients held away past the window. */
export interface StragglerFigures {
  readonly clients: number;
  /** Entries published while they were held away. */
  readonly heldFor: number;
  readonly lost: number;
  /** Of `lost`, entries in a gap the client was told of. */
  readonly reported: number;
  readonly duplicated: number;
  readonly outOfOrder: number;
  /** Stragglers that were told (`resumed: false`), and the reasons. */
  readonly told: number;
  readonly notResumed: Record<string, number>;
}

/** One engine's run. */
export interface EngineFigures {
  readonly engine: EngineName;
  /** The runtimes of the three instances and of the publisher. */
  readonly instances: readonly Runtime[];
  readonly source: Runtime;
  /** The recovery window, in entries. */
  readonly window: number;
  /** Entries published (and stored: the publisher's outbox was empty at the end). */
  readonly published: number;
  readonly phases: readonly PhaseFigures[];
  readonly stragglers: StragglerFigures;
  /** What the instances and the publisher reported (`status` lines), by kind: lost, restored, gap, loss. */
  readonly statuses: Record<string, number>;
  /** Whether every client received the stream to its last entry. */
  readonly drained: boolean;
  readonly seconds: number;
  readonly checks: readonly Check[];
}

/** Both engines' runs on this runtime, as `npm run soak` reads them. */
export interface ClusterFaultFigures {
  readonly host: Runtime;
  readonly engines: readonly (EngineFigures | { readonly engine: EngineName; readonly error: string })[];
  readonly checks: readonly Check[];
}

type Feed = TypewireClient<FeedServerMessage, FeedClientMessage>;

const TOPIC = "feed";
const HERE: Runtime = "Bun" in globalThis ? "bun" : "deno";
const OTHER: Runtime = HERE === "bun" ? "deno" : "bun";

/** A notice of the topic's resumption, and where it fell in the client's stream. */
interface Notice {
  /** Milliseconds into the run. */
  readonly at: number;
  readonly resumed: boolean;
  readonly replayed: number;
  readonly reason: string;
  /** Entries received before it. */
  readonly arrivals: number;
}

/** One client and everything it received. */
interface Follower {
  readonly client: Feed;
  /** The `n` of every entry, in the order received. */
  readonly arrivals: number[];
  readonly notices: Notice[];
  /** When (ms into the run) it lost a connection it then reopened. */
  readonly closes: number[];
  /** The greatest `n` received, -1 before any. */
  last: number;
  /** When the newest entry received was published (the publisher's `Date.now()`, in its `text`), 0 before any. */
  newest: number;
  joined: boolean;
}

/** A clock in milliseconds since the run began. */
type Clock = () => number;

/** A client on `source` that joins the topic on every open and watches for silence. */
function follow(source: UrlSource, idleTimeoutMs: number, clock: Clock): Follower {
  const client: Feed = connect(feedProtocol, source, {
    reconnect: { minDelay: 50, maxDelay: 500 },
    closeTimeout: 1_000,
  });
  const follower: Follower = { client, arrivals: [], notices: [], closes: [], last: -1, newest: 0, joined: false };
  client.onEvent("open", () => client.send({ type: "join", topic: TOPIC }));
  client.on("joined", () => (follower.joined = true));
  client.on("entry", ({ n, text }) => {
    follower.arrivals.push(n);
    if (n > follower.last) follower.last = n;
    follower.newest = Math.max(follower.newest, Number(text));
  });
  client.onEvent("resumed", (event) =>
    follower.notices.push({
      at: clock(),
      resumed: event.resumed,
      replayed: event.resumed ? event.replayed : 0,
      reason: event.resumed ? "" : event.reason,
      arrivals: follower.arrivals.length,
    }));
  client.onEvent("close", (event) => event.willReconnect && follower.closes.push(clock()));
  watchIdle(client, { timeout: idleTimeoutMs, ping: () => ({ type: "join" as const, topic: TOPIC }) });
  return follower;
}

/** Holds connection attempts back while closed. */
class Gate {
  #open: Promise<void> = Promise.resolve();
  #release = () => {};

  /** Resolves when attempts may go on. */
  passed(): Promise<void> {
    return this.#open;
  }

  close(): void {
    this.#open = new Promise((resolve) => (this.#release = resolve));
  }

  open(): void {
    this.#release();
  }
}

/** Per client, per phase: entries lost (and of them reported), received twice, received out of order. */
interface Tally {
  lost: number;
  reported: number;
  duplicated: number;
  outOfOrder: number;
}

const emptyTally = (): Tally => ({ lost: 0, reported: 0, duplicated: 0, outOfOrder: 0 });

/**
 * Judges one client's stream: every entry from the first it received up to `end` (excluded) is owed once, in order.
 * An entry it missed is reported when it lies strictly between the greatest `n` received before a `resumed: false`
 * notice and the first received after it.
 *
 * @param phaseOf The phase an entry belongs to, by its `n`.
 */
function judge(follower: Follower, end: number, phases: number, phaseOf: (n: number) => number): Tally[] {
  const tallies = Array.from({ length: phases }, emptyTally);
  const tally = (n: number) => tallies[phaseOf(n)] as Tally;
  const { arrivals } = follower;
  const counts = new Uint8Array(Math.max(end, follower.last + 1));
  const prefixMax = new Int32Array(arrivals.length + 1).fill(-1);
  arrivals.forEach((n, i) => {
    if (counts[n]! > 0) tally(n).duplicated++;
    else if (n < prefixMax[i]!) tally(n).outOfOrder++;
    counts[n] = Math.min(255, counts[n]! + 1);
    prefixMax[i + 1] = Math.max(prefixMax[i]!, n);
  });
  const gaps = follower.notices.filter((notice) => !notice.resumed).map((notice) => ({
    from: prefixMax[notice.arrivals]!,
    to: arrivals[notice.arrivals] ?? end,
  }));
  for (let n = arrivals[0] ?? 0; n < end; n++) {
    if (counts[n]! > 0) continue;
    tally(n).lost++;
    if (gaps.some((gap) => gap.from < n && n < gap.to)) tally(n).reported++;
  }
  return tallies;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** The engine's server, started for the run. */
interface EngineServer {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

function startEngine(engine: EngineName): Promise<EngineServer> {
  // Redis with an append-only file, NATS with its file store: a restart keeps the logs.
  return engine === "redis" ? startRedis({ appendOnly: true }) : startNats();
}

/** Every `status <JSON>` line a process printed, by kind. */
function statusKinds(output: string): string[] {
  return [...output.matchAll(/^status (.*)$/gm)].map((match) => {
    try {
      return String(JSON.parse(match[1] as string).kind);
    } catch {
      return "unreadable";
    }
  });
}

/** One phase of a run, as it went. */
interface Timeline {
  readonly fault: string;
  /** The first entry published in it: the publisher's count when it began. */
  readonly startN: number;
  /** When it began, in ms into the run. */
  readonly startMs: number;
  readonly faultMs: number;
  readonly recoveryMs: number;
  readonly caughtUp: boolean;
}

/** The last phase that began at or before `value`, by `start`. */
function phaseIndex(timeline: readonly Timeline[], value: number, start: (phase: Timeline) => number): number {
  for (let k = timeline.length - 1; k > 0; k--) if (value >= start(timeline[k] as Timeline)) return k;
  return 0;
}

const sum = (tallies: readonly Tally[], pick: (t: Tally) => number) => tallies.reduce((total, t) => total + pick(t), 0);

/** Per phase, what the clients that must lose nothing lost, received twice or out of order, and were told. */
function phaseFigures(
  timeline: readonly Timeline[],
  followers: readonly Follower[],
  published: number,
): PhaseFigures[] {
  const phaseOf = (n: number) => phaseIndex(timeline, n, (phase) => phase.startN);
  const phaseAt = (ms: number) => phaseIndex(timeline, ms, (phase) => phase.startMs);
  const judged = followers.map((f) => judge(f, published, timeline.length, phaseOf));
  return timeline.map((phase, k) => {
    const tallies = judged.map((byPhase) => byPhase[k] as Tally);
    const worst = tallies.reduce(
      (a, b) => (b.lost + b.duplicated + b.outOfOrder > a.lost + a.duplicated + a.outOfOrder ? b : a),
      emptyTally(),
    );
    const notices = followers.flatMap((f) => f.notices.filter((notice) => phaseAt(notice.at) === k));
    return {
      fault: phase.fault,
      entries: (timeline[k + 1]?.startN ?? published) - phase.startN,
      lost: sum(tallies, (t) => t.lost),
      duplicated: sum(tallies, (t) => t.duplicated),
      outOfOrder: sum(tallies, (t) => t.outOfOrder),
      worst: { lost: worst.lost, duplicated: worst.duplicated, outOfOrder: worst.outOfOrder },
      reported: sum(tallies, (t) => t.reported),
      resumed: notices.filter((notice) => notice.resumed).length,
      replayed: notices.reduce((total, notice) => total + notice.replayed, 0),
      notResumed: countBy(notices.filter((notice) => !notice.resumed).map((notice) => notice.reason)),
      reconnections: followers.reduce((total, f) => total + f.closes.filter((ms) => phaseAt(ms) === k).length, 0),
      faultMs: phase.faultMs,
      recoveryMs: phase.recoveryMs,
      caughtUp: phase.caughtUp,
    };
  });
}

/** What the clients held away past the window lost over the whole run, and what they were told. */
function stragglerFigures(stragglers: readonly Follower[], published: number, heldFor: number): StragglerFigures {
  const tallies = stragglers.map((f) => judge(f, published, 1, () => 0)[0] as Tally);
  const notTold = stragglers.flatMap((f) => f.notices.filter((notice) => !notice.resumed));
  return {
    clients: stragglers.length,
    heldFor,
    lost: sum(tallies, (t) => t.lost),
    reported: sum(tallies, (t) => t.reported),
    duplicated: sum(tallies, (t) => t.duplicated),
    outOfOrder: sum(tallies, (t) => t.outOfOrder),
    told: stragglers.filter((f) => f.notices.some((notice) => !notice.resumed)).length,
    notResumed: countBy(notTold.map((notice) => notice.reason)),
  };
}

/** The publisher's count of entries published so far, from its last `at` line. */
function progressOf(source: ServerProcess): number {
  const output = source.output();
  const at = output.lastIndexOf("\nat ");
  return at < 0 ? 0 : parseInt(output.slice(at + 4), 10);
}

/**
 * Runs every fault on one engine: three instances (this runtime, the other, this one), the publisher (the other
 * runtime), `clients` clients and `stragglers` more; stops everything it started before it returns or throws.
 *
 * @param engine Redis or NATS.
 * @param options The size of the run.
 * @returns Per fault, what the clients lost, received twice and out of order; and the checks.
 * @example
 * ```ts
 * import { CLUSTER_SIZES, clusterFaultTable, runClusterFaults } from "./cluster_faults.ts";
 * const figures = await runClusterFaults("redis", CLUSTER_SIZES.ci);
 * console.log(clusterFaultTable(figures));
 * console.log(figures.checks.every((check) => check.held) ? "every check held" : "a check failed");
 * ```
 */
export async function runClusterFaults(engine: EngineName, options: ClusterFaultOptions): Promise<EngineFigures> {
  const began = performance.now();
  const clock: Clock = () => performance.now() - began;
  const instanceRuntimes: Runtime[] = [HERE, OTHER, HERE];
  const server = await startEngine(engine);
  const processes: ServerProcess[] = [];
  const proxies: TcpProxy[] = [];
  /** Every client: those that must lose nothing, then the stragglers. */
  const everyone: Follower[] = [];
  try {
    const args = [
      ...["--engine", engine, "--url", server.url, "--heartbeat-ms", String(options.heartbeatMs)],
      ...["--ttl-ms", String(options.ttlMs), "--window-messages", String(options.windowMessages)],
      ...["--window-ms", "120000"],
    ];
    const starting = [
      ...instanceRuntimes.map((runtime) => startServer(command(runtime, "scripts/bench/feed_server.ts", args), 60_000)),
      startServer(
        command(OTHER, "scripts/bench/feed_source.ts", [...args, "--topic", TOPIC, "--rate", String(options.rate)]),
        60_000,
      ),
    ];
    const started = await Promise.allSettled(starting);
    for (const result of started) if (result.status === "fulfilled") processes.push(result.value);
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const instances = processes.slice(0, 3);
    const source = processes[3] as ServerProcess;
    const progress = () => progressOf(source);
    for (const instance of instances) proxies.push(await startTcpProxy(instance.port));
    const urls = proxies.map((proxy) => `ws://127.0.0.1:${proxy.port}/`);
    /** Every instance's URL, starting at the `first`-th. */
    const rotated = (first: number) => urls.map((_, k) => urls[(first + k) % urls.length] as string);

    for (let i = 0; i < options.clients; i++) everyone.push(follow(rotated(i), options.idleTimeoutMs, clock));
    const gate = new Gate();
    for (let i = 0; i < options.stragglers; i++) {
      const list = rotated(i);
      let turn = 0;
      everyone.push(
        follow(async () => (await gate.passed(), list[turn++ % list.length] as string), options.idleTimeoutMs, clock),
      );
    }
    const followers = everyone.slice(0, options.clients);
    const stragglers = everyone.slice(options.clients);
    if (!await until(() => everyone.every((f) => f.joined && f.last >= 0), options.recoverMs)) {
      throw new Error(`not every client joined and received an entry within ${options.recoverMs} ms`);
    }

    /** Each fault calls `struck` once it is in effect (the instance stopped or gone, the engine down...). */
    const faults: Record<string, (struck: () => void) => Promise<void>> = {
      window: async (struck) => {
        const heldAt = progress();
        gate.close();
        for (const straggler of stragglers) straggler.client.reconnect(4102, "held away past the window");
        struck();
        await until(() => progress() >= heldAt + options.windowMessages + options.rate / 2, options.recoverMs * 2);
        gate.open();
      },
      cut: (struck) => {
        for (const proxy of proxies) proxy.sever();
        return Promise.resolve(struck());
      },
      stop: async (struck) => {
        const stopped = instances[0] as ServerProcess;
        stopped.pause();
        struck();
        await sleep(options.stopMs);
        stopped.resume();
      },
      engine: async (struck) => {
        await server.stop();
        struck();
        await sleep(options.engineDownMs);
        await server.start();
      },
      kill: async (struck) => {
        await (instances[1] as ServerProcess).kill();
        struck();
      },
    };

    const timeline: Timeline[] = [];
    let heldFrom = 0;
    let heldUntil = 0;
    for (const [key] of FAULTS) {
      const startN = timeline.length === 0 ? 0 : progress();
      const startMs = timeline.length === 0 ? 0 : clock();
      await sleep(options.steadyMs);
      const faultAt = clock();
      let recovered: Promise<number> = Promise.resolve(NaN);
      const struck = () => {
        // The publisher writes the time it published each entry in its text (one machine, one clock).
        const [wall, at] = [Date.now(), clock()];
        recovered = until(() => followers.every((f) => f.newest >= wall), options.recoverMs).then((ok) =>
          ok ? clock() - at : NaN
        );
      };
      if (key === "window") heldFrom = progress();
      await (faults[key] as (struck: () => void) => Promise<void>)(struck);
      if (key === "window") heldUntil = progress();
      const faultMs = clock() - faultAt;
      const target = progress();
      const recoveryMs = await recovered;
      const caughtUp = await until(() => everyone.every((f) => f.last >= target - 1), options.recoverMs);
      timeline.push({ fault: key, startN, startMs, faultMs, recoveryMs, caughtUp });
    }
    await sleep(options.steadyMs);
    await source.stop();
    await until(() => /^done /m.test(source.output()), 2_000);
    const done = /^done (\d+) (\d+)$/m.exec(source.output());
    const published = done ? Number(done[1]) : progress();
    const drained = done !== null && done[2] === "0" &&
      await until(() => everyone.every((f) => f.last >= published - 1), options.recoverMs);

    const phases = phaseFigures(timeline, followers, published);
    const held = stragglerFigures(stragglers, published, heldUntil - heldFrom);
    const statuses = countBy(processes.flatMap((p) => statusKinds(p.output())));
    const silent = phases.reduce((total, p) => total + p.lost - p.reported, 0) + held.lost - held.reported;
    return {
      engine,
      instances: instanceRuntimes,
      source: OTHER,
      window: options.windowMessages,
      published,
      phases,
      stragglers: held,
      statuses,
      drained,
      seconds: clock() / 1_000,
      checks: checks([
        ...phases.map((p) =>
          [
            `${engine}: ${faultTitle(p.fault)}: every client lost 0, received 0 twice, 0 out of order`,
            p.lost === 0 && p.duplicated === 0 && p.outOfOrder === 0,
          ] as const
        ),
        [
          `${engine}: every client held away past the window was told (resumed: false), and got the rest once, in order`,
          held.told === held.clients && held.duplicated === 0 && held.outOfOrder === 0,
        ],
        [`${engine}: no loss was silent: every entry a client missed lies in a gap it was told of`, silent === 0],
        [`${engine}: every client had the stream again after every fault`, phases.every((p) => p.caughtUp)],
        [`${engine}: every entry was stored, and every client received the stream to its end`, drained],
      ]),
    };
  } finally {
    await Promise.allSettled(everyone.map((f) => f.client.close()));
    for (const p of processes) p.resume();
    await Promise.allSettled(processes.map((p) => p.kill()));
    await Promise.allSettled(proxies.map((proxy) => proxy.close()));
    await server.remove();
  }
}

/** A fault's title, by its key. */
export function faultTitle(key: string): string {
  return FAULTS.find(([k]) => k === key)?.[1] ?? key;
}

const count = (x: number) => Number.isFinite(x) ? Math.round(x).toLocaleString("en") : "–";
const seconds = (ms: number) => Number.isFinite(ms) ? `${(ms / 1_000).toFixed(1)} s` : "never";
const tally = (t: Record<string, number>) => Object.entries(t).map(([k, v]) => `${k}: ${v}`).join(", ") || "none";

/** One phase's cells: lost (told) / twice / out of order (worst client), notices, reconnections, how long. */
export function phaseCells(p: PhaseFigures): string[] {
  return [
    `${count(p.lost)} (told ${count(p.reported)}) / ${count(p.duplicated)} / ${count(p.outOfOrder)} ` +
    `(worst client ${count(p.worst.lost)} / ${count(p.worst.duplicated)} / ${count(p.worst.outOfOrder)})`,
    `${p.resumed} (${count(p.replayed)} replayed); resumed false: ${tally(p.notResumed)}`,
    count(p.reconnections),
    `${seconds(p.faultMs)}; ${seconds(p.recoveryMs)}`,
  ];
}

/**
 * A Markdown table of one engine's run: one row per fault, and the stragglers.
 *
 * @returns The table's lines.
 */
export function clusterFaultTable(figures: EngineFigures): string {
  const mix = `instances ${figures.instances.join(", ")}; publisher ${figures.source}`;
  const s = figures.stragglers;
  return [
    `${figures.engine} (${mix}): ${count(figures.published)} entries in ${figures.seconds.toFixed(1)} s; ` +
    `statuses: ${tally(figures.statuses)}`,
    "| fault | lost (told) / twice / out of order | resumed (replayed); not resumed | reconnections | the fault lasted; from its effect until every client had an entry published after it |",
    "| --- | --- | --- | --- | --- |",
    ...figures.phases.map((p) => `| ${faultTitle(p.fault)} | ${phaseCells(p).join(" | ")} |`),
    `| ${s.clients} clients held away for ${count(s.heldFor)} entries (window ${count(figures.window)}) | ` +
    `${count(s.lost)} (told ${count(s.reported)}) / ${count(s.duplicated)} / ${count(s.outOfOrder)} | ` +
    `told: ${s.told} of ${s.clients} (${tally(s.notResumed)}) | | |`,
  ].join("\n");
}

if (import.meta.main) {
  const options = parseOptions(process.argv.slice(2));
  const size = CLUSTER_SIZES[option(options, "size", "ci") as "ci" | "full"];
  const engines = option(options, "engines", ENGINE_NAMES.join(",")).split(",") as EngineName[];
  const results: ClusterFaultFigures["engines"][number][] = [];
  for (const engine of engines) {
    try {
      const figures = await runClusterFaults(engine, size);
      console.error(clusterFaultTable(figures));
      results.push(figures);
    } catch (error) {
      results.push({ engine, error: (error as Error).stack ?? String(error) });
    }
  }
  const figures: ClusterFaultFigures = {
    host: HERE,
    engines: results,
    checks: results.flatMap((r) =>
      "error" in r ? checks([[`${r.engine}: the run finished (${r.error.split("\n")[0]})`, false]]) : r.checks
    ),
  };
  console.log(JSON.stringify(figures));
  process.exit(0);
}
