/**
 * One connection of the typed server, as handlers see it: the data its
 * upgrade settled, typed sending, closing, topics.
 *
 * @module
 */
import type { ServerSocket } from "./contract.ts";
import type { EncodeError, EncodeResult } from "../runtime/result.ts";
import type { RequestSpec } from "../runtime/protocol.ts";
import { PendingRequests, type RequestOptions } from "../runtime/pending_requests.ts";
import { RequestError } from "../runtime/request_errors.ts";
import type { NoRequests, OutgoingRequest, ReplyOf, RequestTag, ServerRequests } from "../runtime/requests.ts";
import type { Allowance } from "./rate_limit.ts";
import type { ServerTopics, TopicMember } from "./cluster_topics.ts";

const NO_TOPICS: ReadonlySet<string> = new Set();

/** An accepted upgrade's data, with the positions its client resumes from (a protocol with resumable messages). */
export class Resuming {
  constructor(readonly data: unknown, readonly positions: Map<string, string>) {}
}

/**
 * Thrown by `send`, `publish` and `broadcast` for a message that does not
 * encode (it breaks the schema): a bug in the server, never the peer's doing.
 * Inside a handler it closes that connection with 1011 and reaches `onError`.
 *
 * @example
 * ```ts
 * import { MessageRefused } from "./connection.ts";
 * const error = new MessageRefused({ kind: "not-object", message: "expected a JSON object, found null" });
 * console.log(error.message); // "the server built a message that does not encode: expected a JSON object..."
 * ```
 */
export class MessageRefused extends Error {
  /** @param error Why the encoder refused the message. */
  constructor(readonly error: EncodeError) {
    super(`the server built a message that does not encode: ${error.message}`);
    this.name = "MessageRefused";
  }
}

/**
 * Encodes a message or throws {@link MessageRefused}.
 *
 * @param encode The direction's encoder.
 * @param message The message.
 * @returns The frame.
 * @example
 * ```ts
 * import { encodeOrThrow } from "./connection.ts";
 * import { chatProtocol } from "../generated/chat.ts";
 * encodeOrThrow(chatProtocol.server.encode, { type: "id", id: 1 }); // '{"type":"id","id":1}'
 * ```
 */
export function encodeOrThrow<S>(encode: (message: S) => EncodeResult, message: S): string {
  const encoded = encode(message);
  if (!encoded.ok) throw new MessageRefused(encoded.error);
  return encoded.frame;
}

/**
 * A connection, typed by what the server sends (`S`) and by the data its
 * upgrade hook returned (`D`).
 *
 * @example In a handler
 * ```ts
 * import type { Connection } from "./connection.ts";
 * import type { ServerMessage } from "../generated/chat.ts";
 * function greet(conn: Connection<ServerMessage, { user: string }>) {
 *   conn.send({ type: "id", id: 1 });
 *   conn.subscribe("lobby");
 *   console.log(conn.data.user, conn.remoteAddress);
 * }
 * ```
 */
export interface Connection<S, D = undefined, R = NoRequests> {
  /** What the `upgrade` hook returned for this connection. */
  readonly data: D;
  /** A number unique among this server's connections, counting from 1. */
  readonly id: number;
  /** The subprotocol selected at the upgrade, `""` for none. */
  readonly protocol: string;
  /** The upgrade request's `Origin`, when it had one. */
  readonly origin: string | undefined;
  /** The peer's address. */
  readonly remoteAddress: string;
  /** Bytes waiting to be written to this peer. */
  readonly bufferedAmount: number;
  /** `false` once the connection closes or the server has decided to close it. */
  readonly isOpen: boolean;
  /**
   * Validates, encodes and sends one message.
   *
   * @returns `false` when the connection is no longer open (nothing was sent).
   * @throws {MessageRefused} When the message breaks the schema.
   */
  send(message: S): boolean;
  /**
   * Sends a frame that this protocol's server encoder wrote already (what a backplane carries between instances,
   * or one frame encoded once for many connections). It is not validated again.
   *
   * @returns `false` when the connection is no longer open (nothing was sent).
   */
  sendFrame(frame: string): boolean;
  /** Closes the connection; the reason is cut to 123 UTF-8 bytes at a character boundary. */
  close(code?: number, reason?: string): void;
  /**
   * Receives what `server.publish(topic, ...)` sends from now on, on any instance of the cluster. When the client
   * resumes `topic` (it reconnected with a position), the resumable messages it missed come first, then a
   * `typewire:resumed` notice, then the live stream: each message once, in order.
   *
   * @returns Resolves once the subscription is in place on the cluster's engine: what any instance publishes after
   * that reaches this connection (on one instance, or for topics this instance listens to already, at once).
   */
  subscribe(topic: string): Promise<void>;
  /** Stops receiving `topic`. */
  unsubscribe(topic: string): void;
  /** The topics it receives. */
  readonly topics: ReadonlySet<string>;
  /**
   * Sends a request to this client and waits for its answer, typed as on the client: typewire fills in the
   * correlation property; the promise resolves with one of the request's replies and rejects with a `RequestError`
   * (`timeout`, `closed`, `invalid-reply`, `error-reply`, `aborted`, `too-many-pending`). At most
   * `limits.maxPendingRequests` wait at once.
   *
   * @param message A request the server sends, without its correlation property.
   * @param options `timeout` (@default the server's `requestTimeout`, 10000 ms) and `signal`.
   * @throws {MessageRefused} (as a rejection) When the message breaks the schema.
   * @example
   * ```ts
   * import type { Connection } from "./connection.ts";
   * import type { RoomsRequests, ServerMessage } from "../../tests/fixtures/generated/rooms.ts";
   * async function stillThere(conn: Connection<ServerMessage, undefined, RoomsRequests>): Promise<boolean> {
   *   return conn.request({ type: "here?" }, { timeout: 2000 }).then(() => true, () => false);
   * }
   * ```
   */
  request<T extends RequestTag<ServerRequests<R>>>(
    message: OutgoingRequest<R, ServerRequests<R>, T>,
    options?: Omit<RequestOptions, "repeat">,
  ): Promise<ReplyOf<ServerRequests<R>, T>>;
}

/** What every connection of one server shares for its requests to clients. */
export interface RequestContext {
  /** The requests the server sends, by type. */
  readonly specs: Readonly<Record<string, RequestSpec>>;
  readonly discriminator: string;
  readonly limit: number;
  readonly timeout: number;
}

/** The server's side of a connection: what the policy keeps about it, in as few bytes as it can. */
export class LiveConnection<S, D, R = NoRequests> implements Connection<S, D, R>, Allowance, TopicMember {
  readonly data: D;
  /** The topics it listens to, once it subscribed to one. */
  subscribed: Set<string> | undefined = undefined;
  readonly resumeFrom: Map<string, string> | undefined;
  /** Cancels the deadline for subscribing to the topics its client resumes. */
  cancelClaims: (() => void) | undefined = undefined;
  /** Set once the server decided to close it: frames arriving after are ignored. */
  closing = false;
  /** Whether a message arrived (the first-message deadline no longer applies). */
  heard = false;
  invalid = 0;
  /** When the unsent bytes first passed the limit, 0 while under it. */
  slowSince = 0;
  /** The handler that has not finished, which the next frames wait for; and how many wait. */
  pending: Promise<void> | undefined = undefined;
  queued = 0;
  /** Requests from the peer whose handlers have not answered; and the frame that waits for one to, if any. */
  answering = 0;
  /** Bytes of the frames that wait behind a handler, and of the requests whose handlers have not answered. */
  held = 0;
  freed: (() => void) | undefined = undefined;
  /** The server's requests to the peer that wait for answers, once it made one. */
  requests: PendingRequests | undefined = undefined;
  tokens: number;
  refilledAt: number;

  constructor(
    readonly socket: ServerSocket,
    readonly id: number,
    readonly openedAt: number,
    burst: number,
    private readonly encode: (message: S) => EncodeResult,
    private readonly asking: RequestContext | undefined,
    private readonly hub: ServerTopics,
  ) {
    this.tokens = burst;
    this.refilledAt = openedAt;
    const data = socket.data;
    this.data = (data instanceof Resuming ? data.data : data) as D;
    this.resumeFrom = data instanceof Resuming ? data.positions : undefined;
  }
  get protocol(): string {
    return this.socket.protocol;
  }
  get origin(): string | undefined {
    return this.socket.origin;
  }
  get remoteAddress(): string {
    return this.socket.remoteAddress;
  }
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }
  get isOpen(): boolean {
    return !this.closing;
  }

  send(message: S): boolean {
    const frame = encodeOrThrow(this.encode, this.hub.withoutPosition(message));
    return this.sendFrame(frame);
  }

  sendFrame(frame: string): boolean {
    return !this.closing && this.socket.send(frame);
  }

  close(code?: number, reason?: string): void {
    this.closing = true;
    this.socket.close(code, reason);
  }

  subscribe(topic: string): Promise<void> {
    return this.hub.subscribe(this, topic);
  }

  unsubscribe(topic: string): void {
    this.hub.unsubscribe(this, topic);
  }

  get topics(): ReadonlySet<string> {
    return this.subscribed ?? NO_TOPICS;
  }

  request<T extends RequestTag<ServerRequests<R>>>(
    message: OutgoingRequest<R, ServerRequests<R>, T>,
    options: Omit<RequestOptions, "repeat"> = {},
  ): Promise<ReplyOf<ServerRequests<R>, T>> {
    const asking = this.asking;
    if (asking === undefined) return Promise.reject(new TypeError("this protocol declares no requests a server sends"));
    const type = String((message as Readonly<Record<string, unknown>>)[asking.discriminator]);
    if (this.closing) return Promise.reject(new RequestError("closed", type, "the connection is closed"));
    try {
      this.requests ??= new PendingRequests(asking.specs, asking.discriminator, asking.limit);
      const opened = this.requests.open(
        message as Readonly<Record<string, unknown>>,
        (request) => encodeOrThrow(this.encode, request as S),
        { ...options, timeout: options.timeout ?? asking.timeout },
      );
      if (opened.frame !== "") {
        this.sendFrame(opened.frame);
        this.requests.written(opened.key);
      }
      return opened.answer as Promise<ReplyOf<ServerRequests<R>, T>>;
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
