/**
 * A client's requests, both ways: the requests it makes (sent now, queued
 * until a connection opens, failed or sent again when one drops) and the
 * requests the server makes of it (handed to its handlers, their answers sent
 * back). It comes with the generated descriptor of a protocol that declares
 * requests (`requestEngine`), so that a page whose protocol has none ships
 * none of this.
 *
 * @module
 */
import { encodeAnswer, runAnswer } from "./answer.ts";
import { PendingRequests, type RequestOptions } from "./pending_requests.ts";
import type { RequestTable } from "./protocol.ts";
import { RequestError } from "./request_errors.ts";
import type { EncodeResult } from "./result.ts";

/** What the engine reads of its client's options. */
export interface EngineOptions {
  /** The most requests waiting at once, each way. @default 100 */
  readonly maxPendingRequests?: number;
  /** How long a request waits unless told otherwise, in milliseconds. @default 10000 */
  readonly requestTimeout?: number;
}

/** What the engine needs of its client's insides. */
export interface EnginePort {
  /** Encodes an outgoing message (`prepare` applied); throws when it is invalid. */
  encode(message: unknown): string;
  /** Writes a frame to the current socket. */
  write(frame: string): void;
  /**
   * Queues a request until a connection opens (throws when the queue refuses it); `request` is told when its turn
   * comes and answers whether it still waits, or that the queue dropped it.
   */
  enqueue(message: unknown, frame: string, request: (event: "send" | "drop") => boolean): void;
  /** The handlers of a message type. */
  handlers(type: string): readonly ((message: never) => unknown)[];
  /** A handler failed. */
  failed(error: unknown, type: string): void;
  /** Reports an `error` event. */
  error(error: Error): void;
  /** The current socket, if any. */
  socket(): { readonly readyState: number } | undefined;
}

/** The client as the engine sees it: its protocol and state. */
export interface EngineClient {
  readonly definition: {
    readonly discriminator: string;
    readonly requests?: RequestTable;
    readonly client: { readonly encode: (message: never) => EncodeResult };
  };
  /** 1 once open for messages. */
  readonly readyState: number;
}

/** The client's side of requests; see the module's description. */
export interface RequestEngine {
  /** Makes a request: sent now when the client is open, queued otherwise. Never throws: the promise rejects. */
  request(message: Readonly<Record<string, unknown>>, options: RequestOptions): Promise<unknown>;
  /** Takes an incoming valid message when it answers a request or is one; returns whether it did. */
  incoming(message: Readonly<Record<string, unknown>>, type: string): boolean;
  /** An incoming frame failed validation: it may be an invalid answer. */
  invalid(frame: string, error: { readonly message: string }): void;
  /** The connection closed: requests in flight fail, except those to send again. */
  closed(code: number, reason: string): void;
  /** A connection is ready: the requests to send again go out, before the queue. */
  ready(): void;
  /** The client closed for good. */
  finished(): void;
}

/** Builds a client's request engine (the descriptor's `requestEngine`). */
export type RequestEngineFactory = (client: EngineClient, options: EngineOptions, port: EnginePort) => RequestEngine;

/**
 * Builds the request engine of one client.
 *
 * @param client The client: its protocol and state.
 * @param options Its options: `maxPendingRequests`, `requestTimeout`.
 * @param port Its insides: writing, queueing, its handlers, its events.
 * @returns The engine.
 * @example
 * ```ts
 * import { requestEngine } from "./request_engine.ts";
 * import { roomsProtocol } from "../../tests/fixtures/generated/rooms.ts";
 * const engine = requestEngine({ definition: roomsProtocol, readyState: 0 }, { requestTimeout: 10 }, {
 *   encode: JSON.stringify, write() {}, enqueue() {}, handlers: () => [], failed() {}, error() {}, socket: () => undefined,
 * });
 * engine.request({ type: "create-room", name: "lobby" }, {}).catch(() => {});
 * ```
 */
export function requestEngine(client: EngineClient, options: EngineOptions, port: EnginePort): RequestEngine {
  const { discriminator, requests: table = { client: {}, server: {} } } = client.definition;
  const limit = options.maxPendingRequests ?? 100;
  let pending: PendingRequests | undefined;
  /** Requests marked `repeat` whose connection dropped before their answers: sent first on the next one. */
  let again: readonly { readonly key: string; readonly frame: string }[] = [];
  /** Requests from the server whose handlers have not answered yet. */
  let answering = 0;

  const answer = (request: Readonly<Record<string, unknown>>, type: string) => {
    if (answering >= limit) {
      port.error(new Error(`a ${JSON.stringify(type)} request left unanswered: ${limit} wait for answers already`));
      return;
    }
    const spec = table.server[type]!;
    const socket = port.socket();
    let answered = false;
    const send = (answer: unknown) => {
      if (answer === undefined || answered) return;
      answered = true;
      const encoded = encodeAnswer(spec, request, answer, discriminator, client.definition.client.encode);
      if (!encoded.ok) port.failed(new Error(`cannot answer: ${encoded.error.message}`), type);
      else if (socket !== undefined && socket === port.socket() && socket.readyState === 1) port.write(encoded.frame);
    };
    for (const handler of port.handlers(type)) {
      const running = runAnswer(
        () => (handler as (message: unknown) => unknown)(request),
        send,
        (error) => port.failed(error, type),
      );
      if (running === undefined) continue;
      answering++;
      running.finally(() => answering--);
    }
  };

  const open = (message: Readonly<Record<string, unknown>>, requestOptions: RequestOptions): Promise<unknown> => {
    const requests = pending ??= new PendingRequests(table.client, discriminator, limit);
    let full: unknown;
    const opened = requests.open(message, (request) => port.encode(full = request), {
      ...requestOptions,
      timeout: requestOptions.timeout ?? options.requestTimeout ?? 10_000,
    });
    if (opened.frame === "") return opened.answer;
    const { key } = opened;
    if (client.readyState === 1) {
      port.write(opened.frame);
      requests.written(key);
      return opened.answer;
    }
    const type = String(message[discriminator]);
    try {
      port.enqueue(full, opened.frame, (event) => {
        if (event === "drop") {
          requests.fail(
            key,
            new RequestError("dropped", type, "dropped unsent: the send queue overflowed (drop-oldest)"),
          );
          return false;
        }
        if (!requests.waits(key)) return false;
        requests.written(key);
        return true;
      });
    } catch (error) {
      requests.fail(key, error as Error);
    }
    return opened.answer;
  };

  return {
    request(message, requestOptions) {
      try {
        return open(message, requestOptions);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    incoming(message, type) {
      if (pending?.size && pending.settle(message)) return true;
      if (!Object.hasOwn(table.server, type)) return false;
      answer(message, type);
      return true;
    },
    invalid(frame, error) {
      pending?.settleInvalid(frame, error);
    },
    closed(code, reason) {
      if (pending === undefined) return;
      again = [...again, ...pending.dropped(reason === "" ? `code ${code}` : `code ${code}: ${reason}`)];
    },
    ready() {
      const resend = again;
      again = [];
      for (const { key, frame } of resend) {
        if (!pending?.waits(key)) continue;
        port.write(frame);
        pending.written(key);
      }
    },
    finished() {
      again = [];
      pending?.closeAll("the client closed");
    },
  };
}
