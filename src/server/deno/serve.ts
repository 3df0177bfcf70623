/**
 * The `Deno.serve` adapter: wires `Deno.upgradeWebSocket` into the
 * runtime-neutral contract.
 *
 * @module
 */
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

function wrap(ws: WebSocket, origin: string | undefined, remoteAddress: string): ServerSocket {
  return {
    get protocol() {
      return ws.protocol;
    },
    origin,
    remoteAddress,
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send(frame) {
      if (ws.readyState !== WebSocket.OPEN) return false;
      ws.send(frame);
      return true;
    },
    close: (code, reason) => ws.close(code, reason),
  };
}

/**
 * Serves WebSocket connections with `Deno.serve`.
 *
 * @param options Where to listen, which upgrades to accept, the frame limit.
 * @param handlers What to do on each connection.
 * @returns The running server, once it listens.
 * @example
 * ```ts
 * import { serve } from "./serve.ts";
 * const server = await serve({ port: 0 }, { message: (socket, data) => socket.send(String(data)) });
 * console.log(server.url);
 * await server.stop();
 * ```
 */
export const serve: Serve = async (options, handlers: SocketHandlers) => {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const open = new Set<WebSocket>();
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: listening.resolve,
  }, (request, info) => {
    if (!isUpgrade(request)) return options.fetch?.(request) ?? new Response("Not Found", { status: 404 });
    const refusal = options.refuse?.(request);
    if (refusal !== undefined) return refusal;
    const protocol = options.selectProtocol?.(offeredProtocols(request));
    // The request's details are gone once it is upgraded: read them first.
    const remote = info.remoteAddr as Deno.NetAddr;
    const origin = request.headers.get("origin") ?? undefined;
    const { socket: ws, response } = Deno.upgradeWebSocket(request, {
      idleTimeout: 0,
      ...(protocol !== undefined && { protocol }),
    });
    ws.binaryType = "arraybuffer";
    const socket = wrap(ws, origin, remote.hostname);
    ws.onopen = () => {
      open.add(ws);
      handlers.open?.(socket);
    };
    ws.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
      const frame = typeof event.data === "string" ? event.data : new Uint8Array(event.data);
      if (frameExceeds(frame, maxFrameBytes)) {
        ws.close(1009, `frame larger than ${maxFrameBytes} bytes`);
        return;
      }
      handlers.message(socket, frame);
    };
    ws.onclose = (event) => {
      if (open.delete(ws)) handlers.close?.(socket, event.code, event.reason);
    };
    return response;
  });
  const address = await listening.promise;
  const running: RunningServer = {
    hostname: address.hostname,
    port: address.port,
    url: `ws://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}/`,
    async stop() {
      const closed = [...open].map((ws) =>
        new Promise<void>((resolve) => {
          ws.addEventListener("close", () => resolve(), { once: true });
          ws.close(1001, "server stopping");
        })
      );
      // A peer that never answers the close frame must not hold the server up.
      await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 2_000))]);
      await server.shutdown();
    },
  };
  return running;
};
