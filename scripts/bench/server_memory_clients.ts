/**
 * The client side of the server memory benchmark, in a process of its own:
 * opens N idle connections (`?role=idle`: no topic, nothing sent) to a server
 * and asks it, before and after, for its resident memory after garbage
 * collection (`GET /rss`). Prints one line of JSON with the server's bytes
 * per connection.
 *
 * Usage: server_memory_clients.ts --port P --clients N [--pause MS]
 *   --pause  milliseconds between the server's garbage collections (300)
 */
import process from "node:process";
import { option, parseOptions } from "../args.ts";
import { openTcpWebSocket, type TcpWebSocket } from "./tcp_websocket.ts";

const options = parseOptions(process.argv.slice(2));
const port = Number(option(options, "port", "0"));
const clients = Number(option(options, "clients", "1000"));
const pause = Number(option(options, "pause", "300"));

const serverRss = async () => Number(await (await fetch(`http://127.0.0.1:${port}/rss?pause=${pause}`)).text());
const open = () => openTcpWebSocket(port, "/?role=idle", () => {});

// One connection first, so that what every connection shares (code, caches) is in the baseline.
const held: TcpWebSocket[] = [await open()];
const before = await serverRss();
const BATCH = 250;
for (let opened = 0; opened < clients; opened += BATCH) {
  held.push(...await Promise.all(Array.from({ length: Math.min(BATCH, clients - opened) }, open)));
}
const after = await serverRss();
console.log(JSON.stringify({ clients, before, after, perConnection: (after - before) / clients, held: held.length }));
for (const { socket } of held) socket.destroy();
setTimeout(() => process.exit(0), 50);
