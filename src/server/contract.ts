/**
 * The server-side WebSocket contract every runtime adapter implements: a
 * socket, its handlers, and a running server. Code written against it (the
 * typed server, test servers) runs unchanged on `Bun.serve`, `Deno.serve` and
 * Node.js; only `src/server/bun/`, `src/server/deno/` and `src/server/node/`
 * touch a runtime. Every adapter behaves the same way: the table in README's
 * "Your own server" section, checked by `tests/transport.test.ts` on each.
 *
 * @module
 */

/** One accepted WebSocket connection. */
export interface ServerSocket {
  /** The subprotocol the server selected, `""` for none. */
  readonly protocol: string;
  /** The upgrade request's `Origin` header, when it had one. */
  readonly origin: string | undefined;
  /** The peer's address. */
  readonly remoteAddress: string;
  /** What the `upgrade` hook returned for this connection (`undefined` without one). */
  readonly data: unknown;
  /** Bytes handed to the runtime that it has not written to the network yet. */
  readonly bufferedAmount: number;
  /**
   * Sends one text frame.
   *
   * @returns `false` when the socket is no longer open and nothing was sent.
   */
  send(frame: string): boolean;
  /**
   * Starts the closing handshake with a code and a reason (cut to 123 UTF-8 bytes at a character boundary). A peer
   * that does not complete it within the server's `closeTimeout` loses its TCP connection where the runtime allows it.
   */
  close(code?: number, reason?: string): void;
  /** Receives what is published to `topic` from now on. */
  subscribe(topic: string): void;
  /** Stops receiving what is published to `topic`. */
  unsubscribe(topic: string): void;
  /**
   * Only on hosts that may drop the server from memory between events (a Durable Object that hibernates): keeps the
   * connection's state with the socket, so that it outlives the server's memory. The typed server calls it after each
   * event it handled.
   *
   * @throws {Error} When the state does not fit what the host can keep (the connection is then closed with 1011).
   */
  keep?(state: KeptState): void;
  /** On such hosts, for a connection opened before the server was dropped from memory: what `keep` was last given. */
  readonly kept?: KeptState | undefined;
  /**
   * Topics the host subscribed the connection to as it accepted it (a Durable Object's WebSocket tags): it opens
   * subscribed to them.
   */
  readonly openTopics?: readonly string[];
}

/** What a host that may drop the server from memory keeps of each connection (`ServerSocket.keep`). */
export interface KeptState {
  /** The connection's number. */
  readonly id: number;
  /** When it opened, in ms since the epoch. */
  readonly openedAt: number;
  /** Its data, as the handlers left it. */
  readonly data: unknown;
  /** Whether it sent a message yet. */
  readonly heard: boolean;
  /** Invalid messages it sent (the strikes of the policy). */
  readonly invalid: number;
  /** The rate limit's bucket: the frames it may still send at once, and when that was counted (ms since the epoch). */
  readonly tokens: number;
  readonly refilledAt: number;
  /** The topics it is subscribed to. */
  readonly topics: readonly string[];
}

/**
 * What each connection does. Every handler is optional but `message`. A
 * handler that throws, or returns a promise that rejects, closes that one
 * connection with 1011 and is reported to `ServeOptions.onError`; the server
 * and every other connection carry on. What a handler returns is ignored,
 * but for a promise's rejection.
 */
export interface SocketHandlers {
  /** A connection opened (after the upgrade). */
  open?(socket: ServerSocket): unknown;
  /** A frame arrived: text as a string, binary as bytes. */
  message(socket: ServerSocket, data: string | Uint8Array): unknown;
  /**
   * The connection closed, from either side. When the server closed it (`socket.close`, a frame over the limit,
   * `stop()`), `code` and `reason` are the ones the server sent, whatever the peer answered. Otherwise they are the
   * peer's, or 1006 (and an empty reason) when it ended without a closing handshake: a reset, a heartbeat timeout.
   */
  close?(socket: ServerSocket, code: number, reason: string): void;
  /**
   * A connection is back after its host dropped the server from memory (`socket.kept` says what it was): it was opened
   * before and is not opened again. Hosts that never drop the server (Bun, Deno, Node) never call it.
   */
  restore?(socket: ServerSocket): void;
}

/** An accepted upgrade: the data every later event of that connection sees, and optionally the subprotocol. */
export interface Acceptance {
  /** Kept on the connection as `ServerSocket.data`. */
  readonly data?: unknown;
  /** The subprotocol to select; when absent, `selectProtocol` chooses. */
  readonly protocol?: string;
}

/** Synchronous or asynchronous. */
export type Maybe<T> = T | Promise<T>;

/**
 * Decides on an upgrade request before the connection opens: a `Response`
 * refuses it (401, 403, 429...), anything else accepts it.
 */
export type UpgradeHook = (request: Request, remoteAddress: string) => Maybe<Response | Acceptance | undefined>;

/** How to listen, which upgrades to accept, and the limits every adapter enforces alike. */
export interface ServeOptions {
  /** The address to listen on. @default "127.0.0.1" */
  readonly hostname?: string;
  /** The port; `0` lets the operating system pick a free one. @default 0 */
  readonly port?: number;
  /**
   * Picks the subprotocol from the list the client offered (`Sec-WebSocket-Protocol`).
   * `undefined` selects none. @default none is selected
   */
  readonly selectProtocol?: (offered: readonly string[]) => string | undefined;
  /**
   * Accepts (optionally with data for the connection) or refuses an upgrade; may be async. A hook that throws
   * refuses with 500. @default every well-formed upgrade is accepted
   */
  readonly upgrade?: UpgradeHook;
  /** Answers plain HTTP requests (anything that is not a WebSocket upgrade). @default 404 */
  readonly fetch?: (request: Request) => Response | Promise<Response>;
  /**
   * The largest frame accepted, in bytes; a bigger one closes the connection with 1009
   * (`frame larger than N bytes`) and is not delivered. @default 1048576
   */
  readonly maxFrameBytes?: number;
  /**
   * Seconds a peer may stay silent (answering no ping) before it is cut; its `close` handler then gets 1006. The
   * runtime's own ping where it has one (Bun, Deno), a timer otherwise (Node). `0` turns it off. @default 30
   */
  readonly idleTimeout?: number;
  /**
   * Milliseconds a peer has to answer a close frame before its TCP connection is cut (Bun, Node; Deno's WebSocket has
   * no way to cut its connection, so there the peer keeps it until it goes). @default 3000
   */
  readonly closeTimeout?: number;
  /** Told about a handler that threw; that connection is closed with 1011. @default a line on the console */
  readonly onError?: (error: unknown, socket: ServerSocket) => void;
  /**
   * For hosts whose upgrade was decided before the request reached them (a Durable Object behind its Worker, where
   * `upgrade` ran): the connection limits alone, for an upgrade that `data` was decided for.
   */
  readonly admitted?: (request: Request, remoteAddress: string, data: unknown) => Response | Acceptance;
}

/** A server that is listening. */
export interface RunningServer {
  readonly hostname: string;
  readonly port: number;
  /** `ws://hostname:port/` */
  readonly url: string;
  /** Open connections. */
  readonly connections: number;
  /** Sends one frame to every connection subscribed to `topic` (Bun's native publish on Bun). */
  publish(topic: string, frame: string): void;
  /**
   * The host may drop the server from memory between events (a Durable Object that hibernates): the server then keeps
   * no timer running while it has nothing to wait for. @default false
   */
  readonly hibernates?: boolean;
  /** Closes every connection with 1001 (going away) and stops listening. */
  stop(): Promise<void>;
}

/** An adapter's entry point. */
export type Serve = (options: ServeOptions, handlers: SocketHandlers) => Promise<RunningServer>;

/** The frame size limit when none is given: 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** The heartbeat's timeout when none is given, in seconds. */
export const DEFAULT_IDLE_TIMEOUT = 30;

/** How long a peer has to answer a close frame when no `closeTimeout` is given, in milliseconds. */
export const DEFAULT_CLOSE_TIMEOUT = 3_000;

/**
 * The offered subprotocols of an upgrade request.
 *
 * @param request The upgrade request.
 * @returns The names in `Sec-WebSocket-Protocol`, in order.
 * @example
 * ```ts
 * import { offeredProtocols } from "./contract.ts";
 * offeredProtocols(new Request("http://x/", { headers: { "sec-websocket-protocol": "json, v2" } })); // ["json", "v2"]
 * ```
 */
export function offeredProtocols(request: Request): string[] {
  const header = request.headers.get("sec-websocket-protocol");
  return header === null ? [] : header.split(",").map((p) => p.trim()).filter((p) => p !== "");
}

/**
 * Whether a frame is bigger than a byte limit, counting UTF-8 bytes of text
 * only when the UTF-16 length cannot decide.
 *
 * @param data The frame.
 * @param limit The largest size allowed, in bytes.
 * @returns `true` when the frame is too big.
 * @example
 * ```ts
 * import { frameExceeds } from "./contract.ts";
 * frameExceeds("é".repeat(600), 1000); // true: 1200 bytes
 * ```
 */
export function frameExceeds(data: string | Uint8Array, limit: number): boolean {
  if (typeof data !== "string") return data.byteLength > limit;
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4).
  if (data.length * 3 <= limit) return false;
  if (data.length > limit) return true;
  let bytes = 0;
  for (let i = 0; i < data.length; i++) {
    const unit = data.charCodeAt(i);
    bytes += unit < 0x80 ? 1 : unit < 0x800 || (unit >= 0xd800 && unit <= 0xdfff) ? 2 : 3;
    if (bytes > limit) return true;
  }
  return false;
}

/** The reason every adapter gives when it closes a connection for a frame over `maxFrameBytes` (code 1009). */
export function frameTooBig(limit: number): string {
  return `frame larger than ${limit} bytes`;
}

/**
 * Whether a request asks for a WebSocket upgrade.
 *
 * @param request Any request.
 * @returns `true` for `Upgrade: websocket`.
 * @example
 * ```ts
 * import { isUpgrade } from "./contract.ts";
 * isUpgrade(new Request("http://x/")); // false
 * ```
 */
export function isUpgrade(request: Request): boolean {
  return request.headers.get("upgrade")?.toLowerCase() === "websocket";
}
