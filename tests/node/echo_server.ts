/**
 * An echo server on typewire's Node.js adapter, for tests/node_adapter.test.ts:
 * run on Node.js (bundled by tests/support/node_server.ts), it prints
 * `listening <url>`. With `--attach`, typewire is attached to a `node:http`
 * server of its own that answers plain GETs.
 *
 * Each connection is named by its URL's `?name=`. Text frames are commands:
 * `whoami` (the socket's protocol, data and address, as JSON), `throw` and
 * `reject` (a failing handler), `close-me` (the server closes it), `watch`
 * (receive `{"closed": name, "code": code, "reason": reason}` for every
 * connection that closes),
 * `sub <topic>`, `pub <topic> <text>`; anything else is echoed. A binary frame
 * is answered `binary <bytes>`. `/private` is refused with 401.
 */
import { createServer } from "node:http";
import process from "node:process";
import type { ServeOptions, SocketHandlers } from "../../src/server/contract.ts";
import { attach, serve } from "../../src/server/node/mod.ts";

const options: ServeOptions = {
  maxFrameBytes: 1024,
  idleTimeout: 1,
  closeTimeout: 500,
  selectProtocol: (offered) => offered.find((p) => p === "json"),
  upgrade(request) {
    const url = new URL(request.url);
    if (url.pathname === "/private") return new Response(null, { status: 401 });
    return { data: { name: url.searchParams.get("name") ?? "" } };
  },
};

let publish = (_topic: string, _frame: string) => {};

const handlers: SocketHandlers = {
  message(socket, data) {
    if (typeof data !== "string") return void socket.send(`binary ${data.byteLength}`);
    if (data === "throw") throw new Error("thrown on purpose");
    if (data === "reject") return Promise.reject(new Error("rejected on purpose"));
    if (data === "close-me") return socket.close(4000, "asked to");
    if (data === "whoami") {
      const { protocol, data: connection, remoteAddress, origin } = socket;
      return void socket.send(JSON.stringify({ protocol, data: connection, remoteAddress, origin: origin ?? null }));
    }
    if (data === "watch") {
      socket.subscribe("watch");
      return void socket.send("watching");
    }
    const [command, topic, ...rest] = data.split(" ");
    if (command === "sub" && topic !== undefined) {
      socket.subscribe(topic);
      return void socket.send(`subscribed ${topic}`);
    }
    if (command === "pub" && topic !== undefined) return publish(topic, rest.join(" "));
    socket.send(data);
  },
  close(socket, code, reason) {
    publish("watch", JSON.stringify({ closed: (socket.data as { name: string }).name, code, reason }));
  },
};

const silent = { ...options, onError: () => {} };
if (process.argv.includes("--attach")) {
  const http = createServer((request, response) => {
    response.setHeader("content-type", "text/plain");
    response.end(`hello over HTTP at ${request.url}\n`);
  });
  const sockets = attach(http, silent, handlers);
  publish = (topic, frame) => sockets.publish(topic, frame);
  http.listen(0, "127.0.0.1", () => {
    const address = http.address() as import("node:net").AddressInfo;
    console.log(`listening ws://127.0.0.1:${address.port}/`);
  });
  process.on("SIGTERM", () => void sockets.stop().then(() => http.close(() => process.exit(0))));
} else {
  const server = await serve(silent, handlers);
  publish = (topic, frame) => server.publish(topic, frame);
  console.log(`listening ${server.url}`);
  process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));
}
