/**
 * The `Deno.serve` adapter: wires `Deno.upgradeWebSocket` into the
 * runtime-neutral contract. Deno pings idle peers itself (`idleTimeout`);
 * topics are a loop over the subscribed sockets.
 *
 * @module
 */
import {
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_FRAME_BYTES,
  frameExceeds,
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
import { TopicRegistry } from "../topics.ts";

/**
 * One connection, as the contract sees it. A class, so a server of many connections holds no closures per
 * connection (Deno already spends about half a kilobyte on each event handler a socket has).
 */
class DenoSocket implements ServerSocket {
  /** Set when the server closes it: what its close handler is told. */
  closedWith: ClosedWith | undefined = undefined;

  constructor(
    readonly ws: WebSocket,
    // Deno's server-side socket reports "" whatever was selected: this is the selected one.
    readonly protocol: string,
    readonly origin: string | undefined,
    readonly remoteAddress: string,
    readonly data: unknown,
    private readonly topics: TopicRegistry<DenoSocket>,
  ) {}

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(frame: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame);
    return true;
  }

  close(code?: number, reason?: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.closedWith = { code: code ?? 1005, reason: reason === undefined ? "" : closeReason(reason) };
    this.ws.close(code, reason === undefined ? undefined : this.closedWith.reason);
  }

  subscribe(topic: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.topics.subscribe(this, topic);
  }

  unsubscribe(topic: string): void {
    this.topics.unsubscribe(this, topic);
  }
}

/**
 * Serves WebSocket connections with `Deno.serve`.
 *
 * @param options Where to listen, which upgrades to accept, the limits.
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
  const open = new Map<WebSocket, DenoSocket>();
  const topics = new TopicRegistry<DenoSocket>();
  const listening = Promise.withResolvers<Deno.NetAddr>();

  // One listener of each kind for every socket; the socket is found by the event's target.
  function onOpen(this: WebSocket) {
    const socket = open.get(this);
    if (socket !== undefined && handlers.open) guarded(options, socket, () => handlers.open?.(socket));
  }
  function onMessage(this: WebSocket, event: MessageEvent<string | ArrayBuffer>) {
    const socket = open.get(this);
    if (socket === undefined) return;
    const frame = typeof event.data === "string" ? event.data : new Uint8Array(event.data);
    if (frameExceeds(frame, maxFrameBytes)) return socket.close(1009, frameTooBig(maxFrameBytes));
    guarded(options, socket, () => handlers.message(socket, frame));
  }
  function onClose(this: WebSocket, event: CloseEvent) {
    const socket = open.get(this);
    if (socket === undefined) return;
    open.delete(this);
    topics.drop(socket);
    if (handlers.close === undefined) return;
    // Deno reports a connection that ended without a closing handshake as 0 (a reset) or as 1001 (its heartbeat
    // gave up, "No response from ping frame."), never clean: the standard, and every adapter, says 1006.
    const told = socket.closedWith ?? (event.wasClean ? event : { code: 1006, reason: "" });
    guarded(options, socket, () => handlers.close?.(socket, told.code, told.reason));
  }

  const upgradeTo = (request: Request, remoteAddress: string, decision: Response | Accepted): Response => {
    if (decision instanceof Response) return decision;
    // The request's headers are gone once it is upgraded: read them first.
    const origin = request.headers.get("origin") ?? undefined;
    const { socket: ws, response } = Deno.upgradeWebSocket(request, {
      idleTimeout: options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
      ...(decision.protocol !== undefined && { protocol: decision.protocol }),
    });
    ws.binaryType = "arraybuffer";
    open.set(ws, new DenoSocket(ws, decision.protocol ?? "", origin, remoteAddress, decision.data, topics));
    ws.onopen = onOpen;
    ws.onmessage = onMessage;
    ws.onclose = onClose;
    return response;
  };

  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: listening.resolve,
  }, (request, info) => {
    if (!isUpgrade(request)) return options.fetch?.(request) ?? new Response("Not Found", { status: 404 });
    const remoteAddress = (info.remoteAddr as Deno.NetAddr).hostname;
    const decision = decideUpgrade(options, request, remoteAddress);
    return decision instanceof Promise
      ? decision.then((decided) => upgradeTo(request, remoteAddress, decided))
      : upgradeTo(request, remoteAddress, decision);
  });
  const address = await listening.promise;
  const running: RunningServer = {
    hostname: address.hostname,
    port: address.port,
    url: `ws://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}/`,
    get connections() {
      return open.size;
    },
    publish(topic, frame) {
      // The subscribed sockets are open (a closing one sends nothing): no check per recipient, as a raw loop does.
      for (const socket of topics.subscribers(topic)) socket.ws.send(frame);
    },
    async stop() {
      const closed = [...open].map(([ws, socket]) =>
        new Promise<void>((resolve) => {
          ws.addEventListener("close", () => resolve(), { once: true });
          socket.close(1001, "server stopping");
        })
      );
      // A peer that never answers the close frame must not hold the server up.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise((resolve) => (timer = setTimeout(resolve, 2_000)));
      await Promise.race([Promise.all(closed), late]);
      // Cleared, or the process would live on for the rest of the 2 s.
      clearTimeout(timer);
      await server.shutdown();
    },
  };
  return running;
};
