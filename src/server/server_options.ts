/**
 * What a typed server takes and gives: its handlers and hooks, where it
 * listens, and the server once built. `createServer` (`./typed_server.ts`)
 * builds one.
 *
 * @module
 */
import type { MessageOf, TagOf } from "../runtime/dispatch.ts";
import type { DecodeError } from "../runtime/result.ts";
import type { TypedRequestError } from "../runtime/request_errors.ts";
import type {
  AnyErrorAnswer,
  AnyRequest,
  ClientRequests,
  ErrorReplyOf,
  HandlerResult,
  HandlerTable,
  NoRequests,
  RequestTag,
  ServerRequests,
} from "../runtime/requests.ts";
import type { Maybe, RunningServer, ServeOptions, SocketHandlers } from "./contract.ts";
import type { Connection } from "./connection.ts";
import type { Limits } from "./policy.ts";
import type { AfterUpgradeRefusal } from "./refuse_after_upgrade.ts";
import type { Cluster, PresenceMember } from "../backplane/cluster.ts";

/**
 * The handler of client message type `T`: the decoded message, its connection, and the frame as received. For a
 * request it returns (or resolves with) the answer: one of the request's replies or error replies, without the
 * correlation property, which typewire copies from the request.
 */
export type MessageHandler<S, C, K extends string, D, T extends TagOf<C, K>, R = NoRequests> = (
  message: MessageOf<C, K, T>,
  conn: Connection<S, D, R>,
  frame: string,
) => HandlerResult<ClientRequests<R>, T, false, K>;

/**
 * A handler for every message a client sends: leaving one out is a compile error. A request's handler must return
 * one of its answers. The handlers of answers to the server's own requests are optional: they see only late ones.
 */
export type MessageHandlers<S, C, K extends string, D, R = NoRequests, A extends string = string> = HandlerTable<
  C,
  K,
  ClientRequests<R>,
  ServerRequests<R>,
  [conn: Connection<S, D, R>, frame: string],
  false,
  A
>;

/** What the `upgrade` hook knows besides the request. */
export interface UpgradeInfo {
  /** The peer's address. */
  readonly remoteAddress: string;
  /** The request's `Origin`, when it has one (already checked against `origins`). */
  readonly origin: string | undefined;
}

/** A connection the server closed for bad input or a limit, and why. */
export interface Refusal<S, D, R = NoRequests> {
  readonly conn: Connection<S, D, R>;
  /** 1003, 1007, 1008, 1009, 1011 (see README's policy table). */
  readonly code: number;
  readonly reason: string;
}

/** What every typed server takes, whichever form of handlers it uses. */
export interface ServerHooks<S, C, K extends string, D, R = NoRequests, A extends string = string> {
  /**
   * Runs before the upgrade, sync or async: return the connection's data (every handler sees it as `conn.data`); or
   * `refuseAfterUpgrade(code, reason)` for a client that must not retry (bad credentials: 4401, forbidden: 4403),
   * which accepts the upgrade and closes at once with that code, the only refusal a browser client can read; or a
   * `Response` that refuses the upgrade over HTTP (429, 503...; a client sees 1006 and retries). A hook that throws
   * refuses with 500.
   * @default every upgrade is accepted, with `undefined` as its data
   */
  readonly upgrade?: (request: Request, info: UpgradeInfo) => Maybe<D | Response | AfterUpgradeRefusal>;
  /** A connection opened. */
  readonly open?: (conn: Connection<S, D, R>) => unknown;
  /** A connection closed, from either side (1006 when it ended without a closing handshake). Runs once per `open`. */
  readonly close?: (conn: Connection<S, D, R>, code: number, reason: string) => void;
  /**
   * Only where the host may drop the server from memory between events (a Durable Object that hibernates,
   * `typewire/server/cloudflare`): a connection opened before is back in a fresh server, with its `data`, `id` and
   * topics; `open` is not run again. Rebuild here what you keep in memory about connections. Never called on Bun,
   * Deno or Node.
   */
  readonly restored?: (conn: Connection<S, D, R>) => void;
  /**
   * Takes a message whose type the protocol does not know (its parsed JSON); without it such a message closes the
   * connection with 1008.
   */
  readonly onUnknown?: (
    message: Readonly<Record<string, unknown>>,
    conn: Connection<S, D, R>,
    frame: string,
  ) => unknown;
  /** Told about every invalid message before the strike count (`limits.invalidStrikes`) closes the connection. */
  readonly onInvalid?: (error: DecodeError, conn: Connection<S, D, R>) => void;
  /** Told about a handler that threw or rejected; that connection is then closed with 1011. @default console.error */
  readonly onError?: (error: unknown, conn: Connection<S, D, R> | undefined) => void;
  /** Told about every connection the policy closes, and why. @default nothing */
  readonly onRefusal?: (refusal: Refusal<S, D, R>) => void;
  /** Browser origins allowed to connect; an upgrade with another `Origin` gets 403. No `Origin` (bots) is let in. */
  readonly origins?: readonly string[];
  /** Refuse properties the schema does not name (the `Strict` decoder). @default false */
  readonly strict?: boolean;
  /** The limits; see {@link Limits} for the defaults. */
  readonly limits?: Limits;
  /**
   * Turns what a request's handler threw (other than a `ReplyError`, which is its answer already) into an error reply
   * of that request, without the correlation property; `undefined` leaves it to the error policy (`onError`, then
   * 1011). Nothing of a thrown error reaches a client unless this says so. Its type allows the error replies of every
   * request; one that does not answer `request` (check `request.type`) is a server bug: `onError`, then 1011.
   * @default every such throw follows the error policy
   */
  readonly errorReply?: (
    error: unknown,
    request: AnyRequest<ClientRequests<R>>,
    conn: Connection<S, D, R>,
  ) => (AnyErrorAnswer<ClientRequests<R>> & Readonly<Record<K, NoInfer<A>>>) | undefined;
  /** How long `conn.request()` waits for an answer unless told otherwise, in milliseconds. @default 10000 */
  readonly requestTimeout?: number;
  /**
   * The cluster this server's topics span: `new Cluster(new RedisBackplane(url))`, `new Cluster(new
   * NatsBackplane(servers))`, or one `MemoryHub` shared by servers in one process. `listen()` starts it unless it is
   * started; leaving it is yours, after `stop()`: `await cluster.close()` (its other users, a chat room, may still
   * publish their last words). @default a cluster of this server alone, in memory, which `stop()` closes
   */
  readonly cluster?: Cluster;
  /**
   * Announces every subscription to the whole cluster, so that `server.members(topic)` and the cluster's
   * `onPresence` see every instance's connections; a function gives each connection a label (a user name).
   * @default false
   */
  readonly presence?: boolean | ((conn: Connection<S, D, R>) => string | undefined);
}

/**
 * The typed server's options: its hooks, and either every handler or some of them. (`A` only helps the type checker
 * keep the types of answers literal; leave it out.)
 */
export type TypedServerOptions<S, C, K extends string, D, R = NoRequests, A extends string = string> =
  & ServerHooks<S, C, K, D, R, A>
  & (
    | {
      /** One handler per client message type; a missing one is a compile error. */
      readonly handlers: MessageHandlers<S, C, K, D, R, A>;
      readonly partialHandlers?: never;
    }
    | {
      /** Handlers for some client message types; a valid message without one is ignored (a request then waits). */
      readonly partialHandlers: Partial<MessageHandlers<S, C, K, D, R, A>>;
      readonly handlers?: never;
    }
  );

/** Where and how to listen. */
export interface ListenOptions {
  /** @default "127.0.0.1" */
  readonly hostname?: string;
  /** @default 0: a free port */
  readonly port?: number;
  /** Answers plain HTTP requests. @default 404 */
  readonly fetch?: (request: Request) => Response | Promise<Response>;
}

/** A typed server that is listening. */
export interface ListeningServer {
  readonly hostname: string;
  readonly port: number;
  /** `ws://hostname:port/` */
  readonly url: string;
  /** Closes every connection with 1001 (going away) and stops listening. */
  stop(): Promise<void>;
}

/** A typed server: start it with `listen`, reach its clients with `publish` and `broadcast`. */
export interface TypedServer<S, D, R = NoRequests> {
  /**
   * Starts listening.
   *
   * @param options Where to listen, and plain HTTP.
   * @param serve The adapter; by default the one of the runtime running this (Bun, Deno or Node). A Node user with
   * an existing `http.Server` passes `(options, handlers) => attach(httpServer, options, handlers)`.
   */
  listen(
    options?: ListenOptions,
    serve?: (options: ServeOptions, handlers: SocketHandlers) => RunningServer | Promise<RunningServer>,
  ): Promise<ListeningServer>;
  /**
   * Sends one message to every connection subscribed to `topic` on every instance of the cluster, validated and
   * encoded once. A resumable message (the protocol's `resume` option) is appended to the topic's log, so that a
   * client that reconnects gets it; any other is sent at most once.
   *
   * @throws {MessageRefused} When the message breaks the schema.
   * @throws {Error} When the server is not listening (nor its cluster started).
   */
  publish(topic: string, message: S): void;
  /** The cluster this server's topics span. */
  readonly cluster: Cluster;
  /**
   * The connections subscribed to `topic` on every instance alive, as far as this instance knows.
   *
   * @throws {TypeError} Without the `presence` option (nothing is tracked then).
   */
  members(topic: string): PresenceMember[];
  /**
   * Sends one message to every open connection of this instance, validated and encoded once.
   *
   * @throws {MessageRefused} When the message breaks the schema.
   */
  broadcast(message: S): void;
  /** The open connections. */
  readonly connections: ReadonlySet<Connection<S, D, R>>;
  /**
   * Tells whether `error` is the failure of a `conn.request()` of type `request`, and narrows it: for `kind`
   * `"error-reply"`, `reply` is then that request's error reply, typed.
   *
   * @param error What a `catch` caught.
   * @param request The request's message type.
   * @returns `true` for a `RequestError` of that request.
   */
  isRequestError<T extends RequestTag<ServerRequests<R>>>(
    error: unknown,
    request: T,
  ): error is TypedRequestError<ErrorReplyOf<ServerRequests<R>, T>>;
  /**
   * Runs the checks of an upgrade that need no connection: `origins` (403), then the `upgrade` hook. `listen()` runs
   * them itself; this is for hosts that decide an upgrade before the request reaches the connections (a Cloudflare
   * Worker in front of its Durable Object: `typewire/server/cloudflare`).
   *
   * @param request The upgrade request.
   * @param info The peer's address and the request's `Origin`.
   * @returns The connection's data, or the refusal (a `Response`, or `refuseAfterUpgrade(...)`).
   */
  admit(request: Request, info: UpgradeInfo): Maybe<D | Response | AfterUpgradeRefusal>;
  /**
   * The transport handlers behind `listen`, for a peer in this process with no network between (a test's observer,
   * a bridge). A socket given to them has no upgrade, so its `data` is its own.
   */
  readonly socketHandlers: SocketHandlers;
}
