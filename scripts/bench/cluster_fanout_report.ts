/**
 * The cluster fan-out benchmark, run and written up as BENCHMARKS.md's
 * `clusterfanout` section: a table per instance count, resumable topics over
 * plain ones per engine, then the targets (typewire at least twice Socket.IO's
 * Redis-adapter throughput at 3 instances; resumable topics within 0.8x of
 * plain ones) with their figures and whether each is met.
 */
import { loadavg } from "node:os";
import {
  compareSetups,
  type Engine,
  QUICK_SETUPS,
  runClusterFanout,
  type Setup,
  setupName,
  SETUPS,
  summarizeClusterFanout,
  type Timing,
} from "./cluster_fanout.ts";
import { runtimeVersions } from "./processes.ts";
import { OTHERS_LIMIT, windowFor } from "./server_fanout.ts";
import { summarize, type Summary } from "./stats.ts";

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const spread = (s: Summary, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
const ratio = (s: Summary | undefined) =>
  s === undefined ? "–" : `${fmt(s.median, 2)}x (${fmt(s.min, 2)}–${fmt(s.max, 2)})`;
const verdict = (met: boolean) => (met ? "met" : "**NOT met**");
/** How many turns a full run may take again for the machine's other load. */
const RETRIES = 6;
/** Subscribers, dealt over the instances: divisible by 1, 2 and 3. */
const CLIENTS = 60;
/** The targets: typewire's throughput over Socket.IO's Redis adapter at 3 instances; resumable over plain. */
const OVER_SOCKET_IO = 2;
const RESUMABLE_FLOOR = 0.8;
const HEADLINE_INSTANCES = 3;

/** Socket.IO's setup of the same shape as a typewire setup: the default adapter for memory, else the Redis adapter. */
const socketIoOf = (s: Setup) => s.engine === "memory" ? "socketio-memory-1" : `socketio-redis-${s.instances}`;
const plainOf = (s: Setup) => `plain-${s.engine}-${s.instances}`;
const ENGINE_NAMES: Record<Engine, string> = { memory: "in memory (no engine)", redis: "Redis", nats: "NATS" };

/**
 * Runs the benchmark and writes the section.
 *
 * @param quick Short turns, one round, the clusters at 3 instances only.
 * @param rounds Repetitions.
 * @returns The section's Markdown.
 * @example
 * ```ts
 * import { clusterFanoutReport } from "./cluster_fanout_report.ts";
 * console.log(await clusterFanoutReport(true, 1));
 * ```
 */
export async function clusterFanoutReport(quick: boolean, rounds: number): Promise<string> {
  const setups = quick ? QUICK_SETUPS : SETUPS;
  const timing: Timing = quick
    ? { warmup: 0.3, seconds: 0.7, steady: 0.5, rate: 10_000 }
    : { warmup: 0.75, seconds: 1.5, steady: 1.25, rate: 10_000 };
  const loadBefore = loadavg()[0] ?? NaN;
  console.log("cluster fan-out...");
  const startedAt = performance.now();
  const { results, retried } = await runClusterFanout(setups, CLIENTS, rounds, timing, quick ? 1 : 2, RETRIES, !quick);
  const minutes = (performance.now() - startedAt) / 60_000;
  const loadAfter = loadavg()[0] ?? NaN;
  const summary = summarizeClusterFanout(results);
  const versions = runtimeVersions();
  const all = Object.values(results).flat();
  const frames = (wire: Setup["wire"]) =>
    setups.filter((s) => s.wire === wire).flatMap((s) => results[s.id] ?? []).map((r) => r.frameBytes);
  const bytes = (wire: Setup["wire"]) => {
    const sizes = frames(wire);
    const [least, most] = [Math.min(...sizes), Math.max(...sizes)];
    return sizes.length === 0 ? "–" : least === most ? fmt(least) : `${fmt(least)} to ${fmt(most)}`;
  };

  const lines = [
    "## Cluster fan-out: one topic over 1, 2 and 3 instances, through each engine",
    "",
    `One topic, ${CLIENTS} subscribers dealt in turn over K instances (K = 1, 2, 3; ${CLIENTS / 3} per instance at 3),`,
    "one publisher connected to the first instance. Every instance is a server process of its own: typewire's on",
    `Bun ${versions.bun} (the feed fixture's typed server on a \`Cluster\`, \`scripts/bench/feed_server.ts\`),`,
    `Socket.IO's on Node.js ${versions.node} (\`scripts/bench/servers/socketio_cluster.mjs\`). The publisher's \`shout\``,
    "makes typewire's instance `server.publish` a plain `note`, its `post` a resumable `entry` (appended to the topic's",
    "log, a Redis stream or a JetStream subject, then delivered stamped with its position); Socket.IO's instance",
    '`io.to(room).emit`s the object typewire publishes as a note, `{ type: "note", topic, n }`. `n` carries the publish',
    "time and a sequence number, so every message is the same size: frames of " + bytes("plain") + " bytes plain,",
    `${bytes("socketio")} for Socket.IO (\`42["message",...]\` around the same object), ${
      bytes("resumable")
    } resumable (the same plus the`,
    "position, whose length depends on the engine, and an empty `text`). typewire in memory is one instance and no",
    "engine, what a typed server given no cluster runs on; its counterpart is Socket.IO with its default adapter. All",
    "clusters share one redis-server (Debian's 7.0, no persistence) or one nats-server (Debian's 2.9, JetStream on a",
    "file store), `@socket.io/redis-adapter`'s on channels of their own; every engine with its defaults (logs keep",
    "1,000 messages, 2 minutes).",
    "",
    "The clients run in one other process, on Bun: the subscribers are minimal WebSocket clients on plain TCP",
    "(`scripts/bench/tcp_websocket.ts`), the publisher a standard WebSocket. Two phases per turn, on the same",
    `connections. Saturated: the publisher keeps ${windowFor(CLIENTS)} messages (about 16,000 deliveries) in flight,`,
    "publishing the next each time one has reached every subscriber (an offered rate always above what the cluster",
    `carries, with a bounded backlog), for ${timing.seconds} s after ${timing.warmup} s of warm-up: deliveries received`,
    "per second, messages that reached every subscriber per second, and CPU time from /proc over the window (100% is",
    "one core) of every instance together (and per message: what fanning one message out to the subscribers costs the",
    `cluster's instances), of the engine's process and of the clients' process. Steady: ${fmt(timing.rate)}`,
    `deliveries a second in all (${
      fmt(timing.rate / CLIENTS)
    } messages a second, a rate every setup sustains), for ${timing.steady} s:`,
    "latency from the publish to each arrival (sampled; p50 and p99, in milliseconds).",
    "",
    `${
      quick ? "" : "Every instance is started before the run and loaded once, untimed, before the first round. "
    }${rounds} round(s);`,
    "in each, every setup takes a turn, typewire's and Socket.IO's interleaved and grouped by instance count, the",
    "order rotated from round to round; medians (min–max over rounds). A ratio to Socket.IO pairs a turn with",
    "Socket.IO's turn of the same round and shape (its Redis adapter at the same instance count; its default adapter",
    "for typewire in memory). The machine has two cores and is shared: a turn during which other processes took more",
    `than ${fmt(OTHERS_LIMIT * 100)}% of a core is taken again${
      quick ? "" : ` (once, keeping the less disturbed; at most ${RETRIES} turns in all)`
    }.`,
    "",
  ];
  for (const k of [1, 2, 3]) {
    const rows = setups.filter((s) => s.instances === k && summary[s.id] !== undefined);
    if (rows.length === 0) continue;
    lines.push(
      `### ${k} instance${k === 1 ? "" : "s"}`,
      "",
      "| setup | deliveries/s | messages/s | vs Socket.IO | p50 ms | p99 ms | instances CPU % | instances CPU µs/message | engine CPU % | client CPU % |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const s of rows) {
      const f = summary[s.id];
      if (f === undefined) continue;
      const vs = s.system === "socketio" ? "1" : ratio(compareSetups(results, s.id, socketIoOf(s)));
      lines.push(
        `| ${setupName(s)} | ${spread(f.throughput)} | ${spread(f.messages)} | ${vs} | ${spread(f.p50, 1)} | ${
          spread(f.p99, 1)
        } | ${spread(f.instancesCpu)} | ${spread(f.cpuPerMessage)} | ${
          s.engine === "memory" ? "–" : spread(f.engineCpu)
        } | ${spread(f.clientCpu)} |`,
      );
    }
    lines.push("");
  }

  lines.push(
    "### Resumable topics over plain ones",
    "",
    "Throughput of a resumable topic over a plain one on the same instances, round by round.",
    "",
    "| engine | 1 instance | 2 instances | 3 instances |",
    "| --- | ---: | ---: | ---: |",
  );
  const resumableTargets: string[] = [];
  for (const engine of ["memory", "redis", "nats"] as const) {
    const cells = [1, 2, 3].map((k) => {
      const s = setups.find((x) =>
        x.system === "typewire" && x.engine === engine && x.wire === "resumable" && x.instances === k
      );
      return s === undefined ? undefined : compareSetups(results, s.id, plainOf(s));
    });
    if (cells.every((c) => c === undefined)) continue;
    lines.push(`| ${ENGINE_NAMES[engine]} | ${cells.map(ratio).join(" | ")} |`);
    if (engine === "memory") continue;
    const measured = cells.flatMap((c, i) => c === undefined ? [] : [{ k: i + 1, c }]);
    const met = measured.every(({ c }) => c.median >= RESUMABLE_FLOOR);
    resumableTargets.push(
      `${ENGINE_NAMES[engine]}: resumable at ${
        measured.map(({ k, c }) => `${ratio(c)} (${k} instance${k === 1 ? "" : "s"})`).join(", ")
      } of plain topics' throughput (target ≥ ${fmt(RESUMABLE_FLOOR, 1)}x: ${verdict(met)})`,
    );
  }
  lines.push("");

  const headline = setups.filter((s) => s.system === "typewire" && s.instances === HEADLINE_INSTANCES);
  const socketIoTargets = headline.map((s) => {
    const r = compareSetups(results, s.id, socketIoOf(s));
    return `${setupName(s)}, ${HEADLINE_INSTANCES} instances: ${
      ratio(r)
    } Socket.IO's Redis-adapter throughput (target ≥ ${fmt(OVER_SOCKET_IO, 1)}x: ${
      verdict(r !== undefined && r.median >= OVER_SOCKET_IO)
    })`;
  });
  const short = setups.filter((s) => (results[s.id] ?? []).some((r) => r.steadyRate < 0.95 * timing.rate)).map((s) =>
    s.id
  );
  const incomplete = all.reduce((sum, r) => sum + r.incomplete, 0);
  const others = all.length === 0 ? undefined : summarize(all.map((r) => r.othersCpuShare * 100));
  lines.push(
    "### Targets",
    "",
    ...[...socketIoTargets, ...resumableTargets].map((t) => `- ${t}`),
    "",
    short.length === 0
      ? "Every setup sustained the steady rate in every round."
      : `Below the steady rate in some round (its latency is then that of a backlog): ${short.join(", ")}.`,
    incomplete === 0
      ? "No message was lost: every one published reached every subscriber."
      : `${fmt(incomplete)} message(s) published while saturated had not reached every subscriber 5 s later.`,
    others === undefined
      ? ""
      : `Other processes' load while saturated: median ${fmt(others.median)}% of a core (max ${fmt(others.max)}%); ${
        fmt(retried)
      } turn(s) taken again for it. Load average (1 min) ${fmt(loadBefore, 1)} before the run, ${
        fmt(loadAfter, 1)
      } after; the run took ${fmt(minutes, 1)} minutes.`,
  );
  return lines.join("\n");
}
