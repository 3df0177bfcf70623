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
import { backoffDelay, type BackoffSettings } from "./backoff.ts";
import { closeCodeName, HANDSHAKE_FAILED, RECONNECT_REQUESTED } from "./close_codes.ts";
import { ClientClosedError, OutgoingMessageError } from "./errors.ts";
import { ClientEvent, type ClientEventMap, type FrameError } from "./events.ts";
import type {
  ClientOptions,
  CloseInfo,
  ReconnectOptions,
  Session,
  UrlSource,
  WebSocketConstructor,
} from "./options.ts";
import { SendQueue } from "./send_queue.ts";
import { type PageLocation, resolveSocketUrl } from "./url.ts";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const MIB = 1024 * 1024;

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
}

type Settings = Required<Omit<ReconnectOptions, "terminalCodes">> & BackoffSettings;

/** The standard EventTarget methods, typed for the client's events (declarations only: no code in the bundle). */
export interface TypewireClient<S, C, K extends string = "type"> {
  addEventListener<E extends keyof ClientEventMap>(
    type: E,
    listener: (event: ClientEventMap[E]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: Parameters<EventTarget["addEventListener"]>[1],
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<E extends keyof ClientEventMap>(
    type: E,
    listener: (event: ClientEventMap[E]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: Parameters<EventTarget["removeEventListener"]>[1],
    options?: boolean | EventListenerOptions,
  ): void;
}

/**
 * A typed WebSocket client for one protocol. It decodes what the server
 * sends with the protocol's generated `server` codec and encodes what it
 * sends with the `client` codec.
 *
 * States follow the standard: `CONNECTING` (also while waiting to
 * reconnect), `OPEN` (after the handshake hook and the flush of queued
 * messages), `CLOSING`, `CLOSED` (for good).
 *
 * @example A chat bot's client, in a few lines
 * ```ts
 * import { TypewireClient } from "./client.ts";
 * import { chatProtocol } from "../generated/chat.ts";
 *
 * const client = new TypewireClient(chatProtocol, "ws://127.0.0.1:6502", { reconnect: false });
 * client.on("id", (m) => client.send({ type: "username", id: m.id, name: "bot", date: Date.now() }));
 * client.on("message", (m) => console.log(`${m.name}: ${m.text}`));
 * ```
 */
export class TypewireClient<S, C, K extends string = "type"> extends EventTarget {
  /** The connection is being opened, or will be again after a delay. */
  static readonly CONNECTING = CONNECTING;
  /** The connection is open, its handshake done and the queue flushed. */
  static readonly OPEN = OPEN;
  /** `close()` was called; queued data is going out. */
  static readonly CLOSING = CLOSING;
  /** Closed for good. */
  static readonly CLOSED = CLOSED;

  /** Called with every `open` event, as on a standard WebSocket. */
  onopen: ((event: ClientEventMap["open"]) => void) | null = null;
  /** Called with every `close` event. */
  onclose: ((event: ClientEventMap["close"]) => void) | null = null;
  /** Called with every `error` event. */
  onerror: ((event: ClientEventMap["error"]) => void) | null = null;

  /** Counters: frames sent and received, reconnections, dropped and discarded messages. */
  readonly stats: ClientStats = { sent: 0, received: 0, reconnects: 0, dropped: 0, discarded: 0 };

  // Per-client state is kept small (many clients may share a process): settings are read from the options
  // when needed rather than copied, and the queue and the close waiters exist only once used.
  readonly #url: UrlSource;
  readonly #options: ClientOptions<S, C, K>;
  readonly #handlers = new Map<string, Set<(message: never) => unknown>>();
  #queue: SendQueue<C> | undefined;
  /** Called once when the client closes for good. */
  #finishers: Set<() => void> | undefined;

  #state: 0 | 1 | 2 | 3 = CONNECTING;
  #socket: WebSocket | undefined;
  #closeRequested = false;
  #attempt = 0;
  /** Which URL of a list the next attempt dials. */
  #urlTurn = 0;
  #reconnecting = false;
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
    readonly definition: ClientProtocol<S, C, K>,
    url: UrlSource,
    options: ClientOptions<S, C, K> = {},
  ) {
    super();
    this.#url = url;
    this.#options = options;
    if (this.#WebSocket === undefined) {
      throw new TypeError(
        "no WebSocket constructor: this runtime has no global WebSocket; pass one as options.WebSocket",
      );
    }
    const table = options.handlers as Record<string, unknown> | undefined;
    for (const type of table === undefined ? [] : definition.server.types) {
      const handler = table?.[type];
      if (typeof handler === "function") this.#subscribe(type, handler.bind(table));
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

  /** The reconnection settings, defaults filled in; `undefined` when reconnection is off. */
  get #reconnect(): Settings | undefined {
    const option = this.#options.reconnect ?? true;
    if (option === false) return undefined;
    const settings: ReconnectOptions = option === true ? {} : option;
    const terminal = settings.terminalCodes ?? [];
    return {
      minDelay: settings.minDelay ?? 500,
      maxDelay: settings.maxDelay ?? 30_000,
      factor: settings.factor ?? 2,
      maxAttempts: settings.maxAttempts ?? Infinity,
      minUptime: settings.minUptime ?? 5_000,
      shouldReconnect: settings.shouldReconnect ?? ((close) => close.code !== 1008 && !terminal.includes(close.code)),
      random: settings.random ?? Math.random,
    };
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
   * reports it, the socket's `bufferedAmount` (Bun reports 0; workerd has none).
   */
  get bufferedAmount(): number {
    return (this.#queue?.bytes ?? 0) + (this.#socket?.bufferedAmount ?? 0);
  }

  /** Whether `bufferedAmount` is above the high-water mark: a polite sender waits for `drained()`. */
  get needsDrain(): boolean {
    return this.bufferedAmount > (this.#options.highWaterMark ?? MIB);
  }

  /** How many messages wait in the queue for a connection. */
  get queued(): number {
    return this.#queue?.length ?? 0;
  }

  /**
   * Sends a message, validated and encoded by the protocol's generated encoder.
   * Before the connection is open (and while reconnecting) it is queued and
   * flushed in order once the connection opens, after the handshake hook and
   * before `open` handlers run.
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
    const limits = this.#options.queue ?? {};
    this.#queue ??= new SendQueue(limits.maxMessages ?? 1000, limits.maxBytes ?? MIB, limits.overflow ?? "reject");
    for (const dropped of this.#queue.push({ message, frame })) {
      this.stats.dropped++;
      this.#emit("queueoverflow", { dropped: dropped.message });
    }
    return "queued";
  }

  /**
   * Registers a handler for one message type.
   *
   * @param type The message's discriminator value.
   * @param handler Called with each message of that type, typed. If it throws (or its promise
   *   rejects), a `handlererror` event reports it and routing carries on.
   * @returns A function that removes the handler.
   */
  on<T extends TagOf<S, K>>(type: T, handler: (message: MessageOf<S, K, T>) => unknown): () => void {
    return this.#subscribe(type, handler);
  }

  /**
   * Routes frames that are not valid messages (not text, too large, not JSON,
   * not an object, invalid) to a handler, with the decoder's error.
   *
   * @returns A function that removes the handler.
   */
  onInvalid(handler: (error: FrameError, frame: unknown) => void): () => void {
    return this.#listen("invalid", (event) => handler(event.error, event.frame));
  }

  /**
   * Routes frames whose type the protocol does not name to a handler.
   *
   * @returns A function that removes the handler.
   */
  onUnknown(handler: (type: unknown, frame: string) => void): () => void {
    return this.#listen("unknown", (event) => handler(event.error.type, event.frame));
  }

  /** Resolves once `bufferedAmount` is at or below the high-water mark (at once if it is). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (!this.needsDrain || this.#state === CLOSED ? resolve() : setTimeout(check, 10));
      check();
    });
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
    if (this.#socket === undefined) {
      this.#open();
      return;
    }
    this.#drop(this.#socket, code, reason, "now");
  }

  /**
   * Closes for good. Queued and buffered data first goes out, waiting at most
   * `closeTimeout`; then the closing handshake starts with `code` and `reason`.
   *
   * @param code A close code: 1000, or 3000-4999. @default 1000
   * @param reason At most 123 bytes of UTF-8. @default ""
   * @returns A promise that resolves once the client is closed.
   */
  close(code = 1000, reason = ""): Promise<void> {
    const closed = new Promise<void>((
      resolve,
    ) => (this.#state === CLOSED ? resolve() : (this.#finishers ??= new Set()).add(resolve)));
    if (this.#state >= CLOSING) return closed;
    this.#closeRequested = true;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    if (socket === undefined) {
      this.#afterClose({ code, codeName: closeCodeName(code), reason, wasClean: true }, "never");
      return closed;
    }
    this.#state = CLOSING;
    const timeout = this.#options.closeTimeout ?? 5_000;
    const deadline = Date.now() + timeout;
    const waitThenClose = () => {
      if (socket !== this.#socket) return;
      const pending = this.queued > 0 || (socket.readyState === OPEN && (socket.bufferedAmount ?? 0) > 0);
      if (pending && Date.now() < deadline) {
        setTimeout(waitThenClose, 10);
        return;
      }
      socket.close(code, reason);
      // A peer that never answers the close frame must not keep the client from closing.
      setTimeout(() => {
        if (socket === this.#socket) this.#onSocketClose(socket, code, reason, false);
      }, timeout);
    };
    waitThenClose();
    return closed;
  }

  #listen<E extends keyof ClientEventMap>(type: E, listener: (event: ClientEventMap[E]) => void): () => void {
    this.addEventListener(type, listener);
    return () => this.removeEventListener(type, listener);
  }

  #subscribe(type: string, handler: (message: never) => unknown): () => void {
    let set = this.#handlers.get(type);
    if (set === undefined) this.#handlers.set(type, set = new Set());
    set.add(handler);
    return () => void set.delete(handler);
  }

  #emit(type: keyof ClientEventMap, init: object = {}, cancelable = false): boolean {
    const event = new ClientEvent(type, init, cancelable);
    const property = (this as unknown as Record<string, ((event: Event) => void) | null | undefined>)[`on${type}`];
    property?.call(this, event);
    return this.dispatchEvent(event);
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
        if (this.#state === CONNECTING && this.#socket === undefined) this.#dial(resolveSocketUrl(url, this.#page));
      })
      .catch((error: Error) => this.#failAttempt(error));
  }

  /** An attempt that failed before a socket existed: a bad URL is final, anything else is retried. */
  #failAttempt(error: Error): void {
    if (this.#state !== CONNECTING || this.#socket !== undefined) return;
    this.#emit("error", { error });
    const final = error.name === "MixedContentError" || error instanceof SyntaxError;
    this.#afterClose(
      { code: 1006, codeName: closeCodeName(1006), reason: error.message, wasClean: false },
      final ? "never" : "policy",
    );
  }

  #dial(url: string): void {
    let socket: WebSocket;
    try {
      const protocols = this.#options.protocols ?? this.definition.subprotocols;
      socket = new (this.#WebSocket as WebSocketConstructor)(url, protocols as string | string[]);
    } catch (error) {
      this.#failAttempt(error as Error);
      return;
    }
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    socket.onopen = () => this.#onSocketOpen(socket);
    socket.onmessage = (event: MessageEvent) => this.#onFrame(event.data);
    socket.onerror = () => this.#emit("error", { error: new Error(`WebSocket error on ${url}`) });
    socket.onclose = (event: CloseEvent) => this.#onSocketClose(socket, event.code, event.reason, event.wasClean);
  }

  #onSocketOpen(socket: WebSocket): void {
    const hook = this.#options.handshake;
    if (hook === undefined) {
      this.#ready();
      return;
    }
    const controller = new AbortController();
    this.#handshake = controller;
    const session: Session<S, C, K> = {
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
    for (const { message, frame } of this.#queue?.drain() ?? []) {
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
    if (this.#reconnecting) {
      this.#reconnecting = false;
      this.stats.reconnects++;
      this.#emit("reconnected", { attempt: this.#attempt });
    }
  }

  #onFrame(data: unknown): void {
    this.stats.received++;
    if (typeof data !== "string") {
      this.#emit("invalid", {
        error: { kind: "binary", message: "a binary frame, where this protocol speaks text" },
        frame: data,
      });
      return;
    }
    const limit = this.#options.maxFrameLength ?? MIB;
    if (data.length > limit) {
      const error = {
        kind: "too-large",
        length: data.length,
        limit,
        message: `a frame of ${data.length} characters, above the limit of ${limit}`,
      };
      this.#emit("invalid", { error, frame: data });
      return;
    }
    const direction = this.definition.server;
    const result: DecodeResult<S> = this.#options.strict ? direction.decodeStrict(data) : direction.decode(data);
    if (!result.ok) {
      this.#emit(result.error.kind === "unknown-type" ? "unknown" : "invalid", { error: result.error, frame: data });
      return;
    }
    const message = result.value;
    const type = String((message as Record<string, unknown>)[this.definition.discriminator]);
    const handlers = this.#handlers.get(type);
    if (handlers === undefined) return;
    for (const handler of handlers) {
      try {
        const outcome = (handler as (message: S) => unknown)(message);
        if (outcome instanceof Promise) outcome.catch((error) => this.#handlerFailed(error, type));
      } catch (error) {
        this.#handlerFailed(error, type);
      }
    }
  }

  #handlerFailed(error: unknown, messageType: string): void {
    if (this.#emit("handlererror", { error, messageType }, true)) {
      console.error(`typewire: a handler for ${JSON.stringify(messageType)} messages failed:`, error);
    }
  }

  /** Stops listening to a socket's events. */
  #release(socket: WebSocket): void {
    socket.onopen =
      socket.onmessage =
      socket.onerror =
      socket.onclose =
        null;
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
    this.#afterClose({ code, codeName: closeCodeName(code), reason, wasClean: false }, reconnect);
  }

  #onSocketClose(socket: WebSocket, code: number, reason: string, wasClean: boolean): void {
    if (socket !== this.#socket) return;
    this.#release(socket);
    // Some runtimes report a connection that failed with code 0; the standard says 1006.
    const reported = code === 0 || code === undefined ? 1006 : code;
    this.#afterClose({ code: reported, codeName: closeCodeName(reported), reason, wasClean }, "policy");
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
    const settings = this.#reconnect;
    if (settings !== undefined && this.#openedAt > 0 && Date.now() - this.#openedAt >= settings.minUptime) {
      this.#attempt = 0;
    }
    this.#openedAt = 0;
    const willReconnect = reconnect === "now" ||
      (reconnect === "policy" && !this.#closeRequested && settings !== undefined &&
        this.#attempt < settings.maxAttempts && settings.shouldReconnect(info));
    this.#state = willReconnect ? CONNECTING : CLOSED;
    this.#emit("close", { ...info, willReconnect });
    if (!willReconnect) {
      this.#finish();
      return;
    }
    const delay = reconnect === "now" || settings === undefined ? 0 : backoffDelay(this.#attempt, settings);
    this.#attempt++;
    this.#reconnecting = true;
    this.#emit("reconnecting", { attempt: this.#attempt, delay });
    this.#timer = setTimeout(() => {
      if (this.#state === CONNECTING && this.#socket === undefined) this.#open();
    }, delay);
  }

  #finish(): void {
    this.#state = CLOSED;
    clearTimeout(this.#timer);
    this.stats.discarded += this.#queue?.drain().length ?? 0;
    const finishers = [...(this.#finishers ?? [])];
    this.#finishers = undefined;
    for (const finish of finishers) finish();
  }
}
