/**
 * The server fan-out benchmark: one topic, N subscribers, one publisher, on
 * ten servers each in a process of its own (raw baselines, typewire's typed
 * server on its own adapters and on crossws, Elysia, Socket.IO), taking turns
 * in one run; and the server memory benchmark: what each idle connection
 * costs the typed server over the raw one.
 */
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { bundleForNode } from "./node_bundle.ts";
import { command, runJson, type ServerProcess, startServer } from "./processes.ts";
import { ratios, summarize, type Summary } from "./stats.ts";

/** A runtime a server runs on, as the report names it. */
export type ServerRuntime = "Bun" | "Deno" | "Node.js";

/** One server compared. */
export interface ServerKind {
  readonly id: string;
  readonly runtime: ServerRuntime;
  /** What it is, for the report. */
  readonly label: string;
  /** What the publisher sends it (see server_fanout_clients.ts). */
  readonly wire: "echo" | "say" | "socketio";
  /** Its command line; `node` is the bundle of the typed server for Node.js. */
  readonly command: (node: string) => [string, string[]];
}

const SERVERS = "scripts/bench/servers";

/** The servers, in the order of the report; each runtime's raw baseline first. */
export const SERVER_KINDS: readonly ServerKind[] = [
  {
    id: "bun-raw",
    runtime: "Bun",
    label: "raw: `Bun.serve`, `ws.subscribe`, `server.publish` of the frame as received",
    wire: "echo",
    command: () => command("bun", `${SERVERS}/bun/raw.ts`),
  },
  {
    id: "bun-typewire",
    runtime: "Bun",
    label: "typewire typed server, its Bun adapter",
    wire: "say",
    command: () => command("bun", `${SERVERS}/typed.ts`),
  },
  {
    id: "bun-elysia",
    runtime: "Bun",
    label: "Elysia `ws()`, body and response schemas, `ws.publish`",
    wire: "say",
    command: () => command("bun", `${SERVERS}/bun/elysia.ts`),
  },
  {
    id: "bun-crossws",
    runtime: "Bun",
    label: "typewire typed server on crossws's Bun adapter",
    wire: "say",
    command: () => command("bun", `${SERVERS}/typed.ts`, ["--transport", "crossws"]),
  },
  {
    id: "deno-raw",
    runtime: "Deno",
    label: "raw: `Deno.serve`, `Deno.upgradeWebSocket`, a loop of `send` of the frame as received",
    wire: "echo",
    command: () => command("deno", `${SERVERS}/deno/raw.ts`),
  },
  {
    id: "deno-typewire",
    runtime: "Deno",
    label: "typewire typed server, its Deno adapter",
    wire: "say",
    command: () => command("deno", `${SERVERS}/typed.ts`),
  },
  {
    id: "deno-crossws",
    runtime: "Deno",
    label: "typewire typed server on crossws's Deno adapter",
    wire: "say",
    command: () => command("deno", `${SERVERS}/typed.ts`, ["--transport", "crossws"]),
  },
  {
    id: "node-raw",
    runtime: "Node.js",
    label: "raw: `ws` package, a loop of `send` of the frame as received",
    wire: "echo",
    command: () => command("node", `${SERVERS}/node/raw.mjs`),
  },
  {
    id: "node-typewire",
    runtime: "Node.js",
    label: "typewire typed server, its Node adapter (`ws`)",
    wire: "say",
    command: (node) => command("node", node),
  },
  {
    id: "node-socketio",
    runtime: "Node.js",
    label: "Socket.IO: a room, `io.to(room).emit`",
    wire: "socketio",
    command: () => command("node", `${SERVERS}/socketio.mjs`),
  },
];

/** What one turn of one server measured (the client process's JSON). */
export interface ServerFanoutRun {
  readonly clients: number;
  readonly window: number;
  readonly frameBytes: number;
  readonly throughput: number;
  /** The server's CPU microseconds per delivery, saturated. */
  readonly serverCpuPerDelivery: number;
  /** The server's CPU time over wall time, saturated: 1 is one core. */
  readonly serverCpuShare: number;
  readonly clientCpuShare: number;
  /** Every other process's CPU time over wall time, saturated: the machine's other load. */
  readonly othersCpuShare: number;
  /** The server's CPU microseconds per delivery at the steady rate. */
  readonly steadyCpuPerDelivery: number;
  /** Latency at the steady rate, in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly steadyRate: number;
  readonly deliveries: number;
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

/** Every turn, by subscriber count and server id. */
export type ServerFanoutResults = Record<number, Record<string, ServerFanoutRun[]>>;

/**
 * Other processes' load (share of one core) above which a turn is taken again: the machine is shared, and a turn
 * whose cores were partly someone else's measures them too.
 */
export const OTHERS_LIMIT = 0.2;

/** Messages in flight while saturating: about 16,384 deliveries, whatever the number of subscribers. */
export const windowFor = (clients: number) => Math.max(4, Math.round(16_384 / clients));

/** Runs a program with as many open files as the system lets it have (10,000 connections need 10,000). */
function withOpenFiles([program, args]: [string, string[]]): [string, string[]] {
  return ["bash", ["-c", 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', program, ...args]];
}

/**
 * Runs the server fan-out benchmark: every server started at once, each idle but for its turns.
 *
 * @param counts The subscriber counts, e.g. [256, 1000].
 * @param runs Repetitions; within each, every count, and for each count every server in turn (rotated per run).
 * @param timing How long each turn lasts.
 * @param attempts How many times a turn is taken at most, while other processes load the machine (the least
 * disturbed attempt is kept).
 * @param retries How many turns may be taken again in all (so that a busy machine cannot make the run endless).
 * @returns Every turn's measurements, and how many turns were taken again for the machine's other load.
 */
export async function runServerFanout(
  counts: readonly number[],
  runs: number,
  timing: Timing,
  attempts: number,
  retries: number,
): Promise<{ results: ServerFanoutResults; retried: number }> {
  const node = await bundleForNode(`${SERVERS}/node/typed.ts`);
  const started = await Promise.allSettled(SERVER_KINDS.map((kind) => startServer(kind.command(node))));
  const servers = started.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
  const results: ServerFanoutResults = {};
  let retried = 0;
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (let run = 0; run < runs; run++) {
      for (const clients of counts) {
        const byKind = results[clients] ??= Object.fromEntries(SERVER_KINDS.map((kind) => [kind.id, []]));
        for (let i = 0; i < SERVER_KINDS.length; i++) {
          const turn = (i + run * 3) % SERVER_KINDS.length;
          const kind = SERVER_KINDS[turn] as ServerKind;
          const server = servers[turn] as ServerProcess;
          if (!server.running()) throw new Error(`${kind.id} stopped: ${server.output()}`);
          const args = [
            ...["--wire", kind.wire, "--port", String(server.port), "--pid", String(server.pid)],
            ...["--clients", String(clients), "--window", String(windowFor(clients)), "--rate", String(timing.rate)],
            ...["--warmup", String(timing.warmup), "--seconds", String(timing.seconds)],
            ...["--steady", String(timing.steady)],
          ];
          let kept: ServerFanoutRun | undefined;
          for (let attempt = 0; attempt < attempts; attempt++) {
            if (kept !== undefined && (kept.othersCpuShare <= OTHERS_LIMIT || retried >= retries)) break;
            if (attempt > 0) retried++;
            const result = await runJson<ServerFanoutRun>(
              command("bun", "scripts/bench/server_fanout_clients.ts", args),
            );
            if (result.closed > 0 || !(result.deliveries > 0)) {
              throw new Error(
                `${kind.id}, ${clients} subscribers: ${result.closed} connections lost, ${result.deliveries} deliveries`,
              );
            }
            if (kept === undefined || result.othersCpuShare < kept.othersCpuShare) kept = result;
          }
          if (kept) byKind[kind.id]?.push(kept);
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dirname(node), { recursive: true, force: true });
  }
  return { results, retried };
}

/** One server's figures over runs. */
export interface ServerFanoutSummary {
  readonly throughput: Summary;
  /** Throughput over the same run's raw server on the same runtime. */
  readonly vsRaw: Summary;
  readonly cpuPerDelivery: Summary;
  /** CPU per delivery over the same run's raw server on the same runtime. */
  readonly cpuVsRaw: Summary;
  readonly steadyCpu: Summary;
  /** Steady CPU per delivery over the same run's raw server on the same runtime. */
  readonly steadyCpuVsRaw: Summary;
  readonly serverCpu: Summary;
  readonly othersCpu: Summary;
  readonly clientCpu: Summary;
  readonly p50: Summary;
  readonly p99: Summary;
}

/** The raw baseline of a server's runtime. */
export const rawOf = (kind: ServerKind): string => `${kind.id.split("-")[0]}-raw`;

/**
 * Summarizes the runs.
 *
 * @returns By subscriber count and server id.
 */
export function summarizeServerFanout(
  results: ServerFanoutResults,
): Record<number, Record<string, ServerFanoutSummary>> {
  const out: Record<number, Record<string, ServerFanoutSummary>> = {};
  for (const [clients, byKind] of Object.entries(results)) {
    out[Number(clients)] = Object.fromEntries(SERVER_KINDS.map((kind) => {
      const runs = byKind[kind.id] ?? [];
      const raw = byKind[rawOf(kind)] ?? [];
      return [kind.id, {
        throughput: summarize(runs.map((r) => r.throughput)),
        vsRaw: summarize(ratios(runs.map((r) => r.throughput), raw.map((r) => r.throughput))),
        cpuPerDelivery: summarize(runs.map((r) => r.serverCpuPerDelivery)),
        cpuVsRaw: summarize(ratios(runs.map((r) => r.serverCpuPerDelivery), raw.map((r) => r.serverCpuPerDelivery))),
        steadyCpu: summarize(runs.map((r) => r.steadyCpuPerDelivery)),
        steadyCpuVsRaw: summarize(
          ratios(runs.map((r) => r.steadyCpuPerDelivery), raw.map((r) => r.steadyCpuPerDelivery)),
        ),
        serverCpu: summarize(runs.map((r) => r.serverCpuShare * 100)),
        othersCpu: summarize(runs.map((r) => r.othersCpuShare * 100)),
        clientCpu: summarize(runs.map((r) => r.clientCpuShare * 100)),
        p50: summarize(runs.map((r) => r.p50)),
        p99: summarize(runs.map((r) => r.p99)),
      }];
    }));
  }
  return out;
}

/**
 * Run by run, one server's figure over another's (throughput, or CPU per delivery).
 *
 * @returns The ratios' summary.
 */
export function compare(
  results: ServerFanoutResults,
  clients: number,
  numerator: string,
  denominator: string,
  figure: "throughput" | "serverCpuPerDelivery" | "steadyCpuPerDelivery",
): Summary {
  const byKind = results[clients] ?? {};
  const of = (id: string) => (byKind[id] ?? []).map((r) => r[figure]);
  return summarize(ratios(of(numerator), of(denominator)));
}

/** The servers of the memory benchmark: the typed server and the raw one, on Bun and on Deno. */
export const MEMORY_SERVERS = ["bun-raw", "bun-typewire", "deno-raw", "deno-typewire"] as const;

/** Server bytes per idle connection, by connection count and server id. */
export type ServerMemoryResults = Record<number, Record<string, number[]>>;

/**
 * Runs the server memory benchmark: for each measurement a fresh server, N idle connections from another process.
 *
 * @param counts Connection counts, e.g. [10000].
 * @param runs Repetitions; the servers take turns within each.
 * @param pause Milliseconds between the server's garbage collections before each reading.
 * @returns Server bytes per connection, every run.
 */
export async function runServerMemory(
  counts: readonly number[],
  runs: number,
  pause: number,
): Promise<ServerMemoryResults> {
  const results: ServerMemoryResults = {};
  for (let run = 0; run < runs; run++) {
    for (const clients of counts) {
      const byKind = results[clients] ??= Object.fromEntries(MEMORY_SERVERS.map((id) => [id, []]));
      for (let i = 0; i < MEMORY_SERVERS.length; i++) {
        const id = MEMORY_SERVERS[(i + run) % MEMORY_SERVERS.length] as string;
        const kind = SERVER_KINDS.find((k) => k.id === id) as ServerKind;
        const server = await startServer(withOpenFiles(kind.command("")));
        try {
          const args = ["--port", String(server.port), "--clients", String(clients), "--pause", String(pause)];
          const result = await runJson<{ perConnection: number; held: number }>(
            withOpenFiles(command("bun", "scripts/bench/server_memory_clients.ts", args)),
          );
          if (result.held !== clients + 1) throw new Error(`${id}: ${result.held} of ${clients + 1} connections held`);
          byKind[id]?.push(result.perConnection);
        } finally {
          await server.stop();
        }
      }
    }
  }
  return results;
}
