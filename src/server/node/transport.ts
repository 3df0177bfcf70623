/**
 * The Node.js adapter's core, shared by `serve` (its own `node:http` server)
 * and `attach` (someone else's): the `ws` package's `WebSocketServer` in
 * `noServer` mode behind the contract's upgrade path, a heartbeat timer,
 * close timeouts, and topics. `ws` enforces the frame limit (`maxPayload`,
 * fragmented messages included).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { clearInterval, clearTimeout, setInterval, setTimeout } from "node:timers";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_FRAME_BYTES,
  frameTooBig,
  isUpgrade,
  type ServeOptions,
  type ServerSocket,
  type SocketHandlers,
} from "../contract.ts";
import { type Accepted, decideUpgrade } from "../accept.ts";
import { type ClosedWith, closeReason } from "../close_reason.ts";
import { guarded } from "../guard.ts";
import { TopicRegistry } from "../topics.ts";
import { toRequest, writeRawResponse, writeResponse } from "./http.ts";

/** What `ws` emits (as `error`, before closing with 1009) for a frame over `maxPayload`. */
const WS_TOO_BIG = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** How long `stop()` waits for peers to answer the 1001 close frame before cutting them. */
const STOP_WAIT = 2_000;

/** One open connection and its bookkeeping. */
interface Connection {
  readonly ws: WebSocket;
  readonly socket: ServerSocket;
  /** Whether the peer answered the last ping, or sent anything, since it was sent. */
  alive: boolean;
  /** Whether `ws` closed it for a frame over the limit. */
  tooBig: boolean;
  /** Set when the server closes it: what its close handler is told. */
  closedWith?: ClosedWith;
  closeTimer?: ReturnType<typeof setTimeout>;
}

/** The Node.js adapter's core, wired by `serve` and `attach` to an `http.Server`. */
export interface NodeTransport {
  /** Handles a WebSocket upgrade request (`Upgrade: websocket`) from an `http.Server`'s `upgrade` event. */
  upgrade(message: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** Answers a plain request with `options.fetch`, or 404; a request asking for an upgrade is refused. */
  request(message: IncomingMessage, out: ServerResponse): Promise<void>;
  /** Answers, on the raw socket, an upgrade to another protocol than WebSocket, as a plain request. */
  otherUpgrade(message: IncomingMessage, socket: Duplex): Promise<void>;
  readonly connections: number;
  publish(topic: string, frame: string): void;
  /** Closes every connection with 1001, waits for them at most 2 s, cuts the rest, and stops the heartbeat. */
  closeAll(): Promise<void>;
}

/** A peer's address, as Bun and Deno give it: an IPv4 peer of a dual-stack socket without its `::ffff:` prefix. */
function peerAddress(message: IncomingMessage): string {
  const address = message.socket.remoteAddress ?? "";
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** `ws` hands over a `Buffer` (UTF-8 already checked for text) and a flag: binary frames become plain bytes. */
function toFrame(data: RawData, isBinary: boolean): string | Uint8Array {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return isBinary ? new Uint8Array(buffer) : buffer.toString("utf8");
}

function notFound(): Response {
  return new Response("Not Found", { status: 404 });
}

/**
 * Builds the core of a Node.js server.
 *
 * @param options The server's options (`hostname`, `port` are for the caller).
 * @param handlers What to do on each connection.
 * @returns The handlers to wire to an `http.Server`, and the server-wide operations.
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { nodeTransport } from "./transport.ts";
 * const transport = nodeTransport({}, { message: (socket, data) => void socket.send(String(data)) });
 * const server = createServer((message, out) => void transport.request(message, out));
 * server.on("upgrade", (message, socket, head) => void transport.upgrade(message, socket, head));
 * ```
 */
export function nodeTransport(options: ServeOptions, handlers: SocketHandlers): NodeTransport {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
  const idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
  const open = new Map<WebSocket, Connection>();
  const topics = new TopicRegistry<Connection>();
  const accepted = new WeakMap<IncomingMessage, Accepted>();
  let stopping = false;
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: maxFrameBytes,
    // The protocol was chosen by decideUpgrade, as on Bun and Deno; ws only writes it.
    handleProtocols: (_offered, message) => accepted.get(message)?.protocol ?? false,
    // Newer ws versions apply it to every closing handshake, the peer's too; ours below covers the server's.
    ...({ closeTimeout: closeTimeout > 0 ? closeTimeout : 30_000 } as object),
  });

  // One timer for the whole server: a peer that answered nothing since the last ping is cut.
  const heartbeat = idleTimeout > 0
    ? setInterval(() => {
      for (const [ws, connection] of open) {
        if (ws.readyState !== ws.OPEN) continue;
        if (!connection.alive) {
          ws.terminate();
          continue;
        }
        connection.alive = false;
        ws.ping();
      }
    }, Math.min(idleTimeout * 1000, 2 ** 31 - 1)).unref()
    : undefined;

  /** Cuts a connection whose closing handshake does not end within `closeTimeout`. */
  function armCloseTimer(ws: WebSocket, connection: Connection): void {
    if (closeTimeout <= 0 || connection.closeTimer !== undefined) return;
    connection.closeTimer = setTimeout(() => ws.terminate(), closeTimeout).unref();
  }

  function connect(ws: WebSocket, request: Request, remoteAddress: string, decision: Accepted): void {
    const socket: ServerSocket = {
      protocol: decision.protocol ?? "",
      origin: request.headers.get("origin") ?? undefined,
      remoteAddress,
      data: decision.data,
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      send(frame) {
        if (ws.readyState !== ws.OPEN) return false;
        ws.send(frame);
        return true;
      },
      close(code, reason) {
        if (ws.readyState !== ws.OPEN) return;
        connection.closedWith = { code: code ?? 1005, reason: reason === undefined ? "" : closeReason(reason) };
        ws.close(code, reason === undefined ? undefined : connection.closedWith.reason);
        armCloseTimer(ws, connection);
      },
      subscribe: (topic) => ws.readyState === ws.OPEN && topics.subscribe(connection, topic),
      unsubscribe: (topic) => topics.unsubscribe(connection, topic),
    };
    const connection: Connection = { ws, socket, alive: true, tooBig: false };
    open.set(ws, connection);
    const heard = () => (connection.alive = true);
    ws.on("pong", heard);
    ws.on("ping", heard);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      connection.alive = true;
      const frame = toFrame(data, isBinary);
      guarded(options, socket, () => handlers.message(socket, frame));
    });
    ws.on("error", (error: Error & { code?: string }) => {
      // ws has already sent its close frame (1009 for a frame too big, 1002/1007 for a broken one).
      if (error.code === WS_TOO_BIG) connection.tooBig = true;
      armCloseTimer(ws, connection);
    });
    ws.on("close", (code: number, reason: Buffer) => {
      clearTimeout(connection.closeTimer);
      topics.drop(connection);
      if (!open.delete(ws) || handlers.close === undefined) return;
      // ws stops reading after a frame over the limit, so it reports 1006: every adapter says 1009, and why.
      const told = connection.closedWith ??
        (connection.tooBig
          ? { code: 1009, reason: frameTooBig(maxFrameBytes) }
          : { code: code === 0 ? 1006 : code, reason: reason.toString() });
      guarded(options, socket, () => handlers.close?.(socket, told.code, told.reason));
    });
    if (handlers.open) guarded(options, socket, () => handlers.open?.(socket));
  }

  async function decide(request: Request, remoteAddress: string): Promise<Response | Accepted> {
    if (stopping) return new Response("Service Unavailable\n", { status: 503 });
    try {
      return await decideUpgrade(options, request, remoteAddress);
    } catch (error) {
      console.error("typewire: choosing the subprotocol failed; the upgrade is refused with 500:", error);
      return new Response("Internal Server Error\n", { status: 500 });
    }
  }

  /** Calls `options.fetch`, turning a throw into 500 as Bun and Deno do. */
  async function fetch(request: Request): Promise<Response> {
    try {
      return await (options.fetch?.(request) ?? notFound());
    } catch (error) {
      console.error("typewire: the fetch handler threw; answered 500:", error);
      return new Response("Internal Server Error\n", { status: 500 });
    }
  }

  const destroy = function (this: Duplex) {
    this.destroy();
  };

  return {
    async upgrade(message, socket, head) {
      // Node.js hands the socket over without an error listener: a reset while the hook runs must not throw.
      socket.on("error", destroy);
      const remoteAddress = peerAddress(message);
      const request = toRequest(message, false);
      const decision = request === undefined
        ? new Response("Bad Request\n", { status: 400 })
        : await decide(request, remoteAddress);
      if (decision instanceof Response) return writeRawResponse(socket, decision);
      if (stopping || socket.destroyed) return void socket.destroy();
      accepted.set(message, decision);
      socket.off("error", destroy);
      wss.handleUpgrade(message, socket, head, (ws) => connect(ws, request as Request, remoteAddress, decision));
    },
    async request(message, out) {
      const controller = new AbortController();
      out.on("close", () => out.writableFinished || controller.abort());
      const request = toRequest(message, true, controller.signal);
      let response: Response;
      if (request === undefined) response = new Response("Bad Request\n", { status: 400 });
      else if (!isUpgrade(request)) response = await fetch(request);
      else {
        // `Upgrade: websocket` without `Connection: Upgrade`: Node.js does not treat it as an upgrade.
        const decision = await decide(request, peerAddress(message));
        response = decision instanceof Response ? decision : new Response("WebSocket upgrade failed", { status: 400 });
      }
      await writeResponse(out, response);
    },
    async otherUpgrade(message, socket) {
      socket.on("error", destroy);
      const request = toRequest(message, false);
      await writeRawResponse(
        socket,
        request === undefined ? new Response(null, { status: 400 }) : await fetch(request),
      );
    },
    get connections() {
      return open.size;
    },
    publish(topic, frame) {
      // Encoded to UTF-8 once for every subscriber: given a string, ws would encode it again for each.
      const bytes = Buffer.from(frame);
      for (const { ws } of topics.subscribers(topic)) if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: false });
    },
    async closeAll() {
      stopping = true;
      clearInterval(heartbeat);
      const closed = Promise.all([...open.keys()].map((ws) => new Promise((resolve) => ws.once("close", resolve))));
      for (const { socket } of open.values()) socket.close(1001, "server stopping");
      // A peer that never answers the close frame must not hold the server up.
      await within(closed, STOP_WAIT);
      for (const ws of open.keys()) ws.terminate();
      await within(closed, STOP_WAIT);
    },
  };
}

/** Waits for `promise`, or `ms` milliseconds, whichever ends first. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
