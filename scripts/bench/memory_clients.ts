/**
 * One side of the memory benchmark: opens N idle connections of one kind
 * (the raw WebSocket, or typewire's client) in this process and reports the resident memory they cost, per
 * connection, after garbage collection.
 *
 * Usage: memory_clients.ts --kind raw|typewire --url <url> --clients N
 */
import process from "node:process";
import { connect } from "../../src/client/mod.ts";
import { chatClientProtocol } from "../../src/generated/chat.ts";
import { option, parseOptions } from "../args.ts";

const options = parseOptions(process.argv.slice(2));
const kind = option(options, "kind", "raw");
const url = option(options, "url", "ws://127.0.0.1:6502/");
const clients = Number(option(options, "clients", "1000"));

async function settle(): Promise<number> {
  const runtime = globalThis as { Bun?: { gc(force: boolean): void }; gc?: () => void };
  for (let i = 0; i < 3; i++) {
    runtime.Bun?.gc(true);
    runtime.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return process.memoryUsage().rss;
}

/** A usable raw client, as an application writes it: it parses and routes messages and notices closing. */
function rawSocket(onOpen: () => void, onError: () => void): WebSocket {
  const ws = new WebSocket(url, "json");
  const state = { received: 0, closed: false };
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    switch (message.type) {
      case "message":
        state.received++;
    }
  };
  ws.onclose = () => (state.closed = true);
  ws.onopen = onOpen;
  ws.onerror = onError;
  return ws;
}

function open(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const failed = () => reject(new Error("could not connect"));
    switch (kind) {
      case "raw": {
        const ws = rawSocket(() => resolve(ws), failed);
        break;
      }
      default: {
        const client = connect(chatClientProtocol, url, { reconnect: false });
        client.onEvent("open", () => resolve(client), { once: true });
        client.onEvent("error", failed, { once: true });
      }
    }
  });
}

// Warm up what every connection shares (code, caches), so the baseline is fair to both kinds.
const warm = await open();
const before = await settle();
const held: unknown[] = [warm];
const BATCH = 200;
for (let opened = 0; opened < clients; opened += BATCH) {
  held.push(...await Promise.all(Array.from({ length: Math.min(BATCH, clients - opened) }, open)));
}
const after = await settle();
console.log(
  JSON.stringify({ kind, clients, before, after, perConnection: (after - before) / clients, held: held.length }),
);
process.exit(0);
