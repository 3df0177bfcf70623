/**
 * The socket contract on a Durable Object with WebSocket hibernation: the
 * upgrades its Worker hands over, the runtime's `webSocketMessage`,
 * `webSocketClose` and `webSocketError` events, topics through tags, and
 * every connection restored from its attachment when the object comes back
 * into memory.
 *
 * @module
 */
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_FRAME_BYTES,
  frameExceeds,
  frameTooBig,
  isUpgrade,
  offeredProtocols,
  type RunningServer,
  type ServeOptions,
  type SocketHandlers,
} from "../contract.ts";
import { guarded } from "../guard.ts";
import { handshakeProblem } from "../handshake.ts";
import { TopicRegistry } from "../topics.ts";
import type { TypedServer } from "../server_options.ts";
import { readAttachment } from "./attachment.ts";
import { DurableSocket, type SocketsOf } from "./durable_socket.ts";
import { takeOver } from "./handoff.ts";
import { type DurableObjectContext, type HibernatableWebSocket, switchingProtocols, webSocketPair } from "./workerd.ts";

/** The close code for a socket whose state the object cannot read back (kept by another version): 1012, restarting. */
const SERVICE_RESTART = 1012;

/** One Durable Object's connections, served to a typed server. */
export class DurableHost {
  readonly #sockets = new Map<WebSocket, DurableSocket>();
  readonly #shared: SocketsOf;
  #options: ServeOptions = {};
  #handlers: SocketHandlers | undefined;

  /**
   * @param ctx The object's state.
   * @param fetch Answers the object's requests that are not upgrades.
   */
  constructor(
    private readonly ctx: DurableObjectContext,
    private readonly fetchOther: ((request: Request) => Response | Promise<Response>) | undefined,
  ) {
    this.#shared = {
      topics: new TopicRegistry<DurableSocket>(),
      closeTimeout: DEFAULT_CLOSE_TIMEOUT,
      forget: (socket) => this.#finish(socket, socket.closedWith ?? { code: 1006, reason: "" }),
    };
  }

  /** Starts `server` on this object and restores the connections it had before it was last out of memory. */
  async start(server: TypedServer<unknown, unknown, unknown>): Promise<void> {
    await server.listen({}, (options, handlers) => {
      this.#options = options;
      this.#handlers = handlers;
      (this.#shared as { closeTimeout: number }).closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
      return this.#running();
    });
    for (const ws of this.ctx.getWebSockets()) this.#restore(ws);
  }

  /** An HTTP request to the object: an upgrade its Worker handed over, or anything else. */
  fetch(request: Request): Response | Promise<Response> {
    if (!isUpgrade(request)) return this.fetchOther?.(request) ?? new Response("Not Found", { status: 404 });
    const handlers = this.#handlers;
    if (handlers === undefined) return new Response("the object's server is not started\n", { status: 503 });
    const problem = handshakeProblem(request);
    if (problem !== undefined) return problem;
    const handoff = takeOver(request);
    if (typeof handoff === "string") {
      console.error(`typewire: an upgrade refused by the Durable Object: ${handoff}`);
      return new Response(`${handoff}\n`, { status: 500 });
    }
    const decision = this.#options.admitted?.(request, handoff.remoteAddress, handoff.data) ?? { data: handoff.data };
    if (decision instanceof Response) return decision;
    const offered = offeredProtocols(request);
    const chosen = decision.protocol ?? this.#options.selectProtocol?.(offered);
    const protocol = chosen !== undefined && offered.includes(chosen) ? chosen : undefined;
    const [client, server] = webSocketPair();
    this.ctx.acceptWebSocket(server, [...handoff.topics]);
    const origin = request.headers.get("origin") ?? undefined;
    const accepted = { protocol: protocol ?? "", origin, remoteAddress: handoff.remoteAddress };
    const socket = new DurableSocket(server, accepted, decision.data, handoff.topics, this.#shared);
    this.#sockets.set(server, socket);
    if (handlers.open) guarded(this.#options, socket, () => handlers.open?.(socket));
    return switchingProtocols(client, protocol);
  }

  /** workerd's `webSocketMessage`. */
  message(ws: WebSocket, message: string | ArrayBuffer): void {
    const socket = this.#sockets.get(ws);
    const handlers = this.#handlers;
    if (socket === undefined || handlers === undefined || socket.closedWith !== undefined) return;
    const frame = typeof message === "string" ? message : new Uint8Array(message);
    const limit = this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (frameExceeds(frame, limit)) return socket.close(1009, frameTooBig(limit));
    guarded(this.#options, socket, () => handlers.message(socket, frame));
  }

  /** workerd's `webSocketClose`: the peer's close frame (or its answer to the server's). */
  closed(ws: WebSocket, code: number, reason: string): void {
    const socket = this.#sockets.get(ws);
    if (socket?.closedWith === undefined) {
      // The peer began the closing handshake: complete it.
      try {
        if (code === 1005 || code === 1006) ws.close();
        else ws.close(code, reason);
      } catch {
        // Gone already.
      }
    }
    if (socket !== undefined) this.#finish(socket, socket.closedWith ?? { code, reason });
  }

  /** workerd's `webSocketError`: the connection ended without a closing handshake. */
  failed(ws: WebSocket): void {
    const socket = this.#sockets.get(ws);
    if (socket !== undefined) this.#finish(socket, socket.closedWith ?? { code: 1006, reason: "" });
  }

  #finish(socket: DurableSocket, told: { readonly code: number; readonly reason: string }): void {
    if (socket.closed) return;
    socket.closed = true;
    this.#sockets.delete(socket.ws);
    this.#shared.topics.drop(socket);
    const handlers = this.#handlers;
    if (handlers?.close) guarded(this.#options, socket, () => handlers.close?.(socket, told.code, told.reason));
  }

  /** A socket accepted before the object was last out of memory: back, with the state its attachment kept. */
  #restore(ws: HibernatableWebSocket): void {
    const handlers = this.#handlers;
    if (handlers === undefined || this.#sockets.has(ws)) return;
    const attachment = readAttachment(ws);
    if (attachment === undefined) {
      try {
        ws.close(SERVICE_RESTART, "the server lost this connection's state: reconnect");
      } catch {
        // Closing already.
      }
      return;
    }
    const tags = this.ctx.getTags(ws);
    const socket = new DurableSocket(ws, attachment, attachment.data, tags, this.#shared, attachment);
    const listening = new Set(attachment.topics);
    for (const tag of tags) if (!listening.has(tag)) socket.unsubscribe(tag);
    this.#sockets.set(ws, socket);
    guarded(this.#options, socket, () => handlers.restore?.(socket));
  }

  #running(): RunningServer {
    const sockets = this.#sockets;
    const ctx = this.ctx;
    const topics = this.#shared.topics;
    return {
      hostname: "",
      port: 0,
      url: "",
      hibernates: true,
      get connections() {
        return sockets.size;
      },
      publish(topic, frame) {
        for (const ws of ctx.getWebSockets(topic)) {
          const socket = sockets.get(ws);
          if (socket?.hears(topic)) socket.send(frame);
        }
        for (const socket of topics.subscribers(topic)) socket.send(frame);
      },
      stop() {
        for (const socket of sockets.values()) socket.close(1001, "server stopping");
        return Promise.resolve();
      },
    };
  }
}
