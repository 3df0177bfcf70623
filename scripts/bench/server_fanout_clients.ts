/**
 * The client side of the server fan-out benchmark, in a process of its own
 * (run on Bun): N subscribers and one publisher. Each message's text starts
 * with its publish time (this process's clock); every subscriber counts what
 * it receives, and the time from publishing to arrival is sampled. The
 * server's CPU time is read from /proc over each measured window, and so is
 * the rest of the machine's (other processes share its cores). Two phases
 * on the same connections, one after the other:
 *
 * - saturating: the publisher keeps `--window` messages in flight, sending the next one each time one has reached
 *   every subscriber, so the server fans out as fast as it can without an unbounded backlog: deliveries per second,
 *   the server's CPU time per delivery, and the other processes' CPU time;
 * - steady: the publisher sends at a fixed rate, `--rate` deliveries a second in all, that every server sustains:
 *   latency from publishing to arrival, p50 and p99, and the server's CPU time per delivery at that rate.
 *
 * The subscribers are minimal WebSocket clients on plain TCP (`./tcp_websocket.ts`) that only find each frame's
 * `seq`, so that the client process costs far less per delivery than the servers do. The publisher is a standard
 * WebSocket. Prints one line of JSON.
 *
 * Usage: server_fanout_clients.ts --wire echo|say|socketio --port P --pid SERVER_PID --clients N
 *          [--seconds S] [--warmup S] [--window W] [--rate R] [--steady S]
 *   --wire echo      the publisher sends the echo frame itself, which a raw server forwards as it is
 *   --wire say       the publisher sends a `say` message, which a typed server publishes as an echo message object
 *   --wire socketio  Socket.IO's protocol (Engine.IO 4 over WebSocket): a "publish" event, "message" events back
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { option, parseOptions } from "../args.ts";
import { openTcpWebSocket, type TcpWebSocket } from "./tcp_websocket.ts";

const options = parseOptions(process.argv.slice(2));
const wire = option(options, "wire", "say");
const port = Number(option(options, "port", "0"));
const serverPid = Number(option(options, "pid", "0"));
const clients = Number(option(options, "clients", "32"));
const seconds = Number(option(options, "seconds", "3"));
const warmup = Number(option(options, "warmup", "1"));
const window = Number(option(options, "window", "64"));
const rate = Number(option(options, "rate", "20000"));
const steadySeconds = Number(option(options, "steady", "2"));

/** The server's CPU time so far, in seconds: the sum of its threads' time on a CPU (/proc/<pid>/task/<tid>/schedstat). */
function serverCpuSeconds(): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${serverPid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${serverPid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return nanoseconds / 1e9;
}

/** The machine's busy CPU time so far, every core, in seconds (/proc/stat: all but idle and iowait). */
function machineBusySeconds(): number {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return (total - (fields[3] ?? 0) - (fields[4] ?? 0)) / CLOCK_TICKS;
}
/** Linux's clock ticks per second for /proc/stat (`getconf CLK_TCK`: 100 on every Linux this runs on). */
const CLOCK_TICKS = 100;

const pathOf = (role: "sub" | "pub") =>
  wire === "socketio" ? `/socket.io/?EIO=4&transport=websocket&role=${role}` : `/?role=${role}`;

/** Pads the text so that the echo frame subscribers receive is about 100 bytes. */
const PADDING = " lorem ipsum dolor sit amet, consectetur adipiscing";
function frameOf(seq: number): string {
  const text = `${performance.now().toFixed(3)}${PADDING}`;
  switch (wire) {
    case "echo":
      return JSON.stringify({ type: "echo", seq, text });
    case "say":
      return JSON.stringify({ type: "say", seq, text });
    default:
      return `42${JSON.stringify(["publish", { seq, text }])}`;
  }
}

// Messages in flight, by seq modulo the ring: how many subscribers have each.
const RING = 1 << 16;
const MASK = RING - 1;
const slotSeq = new Float64Array(RING).fill(-1);
const slotCount = new Int32Array(RING);
let nextSeq = 0;
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
  const seq = nextSeq++;
  const slot = seq & MASK;
  slotSeq[slot] = seq;
  slotCount[slot] = 0;
  publisher.send(frameOf(seq));
}

// `"seq":` and `"text":"` as bytes.
const SEQ = [0x22, 0x73, 0x65, 0x71, 0x22, 0x3a];
const TEXT_AFTER_SEQ = 9; // `,"text":"`

/** One text frame at a subscriber: the echo message, bare or inside Socket.IO's `42["message",...]`. */
function received(bytes: Uint8Array, start: number, end: number): void {
  let at = -1;
  const last = Math.min(end, start + 64) - SEQ.length;
  search: for (let i = start; i <= last; i++) {
    for (let j = 0; j < SEQ.length; j++) if (bytes[i + j] !== SEQ[j]) continue search;
    at = i + SEQ.length;
    break;
  }
  if (at === -1) return;
  let seq = 0;
  let i = at;
  for (; i < end; i++) {
    const digit = (bytes[i] as number) - 48;
    if (digit < 0 || digit > 9) break;
    seq = seq * 10 + digit;
  }
  const slot = seq & MASK;
  if (slotSeq[slot] !== seq) return;
  if (measuring && ++deliveries % SAMPLE_EVERY === 0) {
    frameBytes = end - start;
    let text = "";
    for (let k = i + TEXT_AFTER_SEQ; k < end && bytes[k] !== 0x20; k++) text += String.fromCharCode(bytes[k] as number);
    latencies.push(performance.now() - Number(text));
  }
  const count = (slotCount[slot] as number) + 1;
  slotCount[slot] = count;
  if (count === clients) {
    completed++;
    if (closedLoop && running) publish();
  }
}

/** A subscriber: resolves once it can receive (for Socket.IO, once it has joined the main namespace). */
async function subscribe(): Promise<TcpWebSocket> {
  if (wire !== "socketio") return await openTcpWebSocket(port, pathOf("sub"), received, lost);
  const joined = Promise.withResolvers<void>();
  const ws = await openTcpWebSocket(port, pathOf("sub"), (bytes, start, end, ws) => {
    if (bytes[start] !== 0x34) { // not a Socket.IO packet: Engine.IO's open ("0{...}") or ping ("2")
      if (bytes[start] === 0x30) ws.sendText("40");
      else if (bytes[start] === 0x32) ws.sendText("3");
    } else if (bytes[start + 1] === 0x30) joined.resolve(); // `40{"sid":...}`: the namespace is joined
    else received(bytes, start, end);
  }, lost);
  await joined.promise;
  return ws;
}

const lost = () => running && closed++;

/** The publisher: a standard WebSocket. Resolves once it can send. */
function openPublisher(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${pathOf("pub")}`);
    ws.onerror = () => reject(new Error("the publisher could not connect"));
    ws.onclose = lost;
    if (wire !== "socketio") {
      ws.onopen = () => resolve(ws);
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
  subscribers.push(...await Promise.all(Array.from({ length: Math.min(BATCH, clients - i) }, subscribe)));
}
const publisher = await openPublisher();

// Ready once one message has reached every subscriber (a server may subscribe a connection a little after its open).
for (let tries = 0; completed === 0; tries++) {
  if (tries === 50) throw new Error(`no message reached all ${clients} subscribers within 5 s`);
  publish();
  await sleep(100);
}

/** Measures one window: deliveries, and the CPU time of the server, of this process and of everything else. */
async function measure(ms: number) {
  const before = {
    completed,
    deliveries,
    cpu: process.cpuUsage(),
    server: serverCpuSeconds(),
    busy: machineBusySeconds(),
    at: performance.now(),
  };
  measuring = true;
  await sleep(ms);
  measuring = false;
  const elapsed = (performance.now() - before.at) / 1_000;
  const serverCpu = serverCpuSeconds() - before.server;
  const cpu = process.cpuUsage(before.cpu);
  const clientCpu = (cpu.user + cpu.system) / 1e6;
  const delivered = deliveries - before.deliveries;
  const others = Math.max(0, machineBusySeconds() - before.busy - serverCpu - clientCpu);
  return { elapsed, delivered, published: completed - before.completed, serverCpu, clientCpu, others };
}

// Saturating: a fixed number of messages in flight.
closedLoop = true;
for (let i = 0; i < window; i++) publish();
await sleep(warmup * 1_000);
const saturated = await measure(seconds * 1_000);
closedLoop = false;
latencies.sort((a, b) => a - b);
const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
const saturatedP50 = quantile(0.5);
// Let the window drain, then let the steady rate settle, before measuring it.
const pause = Math.min(500, warmup * 1_000);
await sleep(pause);

// Steady: `rate` deliveries a second in all, one message every clients/rate seconds (several per tick when shorter).
latencies = [];
const perSecond = rate / clients;
const steadyStart = performance.now();
let sent = 0;
const ticker = setInterval(() => {
  const due = Math.floor(((performance.now() - steadyStart) / 1_000) * perSecond);
  for (; sent < due; sent++) publish();
}, Math.max(1, Math.min(20, 1_000 / perSecond)));
await sleep(pause);
const steady = await measure(steadySeconds * 1_000);
clearInterval(ticker);
running = false;
latencies.sort((a, b) => a - b);

console.log(JSON.stringify({
  wire,
  clients,
  window,
  frameBytes,
  deliveries: saturated.delivered,
  published: saturated.published,
  throughput: saturated.delivered / saturated.elapsed,
  /** The server's CPU time per delivery while saturated, in microseconds. */
  serverCpuPerDelivery: (saturated.serverCpu * 1e6) / saturated.delivered,
  /** The server's CPU time over the saturated window's wall time: 1 is one core kept busy. */
  serverCpuShare: saturated.serverCpu / saturated.elapsed,
  /** This process's CPU time over the saturated window's wall time. */
  clientCpuShare: saturated.clientCpu / saturated.elapsed,
  /** Every other process's CPU time over the saturated window's wall time: the machine's other load. */
  othersCpuShare: saturated.others / saturated.elapsed,
  /** The server's CPU time per delivery at the steady rate, in microseconds. */
  steadyCpuPerDelivery: (steady.serverCpu * 1e6) / steady.delivered,
  saturatedP50,
  steadyRate: steady.delivered / steady.elapsed,
  p50: quantile(0.5),
  p99: quantile(0.99),
  samples: latencies.length,
  closed,
}));
for (const { socket } of subscribers) socket.destroy();
publisher.close();
setTimeout(() => process.exit(0), 50);
