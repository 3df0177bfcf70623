/**
 * The server-side WebSocket contract every runtime adapter implements: a
 * socket, its handlers, and a running server. Code written against it (the
 * chat server core, test servers) runs unchanged on `Bun.serve` and
 * `Deno.serve`; only `src/server/bun/` and `src/server/deno/` touch a runtime.
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
  /** Bytes handed to the runtime that it has not written to the network yet. */
  readonly bufferedAmount: number;
  /**
   * Sends one text frame.
   *
   * @returns `false` when the socket is no longer open and nothing was sent.
   */
  send(frame: string): boolean;
  /** Starts the closing handshake with a code and a reason. */
  close(code?: number, reason?: string): void;
}

/** What happens on each connection. Every handler is optional but `message`. */
export interface SocketHandlers {
  /** A connection opened (after the upgrade). */
  open?(socket: ServerSocket): void;
  /** A frame arrived: text as a string, binary as bytes. */
  message(socket: ServerSocket, data: string | Uint8Array): void;
  /** The connection closed, from either side. */
  close?(socket: ServerSocket, code: number, reason: string): void;
}

/** How to listen and which upgrades to accept. */
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
  /** Refuses an upgrade by returning a response (e.g. 403 for a disallowed `Origin`). */
  readonly refuse?: (request: Request) => Response | undefined;
  /** Answers plain HTTP requests (anything that is not a WebSocket upgrade). @default 404 */
  readonly fetch?: (request: Request) => Response | Promise<Response>;
  /**
   * The largest frame accepted, in bytes; a bigger one closes the connection with 1009
   * (message too big) and is not delivered. @default 1048576
   */
  readonly maxFrameBytes?: number;
}

/** A server that is listening. */
export interface RunningServer {
  readonly hostname: string;
  readonly port: number;
  /** `ws://hostname:port/` */
  readonly url: string;
  /** Closes every connection with 1001 (going away) and stops listening. */
  stop(): Promise<void>;
}

/** An adapter's entry point. */
export type Serve = (options: ServeOptions, handlers: SocketHandlers) => Promise<RunningServer>;

/** The frame size limit when none is given: 1 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

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
