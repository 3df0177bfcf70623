/**
 * The server fan-out and server memory benchmarks, run and written up as
 * BENCHMARKS.md's `serverfanout` section: the tables, then every target with
 * its figures and whether it is met, and the crossws decision.
 */
import {
  compare,
  OTHERS_LIMIT,
  rawOf,
  runServerFanout,
  runServerMemory,
  SERVER_KINDS,
  type ServerFanoutResults,
  summarizeServerFanout,
  type Timing,
  windowFor,
} from "./server_fanout.ts";
import { summarize, type Summary } from "./stats.ts";

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const spread = (s: Summary, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
const ratio = (s: Summary) => `${fmt(s.median, 2)}x (${fmt(s.min, 2)}–${fmt(s.max, 2)})`;
/** How many turns a full run may take again for the machine's other load. */
const RETRIES = 15;
const verdict = (met: boolean) => (met ? "met" : "**NOT met**");

/** A target on a ratio of throughputs, with the ratios of server CPU per delivery beside it. */
function targetLine(
  results: ServerFanoutResults,
  clients: number,
  [numerator, denominator]: [string, string],
  what: string,
  floor: number,
): string {
  const throughput = compare(results, clients, numerator, denominator, "throughput");
  const cpu = compare(results, clients, numerator, denominator, "serverCpuPerDelivery");
  const steady = compare(results, clients, numerator, denominator, "steadyCpuPerDelivery");
  return `${what}, ${fmt(clients)} subscribers: ${ratio(throughput)} the throughput (target ≥ ${fmt(floor, 2)}x: ${
    verdict(throughput.median >= floor)
  }); server CPU per delivery ${ratio(cpu)} saturated, ${ratio(steady)} at the steady rate`;
}

/**
 * Runs both benchmarks and writes the section.
 *
 * @param quick Small and short: 32 subscribers, one run; 500 idle connections.
 * @param runs Repetitions.
 * @returns The section's Markdown.
 */
export async function serverFanoutReport(quick: boolean, runs: number): Promise<string> {
  const counts = quick ? [32] : [256, 1_000];
  const timing: Timing = quick
    ? { warmup: 0.3, seconds: 0.7, steady: 0.5, rate: 20_000 }
    : { warmup: 1, seconds: 2, steady: 1.5, rate: 20_000 };
  console.log("server fan-out...");
  const { results, retried } = await runServerFanout(counts, runs, timing, quick ? 1 : 3, RETRIES);
  const summary = summarizeServerFanout(results);
  const memoryCounts = quick ? [500] : [10_000];
  console.log("server memory...");
  const memory = await runServerMemory(memoryCounts, runs, quick ? 50 : 300);
  const frameBytes = Object.values(results).flatMap((byKind) => Object.values(byKind).flat()).map((r) => r.frameBytes);

  const lines = [
    "## Server fan-out: one topic, N subscribers",
    "",
    "One topic, N subscribed clients and one publisher, against ten servers, each in a process of its own, all started",
    "at once and taking turns (the order rotated from run to run). The clients run in one other process, on Bun: the",
    "subscribers are minimal WebSocket clients on plain TCP that read frames in bulk and only find each one's `seq`",
    "(`scripts/bench/tcp_websocket.ts`), so that they cost less per delivery than the servers do; the publisher is a",
    `standard WebSocket. Every subscriber receives the same echo message, \`{"type":"echo","seq":n,"text":"..."}\`, about`,
    `${fmt(Math.min(...frameBytes))} to ${
      fmt(Math.max(...frameBytes))
    } bytes a frame (Socket.IO's wraps it in \`42["message",...]\`). The raw servers forward the`,
    "publisher's frame as it is, already encoded: no parsing, validation or encoding. typewire's typed server decodes and",
    "validates the publisher's `say` message, then `server.publish`es an `echo` message object, validated and encoded",
    "once, to its adapter's publish (Bun's native one; a loop of `send` on Deno and Node.js). Elysia checks the",
    "publisher's message against its `body` schema and `ws.publish`es the object, checked against its `response` schema",
    "and `JSON.stringify`'d once. Socket.IO `io.to(room).emit`s the object. The crossws rows are typewire's typed server",
    "on a transport written on crossws's adapter (`scripts/bench/servers/*/crossws.ts`): what typewire would be with",
    "crossws underneath.",
    "",
    "Per server and count, two phases on the same connections. Saturated: the publisher keeps about 16,384 deliveries",
    `in flight (${counts.map((n) => `${windowFor(n)} messages at ${fmt(n)} subscribers`).join(", ")}), publishing the`,
    `next message each time one has reached every subscriber, for ${timing.seconds} s after ${timing.warmup} s of warm-up:`,
    "deliveries per second, and the server's CPU time per delivery (its threads' time on a CPU, from /proc). Steady:",
    `the publisher sends ${
      fmt(timing.rate)
    } deliveries a second in all (a rate every server sustains), for ${timing.steady} s: latency from the`,
    "publish (the time in the message's text, on the clients' clock) to each arrival, sampled, in milliseconds; and the",
    "server's CPU time per delivery at that rate, where nothing is batched (each delivery is a write of its own).",
    `${runs} run(s); medians (min–max over runs); ratios are to the raw server on the same runtime, run by run. Server`,
    "and client CPU % are each process's CPU time over the saturated window's wall time (100% is one core). The machine",
    "has two cores: a server that needs less than the client process is limited by the client, so its throughput is the",
    "client's and the server's CPU time per delivery is the fairer comparison of the servers' own costs. The machine is",
    `shared: a turn during which other processes took more than ${
      fmt(OTHERS_LIMIT * 100)
    }% of a core is taken again (up to twice, keeping`,
    `the least disturbed; at most ${RETRIES} turns in all).`,
    "",
  ];
  for (const clients of counts) {
    const byKind = summary[clients] ?? {};
    lines.push(
      `### ${fmt(clients)} subscribers`,
      "",
      "| runtime | server | deliveries/s | vs raw | server CPU µs/delivery | vs raw | at the steady rate | vs raw | server CPU % | client CPU % | p50 ms | p99 ms |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const kind of SERVER_KINDS) {
      const s = byKind[kind.id];
      if (s === undefined) continue;
      const isRaw = rawOf(kind) === kind.id;
      lines.push(
        `| ${kind.runtime} | ${kind.label} | ${spread(s.throughput)} | ${isRaw ? "1" : ratio(s.vsRaw)} | ${
          spread(s.cpuPerDelivery, 2)
        } | ${isRaw ? "1" : ratio(s.cpuVsRaw)} | ${spread(s.steadyCpu, 2)} | ${
          isRaw ? "1" : ratio(s.steadyCpuVsRaw)
        } | ${spread(s.serverCpu)} | ${spread(s.clientCpu)} | ${spread(s.p50, 1)} | ${spread(s.p99, 1)} |`,
      );
    }
    lines.push("");
  }

  const short = Object.entries(results).flatMap(([clients, byKind]) =>
    SERVER_KINDS.filter((kind) => (byKind[kind.id] ?? []).some((r) => r.steadyRate < 0.95 * timing.rate))
      .map((kind) => `${kind.id} at ${fmt(Number(clients))}`)
  );
  const others = summarize(
    Object.values(results).flatMap((byKind) => Object.values(byKind).flat()).map((r) => r.othersCpuShare * 100),
  );
  lines.push(
    short.length === 0
      ? `Every server sustained the steady rate in every run.`
      : `Below the steady rate in some run (its latency is then that of a backlog): ${short.join(", ")}.`,
    `Other processes' load while saturated: median ${fmt(others.median)}% of a core (max ${fmt(others.max)}%); ${
      fmt(retried)
    } turn(s) taken again for it.`,
    "",
  );
  lines.push(
    "### Server memory per idle connection",
    "",
    "For each measurement a fresh server on Bun or Deno, and N idle connections (no topic, nothing sent) from another",
    "process, opened with `ulimit -n` raised to what the system allows; the server's resident memory after garbage",
    "collection (`GET /rss`, three collections) after the connections, minus before them (with one connection open),",
    "per connection, in bytes. The typed server runs with `limits: { maxConnections: 20000, firstMessageTimeout: 0 }`.",
    `${runs} run(s), the servers taking turns; medians (min–max).`,
    "",
    "| runtime | connections | raw server | typewire typed server | typewire adds | target ≤ 1 KiB |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  );
  const memoryTargets: string[] = [];
  for (const [clients, byKind] of Object.entries(memory)) {
    for (const runtime of ["bun", "deno"]) {
      const raw = summarize(byKind[`${runtime}-raw`] ?? []);
      const typed = summarize(byKind[`${runtime}-typewire`] ?? []);
      const added = typed.median - raw.median;
      const name = runtime === "bun" ? "Bun" : "Deno";
      lines.push(
        `| ${name} | ${fmt(Number(clients))} | ${spread(raw)} | ${spread(typed)} | ${fmt(added)} | ${
          verdict(added <= 1024)
        } |`,
      );
      memoryTargets.push(
        `memory, ${name}, ${fmt(Number(clients))} idle connections: the typed server adds ${
          fmt(added)
        } B per connection over raw (target ≤ 1,024 B: ${verdict(added <= 1024)})`,
      );
    }
  }
  lines.push("");

  const targets: string[] = [];
  const crossws: string[] = [];
  let crosswsWithin = true;
  for (const clients of counts) {
    targets.push(
      targetLine(results, clients, ["bun-typewire", "bun-raw"], "Bun: typewire vs raw", 0.95),
      targetLine(results, clients, ["deno-typewire", "deno-raw"], "Deno: typewire vs raw", 0.95),
      targetLine(results, clients, ["node-typewire", "node-raw"], "Node.js: typewire vs raw", 0.95),
      targetLine(results, clients, ["bun-typewire", "bun-elysia"], "Bun: typewire vs Elysia", 1),
      targetLine(results, clients, ["node-typewire", "node-socketio"], "Node.js: typewire vs Socket.IO", 2),
      targetLine(results, clients, ["bun-typewire", "node-socketio"], "typewire on Bun vs Socket.IO (Node.js)", 2),
      targetLine(results, clients, ["deno-typewire", "node-socketio"], "typewire on Deno vs Socket.IO (Node.js)", 2),
    );
    for (const runtime of ["bun", "deno"]) {
      const throughput = compare(results, clients, `${runtime}-crossws`, `${runtime}-typewire`, "throughput");
      const cpu = compare(results, clients, `${runtime}-crossws`, `${runtime}-typewire`, "serverCpuPerDelivery");
      const within = throughput.median >= 0.95 && cpu.median <= 1.05;
      const steady = compare(results, clients, `${runtime}-crossws`, `${runtime}-typewire`, "steadyCpuPerDelivery");
      crosswsWithin &&= within;
      crossws.push(
        `${runtime === "bun" ? "Bun" : "Deno"}, ${fmt(clients)} subscribers: typewire on crossws at ${
          ratio(throughput)
        } the throughput of typewire on its own adapter, ${ratio(cpu)} its server CPU per delivery saturated (${
          ratio(steady)
        } at the steady rate): ${within ? "within 5%" : "not within 5%"}`,
      );
    }
  }
  lines.push(
    "### Targets",
    "",
    ...[...targets, ...memoryTargets].map((t) => `- ${t}`),
    "",
    "### crossws as typewire's transport",
    "",
    "Adopted only if typewire's typed server on crossws fans out within 5% of typewire's own adapters (throughput no",
    "lower than 0.95x, CPU per delivery no higher than 1.05x) at every count, and every row of the policy holds on it.",
    "",
    ...crossws.map((c) => `- ${c}`),
    `- Fan-out within 5% everywhere: ${crosswsWithin ? "yes" : "no"}.`,
  );
  return lines.join("\n");
}
