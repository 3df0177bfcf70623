/**
 * The Node.js adapter: `serve` listens with its own `node:http` server;
 * `attach` adds typewire to an `http.Server` (or `https.Server`) the
 * application already has. Both use the `ws` package (an optional peer
 * dependency of typewire: install it to serve on Node.js).
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { RunningServer, Serve, ServeOptions, SocketHandlers } from "../contract.ts";
import { nodeTransport } from "./transport.ts";

/**
 * typewire attached to an application's own server. Its `hostname`, `port` and `url` are the server's address once it
 * listens (`""`, `0` and `""` before). `stop()` closes every WebSocket connection with 1001 (going away) and stops
 * handling upgrades; the HTTP server itself keeps running (close it yourself).
 */
export type AttachedServer = RunningServer;

/** Whether Node.js's `upgrade` event is for a WebSocket (it is emitted for any `Connection: Upgrade`). */
function isWebSocket(message: IncomingMessage): boolean {
  return message.headers.upgrade?.toLowerCase() === "websocket";
}

/** The core's promises settle by themselves; anything unforeseen costs only that connection. */
function settle(work: Promise<void>, socket: Duplex): void {
  work.catch((error) => {
    console.error("typewire: a request failed; its connection is closed:", error);
    socket.destroy();
  });
}

/**
 * Serves WebSocket connections with a `node:http` server and the `ws` package.
 *
 * @param options Where to listen, which upgrades to accept, the limits.
 * @param handlers What to do on each connection.
 * @returns The running server, once it listens.
 * @example
 * ```ts
 * import { serve } from "./serve.ts";
 * const server = await serve({ port: 0 }, { message: (socket, data) => void socket.send(String(data)) });
 * console.log(server.url);
 * await server.stop();
 * ```
 */
export const serve: Serve = async (options, handlers: SocketHandlers) => {
  const transport = nodeTransport(options, handlers);
  const server = createServer((message, out) => settle(transport.request(message, out), message.socket));
  server.on("upgrade", (message: IncomingMessage, socket: Duplex, head: Buffer) => {
    settle(
      isWebSocket(message) ? transport.upgrade(message, socket, head) : transport.otherUpgrade(message, socket),
      socket,
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, options.hostname ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    await transport.closeAll();
    throw error;
  }
  const { address: hostname, port } = server.address() as AddressInfo;
  const running: RunningServer = {
    hostname,
    port,
    url: `ws://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`,
    get connections() {
      return transport.connections;
    },
    publish(topic, frame) {
      transport.publish(topic, frame);
    },
    async stop() {
      await transport.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Like Bun's stop(true): keep-alive and unfinished HTTP requests do not hold the server up.
        server.closeAllConnections();
      });
    },
  };
  return running;
};

/**
 * Adds typewire to an existing `node:http` (or `node:https`) server: it
 * handles the server's WebSocket upgrades (its `upgrade` event) with the same
 * checks, hook and limits as `serve`; the server's plain requests stay its own.
 * `hostname`, `port` and `fetch` in `options` are ignored: the server already
 * listens and answers HTTP. An upgrade to another protocol than WebSocket is
 * left to the server's other `upgrade` listeners, or answered 404 when there
 * are none. To serve WebSockets on one path only, refuse the others in the
 * `upgrade` hook (`return new Response(null, { status: 404 })`).
 *
 * @param server The application's server, listening or not yet.
 * @param options Which upgrades to accept, the limits.
 * @param handlers What to do on each connection.
 * @returns Its connections, `publish` and `stop` (which leaves the HTTP server running).
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { attach } from "./serve.ts";
 * const server = createServer((_request, response) => response.end("hello over HTTP\n"));
 * const sockets = attach(server, {}, { message: (socket, data) => void socket.send(String(data)) });
 * server.listen(8080);
 * await sockets.stop();
 * server.close();
 * ```
 */
export function attach(
  server: HttpServer | HttpsServer,
  options: ServeOptions,
  handlers: SocketHandlers,
): AttachedServer {
  const { fetch: _ignored, ...upgradeOptions } = options;
  const transport = nodeTransport(upgradeOptions, handlers);
  const emitter = server as HttpServer;
  const onUpgrade = (message: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isWebSocket(message)) settle(transport.upgrade(message, socket, head), socket);
    else if (emitter.listenerCount("upgrade") === 1) settle(transport.otherUpgrade(message, socket), socket);
  };
  emitter.on("upgrade", onUpgrade);
  const address = () => {
    const bound = emitter.address();
    return typeof bound === "object" && bound !== null ? bound : undefined;
  };
  return {
    get hostname() {
      return address()?.address ?? "";
    },
    get port() {
      return address()?.port ?? 0;
    },
    get url() {
      const bound = address();
      if (bound === undefined) return "";
      return `ws://${bound.address.includes(":") ? `[${bound.address}]` : bound.address}:${bound.port}/`;
    },
    get connections() {
      return transport.connections;
    },
    publish(topic, frame) {
      transport.publish(topic, frame);
    },
    async stop() {
      emitter.off("upgrade", onUpgrade);
      await transport.closeAll();
    },
  };
}
