/**
 * The errors of requests: {@link RequestError}, why a request got no usable
 * reply, and {@link ReplyError}, which a handler throws to answer a request
 * with an error reply.
 *
 * @module
 */

/**
 * Why a request failed: no answer in time (`timeout`); the connection closed before the answer (`closed`); an
 * answer that failed validation, or of a type that does not answer this request (`invalid-reply`); the peer's
 * declared error reply (`error-reply`); the caller's signal aborted (`aborted`); too many requests in flight
 * already (`too-many-pending`; nothing was sent); dropped unsent from a client's full send queue (`dropped`).
 */
export type RequestFailure =
  | "timeout"
  | "closed"
  | "invalid-reply"
  | "error-reply"
  | "aborted"
  | "too-many-pending"
  | "dropped";

/**
 * A request that got no usable reply. `kind` tells why; for `error-reply`, `reply` is the peer's error reply, typed
 * when the error comes through a guard such as `client.isRequestError(error, "create-room")`; for
 * `invalid-reply` the decoder's error is the `cause`.
 *
 * @example Telling failures apart
 * ```ts
 * import { RequestError } from "./request_errors.ts";
 * const error: unknown = new RequestError("timeout", "create-room", "no answer within 5000 ms");
 * if (error instanceof RequestError && error.kind === "timeout") console.log("try again later");
 * ```
 */
export class RequestError<E = unknown> extends Error {
  /**
   * @param kind Why the request failed.
   * @param request The request's message type.
   * @param detail What happened, in words.
   * @param reply The error reply, for `error-reply`.
   * @param cause What caused it: the decoder's error, the abort signal's reason.
   */
  constructor(
    readonly kind: RequestFailure,
    readonly request: string,
    detail: string,
    readonly reply?: E,
    cause?: unknown,
  ) {
    super(`${JSON.stringify(request)} request: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = "RequestError";
  }
}

/**
 * A {@link RequestError} whose `reply` is typed: the error reply `E` when `kind` is `"error-reply"`, absent
 * otherwise. What the typed guards narrow to.
 */
export type TypedRequestError<E> =
  & RequestError<E>
  & (
    | { readonly kind: "error-reply"; readonly reply: E }
    | { readonly kind: Exclude<RequestFailure, "error-reply">; readonly reply: undefined }
  );

/**
 * Whether `error` is a request's failure, and, with `request`, a failure of that request type.
 *
 * @param error What a `catch` caught.
 * @param request A request's message type, to check it too.
 * @returns `true` for a {@link RequestError} (of that request).
 * @example
 * ```ts
 * import { isRequestError, RequestError } from "./request_errors.ts";
 * isRequestError(new RequestError("closed", "join", "the connection closed"), "join"); // true
 * ```
 */
export function isRequestError(error: unknown, request?: string): error is RequestError {
  return error instanceof RequestError && (request === undefined || error.request === request);
}

/**
 * Thrown by the handler of a request (on the server or on a client) to answer it with an error reply, from however
 * deep in the handler's calls: the same as returning the error reply. The message is checked when it is sent: it must
 * be one of the request's declared error replies (or replies), without the correlation property, which typewire
 * copies from the request.
 *
 * @example In a request's handler
 * ```ts
 * import { ReplyError } from "./request_errors.ts";
 * function roomFor(name: string): number {
 *   if (name === "lobby") throw new ReplyError({ type: "refused", reason: "that name is taken" });
 *   return 7;
 * }
 * ```
 */
export class ReplyError extends Error {
  /** @param answer The error reply to send, without the correlation property. */
  constructor(readonly answer: Readonly<Record<string, unknown>>) {
    super(`answered with an error reply: ${JSON.stringify(answer).slice(0, 200)}`);
    this.name = "ReplyError";
  }
}
