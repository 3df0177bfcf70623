/**
 * The requests one side has sent on a connection and not had answered: each
 * waits for the answer that carries its correlation value, until a timeout,
 * an abort, or the connection's end. The client and each typed server
 * connection keep one.
 *
 * @module
 */
import type { RequestSpec } from "./protocol.ts";
import { RequestError } from "./request_errors.ts";

/** How one request waits. */
export interface RequestOptions {
  /**
   * Milliseconds to wait for the answer, counted from the call (time waiting for a connection included); then it
   * rejects with `timeout`. `Infinity` waits for ever. @default the client's or server's `requestTimeout` (10000)
   */
  readonly timeout?: number;
  /** Aborting it rejects the request with `aborted`; one still waiting for a connection is then never sent. */
  readonly signal?: AbortSignal;
  /**
   * The request is safe to send twice: if its connection drops before the answer, it is sent again, with the same
   * correlation value, on the next connection instead of failing with `closed`. Only a client reconnects, so only a
   * client's requests use it. @default false
   */
  readonly repeat?: boolean;
}

interface Pending {
  readonly type: string;
  readonly spec: RequestSpec;
  readonly repeat: boolean;
  readonly frame: string;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: Error) => void;
  /** When it times out (`Date.now()` time), `Infinity` for never. */
  readonly deadline: number;
  readonly timeout: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Whether its frame was written to the current connection (not still waiting for one). */
  written: boolean;
}

/** A request that was registered: its key, the frame to send, and its answer to come. */
export interface Opened {
  readonly key: string;
  readonly frame: string;
  readonly answer: Promise<unknown>;
}

/**
 * The requests one side has in flight. Correlation values count up from 1 for the life of the object, as integers
 * or their decimal strings as the protocol types them, so they are unique on a connection and across reconnections.
 *
 * @example
 * ```ts
 * import { PendingRequests } from "./pending_requests.ts";
 * const spec = { replies: ["pong"], errors: [], correlation: "id", correlationKind: "integer" as const };
 * const pending = new PendingRequests({ ping: spec }, "type", 100);
 * const { frame, answer } = pending.open({ type: "ping" }, JSON.stringify, { timeout: 1000 });
 * // frame is '{"type":"ping","id":1}'; the peer answers:
 * pending.settle({ type: "pong", id: 1 });
 * await answer; // { type: "pong", id: 1 }
 * ```
 */
export class PendingRequests {
  readonly #pending = new Map<string, Pending>();
  /** The correlation property of every answer type. */
  readonly #answers = new Map<string, string>();
  readonly #specs: Readonly<Record<string, RequestSpec>>;
  readonly #discriminator: string;
  readonly #limit: number;
  #next = 1;
  /**
   * One timer for all the requests, armed for the earliest deadline: when it fires, it fails what is due and arms for
   * the earliest left. It is not cleared when a request is answered (a timer per request costs more than the request
   * itself on some runtimes), only by `closeAll`.
   */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Infinity;

  /**
   * @param specs The requests this side sends (`protocol.requests.client` on a client).
   * @param discriminator The protocol's discriminator.
   * @param limit The most requests in flight at once; one more rejects with `too-many-pending`.
   */
  constructor(specs: Readonly<Record<string, RequestSpec>>, discriminator: string, limit: number) {
    this.#specs = specs;
    this.#discriminator = discriminator;
    this.#limit = limit;
    for (const spec of Object.values(specs)) {
      for (const type of [...spec.replies, ...spec.errors]) this.#answers.set(type, spec.correlation);
    }
  }

  /** How many requests wait for an answer. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request and writes its frame, with the correlation value filled in.
   *
   * @param message The request, without its correlation property.
   * @param encode Writes a message; throws when it is invalid (nothing is registered then).
   * @param options Timeout (required here), abort signal, whether it may be sent again.
   * @returns The request's key, its frame and its answer to come; a refused request's answer rejects at once and
   *   its frame is `""`.
   * @throws {TypeError} When the message is not a request of this side.
   * @throws {RangeError} For a timeout that is not a number of milliseconds, 0 or more.
   */
  open(
    message: Readonly<Record<string, unknown>>,
    encode: (message: Record<string, unknown>) => string,
    options: RequestOptions & { readonly timeout: number },
  ): Opened {
    const type = message[this.#discriminator];
    const spec = typeof type === "string" && Object.hasOwn(this.#specs, type) ? this.#specs[type] : undefined;
    if (spec === undefined || typeof type !== "string") {
      throw new TypeError(`${JSON.stringify(type)} is not a request of this protocol: it has no reply to wait for`);
    }
    const refused = (error: RequestError): Opened => ({ key: "", frame: "", answer: Promise.reject(error) });
    if (this.#pending.size >= this.#limit) {
      return refused(
        new RequestError("too-many-pending", type, `${this.#limit} requests wait for an answer already; not sent`),
      );
    }
    if (typeof options.timeout !== "number" || Number.isNaN(options.timeout) || options.timeout < 0) {
      throw new RangeError(`a request's timeout must be a number of milliseconds, 0 or more, got ${options.timeout}`);
    }
    const signal = options.signal;
    if (signal?.aborted) {
      return refused(new RequestError("aborted", type, "aborted before it was sent", undefined, signal.reason));
    }
    const id = this.#next;
    const key = String(id);
    const frame = encode({ ...message, [spec.correlation]: spec.correlationKind === "integer" ? id : key });
    this.#next++;
    let resolve!: (reply: unknown) => void;
    let reject!: (error: Error) => void;
    const answer = new Promise<unknown>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    const pending: Pending = {
      type,
      spec,
      repeat: options.repeat === true,
      frame,
      resolve: (reply) => {
        this.#forget(key, pending);
        resolve(reply);
      },
      reject: (error) => {
        this.#forget(key, pending);
        reject(error);
      },
      deadline: Number.isFinite(options.timeout) ? Date.now() + options.timeout : Infinity,
      timeout: options.timeout,
      signal: undefined,
      onAbort: undefined,
      written: false,
    };
    if (signal !== undefined) {
      pending.signal = signal;
      pending.onAbort = () =>
        pending.reject(new RequestError("aborted", type, "aborted before its answer came", undefined, signal.reason));
      signal.addEventListener("abort", pending.onAbort, { once: true });
    }
    this.#pending.set(key, pending);
    if (pending.deadline < this.#armedFor) this.#arm(pending.deadline);
    return { key, frame, answer };
  }

  /**
   * Whether the request `key` still waits: one that timed out or was aborted while queued is not sent at all.
   */
  waits(key: string): boolean {
    return this.#pending.has(key);
  }

  /**
   * Fails the request `key`, e.g. when it could not be queued.
   *
   * @param key The request's key.
   * @param error What its promise rejects with.
   */
  fail(key: string, error: Error): void {
    this.#pending.get(key)?.reject(error);
  }

  /** The request `key` went out on the current connection. */
  written(key: string): void {
    const pending = this.#pending.get(key);
    if (pending !== undefined) pending.written = true;
  }

  /**
   * Settles the request a valid incoming message answers, if it answers one: a reply resolves it, an error reply
   * rejects it with `error-reply`, and an answer type that does not belong to that request rejects it with
   * `invalid-reply`.
   *
   * @param message A decoded, valid message.
   * @returns Whether it settled one (the message then goes to no handler).
   */
  settle(message: Readonly<Record<string, unknown>>): boolean {
    const type = message[this.#discriminator] as string;
    const pending = this.#waiting(type, message);
    if (pending === undefined) return false;
    const { replies, errors } = pending.spec;
    if (replies.includes(type)) pending.resolve(message);
    else if (errors.includes(type)) {
      pending.reject(new RequestError("error-reply", pending.type, `answered with ${JSON.stringify(type)}`, message));
    } else {
      pending.reject(
        new RequestError(
          "invalid-reply",
          pending.type,
          `answered with ${JSON.stringify(type)}, not one of its replies`,
        ),
      );
    }
    return true;
  }

  /**
   * Fails the request that an invalid frame answers, if the frame names one (its type and correlation value read
   * from the raw JSON), with `invalid-reply`.
   *
   * @param frame The frame that failed to decode.
   * @param error Why it failed.
   * @returns Whether a request failed.
   */
  settleInvalid(frame: string, error: { readonly message: string }): boolean {
    if (this.#pending.size === 0) return false;
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch {
      return false;
    }
    if (typeof value !== "object" || value === null) return false;
    const fields = value as Record<string, unknown>;
    const pending = this.#waiting(fields[this.#discriminator], fields);
    if (pending === undefined) return false;
    pending.reject(
      new RequestError("invalid-reply", pending.type, `its answer is invalid: ${error.message}`, undefined, error),
    );
    return true;
  }

  /**
   * The connection dropped: requests written to it fail with `closed`, except those marked `repeat`, whose frames
   * are returned to be sent on the next connection. Requests not written yet keep waiting.
   *
   * @param reason Why, for the error.
   * @returns The keys and frames to send again, oldest first.
   */
  dropped(reason: string): { readonly key: string; readonly frame: string }[] {
    const again: { key: string; frame: string }[] = [];
    for (const [key, pending] of [...this.#pending]) {
      if (!pending.written) continue;
      if (pending.repeat) {
        pending.written = false;
        again.push({ key, frame: pending.frame });
      } else {
        pending.reject(new RequestError("closed", pending.type, `the connection closed before its answer (${reason})`));
      }
    }
    return again;
  }

  /** Fails every request with `closed`, and stops the timer: the connection is gone for good. */
  closeAll(reason: string): void {
    for (const pending of [...this.#pending.values()]) {
      pending.reject(new RequestError("closed", pending.type, `closed before its answer (${reason})`));
    }
    this.#arm(Infinity);
  }

  /** Arms the one timer for `deadline` (`Infinity`: none). */
  #arm(deadline: number): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = deadline;
    if (deadline !== Infinity) this.#timer = setTimeout(() => this.#due(), Math.max(0, deadline - Date.now()));
  }

  /** The timer fired: fails every request past its deadline, then arms for the earliest left. */
  #due(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = Date.now();
    let next = Infinity;
    for (const pending of [...this.#pending.values()]) {
      if (pending.deadline > now) next = Math.min(next, pending.deadline);
      else {
        const what = pending.written ? "no answer" : "still waiting for a connection to go out on";
        pending.reject(new RequestError("timeout", pending.type, `${what} after ${pending.timeout} ms`));
      }
    }
    if (next < this.#armedFor) this.#arm(next);
  }

  /** The request in flight that an answer of `type` carrying `fields` names. */
  #waiting(type: unknown, fields: Readonly<Record<string, unknown>>): Pending | undefined {
    const correlation = typeof type === "string" ? this.#answers.get(type) : undefined;
    if (correlation === undefined) return undefined;
    const value = fields[correlation];
    return typeof value === "string" || typeof value === "number" ? this.#pending.get(String(value)) : undefined;
  }

  #forget(key: string, pending: Pending): void {
    if (this.#pending.get(key) !== pending) return;
    this.#pending.delete(key);
    if (pending.onAbort !== undefined) pending.signal?.removeEventListener("abort", pending.onAbort);
  }
}
