/**
 * What a typed server takes and gives: its handlers and hooks, where it
 * listens, and the server once built. `createServer` (`./typed_server.ts`)
 * builds one.
 *
 * @module
 */
import type { MessageOf, TagOf } from "../runtime/dispatch.ts";
import type { DecodeError } from "../runtime/result.ts";
import type { Maybe, RunningServer, ServeOptions, SocketHandlers } from "./contract.ts";
import type { Connection } from "./connection.ts";
import type { Limits } from "./policy.ts";
import type { AfterUpgradeRefusal } from "./refuse_after_upgrade.ts";

/** One handler per client message type `T`: the decoded message, its connection, and the frame as received. */
export type MessageHandler<S, C, K extends string, D, T extends string> = (
  message: MessageOf<C, K, T>,
  conn: Connection<S, D>,
  frame: string,
) => unknown;

/** A handler for every message a client sends: leaving one out is a compile error. */
export type MessageHandlers<S, C, K extends string, D> = {
  readonly [T in TagOf<C, K>]: MessageHandler<S, C, K, D, T>;
};

/** What the `upgrade` hook knows besides the request. */
export interface UpgradeInfo {
  /** The peer's address. */
  readonly remoteAddress: string;
  /** The request's `Origin`, when it has one (already checked against `origins`). */
  readonly origin: string | undefined;
}

/** A connection the server closed for bad input or a limit, and why. */
export interface Refusal<S, D> {
  readonly conn: Connection<S, D>;
  /** 1003, 1007, 1008, 1009, 1011 (see README's policy table). */
  readonly code: number;
  readonly reason: string;
}

/** What every typed server takes, whichever form of handlers it uses. */
export interface ServerHooks<S, C, K extends string, D> {
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
  readonly open?: (conn: Connection<S, D>) => unknown;
  /** A connection closed, from either side (1006 when it ended without a closing handshake). Runs once per `open`. */
  readonly close?: (conn: Connection<S, D>, code: number, reason: string) => void;
  /**
   * Takes a message whose type the protocol does not know (its parsed JSON); without it such a message closes the
   * connection with 1008.
   */
  readonly onUnknown?: (
    message: Readonly<Record<string, unknown>>,
    conn: Connection<S, D>,
    frame: string,
  ) => unknown;
  /** Told about every invalid message before the strike count (`limits.invalidStrikes`) closes the connection. */
  readonly onInvalid?: (error: DecodeError, conn: Connection<S, D>) => void;
  /** Told about a handler that threw or rejected; that connection is then closed with 1011. @default console.error */
  readonly onError?: (error: unknown, conn: Connection<S, D> | undefined) => void;
  /** Told about every connection the policy closes, and why. @default nothing */
  readonly onRefusal?: (refusal: Refusal<S, D>) => void;
  /** Browser origins allowed to connect; an upgrade with another `Origin` gets 403. No `Origin` (bots) is let in. */
  readonly origins?: readonly string[];
  /** Refuse properties the schema does not name (the `Strict` decoder). @default false */
  readonly strict?: boolean;
  /** The limits; see {@link Limits} for the defaults. */
  readonly limits?: Limits;
}

/** The typed server's options: its hooks, and either every handler or some of them. */
export type TypedServerOptions<S, C, K extends string, D> =
  & ServerHooks<S, C, K, D>
  & (
    | {
      /** One handler per client message type; a missing one is a compile error. */
      readonly handlers: MessageHandlers<S, C, K, D>;
      readonly partialHandlers?: never;
    }
    | {
      /** Handlers for some client message types; a valid message without one is ignored. */
      readonly partialHandlers: Partial<MessageHandlers<S, C, K, D>>;
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
export interface TypedServer<S, D> {
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
   * Sends one message to every connection subscribed to `topic`, validated and encoded once.
   *
   * @throws {MessageRefused} When the message breaks the schema.
   * @throws {Error} When the server is not listening.
   */
  publish(topic: string, message: S): void;
  /**
   * Sends one message to every open connection, validated and encoded once.
   *
   * @throws {MessageRefused} When the message breaks the schema.
   */
  broadcast(message: S): void;
  /** The open connections. */
  readonly connections: ReadonlySet<Connection<S, D>>;
  /**
   * The transport handlers behind `listen`, for a peer in this process with no network between (a test's observer,
   * a bridge). A socket given to them has no upgrade, so its `data` is its own.
   */
  readonly socketHandlers: SocketHandlers;
}
