/**
 * The memory benchmark: resident memory per idle connection, the raw
 * WebSocket and typewire's client, each in a process of its own, against an
 * idle server on the same runtime.
 */
import { command, runJson, type Runtime, startServer } from "./processes.ts";
import { summarize, type Summary } from "./stats.ts";

/** The clients compared, in the order of the report. */
export const MEMORY_KINDS = ["raw", "typewire"] as const;
type MemoryKind = (typeof MEMORY_KINDS)[number];

interface MemoryRun {
  readonly kind: MemoryKind;
  readonly clients: number;
  readonly perConnection: number;
}

/** Per-connection bytes by client count and kind, over runs. */
export type MemoryResults = Record<number, Record<MemoryKind, Summary>>;

/**
 * Runs the memory benchmark on one runtime.
 *
 * @returns Per-connection bytes by client count and kind.
 */
export async function runMemory(runtime: Runtime, counts: readonly number[], runs: number): Promise<MemoryResults> {
  const server = await startServer(command(runtime, "scripts/bench/idle_server.ts"));
  const raw: Record<number, Record<MemoryKind, number[]>> = {};
  try {
    for (let run = 0; run < runs; run++) {
      for (const clients of counts) {
        raw[clients] ??= { raw: [], typewire: [] };
        // Rotate the order so that no kind always runs first.
        for (const kind of MEMORY_KINDS.map((_, i) => MEMORY_KINDS[(i + run) % MEMORY_KINDS.length] as MemoryKind)) {
          const args = ["--kind", kind, "--url", `ws://127.0.0.1:${server.port}/`, "--clients", String(clients)];
          const result = await runJson<MemoryRun>(command(runtime, "scripts/bench/memory_clients.ts", args));
          raw[clients][kind].push(result.perConnection);
        }
      }
    }
  } finally {
    await server.stop();
  }
  return Object.fromEntries(
    Object.entries(raw).map((
      [clients, byKind],
    ) => [clients, Object.fromEntries(MEMORY_KINDS.map((kind) => [kind, summarize(byKind[kind])]))]),
  ) as MemoryResults;
}
