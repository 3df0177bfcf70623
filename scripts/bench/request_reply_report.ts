/**
 * The request/reply benchmark, run and written up as BENCHMARKS.md's
 * `requestreply` section: a table per in-flight count, then the targets
 * (typewire at least twice Socket.IO's round trips per second at 64 in
 * flight, and a lower p99) with their figures and whether each is met, per
 * runtime, and the ratio the raw baseline reaches: the ceiling on this
 * machine.
 */
import {
  disturbance,
  type PairedSummary,
  RAW_SERVER,
  type RoundTripSummary,
  runRequestReply,
  summarizeRequestReply,
  type Timing,
  TYPEWIRE_SERVERS,
} from "./request_reply.ts";
import { OTHERS_LIMIT } from "./server_fanout.ts";
import { summarize, type Summary } from "./stats.ts";

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const spread = (s: Summary, digits = 0) => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
const ratio = (s: Summary) => `${fmt(s.median, 2)}x (${fmt(s.min, 2)}–${fmt(s.max, 2)})`;
const verdict = (met: boolean) => (met ? "met" : "**NOT met**");
/** How many pairs of turns a full run may take again for the machine's other load. */
const RETRIES = 15;

/** The in-flight counts measured. */
const INFLIGHT: readonly number[] = [1, 64];
/** The in-flight count of the headline: round trips per second over Socket.IO's. */
const HEADLINE = 64;
/** The target: typewire's round trips per second over Socket.IO's, at 64 in flight. */
const FLOOR = 2;

/** One table row: the figures after the server's name and the ratio to Socket.IO. */
const cells = (s: RoundTripSummary) =>
  `${spread(s.p50)} | ${spread(s.p99)} | ${spread(s.serverCpuPerRoundTrip, 1)} | ${
    spread(s.clientCpuPerRoundTrip, 1)
  } | ${spread(s.serverCpu)} | ${spread(s.clientCpu)} |`;

/**
 * Runs the benchmark and writes the section.
 *
 * @param quick Short windows (0.2 s of warm-up, 0.5 s measured), each pair of turns taken once.
 * @param rounds Repetitions.
 * @returns The section's Markdown.
 * @example
 * ```ts
 * import { requestReplyReport } from "./request_reply_report.ts";
 * console.log(await requestReplyReport(true, 1));
 * ```
 */
export async function requestReplyReport(quick: boolean, rounds: number): Promise<string> {
  const timing: Timing = quick ? { warmup: 0.2, seconds: 0.5 } : { warmup: 1, seconds: 3 };
  console.log("request/reply...");
  const { pairs, retried } = await runRequestReply(INFLIGHT, rounds, timing, quick ? 1 : 3, RETRIES);
  const others = summarize(pairs.map((pair) => disturbance(pair) * 100));

  const lines = [
    "## Request and reply: round trips",
    "",
    "One client connection keeps 1 or 64 requests in flight (as many loops, each sending a request, awaiting its",
    `reply, then sending the next) and counts the round trips answered within ${timing.seconds} s, after ${timing.warmup} s`,
    "of warm-up; every round trip is timed from the call to its reply (p50 and p99, in microseconds). typewire:",
    '`connect(roomsProtocol, url)` calling `await client.request({ type: "list-members", room: "r" })`, against the',
    "typed server (`createServer`, the rooms fixture protocol, `limits: { framesPerSecond: 1e9, burst: 1e9,",
    'maxPendingRequests: 1000 }`) whose handler returns `{ type: "members", names: [...] }` (typewire copies the',
    "correlation value into it), on Bun, Deno and Node.js (its `ws` adapter, bundled with esbuild). Socket.IO: a",
    'Node.js server answering `socket.on("list-members", (msg, ack) => ack({ type: "members", names: [...] }))`,',
    'socket.io-client calling `socket.timeout(10000).emitWithAck("list-members", {...})` with',
    '`transports: ["websocket"]`. The baseline, the raw socket with nothing of typewire: a `Bun.serve` server that',
    'parses each text frame with `JSON.parse` and answers `JSON.stringify({ type: "members", request, names: [...] })`,',
    "copying the request's number by hand, and a client on the global `WebSocket` that numbers each request, sends it",
    "with `JSON.stringify`, parses each reply with `JSON.parse` and resolves the request found by its number in a",
    "`Map` (no validation, no timeout per request): the least a hand-written request/reply does, so the ceiling for",
    "any library on this machine. All reply with the same three names. The clients run on Bun, in a process of their",
    "own for each turn; every server runs in a process of its own, all started at once. Each typewire or raw turn is",
    "followed by a Socket.IO turn (typewire on Bun, Socket.IO, typewire on Deno, Socket.IO, typewire on Node.js,",
    "Socket.IO, raw, Socket.IO; that order rotated from round to round), so that the machine's noise hits both sides",
    `alike; ratios are to the Socket.IO turn paired with each turn. ${rounds} round(s); medians (min–max over`,
    "rounds; Socket.IO's rows over all its turns). CPU per round trip is the server process's and the client",
    "process's CPU time over the window (from /proc), divided by its round trips; CPU % is over the window's wall",
    "time (100% is one core; the machine has two). The machine is shared: a pair of turns during which other processes",
    `took more than ${fmt(OTHERS_LIMIT * 100)}% of a core is taken again (up to twice, keeping the least disturbed; at`,
    `most ${RETRIES} pairs in all).`,
    "",
  ];
  const summaries = new Map(INFLIGHT.map((inflight) => [inflight, summarizeRequestReply(pairs, inflight)]));
  /** A paired server's figures (typewire's or the raw baseline's) at one in-flight count. */
  const pairedAt = (inflight: number, id: string): PairedSummary => {
    const s = summaries.get(inflight)?.paired[id];
    if (s === undefined) throw new Error(`no figures for ${id} at ${inflight} in flight`);
    return s;
  };
  for (const [inflight, { socketio }] of summaries) {
    lines.push(
      `### ${inflight} request${inflight === 1 ? "" : "s"} in flight`,
      "",
      "| server | round trips/s | vs Socket.IO | p50 µs | p99 µs | server CPU µs/round trip | client CPU µs/round trip | server CPU % | client CPU % |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...[RAW_SERVER, ...TYPEWIRE_SERVERS].map(({ id, kind, runtime }) => {
        const s = pairedAt(inflight, id);
        const name = kind === "raw" ? "raw WebSocket (hand-correlated)" : "typewire typed server";
        return `| ${name}, ${runtime} | ${spread(s.perSecond)} | ${ratio(s.vsSocketIo)} | ${cells(s)}`;
      }),
      `| Socket.IO, Node.js | ${spread(socketio.perSecond)} | 1 | ${cells(socketio)}`,
      "",
    );
  }

  const raw = pairedAt(HEADLINE, RAW_SERVER.id);
  const targets = TYPEWIRE_SERVERS.map(({ id, runtime }) => {
    const p99 = INFLIGHT.map((inflight) => {
      const s = pairedAt(inflight, id);
      return `at ${inflight} in flight ${fmt(s.p99.median)} µs against ${fmt(s.socketIoP99.median)} µs, ${
        ratio(s.p99VsSocketIo)
      } pair by pair (${verdict(s.p99VsSocketIo.median < 1)})`;
    });
    const { vsSocketIo } = pairedAt(HEADLINE, id);
    return `${runtime}: typewire at ${ratio(vsSocketIo)} Socket.IO's round trips per second at ${HEADLINE} in flight ` +
      `(target ≥ ${FLOOR}x: ${verdict(vsSocketIo.median >= FLOOR)}); p99 lower than Socket.IO's: ${p99.join("; ")}`;
  });
  lines.push(
    "### Targets",
    "",
    ...targets.map((t) => `- ${t}`),
    "",
    `The raw socket itself (the hand-correlated baseline on Bun, nothing of typewire) reaches ${
      ratio(raw.vsSocketIo)
    } Socket.IO's round trips per second at ${HEADLINE} in flight on this machine (medians ${
      fmt(raw.perSecond.median)
    } against ${fmt(raw.socketIoPerSecond.median)}): the ceiling for any library here${
      raw.vsSocketIo.median < FLOOR ? `, so the ${FLOOR}x target is out of reach` : ""
    }.`,
    "",
    `Other processes' load, the most in any window of a pair kept: median ${fmt(others.median)}% of a core (max ${
      fmt(others.max)
    }%); ${fmt(retried)} pair(s) taken again for it.`,
  );
  return lines.join("\n");
}
