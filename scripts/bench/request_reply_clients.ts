/**
 * The client side of the request/reply benchmark, in a process of its own
 * (run on Bun): one connection to one server, and K requests kept in flight
 * on it (K loops, each sending a request, awaiting its reply, then sending the
 * next) for a fixed time after a warm-up, for each K asked in turn. Every
 * round trip is timed, from the call to its reply. The server's CPU time, this
 * process's and the rest of the machine's are read over each measured window
 * (from /proc). Any failed request fails the run. Prints one line of JSON.
 *
 * Usage: request_reply_clients.ts --kind typewire|socketio|raw --port P --pid SERVER_PID --inflight K [--inflight K...]
 *          [--warmup S] [--seconds S]
 *   --kind typewire  typewire's client: `connect(roomsProtocol, url)`, `client.request({ type: "list-members", ... })`
 *   --kind socketio  socket.io-client over WebSocket: `socket.timeout(10000).emitWithAck("list-members", ...)`
 *   --kind raw       the global WebSocket, replies correlated by hand (see `openRaw`)
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { io } from "socket.io-client";
import { connect } from "../../src/client/mod.ts";
import { roomsProtocol } from "../../tests/fixtures/generated/rooms.ts";
import { option, parseOptions } from "../args.ts";

const options = parseOptions(process.argv.slice(2));
const kind = option(options, "kind", "typewire");
const port = Number(option(options, "port", "0"));
const serverPid = Number(option(options, "pid", "0"));
const inflights = (options.get("inflight") ?? ["1"]).map(Number);
const warmup = Number(option(options, "warmup", "1"));
const seconds = Number(option(options, "seconds", "3"));

/** A bound on the round trips of one phase, whatever the time left: no loop here runs unbounded. */
const MAX_ROUND_TRIPS = 5_000_000;
/** How long a request may wait for its reply, in milliseconds, on both clients. */
const TIMEOUT = 10_000;
/** Linux's clock ticks per second for /proc (`getconf CLK_TCK`: 100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

/** One connection: ask once, resolving with the reply. */
interface Asker {
  ask(): Promise<{ readonly type: string }>;
  close(): void;
}

async function openTypewire(): Promise<Asker> {
  const client = connect(roomsProtocol, `ws://127.0.0.1:${port}/`, { reconnect: false, requestTimeout: TIMEOUT });
  await new Promise<void>((resolve, reject) => {
    client.onEvent("open", () => resolve(), { once: true });
    client.onEvent("close", () => reject(new Error("typewire's client could not connect")), { once: true });
  });
  return {
    ask: () => client.request({ type: "list-members", room: "r" }),
    close: () => void client.close(),
  };
}

async function openSocketIo(): Promise<Asker> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return {
    ask: () => socket.timeout(TIMEOUT).emitWithAck("list-members", { type: "list-members", room: "r" }),
    close: () => void socket.disconnect(),
  };
}

/**
 * The least a hand-written request/reply over a raw socket does: the global `WebSocket`, each request numbered and
 * sent with `JSON.stringify`, each reply parsed with `JSON.parse` and handed to its request's resolver, found by
 * number in a `Map`. No validation and no timeout per request; if the connection closes, every request waiting is
 * answered with a non-`members` reply, which fails the run.
 */
async function openRaw(): Promise<Asker> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
  const waiting = new Map<number, (reply: { readonly type: string }) => void>();
  let next = 0;
  socket.onmessage = (event) => {
    const reply = JSON.parse(event.data as string) as { type: string; request: number };
    const resolve = waiting.get(reply.request);
    if (resolve === undefined) throw new Error(`raw: a reply to no request: ${String(event.data)}`);
    waiting.delete(reply.request);
    resolve(reply);
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("the raw WebSocket could not connect"));
  });
  socket.onclose = () => {
    for (const resolve of waiting.values()) resolve({ type: "closed" });
    waiting.clear();
  };
  return {
    ask: () =>
      new Promise((resolve) => {
        const request = next++;
        waiting.set(request, resolve);
        socket.send(JSON.stringify({ type: "list-members", request, room: "r" }));
      }),
    close: () => socket.close(),
  };
}

/** A process's CPU time so far, every thread's, in seconds (/proc/<pid>/stat: utime and stime). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The machine's busy CPU time so far, every core, in seconds (/proc/stat: all but idle and iowait). */
function machineBusySeconds(): number {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / CLOCK_TICKS;
}

/**
 * Keeps `inflight` requests going for `ms` milliseconds.
 *
 * @param latencies Where to put each round trip's time, in microseconds, when it is measured.
 * @returns The round trips answered within the time.
 */
async function load(asker: Asker, inflight: number, ms: number, latencies?: number[]): Promise<number> {
  const end = performance.now() + ms;
  let count = 0;
  const loop = async () => {
    while (count < MAX_ROUND_TRIPS) {
      const sent = performance.now();
      if (sent >= end) return;
      const reply = await asker.ask();
      if (reply.type !== "members") throw new Error(`${kind}: a ${JSON.stringify(reply.type)} reply`);
      const answered = performance.now();
      if (answered > end) return;
      count++;
      latencies?.push((answered - sent) * 1_000);
    }
  };
  await Promise.all(Array.from({ length: inflight }, loop));
  return count;
}

/** Warms up, then measures one in-flight count. */
async function measure(asker: Asker, inflight: number) {
  await load(asker, inflight, warmup * 1_000);
  const latencies: number[] = [];
  const before = { cpu: process.cpuUsage(), server: cpuSecondsOf(serverPid), busy: machineBusySeconds() };
  const at = performance.now();
  const roundTrips = await load(asker, inflight, seconds * 1_000, latencies);
  const elapsed = (performance.now() - at) / 1_000;
  const serverCpu = cpuSecondsOf(serverPid) - before.server;
  const cpu = process.cpuUsage(before.cpu);
  const clientCpu = (cpu.user + cpu.system) / 1e6;
  const others = Math.max(0, machineBusySeconds() - before.busy - serverCpu - clientCpu);
  latencies.sort((a, b) => a - b);
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    inflight,
    roundTrips,
    perSecond: roundTrips / seconds,
    /** Latency percentiles, in microseconds. */
    p50: quantile(0.5),
    p99: quantile(0.99),
    /** The server's CPU time per round trip, in microseconds. */
    serverCpuPerRoundTrip: (serverCpu * 1e6) / roundTrips,
    /** This process's CPU time per round trip, in microseconds. */
    clientCpuPerRoundTrip: (clientCpu * 1e6) / roundTrips,
    /** CPU time over the window's wall time: 1 is one core kept busy. */
    serverCpuShare: serverCpu / elapsed,
    clientCpuShare: clientCpu / elapsed,
    othersCpuShare: others / elapsed,
  };
}

const OPEN: Record<string, () => Promise<Asker>> = { typewire: openTypewire, socketio: openSocketIo, raw: openRaw };
const open = OPEN[kind];
if (open === undefined) throw new Error(`--kind ${kind}: typewire, socketio or raw`);
const asker = await open();
const results = [];
for (const inflight of inflights) results.push(await measure(asker, inflight));
console.log(JSON.stringify({ kind, results }));
asker.close();
setTimeout(() => process.exit(0), 50);
