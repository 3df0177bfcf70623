/**
 * `npm run bench`: every benchmark, one report. The codec benchmark, fan-out
 * throughput and latency against the raw socket, Socket.IO and partysocket,
 * fan-out over 1, 2 and 3 instances sharing a room through Redis, memory per
 * connection, the typed server's fan-out to one topic's subscribers against
 * raw servers, Elysia, Socket.IO and crossws, and its memory per idle
 * connection, request/reply round trips against Socket.IO, fan-out through
 * each cluster engine (memory, Redis, NATS) over 1 to 3 instances against
 * Socket.IO's Redis adapter, and the generator's scaling, on Bun and Deno; then
 * BENCHMARKS.md and benchmarks/throughput.svg are written.
 *
 * Usage: deno run -A scripts/bench.ts [--quick] [--only codec|fanout|scaleout|memory|serverfanout|requestreply|clusterfanout|generator]
 *   --quick  small sizes and short runs: checks that everything runs, writes nothing
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { barChart } from "./bench/chart.ts";
import { codecReport } from "./bench/codec.ts";
import { KINDS, runFanout, summarizeFanout } from "./bench/fanout.ts";
import { runGenerator } from "./bench/generator.ts";
import { describeMachine } from "./bench/machine.ts";
import { runMemory } from "./bench/memory.ts";
import { runScaleOut, setupName, SETUPS, summarizeScaleOut } from "./bench/scale_out.ts";
import { serverFanoutReport } from "./bench/server_fanout_report.ts";
import { requestReplyReport } from "./bench/request_reply_report.ts";
import { clusterFanoutReport } from "./bench/cluster_fanout_report.ts";
import { ROOT, type Runtime, runtimeVersions } from "./bench/processes.ts";
import { replaceSection, type Summary } from "./bench/stats.ts";
import { option, parseOptions } from "./args.ts";

const options = parseOptions(process.argv.slice(2), ["quick"]);
const quick = options.has("quick");
const only = option(options, "only", "");
const runs = quick ? 1 : 3;
const RUNTIMES: readonly Runtime[] = ["bun", "deno"];
const NAMES: Record<Runtime, string> = { bun: "Bun", deno: "Deno" };
const LABELS: Record<string, string> = {
  raw: "raw WebSocket + JSON.parse + switch",
  typewire: "typewire client",
  partysocket: "partysocket + JSON.parse + switch",
  socketio: "Socket.IO (server on Node.js)",
};
const sections: Record<string, string> = {};
const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const spread = (s: Summary, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
const ratio = (s: Summary) => `${fmt(s.median, 2)}x (${fmt(s.min, 2)}–${fmt(s.max, 2)})`;
const versions = runtimeVersions();
sections.machine =
  `Machine: ${describeMachine()}. Runtimes: Bun ${versions.bun}, Deno ${versions.deno}, Node.js ${versions.node}. ` +
  "Every connection is to 127.0.0.1.";

if (only === "" || only === "codec") {
  console.log("codec benchmark...");
  sections.codec = await codecReport(quick, runs);
}

if (only === "" || only === "fanout") {
  const counts = quick ? [32] : [32, 256];
  const seconds = quick ? 1 : 5;
  const groups: { label: string; bars: { label: string; value: number }[] }[] = [];
  const lines = [
    "## Fan-out: a chat room, N clients chatting",
    "",
    `Each client sends short chat lines in a closed loop (a line, then its own copy back from the room, then the next);`,
    `every client receives every line. Throughput counts lines received by all clients per second; latency is from a`,
    `line's sending to its arrival at each client (sampled), in milliseconds. The reference server and the clients run`,
    `on the same runtime, in two processes; Socket.IO's server runs on Node.js ${versions.node}, its clients`,
    `(socket.io-client, WebSocket transport) on the same runtime as the others. ${runs} run(s), ${seconds} s measured per kind`,
    `after 1 s of warm-up, kinds taking turns; medians (min–max over runs); ratios are to the raw client of the same run.`,
    "Client CPU is the client process's CPU time (user + system) per line received, while measuring: what the clients",
    "themselves cost, whoever limits the throughput. Server CPU is the server process's CPU time over the client run's",
    "wall time (100% is one core kept busy; the servers are single-threaded JavaScript).",
    "",
  ];
  const verdicts: string[] = [];
  for (const runtime of RUNTIMES) {
    console.log(`fan-out on ${NAMES[runtime]}...`);
    const summary = summarizeFanout(await runFanout(runtime, counts, runs, seconds));
    for (const [clients, byKind] of Object.entries(summary)) {
      lines.push(
        `### ${NAMES[runtime]}, ${clients} clients`,
        "",
        "| client | lines received/s | vs raw | p50 ms | p99 ms | client CPU µs/line | CPU vs raw | server CPU % |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      );
      for (const kind of KINDS) {
        const s = byKind[kind];
        lines.push(
          `| ${LABELS[kind]} | ${spread(s.throughput)} | ${ratio(s.vsRaw)} | ${spread(s.p50, 1)} | ${
            spread(s.p99, 1)
          } | ${spread(s.cpuPerLine, 2)} | ${ratio(s.cpuVsRaw)} | ${spread(s.serverCpu)} |`,
        );
      }
      lines.push("");
      const typewire = byKind.typewire.vsRaw.median;
      const overSocketIo = byKind.typewire.throughput.median / byKind.socketio.throughput.median;
      verdicts.push(
        `${NAMES[runtime]}, ${clients} clients: typewire at ${typewire.toFixed(2)}x the raw client (target ≥ 0.95x: ${
          typewire >= 0.95 ? "met" : "NOT met"
        }); ` +
          `${overSocketIo.toFixed(1)}x Socket.IO's throughput (target ≥ 5x: ${overSocketIo >= 5 ? "met" : "NOT met"})`,
      );
      groups.push({
        label: `${NAMES[runtime]}, ${clients} clients`,
        bars: KINDS.map((k) => ({ label: k, value: byKind[k].throughput.median })),
      });
    }
  }
  lines.push(
    "Verdict:",
    "",
    ...verdicts.map((v) => `- ${v}`),
    "",
    "![throughput by client](benchmarks/throughput.svg)",
  );
  sections.fanout = lines.join("\n");
  if (!quick) {
    mkdirSync(join(ROOT, "benchmarks"), { recursive: true });
    writeFileSync(
      join(ROOT, "benchmarks", "throughput.svg"),
      barChart("Fan-out throughput by client", "chat lines received by all clients per second (median)", groups),
    );
  }
}

if (only === "" || only === "scaleout") {
  const clients = 32;
  const seconds = quick ? 1 : 5;
  const setups = quick ? [SETUPS[0], SETUPS[2]].filter((s) => s !== undefined) : SETUPS;
  const lines = [
    "## Scale-out: one room over several instances and Redis",
    "",
    `${clients} typewire clients, dealt in turn over the instances, chat as in the fan-out benchmark; every instance is a`,
    "reference server process sharing the room through one local redis-server (Debian's), which carries every line to",
    "every instance. The baseline is one instance on its own, in memory. Everything runs on this one 2-core machine, so",
    `more instances add processes competing for the same cores: the figures show Redis's cost, not a cluster's capacity.`,
    `${runs} run(s), ${seconds} s measured per setup after 1 s of warm-up, setups taking turns; medians (min–max);`,
    "ratios are to the baseline of the same run. Instances CPU is every instance's CPU time together over the run's",
    "wall time (100% is one core).",
    "",
  ];
  for (const runtime of RUNTIMES) {
    console.log(`scale-out on ${NAMES[runtime]}...`);
    const summary = summarizeScaleOut(await runScaleOut(runtime, setups, clients, runs, seconds));
    lines.push(
      `### ${NAMES[runtime]}`,
      "",
      "| setup | lines received/s | vs one instance in memory | p50 ms | p99 ms | instances CPU % |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...setups.map((setup, i) => {
        const s = summary[i] as (typeof summary)[number];
        return `| ${setupName(setup)} | ${spread(s.throughput)} | ${ratio(s.vsBaseline)} | ${spread(s.p50, 1)} | ${
          spread(s.p99, 1)
        } | ${spread(s.instancesCpu)} |`;
      }),
      "",
    );
  }
  sections.scaleout = lines.join("\n");
}

if (only === "" || only === "memory") {
  const counts = quick ? [500] : [1_000, 10_000];
  // Resident memory moves by several hundred bytes per connection from one process to the next: more runs than the
  // others, so that the median, not one lucky or unlucky process, decides the verdict.
  const memoryRuns = quick ? runs : 5;
  const lines = [
    "## Memory per idle connection",
    "",
    "N idle connections opened in one process, to an idle server on the same runtime; resident memory after garbage",
    `collection, minus the same process's before the connections, per connection, in bytes. ${memoryRuns} run(s); medians (min–max).`,
    "The raw client parses and routes messages and notices closing, as an application's would; typewire's is",
    "`connect(chatClientProtocol, url, { reconnect: false })`, listening for `open`.",
    "",
    "| runtime | connections | raw WebSocket | typewire client | typewire adds | target ≤ 1 KiB |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const runtime of RUNTIMES) {
    console.log(`memory on ${NAMES[runtime]}...`);
    const results = await runMemory(runtime, counts, memoryRuns);
    for (const [clients, byKind] of Object.entries(results)) {
      const added = byKind.typewire.median - byKind.raw.median;
      lines.push(
        `| ${NAMES[runtime]} | ${fmt(Number(clients))} | ${spread(byKind.raw)} | ${spread(byKind.typewire)} | ${
          fmt(added)
        } | ${added <= 1024 ? "met" : "NOT met"} |`,
      );
    }
  }
  sections.memory = lines.join("\n");
}

if (only === "" || only === "serverfanout") {
  sections.serverfanout = await serverFanoutReport(quick, runs);
}

if (only === "" || only === "requestreply") {
  // Five rounds, not three: a round trip's latency is at the mercy of this shared machine's other load.
  sections.requestreply = await requestReplyReport(quick, quick ? runs : 5);
}

if (only === "" || only === "clusterfanout") {
  sections.clusterfanout = await clusterFanoutReport(quick, runs);
}

if (only === "" || only === "generator") {
  console.log("generator scaling...");
  const { firstRun, figures } = await runGenerator(quick ? [10, 50] : [10, 100, 500], runs);
  const lines = [
    "## Generator scaling",
    "",
    `Synthetic protocols of K message types (five fields each, half each way), written as TypeScript and run through the`,
    `whole pipeline (TypeScript -> JSON Schema -> model -> module) in one process on Deno; ${runs} run(s), medians (min–max).`,
    `Before them, a one-type protocol is generated once to load the TypeScript compiler: that first run took ${
      fmt(firstRun)
    } ms, a fixed cost`,
    "every `npm run gen` pays once.",
    "",
    "| message types | time, ms | ms per type | module | JSON Schema |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...figures.map((f) =>
      `| ${f.types} | ${spread(f.milliseconds)} | ${fmt(f.milliseconds.median / f.types, 1)} | ${
        fmt(f.moduleBytes / 1024, 1)
      } KiB | ${fmt(f.schemaBytes / 1024, 1)} KiB |`
    ),
    "",
  ];
  const largest = figures.at(-1);
  if (largest) {
    lines.push(
      `Target: ${largest.types} types in under 10 s: ${largest.milliseconds.median < 10_000 ? "met" : "NOT met"} (${
        fmt(largest.milliseconds.median)
      } ms).`,
    );
  }
  sections.generator = lines.join("\n");
}

const header = `# typewire benchmarks\n\n<!-- machine:start -->\n<!-- machine:end -->\n`;
if (quick) {
  for (const text of Object.values(sections)) console.log(`\n${text}`);
  console.log("\n(quick mode: nothing written)");
} else {
  const path = join(ROOT, "BENCHMARKS.md");
  let report = existsSync(path) ? readFileSync(path, "utf8") : header;
  for (const [name, text] of Object.entries(sections)) report = replaceSection(report, name, text);
  writeFileSync(path, report);
  console.log(`wrote BENCHMARKS.md (${Object.keys(sections).join(", ")})`);
}
