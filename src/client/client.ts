/**
 * The typed WebSocket client: one class for Deno, Bun, browsers and edge
 * runtimes, built only on the standard `WebSocket` and a generated protocol
 * descriptor. It routes every incoming message by its discriminator to a
 * typed handler, queues sends until the connection is open, and reconnects.
 *
 * @module
 */
import type { MessageOf, TagOf } from "../runtime/dispatch.ts";
import type { ClientProtocol } from "../runtime/protocol.ts";
import type { DecodeResult } from "../runtime/result.ts";
import type { RequestOptions } from "../runtime/pending_requests.ts";
import type { RequestEngine } from "../runtime/request_engine.ts";
import type { ResumeEngine } from "../runtime/resume_engine.ts";
import type { TypedRequestError } from "../runtime/request_errors.ts";
import type {
  ClientRequests,
  ErrorReplyOf,
  HandlerAnswer,
  NoRequests,
  OutgoingRequest,
  ReplyOf,
  RequestTag,
  ServerRequests,
} from "../runtime/requests.ts";
import { backoffDelay } from "./backoff.ts";
import { HANDSHAKE_FAILED, isTerminalCode, RECONNECT_REQUESTED } from "./close_codes.ts";
import { ClientClosedError, OutgoingMessageError } from "./errors.ts";
import type { ClientEventMap, ClientListener, CloseEventInfo, FrameError, OnEventOptions } from "./events.ts";
import type { ClientOptions, CloseInfo, Session, UrlSource, WebSocketConstructor } from "./options.ts";
import { type Queued, SendQueue } from "./send_queue.ts";
import { type PageLocation, resolveSocketUrl } from "./url.ts";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const MIB = 1024 * 1024;
/** How long an attempt that reported an error may wait for its close event before the client closes it itself. */
const CLOSE_AFTER_ERROR_MS = 250;

/** What `send()` did with a message: wrote it to the open socket, or queued it until the connection opens. */
export type SendStatus = "sent" | "queued";

/** Counters a client keeps, for monitoring and for tests. */
export interface ClientStats {
  /** Frames written to a socket. */
  sent: number;
  /** Frames received (valid or not). */
  received: number;
  /** Successful reconnections. */
  reconnects: number;
  /** Queued messages dropped because the queue overflowed (policy `"drop-oldest"`). */
  dropped: number;
  /** Queued messages discarded because the client closed for good before they could go out. */
  discarded: number;
  /** Times reconnection gave up after `maxAttempts` failed attempts (0 or 1: the client is closed for good then). */
  gaveUp: number;
}

/**
 * Functions by name, in a prototype-less object (any string is a safe key) of arrays: lighter than a `Map` of `Set`s
 * for the few entries a client has. The arrays are replaced, never changed, so a dispatch in progress is unaffected.
 */
type Subscribers = Record<string, readonly ((value: never) => unknown)[]>;

/** Adds a function under `key`; returns its remover. */
function subscribe(table: Subscribers, key: string, fn: (value: never) => unknown): () => void {
  table[key] = [...table[key] ?? [], fn];
  // Never `delete`: an object that loses a property turns into a slower, larger dictionary.
  return () => void (table[key] = table[key]?.filter((one) => one !== fn) ?? []);
}

/**
 * A typed WebSocket client for one protocol. It decodes what the server
 * sends with the protocol's generated `server` codec and encodes what it
 * sends with the `client` codec.
 *
 * States follow the standard: `CONNECTING` (also while waiting to
 * reconnect), `OPEN` (after the handshake hook and the flush of queued
 * messages), `CLOSING`, `CLOSED` (for good). Messages go to `on(type)`
 * handlers; lifecycle events (`open`, `close`, `error`, `reconnecting`...)
 * to `onEvent(name)` listeners and the `onopen`/`onclose`/`onerror`
 * properties.
 *
 * Resumable topics: for a protocol generated with `resume` (its descriptor
 * has `resume`), the server stamps each resumable message with a token of
 * its position in its topic. The client keeps the last token of each topic
 * (of 64 topics at most, the most recently updated), before the message's
 * handlers run, and dials every reconnection (whatever the URL: one, a list
 * or a provider) with them in the URL's `typewire-resume` parameter, as many
 * as fit in a URL of 8 KiB. For each topic, the server sends the missed
 * messages again and a notice, which the client reports as a `resumed` event:
 * `resumed: true` with how many it `replayed`, or `resumed: false` with a `reason`
 * (`gone`, `invalid`, `unreachable`, `too-many-topics`) and a `message`. A
 * topic whose token the client could not send (over 64 topics, or past the
 * URL's 8 KiB) gets its `too-many-topics` event from the client itself, as
 * it dials. A token is kept until a newer message of its topic replaces it,
 * whatever the notice said. A protocol without `resume` ships none of this.
 *
 * @example Topics that resume after a reconnection
 * ```ts
 * import { TypewireClient } from "./client.ts";
 * import { feedClientProtocol } from "../../tests/fixtures/generated/feed.ts";
 *
 * const client = new TypewireClient(feedClientProtocol, "ws://127.0.0.1:6510/feed");
 * client.send({ type: "join", topic: "news" });
 * client.on("entry", (m) => console.log(`${m.topic} #${m.n}: ${m.text}`));
 * client.onEvent("resumed", (e) => {
 *   if (e.resumed) console.log(`${e.topic}: ${e.replayed} missed entries sent again`);
 *   else console.log(`${e.topic}: entries may be missing (${e.reason}: ${e.message})`);
 * });
 * ```
 *
 * @example A chat bot's client, in a few lines
 * ```ts
 * import { TypewireClient } from "./client.ts";
 * import { chatProtocol } from "../generated/chat.ts";
 *
 * const client = new TypewireClient(chatProtocol, "ws://127.0.0.1:6502", { reconnect: false });
 * client.on("id", (m) => client.send({ type: "username", id: m.id, name: "bot", date: Date.now() }));
 * client.on("message", (m) => console.log(`${m.name}: ${m.text}`));
 * client.onEvent("close", (e) => console.log(`closed: ${e.code} ${e.reason}`));
 * ```
 */
export class TypewireClient<S, C, K extends string = "type", R = NoRequests> {
  /** The connection is being opened, or will be again after a delay. */
  static readonly CONNECTING = CONNECTING;
  /** The connection is open, its handshake done and the queue flushed. */
  static readonly OPEN = OPEN;
  /** `close()` was called; queued data is going out. */
  static readonly CLOSING = CLOSING;
  /** Closed for good. */
  static readonly CLOSED = CLOSED;

  /** Called with every `open` event, before `onEvent("open")` listeners, as on a standard WebSocket. */
  onopen: ClientListener<"open"> | null = null;
  /** Called with every `close` event. */
  onclose: ClientListener<"close"> | null = null;
  /** Called with every `error` event. */
  onerror: ClientListener<"error"> | null = null;

  /** Counters: frames sent and received, reconnections, dropped and discarded messages, give-ups. */
  readonly stats: ClientStats = { sent: 0, received: 0, reconnects: 0, dropped: 0, discarded: 0, gaveUp: 0 };

  // Per-client state is kept small (many clients may share a process): settings are read from the options when
  // needed rather than copied, and the maps, the queue and the close waiters exist only once used.
  readonly #url: UrlSource;
  readonly #options: ClientOptions<S, C, K, R>;
  /** Message handlers by message type. */
  #handlers: Subscribers | undefined;
  /**
   * Lifecycle listeners, apart from message handlers so that no event name collides with a message type: a flat
   * array of (event name, listener, once) triples, the lightest store for the one or two a client usually has.
   */
  #listeners: unknown[] | undefined;
  #queue: SendQueue<C> | undefined;
  /** Called once when the client closes for good. */
  #finishers: (() => void)[] | undefined;
  /** Requests both ways, when the protocol declares any. */
  readonly #requests: RequestEngine | undefined;
  /** The resume tokens of its topics, when the protocol declares `resume`. */
  readonly #resume: ResumeEngine | undefined;

  #state: 0 | 1 | 2 | 3 = CONNECTING;
  #socket: WebSocket | undefined;
  #attempt = 0;
  /** Which URL of a list the next attempt dials. */
  #urlTurn = 0;
  /** The reconnection delay, the close fallback or the drain poll: at most one runs, and closing clears it. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the current connection became usable (0 when there is none): the attempt count restarts after minUptime of it. */
  #openedAt = 0;
  #handshake: AbortController | undefined;

  /**
   * Opens a client; it starts connecting at once.
   *
   * @param definition The generated protocol descriptor: `chatProtocol`, or the slimmer `chatClientProtocol`.
   * @param url Where to connect: `ws:`/`wss:`, `http:`/`https:` (mapped to `ws:`/`wss:`), relative in a page,
   *   a list of them (tried in turn, one per attempt), or a function returning one, called before every attempt.
   * @param options See {@link ClientOptions}.
   * @throws {MixedContentError} For a `ws:` URL in a page loaded over `https:`.
   * @throws {SyntaxError} For a URL that is not a WebSocket URL.
   */
  constructor(
    readonly definition: ClientProtocol<S, C, K, R>,
    url: UrlSource,
    options: ClientOptions<S, C, K, R> = {},
  ) {
    this.#url = url;
    this.#options = options;
    this.#requests = definition.requestEngine?.(this, options, {
      encode: (message) => this.#encode(message as C),
      write: (frame) => this.#write(frame),
      enqueue: (message, frame, request) => this.#enqueue({ message: message as C, frame, request }),
      handlers: (type) => this.#handlers?.[type] ?? [],
      failed: (error, type) => this.#handlerFailed(error, type),
      error: (error) => this.#emit("error", { error }),
      socket: () => this.#socket,
    });
    this.#resume = definition.resumeEngine?.(definition, (notice) => this.#emit("resumed", notice));
    if (this.#WebSocket === undefined) {
      throw new TypeError(
        "no global WebSocket here: pass one as options.WebSocket",
      );
    }
    const table = options.handlers as Record<string, unknown> | undefined;
    for (const type of table ? definition.server.types : []) {
      const handler = table?.[type];
      if (typeof handler === "function") this.#on(type, handler.bind(table));
    }
    if (typeof url !== "function") {
      const urls = [url].flat();
      if (!urls.length) throw new SyntaxError("no URL: the list is empty");
      for (const one of urls) resolveSocketUrl(one, this.#page);
    }
    this.#open();
  }

  get #WebSocket(): WebSocketConstructor | undefined {
    return this.#options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  }

  get #page(): PageLocation | undefined {
    return this.#options.location ?? (globalThis as { location?: PageLocation }).location;
  }

  /** `CONNECTING` (0), `OPEN` (1), `CLOSING` (2) or `CLOSED` (3). */
  get readyState(): 0 | 1 | 2 | 3 {
    return this.#state;
  }

  /** The subprotocol the server selected on the current connection (`""` for none, or when not connected). */
  get protocol(): string {
    return this.#socket?.protocol ?? "";
  }

  /**
   * Bytes waiting to go out: typewire's own queue plus, where the runtime
   * reports it, the socket's `bufferedAmount` (workerd has none).
   * `drained(client)` (a function exported beside the client) waits for it
   * to fall.
   */
  get bufferedAmount(): number {
    return (this.#queue?.bytes ?? 0) + (this.#socket?.bufferedAmount ?? 0);
  }

  /** How many messages wait in the queue for a connection. */
  get queued(): number {
    return this.#queue?.length ?? 0;
  }

  /**
   * Sends a message, validated and encoded by the protocol's generated encoder.
   * Before the connection is open (and while reconnecting) it is queued and
   * flushed in order once the connection opens, after the handshake hook and
   * before `open` listeners run.
   *
   * @param message A message of the protocol's client direction.
   * @returns `"sent"` when written to the open socket now, `"queued"` when queued.
   * @throws {OutgoingMessageError} For an invalid message; nothing is sent or queued.
   * @throws {QueueFullError} When the queue is full and its overflow policy is `"reject"`.
   * @throws {ClientClosedError} After `close()`.
   */
  send(message: C): SendStatus {
    if (this.#state >= CLOSING) throw new ClientClosedError();
    const frame = this.#encode(message);
    if (this.#state === OPEN) {
      this.#write(frame);
      return "sent";
    }
    this.#enqueue({ message, frame });
    return "queued";
  }

  /**
   * Sends a request and waits for its answer. typewire fills in the correlation property (counting from 1, unique for
   * the life of the client), so the message leaves it out; only the protocol's requests are accepted, and the promise
   * resolves with one of that request's own replies, typed.
   *
   * Sent at once when the connection is open, otherwise queued like `send()`'s messages (the timeout runs from the
   * call). If the connection drops after the request went out and before its answer, it rejects with `closed`, unless
   * `repeat` marks it safe to send twice: it is then sent again, first, on the next connection.
   *
   * @param message A request of the protocol's client direction, without its correlation property.
   * @param options `timeout` (@default `requestTimeout`, 10000 ms), `signal`, `repeat`.
   * @returns The reply. It rejects with a {@link RequestError} whose `kind` says why: `timeout`, `closed`,
   *   `invalid-reply`, `error-reply` (the server's error reply in `reply`: narrow it with `isRequestError`),
   *   `aborted`, `too-many-pending`, `dropped`; with `OutgoingMessageError` for an invalid message, `QueueFullError`
   *   when the queue refuses it, `ClientClosedError` after `close()`.
   * @example Create a room, tell a refusal from a failure
   * ```ts
   * import { TypewireClient } from "./client.ts";
   * import { roomsProtocol } from "../../tests/fixtures/generated/rooms.ts";
   *
   * const client = new TypewireClient(roomsProtocol, "ws://127.0.0.1:6510", { requestTimeout: 5000 });
   * try {
   *   const created = await client.request({ type: "create-room", name: "lobby" });
   *   console.log(`room ${created.room} is number ${created.id}`);
   * } catch (error) {
   *   if (client.isRequestError(error, "create-room") && error.kind === "error-reply") {
   *     console.log(`refused: ${error.reply.reason}`);
   *   } else throw error;
   * }
   * ```
   */
  request<T extends RequestTag<ClientRequests<R>>>(
    message: OutgoingRequest<R, ClientRequests<R>, T>,
    options: RequestOptions = {},
  ): Promise<ReplyOf<ClientRequests<R>, T>> {
    if (this.#requests && this.#state < CLOSING) return this.#requests.request(message, options) as Promise<never>;
    return Promise.reject(
      this.#state >= CLOSING
        ? new ClientClosedError()
        : new TypeError(`the ${this.definition.name} protocol declares no requests`),
    );
  }

  /**
   * Tells whether `error` is the failure of a request of type `request`, and narrows it: for `kind` `"error-reply"`,
   * `reply` is then that request's error reply, typed.
   *
   * @param error What a `catch` caught.
   * @param request The request's message type.
   * @returns `true` for a {@link RequestError} of that request.
   */
  isRequestError<T extends RequestTag<ClientRequests<R>>>(
    error: unknown,
    request: T,
  ): error is TypedRequestError<ErrorReplyOf<ClientRequests<R>, T>> {
    // By name, so that a page whose protocol has no requests does not ship the class.
    return error instanceof Error && error.name === "RequestError" &&
      (error as { request?: unknown }).request === request;
  }

  /** Queues a message until the connection opens; a request dropped by the overflow policy fails with `dropped`. */
  #enqueue(item: Queued<C>): void {
    const limits = this.#options.queue ?? {};
    this.#queue ??= new SendQueue(limits.maxMessages ?? 1000, limits.maxBytes ?? MIB, limits.overflow ?? "reject");
    for (const dropped of this.#queue.push(item)) {
      this.stats.dropped++;
      dropped.request?.("drop");
      this.#emit("queueoverflow", { dropped: dropped.message });
    }
  }

  /**
   * Registers a handler for one message type.
   *
   * A reply that settles one of this client's requests goes to that request, not to handlers; a late one (its request
   * timed out) comes here. For a request the server sends, the handler's return value (or what its promise resolves
   * with) is the answer, typed: one of the request's replies or error replies, without the correlation property,
   * which typewire copies (throwing a `ReplyError` answers too). The first handler to return an answer answers;
   * one that returns nothing leaves it to the others.
   *
   * @param type The message's discriminator value.
   * @param handler Called with each message of that type, typed. If it throws (or its promise
   *   rejects), a `handlererror` event reports it and routing carries on.
   * @returns A function that removes the handler.
   */
  on<T extends TagOf<S, K> & RequestTag<ServerRequests<R>>, A extends string = string>(
    type: T,
    handler: (message: MessageOf<S, K, T>) => HandlerAnswer<ServerRequests<R>, T, true, K, A>,
  ): () => void;
  on<T extends Exclude<TagOf<S, K>, RequestTag<ServerRequests<R>>>>(
    type: T,
    handler: (message: MessageOf<S, K, T>) => unknown,
  ): () => void;
  on(type: string, handler: (message: never) => unknown): () => void {
    return this.#on(type, handler);
  }

  /**
   * Registers a listener for a lifecycle event: `open`, `close`, `error`,
   * `reconnecting`, `reconnected`, `invalid`, `unknown`, `handlererror`,
   * `queueoverflow` or `resumed` (see {@link ClientEventMap}). Listeners
   * run in the order they were added, after the `on<event>` property where
   * there is one; one that throws is reported on the console and the others
   * still run.
   *
   * @param event The event's name.
   * @param listener Called with the event, typed by its name.
   * @param options `{ once: true }` removes the listener after its first call.
   * @returns A function that removes the listener.
   * @example
   * ```ts
   * import { TypewireClient } from "./client.ts";
   * import { chatClientProtocol } from "../generated/chat.ts";
   * const client = new TypewireClient(chatClientProtocol, "ws://127.0.0.1:6502");
   * client.onEvent("reconnecting", (e) => console.log(`attempt ${e.attempt} in ${e.delay} ms`));
   * client.onEvent("close", (e) => e.gaveUp && console.log(`gave up after ${e.attempts} attempts`));
   * ```
   */
  onEvent<E extends keyof ClientEventMap>(
    event: E,
    listener: ClientListener<E>,
    options?: OnEventOptions,
  ): () => void {
    (this.#listeners ??= []).push(event, listener, options?.once === true);
    return () => this.#unlisten(event, listener);
  }

  /**
   * Routes frames that are not valid messages (not text, too large, not JSON,
   * not an object, invalid) to a handler, with the decoder's error.
   *
   * @returns A function that removes the handler.
   */
  onInvalid(handler: (error: FrameError, frame: unknown) => void): () => void {
    return this.onEvent("invalid", (event) => handler(event.error, event.frame));
  }

  /**
   * Routes frames whose type the protocol does not name to a handler.
   *
   * @returns A function that removes the handler.
   */
  onUnknown(handler: (type: unknown, frame: string) => void): () => void {
    return this.onEvent("unknown", (event) => handler(event.error.type, event.frame));
  }

  /**
   * Drops the current connection and connects again at once; a `close` event
   * with `code` and `reason` comes first (`watchIdle` uses this for a silent peer).
   *
   * @param code A close code, 3000-4999. @default 4102 (reconnect requested)
   * @param reason Why. @default "reconnect requested"
   */
  reconnect(code = RECONNECT_REQUESTED, reason = "reconnect requested"): void {
    if (this.#state >= CLOSING) throw new ClientClosedError();
    clearTimeout(this.#timer);
    this.#attempt = 0;
    if (this.#socket) this.#drop(this.#socket, code, reason, "now");
    else this.#open();
  }

  /**
   * Closes for good. Queued and buffered data first goes out, waiting at most
   * `closeTimeout`; then the closing handshake starts with `code` and `reason`,
   * and waits at most `closeTimeout` more for the server's answer. Once
   * closed, the client holds no timer: a script that ends with
   * `await client.close()` exits at once.
   *
   * @param code A close code: 1000, or 3000-4999. @default 1000
   * @param reason At most 123 bytes of UTF-8. @default ""
   * @returns A promise that resolves once the client is closed.
   */
  close(code = 1000, reason = ""): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (this.#state === CLOSED) resolve();
      else (this.#finishers ??= []).push(resolve);
    });
    if (this.#state >= CLOSING) return closed;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    if (!socket) {
      this.#afterClose({ code, reason, wasClean: true }, "never");
      return closed;
    }
    this.#state = CLOSING;
    const timeout = this.#options.closeTimeout ?? 5_000;
    const deadline = Date.now() + timeout;
    const waitThenClose = () => {
      if (socket !== this.#socket) return;
      if ((this.queued || (socket.readyState === OPEN && socket.bufferedAmount)) && Date.now() < deadline) {
        this.#timer = setTimeout(waitThenClose, 10);
        return;
      }
      socket.close(code, reason);
      // A peer that never answers the close frame must not keep the client from closing.
      this.#timer = setTimeout(() => this.#onSocketClose(socket, code, reason, false), timeout);
    };
    waitThenClose();
    return closed;
  }

  #on(type: string, handler: (message: never) => unknown): () => void {
    return subscribe(this.#handlers ??= Object.create(null), type, handler);
  }

  #unlisten(event: string, listener: unknown): void {
    const list = this.#listeners ?? [];
    for (let i = 0; i < list.length; i += 3) {
      if (list[i] === event && list[i + 1] === listener) {
        list.splice(i, 3);
        return;
      }
    }
  }

  /** Reports a lifecycle event: the `on<event>` property first, then the listeners; returns how many there were. */
  #emit(type: keyof ClientEventMap, init?: object): number {
    const event = { type, ...init };
    // The listeners as they are when the event comes: one added or removed meanwhile waits for the next event.
    const listeners = [(this as unknown as Record<string, unknown>)[`on${type}`]];
    const list = this.#listeners ?? [];
    for (let i = 0; i < list.length; i += 3) {
      if (list[i] !== type) continue;
      listeners.push(list[i + 1]);
      if (list[i + 2]) {
        list.splice(i, 3);
        i -= 3;
      }
    }
    let count = 0;
    for (const listener of listeners) {
      if (typeof listener !== "function") continue;
      count++;
      try {
        listener.call(this, event);
      } catch (error) {
        console.error(`typewire: a listener for "${type}" events failed:`, error);
      }
    }
    return count;
  }

  #encode(message: C): string {
    const result = this.definition.client.encode(this.#options.prepare ? this.#options.prepare(message) : message);
    if (!result.ok) throw new OutgoingMessageError(result.error);
    return result.frame;
  }

  #write(frame: string): void {
    (this.#socket as WebSocket).send(frame);
    this.stats.sent++;
  }

  /** Starts a connection attempt: resolves the URL (the next of a list, or calling a provider), then dials. */
  #open(): void {
    let source = this.#url;
    if (Array.isArray(source)) source = source[this.#urlTurn++ % source.length] as string | URL;
    if (typeof source !== "function") {
      this.#dial(resolveSocketUrl(source as string | URL, this.#page));
      return;
    }
    Promise.resolve()
      .then(source)
      .then((url) => {
        if (this.#state === CONNECTING && !this.#socket) this.#dial(resolveSocketUrl(url, this.#page));
      })
      .catch((error: Error) => this.#failAttempt(error));
  }

  /** An attempt that failed before a socket existed: a bad URL is final, anything else is retried. */
  #failAttempt(error: Error): void {
    if (this.#state !== CONNECTING || this.#socket) return;
    this.#emit("error", { error });
    const final = error.name === "MixedContentError" || error instanceof SyntaxError;
    this.#afterClose({ code: 1006, reason: error.message, wasClean: false }, final ? "never" : "policy");
  }

  #dial(url: string): void {
    let socket: WebSocket;
    try {
      const protocols = this.#options.protocols ?? this.definition.subprotocols;
      socket = new (this.#WebSocket as WebSocketConstructor)(
        this.#resume?.url(url) ?? url,
        protocols as string | string[],
      );
    } catch (error) {
      this.#failAttempt(error as Error);
      return;
    }
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    // One function for the four events: one closure per connection, not four.
    const listen = (event: Event) => {
      if (event.type === "message") this.#onFrame((event as MessageEvent).data);
      else if (event.type === "open") this.#onSocketOpen(socket);
      else if (event.type === "close") {
        const { code, reason, wasClean } = event as CloseEvent;
        this.#onSocketClose(socket, code, reason, wasClean);
      } else {
        // Browsers say nothing, on purpose; Deno and Bun put what happened in the event's message.
        const detail = (event as ErrorEvent).message;
        const why = detail
          ? `: ${detail}`
          : " (the WebSocket API gives no cause: the server may be down, or refused the upgrade)";
        this.#emit("error", { error: new Error(`WebSocket error on ${url}${why}`, { cause: event }) });
        // The standard follows an error with a close. Node.js 20's WebSocket (--experimental-websocket) does not when
        // a connection is refused, and its readyState stays CONNECTING: without this the client would wait forever.
        if (socket.readyState === CONNECTING) {
          setTimeout(() => {
            if (socket === this.#socket && socket.readyState === CONNECTING) {
              this.#drop(socket, 1006, "", "policy");
            }
          }, CLOSE_AFTER_ERROR_MS);
        }
      }
    };
    socket.onopen =
      socket.onmessage =
      socket.onerror =
      socket.onclose =
        listen;
  }

  #onSocketOpen(socket: WebSocket): void {
    const hook = this.#options.handshake;
    if (!hook) {
      this.#ready();
      return;
    }
    const controller = new AbortController();
    this.#handshake = controller;
    const session: Session<S, C, K, R> = {
      client: this,
      send: (message) => {
        if (socket === this.#socket) this.#write(this.#encode(message));
      },
      signal: controller.signal,
    };
    const timeout = this.#options.handshakeTimeout ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    Promise.race([
      // Called at once, not in a later microtask: some runtimes (Node's WebSocket) dispatch the first
      // message in the same task as "open", and the hook must be listening by then.
      new Promise<void>((resolve) => resolve(hook(session))),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the handshake took longer than ${timeout} ms`)), timeout);
        // A connection lost mid-handshake settles the race at once, so its timer does not outlive it.
        controller.signal.addEventListener("abort", () => reject(controller.signal.reason));
      }),
    ]).then(
      () => {
        clearTimeout(timer);
        if (socket === this.#socket) this.#ready();
      },
      (error: Error) => {
        clearTimeout(timer);
        if (socket !== this.#socket) return;
        this.#emit("error", { error });
        this.#drop(socket, HANDSHAKE_FAILED, `handshake failed: ${error.message}`, "policy");
      },
    );
  }

  /** The connection is usable: flush the queue, then tell everyone. */
  #ready(): void {
    this.#handshake = undefined;
    this.#requests?.ready();
    for (const { message, frame, request } of this.#queue?.drain() ?? []) {
      // A request that timed out or was aborted while it waited is not sent at all.
      if (request?.("send") === false) continue;
      try {
        this.#write(this.#options.prepare ? this.#encode(message) : frame);
      } catch (error) {
        this.#emit("error", { error });
      }
    }
    if (this.#state === CLOSING) return;
    this.#state = OPEN;
    this.#openedAt = Date.now();
    this.#emit("open");
    if (this.#attempt) {
      this.stats.reconnects++;
      this.#emit("reconnected", { attempt: this.#attempt });
    }
  }

  #onFrame(data: unknown): void {
    this.stats.received++;
    const limit = this.#options.maxFrameLength ?? MIB;
    let error: FrameError | undefined;
    if (typeof data !== "string") {
      error = { kind: "binary", message: "a binary frame, where this protocol speaks text" };
    } else if (data.length > limit) {
      error = {
        kind: "too-large",
        length: data.length,
        limit,
        message: `a frame of ${data.length} characters, above the limit of ${limit}`,
      };
    }
    if (error) {
      this.#emit("invalid", { error, frame: data });
      return;
    }
    const direction = this.definition.server;
    const result: DecodeResult<S> = this.#options.strict
      ? direction.decodeStrict(data as string)
      : direction.decode(data as string);
    if (this.#resume?.frame(data as string, result)) return;
    if (!result.ok) {
      if (result.error.kind === "invalid") this.#requests?.invalid(data as string, result.error);
      this.#emit(result.error.kind === "unknown-type" ? "unknown" : "invalid", { error: result.error, frame: data });
      return;
    }
    const message = result.value;
    const type = String((message as Record<string, unknown>)[this.definition.discriminator]);
    if (this.#requests?.incoming(message as Readonly<Record<string, unknown>>, type)) return;
    for (const handler of this.#handlers?.[type] ?? []) {
      try {
        const outcome = (handler as (message: S) => unknown)(message);
        if (outcome instanceof Promise) outcome.catch((error) => this.#handlerFailed(error, type));
      } catch (error) {
        this.#handlerFailed(error, type);
      }
    }
  }

  #handlerFailed(error: unknown, messageType: string): void {
    if (!this.#emit("handlererror", { error, messageType })) {
      console.error(`typewire: a handler for ${JSON.stringify(messageType)} messages failed:`, error);
    }
  }

  /**
   * Gives up on a connection the client judged broken or no longer wanted:
   * a best-effort close frame, then the same path as a close from the server.
   */
  #drop(socket: WebSocket, code: number, reason: string, reconnect: "policy" | "now"): void {
    this.#release(socket);
    try {
      socket.close(code, reason.slice(0, 120));
    } catch {
      // A socket that never opened may refuse to close; it is abandoned either way.
    }
    this.#afterClose({ code, reason, wasClean: false }, reconnect);
  }

  /** Stops listening to a socket's events. */
  #release(socket: WebSocket): void {
    socket.onopen =
      socket.onmessage =
      socket.onerror =
      socket.onclose =
        null;
  }

  #onSocketClose(socket: WebSocket, code: number, reason: string, wasClean: boolean): void {
    if (socket !== this.#socket) return;
    this.#release(socket);
    // Some runtimes report a connection that failed with code 0; the standard says 1006.
    this.#afterClose({ code: code || 1006, reason, wasClean }, "policy");
  }

  /**
   * After a connection (or an attempt) ended: report it, then reconnect or
   * close for good. `"policy"` asks the reconnect settings, `"now"` reconnects
   * without delay (for `reconnect()`), `"never"` closes for good.
   */
  #afterClose(info: CloseInfo, reconnect: "policy" | "now" | "never"): void {
    this.#socket = undefined;
    this.#handshake?.abort(new Error("the connection closed during the handshake"));
    this.#handshake = undefined;
    const option = this.#options.reconnect ?? true;
    const settings = option === true ? {} : option || undefined;
    if (this.#openedAt && Date.now() - this.#openedAt >= (settings?.minUptime ?? 5_000)) this.#attempt = 0;
    this.#openedAt = 0;
    const wanted = reconnect === "now" ||
      (reconnect === "policy" && this.#state < CLOSING && settings !== undefined &&
        (settings.shouldReconnect
          ? settings.shouldReconnect(info)
          : !isTerminalCode(info.code) && !settings.terminalCodes?.includes(info.code)));
    const gaveUp = wanted && reconnect === "policy" && this.#attempt >= (settings?.maxAttempts ?? Infinity);
    const willReconnect = wanted && !gaveUp;
    this.#state = willReconnect ? CONNECTING : CLOSED;
    this.#requests?.closed(info.code, info.reason);
    if (gaveUp) this.stats.gaveUp++;
    this.#emit(
      "close",
      { ...info, willReconnect, gaveUp, attempts: this.#attempt } satisfies Omit<CloseEventInfo, "type">,
    );
    if (!willReconnect) {
      this.#finish();
      return;
    }
    const delay = reconnect === "now" ? 0 : backoffDelay(this.#attempt, settings ?? {});
    this.#attempt++;
    this.#emit("reconnecting", { attempt: this.#attempt, delay });
    this.#timer = setTimeout(() => {
      if (this.#state === CONNECTING && !this.#socket) this.#open();
    }, delay);
  }

  #finish(): void {
    this.#state = CLOSED;
    clearTimeout(this.#timer);
    this.stats.discarded += this.#queue?.drain().length ?? 0;
    this.#requests?.finished();
    const finishers = this.#finishers ?? [];
    this.#finishers = undefined;
    for (const finish of finishers) finish();
  }
}
