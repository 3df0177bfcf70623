/**
 * The request/reply benchmark: round trips per second and latency, with 1 and
 * 64 requests in flight, from one client process on Bun to typewire's typed
 * server on Bun, Deno and Node.js, to a raw baseline (a plain `Bun.serve`
 * server and a hand-correlated client on the global WebSocket: the ceiling)
 * and to Socket.IO's on Node.js, each in a process of its own. Each typewire
 * or raw turn is followed by a Socket.IO turn, so that the machine's noise
 * hits both sides of every comparison alike.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { bundleForNode } from "./node_bundle.ts";
import { command, runJson, type ServerProcess, startServer } from "./processes.ts";
import { OTHERS_LIMIT } from "./server_fanout.ts";
import { ratios, summarize, type Summary } from "./stats.ts";

/** One server compared. */
export interface ReplyServer {
  readonly id: string;
  /** The runtime it runs on, as the report names it. */
  readonly runtime: "Bun" | "Deno" | "Node.js";
  /** Which client talks to it (see request_reply_clients.ts). */
  readonly kind: "typewire" | "socketio" | "raw";
  /** Its command line; `node` is the bundle of the typed server for Node.js. */
  readonly command: (node: string) => [string, string[]];
}

const SERVERS = "scripts/bench/servers";

/** typewire's typed server on each runtime, in the order of the report. */
export const TYPEWIRE_SERVERS: readonly ReplyServer[] = [
  { id: "bun", runtime: "Bun", kind: "typewire", command: () => command("bun", `${SERVERS}/requests.ts`) },
  { id: "deno", runtime: "Deno", kind: "typewire", command: () => command("deno", `${SERVERS}/requests.ts`) },
  { id: "node", runtime: "Node.js", kind: "typewire", command: (node) => command("node", node) },
];

/** The raw baseline: `Bun.serve` with `JSON.parse` and `JSON.stringify`, the client correlating replies by hand. */
export const RAW_SERVER: ReplyServer = {
  id: "raw",
  runtime: "Bun",
  kind: "raw",
  command: () => command("bun", `${SERVERS}/bun/raw_requests.ts`),
};

/** Every server whose turns are paired with Socket.IO's, in the order of the report's figures. */
export const PAIRED_SERVERS: readonly ReplyServer[] = [...TYPEWIRE_SERVERS, RAW_SERVER];

/** Socket.IO's server, every other server's counterpart. */
export const SOCKET_IO_SERVER: ReplyServer = {
  id: "socketio",
  runtime: "Node.js",
  kind: "socketio",
  command: () => command("node", `${SERVERS}/socketio_requests.mjs`),
};

/** What one window measured (the client process's JSON). */
export interface RoundTripRun {
  readonly inflight: number;
  readonly roundTrips: number;
  readonly perSecond: number;
  /** Latency percentiles, in microseconds. */
  readonly p50: number;
  readonly p99: number;
  /** CPU microseconds per round trip. */
  readonly serverCpuPerRoundTrip: number;
  readonly clientCpuPerRoundTrip: number;
  /** CPU time over wall time: 1 is one core kept busy. */
  readonly serverCpuShare: number;
  readonly clientCpuShare: number;
  /** Every other process's CPU time (and the kernel's) over wall time: the machine's other load. */
  readonly othersCpuShare: number;
}

/** A typewire or raw turn and the Socket.IO turn right after it, each with one run per in-flight count. */
export interface TurnPair {
  /** The id of the server paired with Socket.IO (one of `PAIRED_SERVERS`). */
  readonly server: string;
  readonly candidate: readonly RoundTripRun[];
  readonly socketio: readonly RoundTripRun[];
}

/** How long each in-flight count is loaded, in seconds. */
export interface Timing {
  readonly warmup: number;
  readonly seconds: number;
}

/**
 * The most other processes' load (share of one core) in any window of a pair.
 *
 * @param pair Both turns of a pair.
 * @returns The share: 1 is one core.
 */
export const disturbance = (pair: TurnPair): number =>
  Math.max(...[...pair.candidate, ...pair.socketio].map((r) => r.othersCpuShare));

/**
 * Runs the benchmark: every server started at once, each idle but for its turns; in each round, every typewire
 * server's turn and the raw server's, each followed by a Socket.IO turn (their order rotated from round to round). A pair
 * during which other processes took more than `OTHERS_LIMIT` of a core is taken again, the least disturbed attempt
 * kept.
 *
 * @param inflights Requests in flight, e.g. [1, 64]: each turn measures each, in this order.
 * @param rounds Repetitions.
 * @param timing How long each in-flight count is loaded.
 * @param attempts How many times a pair is taken at most.
 * @param retries How many pairs may be taken again in all (so that a busy machine cannot make the run endless).
 * @returns Every pair kept, in the order run, and how many were taken again.
 * @example
 * ```ts
 * import { runRequestReply, summarizeRequestReply } from "./request_reply.ts";
 * const { pairs } = await runRequestReply([1, 64], 1, { warmup: 0.2, seconds: 0.5 }, 1, 0);
 * console.log(summarizeRequestReply(pairs, 64).paired.bun?.vsSocketIo.median);
 * ```
 */
export async function runRequestReply(
  inflights: readonly number[],
  rounds: number,
  timing: Timing,
  attempts: number,
  retries: number,
): Promise<{ pairs: TurnPair[]; retried: number }> {
  const node = await bundleForNode(`${SERVERS}/node/requests.ts`);
  const all = [...PAIRED_SERVERS, SOCKET_IO_SERVER];
  const started = await Promise.allSettled(all.map((server) => startServer(server.command(node))));
  const processes = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  const pairs: TurnPair[] = [];
  let retried = 0;
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const socketio = processes[all.length - 1] as ServerProcess;
    const turn = async (server: ReplyServer, running: ServerProcess): Promise<RoundTripRun[]> => {
      if (!running.running()) throw new Error(`the ${server.id} server stopped: ${running.output()}`);
      const args = [
        ...["--kind", server.kind, "--port", String(running.port), "--pid", String(running.pid)],
        ...inflights.flatMap((n) => ["--inflight", String(n)]),
        ...["--warmup", String(timing.warmup), "--seconds", String(timing.seconds)],
      ];
      // Bounded: the windows, plus a minute to start, connect and drain.
      const timeout = inflights.length * (timing.warmup + timing.seconds) * 1_000 + 60_000;
      const { results } = await runJson<{ results: RoundTripRun[] }>(
        command("bun", "scripts/bench/request_reply_clients.ts", args),
        timeout,
      );
      return results;
    };
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < PAIRED_SERVERS.length; i++) {
        const index = (i + round) % PAIRED_SERVERS.length;
        const server = PAIRED_SERVERS[index] as ReplyServer;
        let kept: TurnPair | undefined;
        for (let attempt = 0; attempt < attempts; attempt++) {
          if (kept !== undefined && (disturbance(kept) <= OTHERS_LIMIT || retried >= retries)) break;
          if (attempt > 0) retried++;
          const candidate = await turn(server, processes[index] as ServerProcess);
          const pair = { server: server.id, candidate, socketio: await turn(SOCKET_IO_SERVER, socketio) };
          if (kept === undefined || disturbance(pair) < disturbance(kept)) kept = pair;
        }
        if (kept) pairs.push(kept);
      }
    }
  } finally {
    await Promise.all(processes.map((running) => running.stop()));
    rmSync(dirname(node), { recursive: true, force: true });
  }
  return { pairs, retried };
}

/** One server's figures at one in-flight count, over its turns. */
export interface RoundTripSummary {
  readonly perSecond: Summary;
  readonly p50: Summary;
  readonly p99: Summary;
  readonly serverCpuPerRoundTrip: Summary;
  readonly clientCpuPerRoundTrip: Summary;
  readonly serverCpu: Summary;
  readonly clientCpu: Summary;
}

/** A paired server's figures, and how they compare with the Socket.IO turns paired with its own. */
export interface PairedSummary extends RoundTripSummary {
  /** Round trips per second over the paired Socket.IO turn's, pair by pair. */
  readonly vsSocketIo: Summary;
  /** The paired Socket.IO turns' round trips per second. */
  readonly socketIoPerSecond: Summary;
  /** The paired Socket.IO turns' p99 (the latency target's reference). */
  readonly socketIoP99: Summary;
  /** p99 over the paired Socket.IO turn's, pair by pair. */
  readonly p99VsSocketIo: Summary;
}

const at = (runs: readonly RoundTripRun[], inflight: number): RoundTripRun => {
  const run = runs.find((r) => r.inflight === inflight);
  if (run === undefined) throw new Error(`no run with ${inflight} in flight`);
  return run;
};

function summarizeRuns(runs: readonly RoundTripRun[]): RoundTripSummary {
  const of = (figure: (r: RoundTripRun) => number) => summarize(runs.map(figure));
  return {
    perSecond: of((r) => r.perSecond),
    p50: of((r) => r.p50),
    p99: of((r) => r.p99),
    serverCpuPerRoundTrip: of((r) => r.serverCpuPerRoundTrip),
    clientCpuPerRoundTrip: of((r) => r.clientCpuPerRoundTrip),
    serverCpu: of((r) => r.serverCpuShare * 100),
    clientCpu: of((r) => r.clientCpuShare * 100),
  };
}

/**
 * Summarizes one in-flight count.
 *
 * @param pairs Every pair of turns.
 * @param inflight The in-flight count.
 * @returns Every paired server's (typewire's and the raw baseline's) by server id, and Socket.IO's over all its turns.
 */
export function summarizeRequestReply(
  pairs: readonly TurnPair[],
  inflight: number,
): { paired: Record<string, PairedSummary>; socketio: RoundTripSummary } {
  const paired: Record<string, PairedSummary> = {};
  for (const { id } of PAIRED_SERVERS) {
    const own = pairs.filter((p) => p.server === id);
    const runs = own.map((p) => at(p.candidate, inflight));
    const socketio = own.map((p) => at(p.socketio, inflight));
    paired[id] = {
      ...summarizeRuns(runs),
      vsSocketIo: summarize(ratios(runs.map((r) => r.perSecond), socketio.map((r) => r.perSecond))),
      socketIoPerSecond: summarize(socketio.map((r) => r.perSecond)),
      socketIoP99: summarize(socketio.map((r) => r.p99)),
      p99VsSocketIo: summarize(ratios(runs.map((r) => r.p99), socketio.map((r) => r.p99))),
    };
  }
  return { paired, socketio: summarizeRuns(pairs.map((p) => at(p.socketio, inflight))) };
}
