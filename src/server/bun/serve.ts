/**
 * The `Bun.serve` adapter: wires Bun's upgrade and its `websocket` handlers
 * into the runtime-neutral contract. Bun enforces the frame limit itself
 * (`maxPayloadLength`, fragmented messages included), pings idle peers
 * (`idleTimeout`, `sendPings`) and publishes natively.
 *
 * @module
 */
import type { Server, ServerWebSocket } from "bun";
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_FRAME_BYTES,
  frameTooBig,
  isUpgrade,
  type RunningServer,
  type Serve,
  type ServerSocket,
  type SocketHandlers,
} from "../contract.ts";
import { type Accepted, decideUpgrade } from "../accept.ts";
import { type ClosedWith, closeReason } from "../close_reason.ts";
import { guarded } from "../guard.ts";

/**
 * One connection, as the contract sees it, and what Bun keeps with it (`ws.data`): made at the upgrade, given its
 * socket when it opens. A class, so a server of many connections holds no closures per connection.
 */
class BunSocket implements ServerSocket {
  ws!: ServerWebSocket<BunSocket>;
  /** Set when the server closes it: what its close handler is told. */
  closedWith: ClosedWith | undefined = undefined;

  constructor(
    readonly protocol: string,
    readonly origin: string | undefined,
    readonly remoteAddress: string,
    readonly data: unknown,
    private readonly server: { readonly closeTimeout: number; readonly open: Set<ServerWebSocket<BunSocket>> },
  ) {}

  get bufferedAmount(): number {
    return this.ws.getBufferedAmount();
  }

  send(frame: string): boolean {
    return this.ws.readyState === 1 && this.ws.send(frame) !== 0;
  }

  close(code?: number, reason?: string): void {
    const { ws, server } = this;
    if (ws.readyState !== 1) return;
    this.closedWith = { code: code ?? 1005, reason: reason === undefined ? "" : closeReason(reason) };
    ws.close(code, reason === undefined ? undefined : this.closedWith.reason);
    if (server.closeTimeout > 0) setTimeout(() => server.open.has(ws) && ws.terminate(), server.closeTimeout).unref?.();
  }

  subscribe(topic: string): void {
    if (this.ws.readyState === 1) this.ws.subscribe(topic);
  }

  unsubscribe(topic: string): void {
    if (this.ws.readyState === 1) this.ws.unsubscribe(topic);
  }
}

/** The reason Bun gives (to the peer, with 1009, and to the close handler, with 1006) for a frame over the limit. */
const BUN_TOO_BIG = "Received too big message";

/** Bun's idle timeout is whole seconds up to 960. */
function bunIdleTimeout(seconds: number): number {
  return seconds <= 0 ? 0 : Math.min(960, Math.max(1, Math.round(seconds)));
}

/**
 * Serves WebSocket connections with `Bun.serve`.
 *
 * @param options Where to listen, which upgrades to accept, the limits.
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
  const open = new Set<ServerWebSocket<BunSocket>>();
  const shared = { closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT, open };

  const upgradeTo = (
    request: Request,
    bun: Server<BunSocket>,
    remoteAddress: string,
    decision: Response | Accepted,
  ) => {
    if (decision instanceof Response) return decision;
    const origin = request.headers.get("origin") ?? undefined;
    const data = new BunSocket(decision.protocol ?? "", origin, remoteAddress, decision.data, shared);
    // Without the header, Bun answers with the first subprotocol the client offered, one the server never chose;
    // an empty value makes it send none.
    const headers = { "Sec-WebSocket-Protocol": decision.protocol ?? "" };
    if (bun.upgrade(request, { data, headers })) return undefined;
    return new Response("WebSocket upgrade failed", { status: 400 });
  };

  const server = Bun.serve<BunSocket>({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    fetch(request, bun) {
      if (!isUpgrade(request)) return options.fetch?.(request) ?? new Response("Not Found", { status: 404 });
      const remoteAddress = bun.requestIP(request)?.address ?? "";
      const decision = decideUpgrade(options, request, remoteAddress);
      return decision instanceof Promise
        ? decision.then((decided) => upgradeTo(request, bun, remoteAddress, decided))
        : upgradeTo(request, bun, remoteAddress, decision);
    },
    websocket: {
      maxPayloadLength: maxFrameBytes,
      idleTimeout: bunIdleTimeout(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT),
      sendPings: (options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT) > 0,
      open(ws) {
        open.add(ws);
        ws.binaryType = "uint8array";
        const socket = ws.data;
        socket.ws = ws;
        if (handlers.open) guarded(options, socket, () => handlers.open?.(socket));
      },
      message(ws, data) {
        const socket = ws.data;
        const frame = typeof data === "string" ? data : new Uint8Array(data);
        guarded(options, socket, () => handlers.message(socket, frame));
      },
      close(ws, code, reason) {
        open.delete(ws);
        if (handlers.close === undefined) return;
        const socket = ws.data;
        // Bun closes a frame over maxPayloadLength with 1009 to the peer but tells this handler 1006: every adapter
        // tells it 1009 and why.
        const tooBig = code === 1006 && reason === BUN_TOO_BIG;
        const told = socket.closedWith ??
          (tooBig ? { code: 1009, reason: frameTooBig(maxFrameBytes) } : { code: code === 0 ? 1006 : code, reason });
        guarded(options, socket, () => handlers.close?.(socket, told.code, told.reason));
      },
    },
  });
  const hostname = server.hostname ?? options.hostname ?? "127.0.0.1";
  const port = server.port ?? 0;
  const running: RunningServer = {
    hostname,
    port,
    url: `ws://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}/`,
    get connections() {
      return open.size;
    },
    publish(topic, frame) {
      server.publish(topic, frame);
    },
    async stop() {
      for (const ws of open) ws.data.close(1001, "server stopping");
      await server.stop(true);
    },
  };
  return Promise.resolve(running);
};
