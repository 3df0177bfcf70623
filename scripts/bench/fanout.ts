/**
 * The fan-out benchmark: a chat room on the reference server (Bun or Deno),
 * N clients of each kind in turn chatting through it, in the same run; and
 * Socket.IO (its server on Node.js) beside them.
 */
import { command, runJson, type Runtime, startServer } from "./processes.ts";
import { ratios, summarize, type Summary } from "./stats.ts";

/** The clients compared, in the order of the report. */
export const KINDS = ["raw", "typewire", "partysocket", "socketio"] as const;
export type Kind = (typeof KINDS)[number];

/** What one client process measured. */
export interface FanoutRun {
  readonly kind: Kind;
  readonly clients: number;
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  /** The client process's CPU microseconds per line received. */
  readonly cpuPerLine: number;
  /** The server's CPU time over the wall time of the client process's run: 1 is one core kept busy. */
  readonly serverCpu: number;
  readonly deliveries: number;
  readonly closed: number;
}

/** Every run of one runtime, by client count and kind. */
export type FanoutResults = Record<number, Record<Kind, FanoutRun[]>>;

/**
 * Runs the fan-out benchmark on one runtime.
 *
 * @param runtime Where the chat server and the clients run.
 * @param counts The client counts, e.g. [32, 256].
 * @param runs Repetitions; the kinds take turns within each.
 * @param seconds Measured seconds per kind and run (after a second of warm-up).
 * @returns The measurements.
 */
export async function runFanout(
  runtime: Runtime,
  counts: readonly number[],
  runs: number,
  seconds: number,
): Promise<FanoutResults> {
  const chat = await startServer(command(runtime, "scripts/bench/chat_server.ts"));
  const socketIo = await startServer(command("node", "scripts/bench/socketio_server.mjs"));
  const results: FanoutResults = {};
  try {
    for (let run = 0; run < runs; run++) {
      for (const clients of counts) {
        results[clients] ??= { raw: [], typewire: [], partysocket: [], socketio: [] };
        // Rotate the order so that no kind always runs first.
        const order = KINDS.map((_, i) => KINDS[(i + run) % KINDS.length] as Kind);
        for (const kind of order) {
          const url = kind === "socketio" ? `http://127.0.0.1:${socketIo.port}` : `ws://127.0.0.1:${chat.port}/`;
          const args = ["--kind", kind, "--url", url, "--clients", String(clients), "--seconds", String(seconds)];
          const server = kind === "socketio" ? socketIo : chat;
          const [cpuBefore, startedAt] = [server.cpuSeconds(), performance.now()];
          const measured = await runJson<FanoutRun>(command(runtime, "scripts/bench/fanout_clients.ts", args));
          // The server's share of one core over the client process's whole life (connecting, warm-up, measuring).
          const serverCpu = (server.cpuSeconds() - cpuBefore) / ((performance.now() - startedAt) / 1_000);
          const result = { ...measured, serverCpu };
          if (result.closed > 0 || result.deliveries === 0) {
            throw new Error(
              `${kind} with ${clients} clients on ${runtime}: ${result.closed} connections lost, ${result.deliveries} deliveries`,
            );
          }
          results[clients][kind].push(result);
        }
      }
    }
  } finally {
    await chat.stop();
    await socketIo.stop();
  }
  return results;
}

/** Medians and ratios for the report. */
export interface FanoutSummary {
  readonly throughput: Summary;
  readonly p50: Summary;
  readonly p99: Summary;
  /** This kind's throughput over the raw client's, run by run. */
  readonly vsRaw: Summary;
  readonly cpuPerLine: Summary;
  readonly serverCpu: Summary;
  /** This kind's CPU per line over the raw client's, run by run. */
  readonly cpuVsRaw: Summary;
}

/**
 * Summarizes one runtime's results.
 *
 * @returns By client count and kind.
 */
export function summarizeFanout(results: FanoutResults): Record<number, Record<Kind, FanoutSummary>> {
  const out: Record<number, Record<Kind, FanoutSummary>> = {};
  for (const [clients, byKind] of Object.entries(results)) {
    const raw = byKind.raw.map((r) => r.throughput);
    const rawCpu = byKind.raw.map((r) => r.cpuPerLine);
    out[Number(clients)] = Object.fromEntries(
      KINDS.map((kind) => {
        const runs = byKind[kind];
        return [kind, {
          throughput: summarize(runs.map((r) => r.throughput)),
          p50: summarize(runs.map((r) => r.p50)),
          p99: summarize(runs.map((r) => r.p99)),
          vsRaw: summarize(ratios(runs.map((r) => r.throughput), raw)),
          cpuPerLine: summarize(runs.map((r) => r.cpuPerLine)),
          serverCpu: summarize(runs.map((r) => r.serverCpu * 100)),
          cpuVsRaw: summarize(ratios(runs.map((r) => r.cpuPerLine), rawCpu)),
        }];
      }),
    ) as Record<Kind, FanoutSummary>;
  }
  return out;
}
