/**
 * What a typewire client can be told, with the defaults it uses.
 *
 * @module
 */
import type { BackoffSettings } from "./backoff.ts";
import type { ClientRequests, HandlerTable, NoRequests, ServerRequests } from "../runtime/requests.ts";
import type { TypewireClient } from "./client.ts";
import type { OverflowPolicy } from "./send_queue.ts";
import type { PageLocation } from "./url.ts";

/** A WebSocket constructor: the global one, or one injected where there is none (e.g. the `ws` package). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/**
 * Where to connect: a URL; a list of URLs, tried in turn, one per attempt (instances of one service: after a
 * connection drops, the next attempt goes to the next one); or a function called before every connection attempt (to
 * refresh a token, say).
 */
export type UrlSource = string | URL | readonly (string | URL)[] | (() => string | URL | Promise<string | URL>);

/** What a close looked like, for deciding whether to reconnect. */
export interface CloseInfo {
  /** The close code; name it with `closeCodeName`. */
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** How the client reconnects after a connection drops: the backoff (`minDelay`, `maxDelay`, `factor`, `random`) and when to stop. */
export interface ReconnectOptions extends BackoffSettings {
  /**
   * Reconnection attempts in a row after a drop (the first connection is not one) before giving up; the last `close`
   * event then has `gaveUp: true`, and `stats.gaveUp` counts it. @default Infinity
   */
  readonly maxAttempts?: number;
  /** How long a connection must stay open before the attempt count starts again from 1, in milliseconds. @default 5000 */
  readonly minUptime?: number;
  /** Close codes after which the client does not reconnect, as well as 1008 and 4400-4499 (see `isTerminalCode`). @default [] */
  readonly terminalCodes?: readonly number[];
  /** Decides whether to reconnect after a close (replacing the terminal codes). @default not after 1008, 4400-4499 or a code of `terminalCodes` */
  readonly shouldReconnect?: (close: CloseInfo) => boolean;
}

/** Waiting for one message: see `nextMessage`. */
export interface NextOptions<M> {
  /** Only a message for which this returns `true` counts. */
  readonly filter?: (message: M) => boolean;
  /** Give up after this many milliseconds, with a `TimeoutError`. */
  readonly timeout?: number;
  /** Give up when this signal aborts, with its reason. */
  readonly signal?: AbortSignal;
}

/**
 * What the handshake hook gets: the client (to wait for messages with
 * `nextMessage`), a way to send ahead of the queue, and a signal that aborts
 * if the connection drops before the handshake ends.
 */
export interface Session<S, C, K extends string, R = NoRequests> {
  readonly client: TypewireClient<S, C, K, R>;
  /** Sends now, ahead of every queued message. Throws `OutgoingMessageError` for an invalid message. */
  send(message: C): void;
  /** Aborts if this connection drops before the handshake ends: pass it to `nextMessage`. */
  readonly signal: AbortSignal;
}

/**
 * One handler per message type a server sends, typed by its message; a server request's handler returns its answer
 * (or nothing, leaving the request to another handler). Handlers of replies to the client's own requests are optional.
 */
export type ClientHandlers<S, K extends string, R = NoRequests> = HandlerTable<
  S,
  K,
  ServerRequests<R>,
  ClientRequests<R>,
  [],
  true
>;

/** Everything a client can be told. */
export interface ClientOptions<S, C, K extends string, R = NoRequests> {
  /** The subprotocols to offer; the server's pick is `client.protocol`. @default the protocol's own (`["json"]` for chat) */
  readonly protocols?: string | readonly string[];
  /** The WebSocket constructor. @default globalThis.WebSocket */
  readonly WebSocket?: WebSocketConstructor;
  /** One handler per message type: leaving one out is a compile error. More can be added with `on()`. */
  readonly handlers?: ClientHandlers<S, K, R>;
  /** Refuse incoming messages with properties the schema does not name. @default false */
  readonly strict?: boolean;
  /** The longest incoming text frame, in UTF-16 code units; a longer one is refused as `too-large`, unparsed. @default 1048576 */
  readonly maxFrameLength?: number;
  /** Bounds on the messages that wait for a connection. */
  readonly queue?: {
    /** @default 1000 */
    readonly maxMessages?: number;
    /** In UTF-16 code units of encoded frames. @default 1048576 */
    readonly maxBytes?: number;
    /** `"reject"`: `send()` throws `QueueFullError`. `"drop-oldest"`: the oldest is dropped and reported in a `queueoverflow` event. @default "reject" */
    readonly overflow?: OverflowPolicy;
  };
  /** Reconnection; `false` turns it off. @default true (with the defaults of ReconnectOptions) */
  readonly reconnect?: boolean | ReconnectOptions;
  /** Runs after every (re)connection, before queued messages are flushed and before `open` handlers run. */
  readonly handshake?: (session: Session<S, C, K, R>) => void | Promise<void>;
  /** How long the handshake may take, in milliseconds. @default 10000 */
  readonly handshakeTimeout?: number;
  /** Applied to every outgoing message just before it is encoded for the wire (at `send()` when open, at flush when queued): e.g. to stamp the current session id. */
  readonly prepare?: (message: C) => C;
  /** How long `close()` lets queued and buffered data go out, and waits for the closing handshake, in milliseconds. @default 5000 */
  readonly closeTimeout?: number;
  /**
   * How long a request waits for its answer, in milliseconds, unless its own `timeout` says otherwise; counted from
   * the `request()` call. `Infinity` waits for ever. @default 10000
   */
  readonly requestTimeout?: number;
  /**
   * Requests that may wait for their answers at once; one more rejects at once with `too-many-pending`, unsent. The
   * same bound holds for requests from the server that this client's handlers have not answered yet: one more is not
   * handed to them and is reported as an `error` event. The same default as the typed server's: 100 each way.
   * @default 100
   */
  readonly maxPendingRequests?: number;
  /** The page the client runs in, for the mixed-content check and relative URLs. @default globalThis.location */
  readonly location?: PageLocation;
}
