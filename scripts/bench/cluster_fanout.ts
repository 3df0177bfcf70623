/**
 * The cluster fan-out benchmark: one topic, N subscribers dealt over K
 * instances of a cluster, one publisher, through each engine: typewire's feed
 * server on Bun in memory (one instance, no engine), on Redis and on NATS,
 * plain and resumable topics; Socket.IO on Node.js with its default adapter
 * (one instance) and with `@socket.io/redis-adapter` on the same Redis. Every
 * instance is a process of its own, started before the first turn and idle
 * but for its turns; the setups take turns, typewire's and Socket.IO's
 * interleaved, in an order rotated from round to round.
 */
import { readdirSync, readFileSync } from "node:fs";
import { command, runJson, type ServerProcess, startServer } from "./processes.ts";
import { startRedis } from "./redis_server.ts";
import { OTHERS_LIMIT, windowFor } from "./server_fanout.ts";
import { ratios, summarize, type Summary } from "./stats.ts";
import { startNats } from "../../tests/support/nats_server.ts";

/** Where a cluster's instances share the topic: no engine (one instance), Redis or NATS. */
export type Engine = "memory" | "redis" | "nats";

/** One setup compared. */
export interface Setup {
  readonly id: string;
  readonly system: "typewire" | "socketio";
  /** For Socket.IO, `memory` is its default adapter and `redis` its Redis adapter. */
  readonly engine: Engine;
  /** What the publisher sends (see cluster_fanout_clients.ts). */
  readonly wire: "plain" | "resumable" | "socketio";
  readonly instances: number;
}

const setup = (system: Setup["system"], engine: Engine, wire: Setup["wire"], instances: number): Setup => ({
  id: `${system === "typewire" ? wire : "socketio"}-${engine}-${instances}`,
  system,
  engine,
  wire,
  instances,
});

/**
 * The setups of the full report, in the order of a round: grouped by instance count, typewire's and Socket.IO's
 * interleaved.
 */
export const SETUPS: readonly Setup[] = [
  setup("typewire", "memory", "plain", 1),
  setup("socketio", "memory", "socketio", 1),
  setup("typewire", "memory", "resumable", 1),
  ...[1, 2, 3].flatMap((k) => [
    setup("typewire", "redis", "plain", k),
    setup("typewire", "nats", "plain", k),
    setup("socketio", "redis", "socketio", k),
    setup("typewire", "redis", "resumable", k),
    setup("typewire", "nats", "resumable", k),
  ]),
];

/** The setups of `--quick`: each kind once, the clusters at 3 instances. */
export const QUICK_SETUPS: readonly Setup[] = SETUPS.filter((s) => s.engine === "memory" || s.instances === 3);

/** A setup's name in the report. */
export function setupName(s: Setup): string {
  const engine = { memory: "in memory", redis: "Redis", nats: "NATS" }[s.engine];
  if (s.system === "socketio") {
    return s.engine === "memory" ? "Socket.IO, default adapter" : "Socket.IO, `@socket.io/redis-adapter`";
  }
  return `typewire, ${engine}, ${s.wire}`;
}

/** What one turn measured (the client process's JSON). */
export interface ClusterFanoutRun {
  readonly frameBytes: number;
  readonly deliveries: number;
  readonly throughput: number;
  readonly messages: number;
  /** CPU time over the saturated window's wall time: 1 is one core kept busy. */
  readonly instancesCpuShare: number;
  readonly engineCpuShare: number;
  readonly clientCpuShare: number;
  readonly othersCpuShare: number;
  readonly saturatedP50: number;
  readonly saturatedP99: number;
  readonly incomplete: number;
  readonly steadyRate: number;
  /** Latency at the steady rate, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly closed: number;
}

/** How long each turn lasts, in seconds, and the steady phase's rate. */
export interface Timing {
  readonly warmup: number;
  readonly seconds: number;
  readonly steady: number;
  /** Deliveries a second in all during the steady phase. */
  readonly rate: number;
}

/** Every turn kept, by setup id, in the order of the rounds. */
export type ClusterFanoutResults = Record<string, ClusterFanoutRun[]>;

/** The processes one kind of cluster runs on: its instances, and its engine's pid (0 for none). */
interface Deployment {
  readonly instances: ServerProcess[];
  readonly enginePid: number;
}

/**
 * The pid of a running program whose command line matches (redis-server renames itself `redis-server host:port`).
 *
 * @returns The pid; 0 when none matches.
 */
function pidOf(pattern: RegExp): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (pattern.test(readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "))) return Number(entry);
    } catch {
      // It ended meanwhile.
    }
  }
  return 0;
}

/** The deployment a setup runs on: typewire's clusters share their instances across counts, Socket.IO's cannot. */
const deploymentOf = (s: Setup) => s.system === "typewire" || s.engine === "memory" ? `${s.system}-${s.engine}` : s.id;

/**
 * Runs the benchmark.
 *
 * @param setups The setups, in the order of a round.
 * @param clients Subscribers, dealt over the instances.
 * @param rounds Repetitions; the order of the setups is rotated from one round to the next.
 * @param timing How long each turn lasts.
 * @param attempts How many times a turn is taken at most while other processes load the machine (the least
 * disturbed kept).
 * @param retries How many turns may be taken again in all.
 * @param warmUp Whether every deployment is loaded once, untimed, before the first round.
 * @returns Every turn kept, and how many turns were taken again.
 */
export async function runClusterFanout(
  setups: readonly Setup[],
  clients: number,
  rounds: number,
  timing: Timing,
  attempts: number,
  retries: number,
  warmUp: boolean,
): Promise<{ results: ClusterFanoutResults; retried: number }> {
  const redis = await startRedis();
  const nats = await startNats();
  const redisPid = pidOf(new RegExp(`redis-server .*:${new URL(redis.url).port}\\b`));
  const natsPid = pidOf(new RegExp(`nats-server .*-p ${new URL(nats.url).port}\\b`));
  const deployments = new Map<string, Deployment>();
  const results: ClusterFanoutResults = Object.fromEntries(setups.map((s) => [s.id, []]));
  let retried = 0;
  try {
    // One deployment after the other, its instances at once: starting fourteen runtimes together on two cores can
    // take longer than a server is given to start.
    for (const s of setups) {
      const key = deploymentOf(s);
      const count = Math.max(...setups.filter((other) => deploymentOf(other) === key).map((other) => other.instances));
      if (deployments.has(key)) continue;
      const engineArgs = s.engine === "redis" ? ["--url", redis.url] : s.engine === "nats" ? ["--url", nats.url] : [];
      const program: [string, string[]] = s.system === "typewire"
        ? command("bun", "scripts/bench/feed_server.ts", ["--engine", s.engine, ...engineArgs])
        : command("node", "scripts/bench/servers/socketio_cluster.mjs", [
          ...(s.engine === "redis" ? ["--redis", redis.url, "--key", `socket.io-${s.id}`] : []),
        ]);
      const started = await Promise.allSettled(Array.from({ length: count }, () => startServer(program, 60_000)));
      const instances = started.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
      deployments.set(key, {
        instances,
        enginePid: s.engine === "redis" ? redisPid : s.engine === "nats" ? natsPid : 0,
      });
      const failed = started.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    let turns = 0;
    /** One turn of a setup: a client process of its own, on a topic of its own. */
    const turn = async (s: Setup, t: Timing): Promise<ClusterFanoutRun> => {
      const deployment = deployments.get(deploymentOf(s)) as Deployment;
      const instances = deployment.instances.slice(0, s.instances);
      for (const instance of instances) {
        if (!instance.running()) throw new Error(`an instance of ${s.id} stopped: ${instance.output()}`);
      }
      const list = (figure: (instance: ServerProcess) => number) => instances.map(figure).join(",");
      const args = [
        ...["--wire", s.wire, "--topic", `bench-${turns++}`, "--clients", String(clients)],
        ...["--ports", list((instance) => instance.port), "--pids", list((instance) => instance.pid)],
        ...["--engine-pid", String(deployment.enginePid)],
        ...["--window", String(windowFor(clients)), "--rate", String(t.rate), "--warmup", String(t.warmup)],
        ...["--seconds", String(t.seconds), "--steady", String(t.steady)],
      ];
      const run = await runJson<ClusterFanoutRun>(command("bun", "scripts/bench/cluster_fanout_clients.ts", args));
      if (run.closed > 0 || !(run.deliveries > 0)) {
        throw new Error(`${s.id}: ${run.closed} connections lost, ${run.deliveries} deliveries`);
      }
      return run;
    };
    if (warmUp) {
      // Untimed: every path of every deployment once, at its largest instance count, so that no setup's first
      // measured turn pays for its instances' JIT compilation.
      const largest = setups.filter((s) =>
        !setups.some((o) => deploymentOf(o) === deploymentOf(s) && o.wire === s.wire && o.instances > s.instances)
      );
      for (const s of largest) await turn(s, { warmup: 0.3, seconds: 0.5, steady: 0.3, rate: timing.rate });
    }
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < setups.length; i++) {
        // Rotated by a few setups a round, so that each setup's neighbours (and its place in the run) change.
        const s = setups[(i + round * 7) % setups.length] as Setup;
        let kept: ClusterFanoutRun | undefined;
        for (let attempt = 0; attempt < attempts; attempt++) {
          if (kept !== undefined && (kept.othersCpuShare <= OTHERS_LIMIT || retried >= retries)) break;
          if (attempt > 0) retried++;
          const run = await turn(s, timing);
          if (kept === undefined || run.othersCpuShare < kept.othersCpuShare) kept = run;
        }
        if (kept) results[s.id]?.push(kept);
      }
    }
  } finally {
    await Promise.all([...deployments.values()].flatMap((d) => d.instances.map((instance) => instance.stop())));
    await redis.stop();
    await nats.remove();
  }
  return { results, retried };
}

/** One setup's figures over rounds. */
export interface ClusterFanoutSummary {
  readonly throughput: Summary;
  readonly messages: Summary;
  readonly p50: Summary;
  readonly p99: Summary;
  readonly instancesCpu: Summary;
  /** Every instance's CPU time together per message fanned out, in microseconds, saturated. */
  readonly cpuPerMessage: Summary;
  readonly engineCpu: Summary;
  readonly clientCpu: Summary;
  readonly othersCpu: Summary;
  readonly frameBytes: Summary;
}

/**
 * Summarizes each setup's turns.
 *
 * @returns By setup id.
 */
export function summarizeClusterFanout(results: ClusterFanoutResults): Record<string, ClusterFanoutSummary> {
  return Object.fromEntries(
    Object.entries(results).filter(([, runs]) => runs.length > 0).map(([id, runs]) => {
      const of = (figure: (r: ClusterFanoutRun) => number) => summarize(runs.map(figure));
      return [id, {
        throughput: of((r) => r.throughput),
        messages: of((r) => r.messages),
        p50: of((r) => r.p50),
        p99: of((r) => r.p99),
        instancesCpu: of((r) => r.instancesCpuShare * 100),
        cpuPerMessage: of((r) => (r.instancesCpuShare * 1e6) / r.messages),
        engineCpu: of((r) => r.engineCpuShare * 100),
        clientCpu: of((r) => r.clientCpuShare * 100),
        othersCpu: of((r) => r.othersCpuShare * 100),
        frameBytes: of((r) => r.frameBytes),
      }];
    }),
  );
}

/**
 * Round by round, one setup's throughput over another's.
 *
 * @returns The ratios' summary; undefined when either setup was not run.
 */
export function compareSetups(
  results: ClusterFanoutResults,
  numerator: string,
  denominator: string,
): Summary | undefined {
  const a = results[numerator] ?? [];
  const b = results[denominator] ?? [];
  if (a.length === 0 || b.length === 0) return undefined;
  return summarize(ratios(a.map((r) => r.throughput), b.map((r) => r.throughput)));
}
