/**
 * The `Bun.serve` adapter: wires Bun's upgrade and its `websocket` handlers
 * into the runtime-neutral contract.
 *
 * @module
 */
import type { ServerWebSocket } from "bun";
import {
  DEFAULT_MAX_FRAME_BYTES,
  frameExceeds,
  isUpgrade,
  offeredProtocols,
  type RunningServer,
  type Serve,
  type ServerSocket,
  type SocketHandlers,
} from "../contract.ts";

/** What Bun keeps with each connection: what the upgrade request settled, then our socket. */
interface Connection {
  readonly origin: string | undefined;
  readonly protocol: string;
  socket?: ServerSocket;
}

function wrap(ws: ServerWebSocket<Connection>): ServerSocket {
  return {
    protocol: ws.data.protocol,
    origin: ws.data.origin,
    remoteAddress: ws.remoteAddress,
    get bufferedAmount() {
      return ws.getBufferedAmount();
    },
    send: (frame) => ws.readyState === 1 && ws.send(frame) !== 0,
    close: (code, reason) => ws.close(code, reason),
  };
}

/**
 * Serves WebSocket connections with `Bun.serve`.
 *
 * @param options Where to listen, which upgrades to accept, the frame limit.
 * @param handlers What to do on each connection.
 * @returns The running server.
 * @example
 * ```ts
 * import { serve } from "./serve.ts";
 * const server = await serve({ port: 0 }, { message: (socket, data) => socket.send(String(data)) });
 * console.log(server.url);
 * await server.stop();
 * ```
 */
export const serve: Serve = (options, handlers: SocketHandlers) => {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const open = new Set<ServerWebSocket<Connection>>();
  const server = Bun.serve<Connection>({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    fetch(request, bun) {
      if (!isUpgrade(request)) return options.fetch?.(request) ?? new Response("Not Found", { status: 404 });
      const refusal = options.refuse?.(request);
      if (refusal !== undefined) return refusal;
      const protocol = options.selectProtocol?.(offeredProtocols(request));
      const data: Connection = { origin: request.headers.get("origin") ?? undefined, protocol: protocol ?? "" };
      const headers = protocol === undefined ? {} : { "Sec-WebSocket-Protocol": protocol };
      if (bun.upgrade(request, { data, headers })) return undefined;
      return new Response("WebSocket upgrade failed", { status: 400 });
    },
    websocket: {
      // One byte over the limit lets the shared check below close with our own reason.
      maxPayloadLength: maxFrameBytes + 1,
      idleTimeout: 0,
      sendPings: false,
      open(ws) {
        open.add(ws);
        ws.binaryType = "uint8array";
        const socket = wrap(ws);
        ws.data.socket = socket;
        handlers.open?.(socket);
      },
      message(ws, data) {
        const frame = typeof data === "string" ? data : new Uint8Array(data);
        if (frameExceeds(frame, maxFrameBytes)) {
          ws.close(1009, `frame larger than ${maxFrameBytes} bytes`);
          return;
        }
        handlers.message(ws.data.socket as ServerSocket, frame);
      },
      close(ws, code, reason) {
        open.delete(ws);
        if (ws.data.socket !== undefined) handlers.close?.(ws.data.socket, code, reason);
      },
    },
  });
  const hostname = server.hostname ?? options.hostname ?? "127.0.0.1";
  const port = server.port ?? 0;
  const running: RunningServer = {
    hostname,
    port,
    url: `ws://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`,
    async stop() {
      for (const ws of open) ws.close(1001, "server stopping");
      await server.stop(true);
    },
  };
  return Promise.resolve(running);
};
