/**
 * The client side of the cluster fan-out benchmark, in a process of its own
 * (run on Bun): N subscribers dealt in turn over the K instances of a
 * cluster, and one publisher on the first instance. Every message carries its
 * publish time (this process's clock, in µs) and a 16-bit sequence number in
 * one integer, `n = µs * 65536 + seq`, so that every frame is the same size in
 * every setup; every subscriber counts what it receives, and the time from
 * publishing to arrival is sampled. Two phases on the same connections:
 *
 * - saturating: the publisher keeps `--window` messages in flight, sending the next one each time one has reached
 *   every subscriber, so that the cluster fans out as fast as it can without an unbounded backlog: deliveries per
 *   second, and the CPU time of the instances, of the engine, of this process and of everything else;
 * - steady: the publisher sends at a fixed rate, `--rate` deliveries a second in all: latency from publishing to
 *   arrival, p50 and p99.
 *
 * The subscribers are minimal WebSocket clients on plain TCP (`./tcp_websocket.ts`) that only find each frame's
 * `"n":`. The publisher is a standard WebSocket. Prints one line of JSON.
 *
 * Usage: cluster_fanout_clients.ts --wire plain|resumable|socketio --ports P1,P2,... --pids PID1,PID2,...
 *          [--engine-pid PID] [--topic T] [--clients N] [--window W] [--rate R] [--warmup S] [--seconds S]
 *          [--steady S]
 *   --wire plain      typewire's feed protocol: `shout`, which the instance publishes as a plain `note`
 *   --wire resumable  typewire's feed protocol: `post`, which the instance publishes as a resumable `entry`
 *   --wire socketio   Socket.IO's protocol (Engine.IO 4 over WebSocket): a "publish" event, "message" events back
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { option, parseOptions } from "../args.ts";
import { openTcpWebSocket, type TcpWebSocket } from "./tcp_websocket.ts";

const options = parseOptions(process.argv.slice(2));
const wire = option(options, "wire", "plain");
const ports = option(options, "ports", "").split(",").filter((p) => p !== "").map(Number);
const pids = option(options, "pids", "").split(",").filter((p) => p !== "").map(Number);
const enginePid = Number(option(options, "engine-pid", "0"));
const topic = option(options, "topic", "room");
const clients = Number(option(options, "clients", "60"));
const window = Number(option(options, "window", "256"));
const rate = Number(option(options, "rate", "20000"));
const warmup = Number(option(options, "warmup", "1"));
const seconds = Number(option(options, "seconds", "2"));
const steadySeconds = Number(option(options, "steady", "1.5"));
if (ports.length === 0) throw new Error("--ports: at least one instance");

/** A process's CPU time so far, in seconds: the sum of its threads' time on a CPU (/proc/<pid>/task/<tid>/schedstat). */
function cpuSecondsOf(pid: number): number {
  if (!(pid > 0)) return 0;
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return nanoseconds / 1e9;
}

/** Linux's clock ticks per second for /proc/stat (`getconf CLK_TCK`: 100 on every Linux this runs on). */
const CLOCK_TICKS = 100;
/** The machine's busy CPU time so far, every core, in seconds (/proc/stat: all but idle and iowait). */
function machineBusySeconds(): number {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / CLOCK_TICKS;
}

const socketIo = wire === "socketio";
const pathOf = (role: "sub" | "pub", i: number) =>
  socketIo ? `/socket.io/?EIO=4&transport=websocket&role=${role}` : `/?user=${role}${i}`;

const SEQ_SPAN = 65_536;
/** What the publisher sends for message `n`; every instance publishes `{"type":"note"|"entry","topic":..,"n":n...}`. */
function frameOf(n: number): string {
  switch (wire) {
    case "plain":
      return `{"type":"shout","topic":${JSON.stringify(topic)},"n":${n}}`;
    case "resumable":
      return `{"type":"post","topic":${JSON.stringify(topic)},"n":${n},"text":""}`;
    default:
      return `42["publish",{"topic":${JSON.stringify(topic)},"n":${n}}]`;
  }
}

// Messages in flight, by sequence number modulo the ring: their `n`, and how many subscribers have each.
const MASK = SEQ_SPAN - 1;
const slotN = new Float64Array(SEQ_SPAN).fill(-1);
const slotCount = new Int32Array(SEQ_SPAN);
let nextSeq = 0;
let published = 0;
let completed = 0;
/** Whether a message reaching every subscriber sends the next one (the saturating phase). */
let closedLoop = false;
let running = true;
let measuring = false;
let deliveries = 0;
let closed = 0;
let frameBytes = 0;
const SAMPLE_EVERY = 7;
let latencies: number[] = [];

function publish(): void {
  const seq = nextSeq++ & MASK;
  const n = Math.round(performance.now() * 1_000) * SEQ_SPAN + seq;
  slotN[seq] = n;
  slotCount[seq] = 0;
  published++;
  publisher.send(frameOf(n));
}

// `"n":` as bytes.
const N = [0x22, 0x6e, 0x22, 0x3a];

/** One text frame at a subscriber: the note or entry, bare or inside Socket.IO's `42["message",...]`. */
function received(bytes: Uint8Array, start: number, end: number): void {
  let at = -1;
  search: for (let i = start; i <= end - N.length; i++) {
    for (let j = 0; j < N.length; j++) if (bytes[i + j] !== N[j]) continue search;
    at = i + N.length;
    break;
  }
  if (at === -1) return;
  let n = 0;
  for (let i = at; i < end; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) break;
    n = n * 10 + digit;
  }
  const seq = n % SEQ_SPAN;
  if (slotN[seq] !== n) return;
  if (measuring && ++deliveries % SAMPLE_EVERY === 0) {
    frameBytes = end - start;
    latencies.push(performance.now() - Math.floor(n / SEQ_SPAN) / 1_000);
  }
  const count = (slotCount[seq] as number) + 1;
  slotCount[seq] = count;
  if (count === clients) {
    completed++;
    if (closedLoop && running) publish();
  }
}

const lost = () => running && closed++;

/** A subscriber on instance `i % K`: resolves once it is subscribed (typewire: `joined`; Socket.IO: namespace joined). */
async function subscribe(i: number): Promise<TcpWebSocket> {
  const port = ports[i % ports.length] as number;
  const ready = Promise.withResolvers<void>();
  const ws = await openTcpWebSocket(port, pathOf("sub", i), (bytes, start, end, ws) => {
    if (socketIo) {
      if (bytes[start] !== 0x34) { // not a Socket.IO packet: Engine.IO's open ("0{...}") or ping ("2")
        if (bytes[start] === 0x30) ws.sendText("40");
        else if (bytes[start] === 0x32) ws.sendText("3");
      } else if (bytes[start + 1] === 0x30) ready.resolve(); // `40{"sid":...}`: the namespace is joined
      else received(bytes, start, end);
    } else if (bytes[start + 9] === 0x6a) ready.resolve(); // `{"type":"joined",...}`
    else received(bytes, start, end);
  }, lost);
  if (!socketIo) ws.sendText(`{"type":"join","topic":${JSON.stringify(topic)}}`);
  await ready.promise;
  return ws;
}

/** The publisher, on the first instance: a standard WebSocket. Resolves once it can send. */
function openPublisher(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${ports[0]}${pathOf("pub", 0)}`);
    ws.onerror = () => reject(new Error("the publisher could not connect"));
    ws.onclose = lost;
    if (!socketIo) {
      ws.onopen = () => resolve(ws);
      // The feed server sends the publisher nothing, unless it refuses a message.
      ws.onmessage = (event: MessageEvent) => console.error(`publisher got ${String(event.data).slice(0, 200)}`);
      return;
    }
    ws.onmessage = (event: MessageEvent) => {
      const data = String(event.data);
      if (data === "2") ws.send("3");
      else if (data.startsWith("40")) resolve(ws);
      else if (data.startsWith("0")) ws.send("40");
    };
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const subscribers: TcpWebSocket[] = [];
const BATCH = 100;
for (let i = 0; i < clients; i += BATCH) {
  const batch = Array.from({ length: Math.min(BATCH, clients - i) }, (_, j) => subscribe(i + j));
  subscribers.push(...await Promise.all(batch));
}
const publisher = await openPublisher();

// Ready once one message has reached every subscriber (through the engine, to every instance).
for (let tries = 0; completed === 0; tries++) {
  if (tries === 50) throw new Error(`no message reached all ${clients} subscribers within 5 s`);
  publish();
  await sleep(100);
}
// Those first messages count for nothing: one that missed a subscriber (not yet subscribed) would never complete.
slotN.fill(-1);
published = 0;
completed = 0;

/** Measures one window: deliveries, and the CPU time of the instances, of the engine, of this process and the rest. */
async function measure(ms: number) {
  const cpuOf = (list: readonly number[]) => list.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0);
  const before = {
    completed,
    deliveries,
    cpu: process.cpuUsage(),
    instances: cpuOf(pids),
    engine: cpuSecondsOf(enginePid),
    busy: machineBusySeconds(),
    at: performance.now(),
  };
  measuring = true;
  await sleep(ms);
  measuring = false;
  const elapsed = (performance.now() - before.at) / 1_000;
  const instances = cpuOf(pids) - before.instances;
  const engine = cpuSecondsOf(enginePid) - before.engine;
  const usage = process.cpuUsage(before.cpu);
  const client = (usage.user + usage.system) / 1e6;
  const others = Math.max(0, machineBusySeconds() - before.busy - instances - engine - client);
  return {
    elapsed,
    delivered: deliveries - before.deliveries,
    completed: completed - before.completed,
    instances,
    engine,
    client,
    others,
  };
}

const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;

// Saturating: a fixed number of messages in flight.
closedLoop = true;
for (let i = 0; i < window; i++) publish();
await sleep(warmup * 1_000);
const saturated = await measure(seconds * 1_000);
closedLoop = false;
latencies.sort((a, b) => a - b);
const saturatedP50 = quantile(0.5);
const saturatedP99 = quantile(0.99);
// Let the window drain (a slow cluster may hold seconds of backlog), then the steady rate settle, before measuring it.
for (const drainEnd = performance.now() + 5_000; completed < published && performance.now() < drainEnd;) {
  await sleep(20);
}
const incomplete = published - completed;
const pause = Math.min(500, warmup * 1_000);

// Steady: `rate` deliveries a second in all, one message every clients/rate seconds (several per tick when shorter).
latencies = [];
const perSecond = rate / clients;
const steadyStart = performance.now();
let sent = 0;
const ticker = setInterval(() => {
  const due = Math.floor(((performance.now() - steadyStart) / 1_000) * perSecond);
  for (; sent < due; sent++) publish();
}, Math.max(1, Math.min(10, 1_000 / perSecond)));
await sleep(pause);
const steady = await measure(steadySeconds * 1_000);
clearInterval(ticker);
running = false;
latencies.sort((a, b) => a - b);

console.log(JSON.stringify({
  wire,
  clients,
  instances: ports.length,
  window,
  frameBytes,
  deliveries: saturated.delivered,
  throughput: saturated.delivered / saturated.elapsed,
  /** Messages that reached every subscriber, per second, saturated. */
  messages: saturated.completed / saturated.elapsed,
  /** Each CPU share is CPU time over the saturated window's wall time: 1 is one core kept busy. */
  instancesCpuShare: saturated.instances / saturated.elapsed,
  engineCpuShare: saturated.engine / saturated.elapsed,
  clientCpuShare: saturated.client / saturated.elapsed,
  othersCpuShare: saturated.others / saturated.elapsed,
  saturatedP50,
  saturatedP99,
  /** Messages of the saturating phase that had not reached every subscriber 5 s after it. */
  incomplete,
  steadyRate: steady.delivered / steady.elapsed,
  steadyInstancesCpuShare: steady.instances / steady.elapsed,
  steadyEngineCpuShare: steady.engine / steady.elapsed,
  p50: quantile(0.5),
  p99: quantile(0.99),
  samples: latencies.length,
  closed,
}));
for (const { socket } of subscribers) socket.destroy();
publisher.close();
setTimeout(() => process.exit(0), 50);
