/**
 * The few parts of Cloudflare's Workers runtime (workerd) that the adapter
 * uses, typed here so that typewire needs no `@cloudflare/workers-types`:
 * a Durable Object's state, its namespace, and the hibernatable WebSocket.
 * They exist only when workerd runs the code.
 *
 * @module
 */

/** workerd's server-side WebSocket: the standard one, plus what survives hibernation. */
export interface HibernatableWebSocket extends WebSocket {
  /** Keeps a structured clone of `value` (16 KiB at most) with the socket, through hibernation. */
  serializeAttachment(value: unknown): void;
  /** What `serializeAttachment` was last given, or `null`. */
  deserializeAttachment(): unknown;
  /** Accepts the socket in this Worker, without hibernation (the object's sockets are accepted by its `ctx`). */
  accept(): void;
}

/** The parts of a Durable Object's `ctx` (its `DurableObjectState`) the adapter uses. */
export interface DurableObjectContext {
  /** Accepts a WebSocket with the hibernation API, with up to 10 tags of up to 256 characters. */
  acceptWebSocket(ws: WebSocket, tags?: string[]): void;
  /** The accepted WebSockets not closed yet, or those with a tag. */
  getWebSockets(tag?: string): HibernatableWebSocket[];
  /** The tags a WebSocket was accepted with. */
  getTags(ws: WebSocket): string[];
  /** Answers one exact frame with another without waking the object (a `WebSocketRequestResponsePair`). */
  setWebSocketAutoResponse(pair?: unknown): void;
  /** Holds every other event of the object until `callback` settles. */
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** A binding to a Durable Object class (`env.ROOM`): finds or makes the object of a name. */
export interface DurableObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The runtime's globals, where workerd has them. */
interface WorkerdGlobals {
  WebSocketPair?: new () => { 0: WebSocket; 1: HibernatableWebSocket };
  WebSocketRequestResponsePair?: new (request: string, response: string) => unknown;
}

/**
 * A new pair of connected WebSockets: `[client, server]`.
 *
 * @throws {Error} Outside workerd.
 */
export function webSocketPair(): [WebSocket, HibernatableWebSocket] {
  const Pair = (globalThis as WorkerdGlobals).WebSocketPair;
  if (Pair === undefined) {
    throw new Error("typewire/server/cloudflare runs in Cloudflare's workerd: WebSocketPair is missing");
  }
  const pair = new Pair();
  return [pair[0], pair[1]];
}

/**
 * A `WebSocketRequestResponsePair` for `setWebSocketAutoResponse`.
 *
 * @throws {Error} Outside workerd.
 */
export function autoResponsePair(request: string, response: string): unknown {
  const Pair = (globalThis as WorkerdGlobals).WebSocketRequestResponsePair;
  if (Pair === undefined) {
    throw new Error("typewire/server/cloudflare runs in Cloudflare's workerd: WebSocketRequestResponsePair is missing");
  }
  return new Pair(request, response);
}

/** The 101 response that hands `client` to the peer (workerd's `webSocket` response option). */
export function switchingProtocols(client: WebSocket, protocol: string | undefined): Response {
  const headers: Record<string, string> = protocol === undefined ? {} : { "sec-websocket-protocol": protocol };
  return new Response(null, { status: 101, webSocket: client, headers } as ResponseInit);
}
