/**
 * The scale-out benchmark: typewire clients dealt over 1, 2 and 3 reference
 * server instances sharing one room through Redis, and one instance on its
 * own (in memory) as the baseline, in the same run.
 */
import type { FanoutRun } from "./fanout.ts";
import { command, runJson, type Runtime, type ServerProcess, startServer } from "./processes.ts";
import { startRedis } from "./redis_server.ts";
import { ratios, summarize, type Summary } from "./stats.ts";

/** How many instances, and whether they share the room through Redis (one instance without is the baseline). */
export interface Setup {
  readonly instances: number;
  readonly redis: boolean;
}

/** The setups of the full report: the baseline first. */
export const SETUPS: readonly Setup[] = [
  { instances: 1, redis: false },
  { instances: 1, redis: true },
  { instances: 2, redis: true },
  { instances: 3, redis: true },
];

/** A setup's name in the report. */
export function setupName({ instances, redis }: Setup): string {
  return `${instances} instance${instances > 1 ? "s" : ""}, ${redis ? "Redis" : "in memory (no Redis)"}`;
}

/** One measured run of a setup: the clients' figures, and the servers' (instances and Redis) CPU share. */
export interface ScaleOutRun extends FanoutRun {
  /** CPU time of every instance together over the client run's wall time: 1 is one core kept busy. */
  readonly instancesCpu: number;
}

async function measure(runtime: Runtime, setup: Setup, clients: number, seconds: number): Promise<ScaleOutRun> {
  const redis = setup.redis ? await startRedis() : undefined;
  const instances: ServerProcess[] = [];
  try {
    const extra = redis === undefined ? [] : ["--redis", redis.url];
    for (let i = 0; i < setup.instances; i++) {
      instances.push(await startServer(command(runtime, "scripts/bench/chat_server.ts", extra)));
    }
    const urls = instances.flatMap((instance) => ["--url", `ws://127.0.0.1:${instance.port}/`]);
    const args = ["--kind", "typewire", ...urls, "--clients", String(clients), "--seconds", String(seconds)];
    const cpu = () => instances.reduce((sum, instance) => sum + instance.cpuSeconds(), 0);
    const [cpuBefore, startedAt] = [cpu(), performance.now()];
    const measured = await runJson<FanoutRun>(command(runtime, "scripts/bench/fanout_clients.ts", args));
    const instancesCpu = (cpu() - cpuBefore) / ((performance.now() - startedAt) / 1_000);
    if (measured.closed > 0 || measured.deliveries === 0) {
      throw new Error(
        `${setupName(setup)} on ${runtime}: ${measured.closed} connections lost, ${measured.deliveries} deliveries`,
      );
    }
    return { ...measured, instancesCpu };
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.stop();
  }
}

/**
 * Runs every setup on one runtime, `runs` times, setups taking turns.
 *
 * @returns The runs of each setup, in the order of `setups`.
 */
export async function runScaleOut(
  runtime: Runtime,
  setups: readonly Setup[],
  clients: number,
  runs: number,
  seconds: number,
): Promise<ScaleOutRun[][]> {
  const results: ScaleOutRun[][] = setups.map(() => []);
  for (let run = 0; run < runs; run++) {
    for (let turn = 0; turn < setups.length; turn++) {
      const index = (turn + run) % setups.length;
      results[index]?.push(await measure(runtime, setups[index] as Setup, clients, seconds));
    }
  }
  return results;
}

/** Medians for the report: throughput, latency, CPU, and throughput over the baseline (the first setup) run by run. */
export interface ScaleOutSummary {
  readonly throughput: Summary;
  readonly vsBaseline: Summary;
  readonly p50: Summary;
  readonly p99: Summary;
  readonly instancesCpu: Summary;
}

/**
 * Summarizes the runs of each setup against the first setup's.
 *
 * @returns One summary per setup.
 */
export function summarizeScaleOut(results: readonly ScaleOutRun[][]): ScaleOutSummary[] {
  const baseline = (results[0] ?? []).map((r) => r.throughput);
  return results.map((runs) => ({
    throughput: summarize(runs.map((r) => r.throughput)),
    vsBaseline: summarize(ratios(runs.map((r) => r.throughput), baseline)),
    p50: summarize(runs.map((r) => r.p50)),
    p99: summarize(runs.map((r) => r.p99)),
    instancesCpu: summarize(runs.map((r) => r.instancesCpu * 100)),
  }));
}
