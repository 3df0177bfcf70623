/**
 * A feed server (tests/fixtures/feed.ts) in a process of its own, one
 * instance of a cluster on Redis or NATS (or alone, in memory: what a typed
 * server given no cluster has), on whichever of Bun and Deno runs this: for
 * the fault runs and the cluster fan-out benchmark. Prints
 * "listening <port> <instance id>", and `status <JSON>` for whatever its cluster
 * reports (the engine lost or back, gaps, losses). Without the per-client rate
 * limit (the load is the point).
 *
 * Usage: feed_server.ts --engine memory|redis|nats [--url <url>] [--heartbeat-ms 1000] [--ttl-ms 3000]
 *   [--window-messages 1000] [--window-ms 120000] [--presence]
 *
 * `feed_source.ts` (the fault runs' publisher) builds its cluster member the same way, from the same options.
 */
import process from "node:process";
import { commandLine, option, type Options } from "../args.ts";
import { Cluster } from "../../src/backplane/cluster.ts";
import type { Backplane, RecoveryWindow } from "../../src/backplane/backplane.ts";
import { RedisBackplane } from "../../src/backplane/redis.ts";
import { MemoryHub } from "../../src/backplane/memory.ts";
import { NatsBackplane } from "../../src/backplane/nats.ts";
import { feedServer } from "../../tests/support/feed_server.ts";

/** The cluster options both feed processes take. */
export const CLUSTER_USAGE = "--engine memory|redis|nats [--url <url>] [--heartbeat-ms N] [--ttl-ms N] " +
  "[--window-messages N] [--window-ms N]";

/**
 * The engine named on the command line.
 *
 * @param engine `memory` (a hub of its own: nothing leaves the process), `redis` or `nats`.
 * @param url The engine's URL.
 * @param window How long resumable logs keep their entries.
 * @returns The backplane, not started.
 * @throws {Error} For another engine name.
 */
export function backplaneFor(engine: string, url: string, window: RecoveryWindow): Backplane {
  if (engine === "memory") return new MemoryHub(window).backplane();
  if (engine === "redis") return new RedisBackplane(url, { window });
  if (engine === "nats") return new NatsBackplane(url, { window });
  throw new Error(`unknown engine ${JSON.stringify(engine)}: memory, redis or nats`);
}

/**
 * The cluster member the command line describes (`CLUSTER_USAGE`), reporting its status as `status <JSON>` lines.
 *
 * @param options The parsed command line.
 * @returns The cluster, not started.
 */
export function clusterFromOptions(options: Options): Cluster {
  const window: RecoveryWindow = {
    maxMessages: Number(option(options, "window-messages", "1000")),
    maxAgeMs: Number(option(options, "window-ms", "120000")),
  };
  return new Cluster(backplaneFor(option(options, "engine", "redis"), option(options, "url", ""), window), {
    heartbeatMs: Number(option(options, "heartbeat-ms", "1000")),
    instanceTtlMs: Number(option(options, "ttl-ms", "3000")),
    onStatus: (status) => console.log(`status ${JSON.stringify(status)}`),
  });
}

if (import.meta.main) {
  const options = commandLine(`usage: feed_server.ts ${CLUSTER_USAGE} [--presence]`, ["presence"]);
  const cluster = clusterFromOptions(options);
  const server = feedServer({
    cluster,
    presence: options.has("presence"),
    limits: {
      framesPerSecond: 1e9,
      burst: 1e9,
      maxUnsentBytes: 64 * 1024 * 1024,
      maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
    },
  });
  const listening = await server.listen({ port: 0 });
  console.log(`listening ${listening.port} ${cluster.instance}`);
  const stop = async () => {
    await listening.stop();
    await cluster.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
