/**
 * One side of the fan-out benchmark: N clients of one kind join a chat room,
 * each sending short lines in a closed loop (a line, then its own copy back,
 * then the next) for a fixed time. Every client counts every line it
 * receives, the time from a line's sending to its arrival (all clients
 * share this process's clock), and the CPU time the process spent. Prints
 * one line of JSON.
 *
 * Usage: fanout_clients.ts --kind raw|typewire|partysocket|socketio --url <url> [--url <url>...] --clients N --seconds S
 * With several URLs (instances of one room), the clients are dealt over them in turn.
 */
import process from "node:process";
import { io as socketIo } from "socket.io-client";
import { WebSocket as PartySocket } from "partysocket";
import { connect } from "../../src/client/mod.ts";
import { chatClientProtocol } from "../../src/generated/chat.ts";
import { option, parseOptions } from "../args.ts";

const options = parseOptions(process.argv.slice(2));
const kind = option(options, "kind", "typewire");
const urls = options.get("url") ?? ["ws://127.0.0.1:6502/"];
const urlOf = (index: number) => urls[index % urls.length] as string;
const clients = Number(option(options, "clients", "32"));
const seconds = Number(option(options, "seconds", "5"));

/** What every kind of client reports to the measurement. */
interface Sink {
  received(sentAt: number, sender: number, receiver: number): void;
}

/** One connected client of some kind: send a line; tell the sink about every line that arrives. */
interface Client {
  say(text: string): void;
  close(): void;
}

const SAMPLE_EVERY = 7;
let running = true;
let deliveries = 0;
/** Clients that lost their connection during the run: a run with any is not a measurement. */
let closed = 0;
const latencies: number[] = [];
let measuring = false;
const sink: Sink = {
  received(sentAt, _sender, receiver) {
    if (!measuring) return;
    deliveries++;
    if ((deliveries + receiver) % SAMPLE_EVERY === 0) latencies.push(performance.now() - sentAt);
  },
};

/** A line carries its send time and sender, so any receiver can time it. */
const line = (sender: number) => `${performance.now()} ${sender} hello there`;
const parse = (text: string): [number, number] => {
  const [at, from] = text.split(" ", 2);
  return [Number(at), Number(from)];
};

/** Chat-protocol clients log in like MDN's: wait for the id, send username, wait for the broadcast. */
function rawClient(index: number, onOwn: () => void, make: () => WebSocket): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = make();
    let id = 0;
    ws.onerror = () => reject(new Error(`${kind} client ${index} could not connect`));
    ws.onclose = () => running && closed++;
    ws.onmessage = (event: MessageEvent) => {
      const message = JSON.parse(event.data as string);
      switch (message.type) {
        case "id":
          id = message.id;
          ws.send(JSON.stringify({ type: "username", id, name: `c${index}`, date: Date.now() }));
          break;
        case "username":
          if (message.id === id) {
            resolve({
              say: (text) => ws.send(JSON.stringify({ type: "message", id, text, date: Date.now() })),
              close: () => ws.close(),
            });
          }
          break;
        case "message": {
          const [at, from] = parse(message.text);
          sink.received(at, from, index);
          if (from === index) onOwn();
          break;
        }
      }
    };
  });
}

function typewireClient(index: number, onOwn: () => void): Promise<Client> {
  const client = connect(chatClientProtocol, urlOf(index), { reconnect: false });
  return new Promise((resolve, reject) => {
    let id = 0;
    client.onEvent("close", () => {
      if (running) closed++;
      reject(new Error(`typewire client ${index} closed`));
    });
    client.on("id", (m) => {
      id = m.id;
      client.send({ type: "username", id, name: `c${index}`, date: Date.now() });
    });
    client.on("username", (m) => {
      if (m.id === id) {
        resolve({
          say: (text) => client.send({ type: "message", id, text, date: Date.now() }),
          close: () => void client.close(),
        });
      }
    });
    client.on("message", (m) => {
      const [at, from] = parse(m.text);
      sink.received(at, from, index);
      if (from === index) onOwn();
    });
  });
}

function socketIoClient(index: number, onOwn: () => void): Promise<Client> {
  const socket = socketIo(urlOf(index), { transports: ["websocket"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.on("connect_error", (error: Error) => reject(error));
    socket.on("disconnect", () => running && closed++);
    socket.on("connect", () => resolve({ say: (text) => socket.emit("message", text), close: () => socket.close() }));
    socket.on("message", (text: string) => {
      const [at, from] = parse(text);
      sink.received(at, from, index);
      if (from === index) onOwn();
    });
  });
}

function open(index: number, onOwn: () => void): Promise<Client> {
  switch (kind) {
    case "raw":
      return rawClient(index, onOwn, () => new WebSocket(urlOf(index), "json"));
    case "partysocket":
      return rawClient(
        index,
        onOwn,
        () => new PartySocket(urlOf(index), "json", { maxRetries: 0 }) as unknown as WebSocket,
      );
    case "typewire":
      return typewireClient(index, onOwn);
    case "socketio":
      return socketIoClient(index, onOwn);
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

const all: Client[] = [];
const loops: (() => void)[] = [];
for (let i = 0; i < clients; i++) {
  const next = () => running && all[i]?.say(line(i));
  loops.push(next);
  all.push(await open(i, () => next()));
}
// Warm up for a second, then measure.
loops.forEach((start) => start());
await new Promise((resolve) => setTimeout(resolve, 1_000));
measuring = true;
const started = performance.now();
const cpuBefore = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
measuring = false;
const cpu = process.cpuUsage(cpuBefore);
const elapsed = (performance.now() - started) / 1_000;
running = false;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
console.log(
  JSON.stringify({
    kind,
    clients,
    seconds: elapsed,
    deliveries,
    throughput: deliveries / elapsed,
    /** This process's CPU time (user + system) per line received, in microseconds: what the clients cost. */
    cpuPerLine: (cpu.user + cpu.system) / deliveries,
    p50: at(0.5),
    p99: at(0.99),
    samples: latencies.length,
    closed,
  }),
);
for (const client of all) client.close();
setTimeout(() => process.exit(0), 200);
