/**
 * The types that pair each request with its answers. A generated module with
 * requests exports an interface of this shape (`RoomsRequests`); its
 * descriptor carries it as its fourth type parameter, so that `request()`
 * takes only requests and resolves with their own replies, and a handler of a
 * request must return one of its answers.
 *
 * @module
 */
import type { MessageOf, TagOf } from "./dispatch.ts";

/** The requests of a protocol that declares none: `request()` takes nothing then. */
export interface NoRequests {
  readonly discriminator: string;
  readonly client: Record<never, never>;
  readonly server: Record<never, never>;
}

/** The message types that are requests among `Q` (one side's requests, e.g. `RoomsRequests["client"]`). */
export type RequestTag<Q> = keyof Q & string;

/** `M` without its property `P`, for each member of a union separately. */
type Without<M, P> = M extends unknown ? Omit<M, P & keyof M> : never;

/** The correlation property of request `T`. */
type CorrelationOf<Q, T extends keyof Q> = Q[T] extends { readonly correlation: infer P } ? P : never;

/**
 * What a caller of `request()` writes for request `T`: the request message without its correlation property,
 * which typewire fills in.
 */
export type RequestMessage<Q, T extends keyof Q> = Q[T] extends { readonly request: infer M }
  ? Without<M, CorrelationOf<Q, T>>
  : never;

/** The replies that answer request `T`: what `request()` resolves with. */
export type ReplyOf<Q, T extends keyof Q> = Q[T] extends { readonly reply: infer A } ? A : never;

/** The error replies that answer request `T`: what a rejection of kind `"error-reply"` carries. */
export type ErrorReplyOf<Q, T extends keyof Q> = Q[T] extends { readonly error: infer E } ? E : never;

/**
 * What the handler of request `T` returns (or resolves with): one of its replies or error replies, without the
 * correlation property, which typewire copies from the request.
 */
export type AnswerOf<Q, T extends keyof Q> = Without<ReplyOf<Q, T> | ErrorReplyOf<Q, T>, CorrelationOf<Q, T>>;

/** The message types that answer one of the requests `Q`: their handlers are optional (they see late answers). */
export type AnswerTag<Q, K extends string> = TagOf<
  { [T in keyof Q]: ReplyOf<Q, T> | ErrorReplyOf<Q, T> }[keyof Q],
  K
>;

/** The requests a client sends, from a protocol's request types `R`. */
export type ClientRequests<R> = R extends { readonly client: infer Q } ? Q : never;

/** The requests a server sends, from a protocol's request types `R`. */
export type ServerRequests<R> = R extends { readonly server: infer Q } ? Q : never;

/** Synchronous or asynchronous. */
type Maybe<T> = T | Promise<T>;

/**
 * What a handler of message type `T` returns, on a side whose peer sends the requests `Q`: for a request, its answer
 * (or, where `Optional`, nothing: another handler answers, or none does); for any other message, anything. `A` is a
 * type parameter of the function that takes the handler (`createServer`, `on`), constrained to strings, which only
 * keeps the answer's discriminator a literal while the function's other type parameters are still being inferred.
 */
export type HandlerResult<Q, T, Optional extends boolean, K extends string = string, A extends string = string> =
  T extends keyof Q
    ? Maybe<(AnswerOf<Q, T> & Readonly<Record<K, A>>) | (Optional extends true ? undefined | void : never)>
    : unknown;

/** The answer a handler of request `T` of `Q` returns; `A`: see {@link HandlerResult}. */
export type HandlerAnswer<Q, T extends keyof Q, Optional extends boolean, K extends string, A extends string> = Maybe<
  (AnswerOf<Q, T> & Readonly<Record<K, A>>) | (Optional extends true ? undefined | void : never)
>;

/**
 * A handler for every incoming message type of union `M`, each typed by its message, those of the peer's requests
 * (`Peer`) by their answers. Handlers of the answers to this side's own requests (`Own`) are optional: an answer
 * reaches one only when no request waits for it any more (it came late). `A`: see {@link HandlerResult}.
 */
export type HandlerTable<
  M,
  K extends string,
  Peer,
  Own,
  Args extends unknown[],
  Optional extends boolean,
  A extends string = string,
> =
  & {
    readonly [T in Exclude<TagOf<M, K>, keyof Peer | AnswerTag<Own, K>>]: (
      message: MessageOf<M, K, T>,
      ...context: Args
    ) => unknown;
  }
  & {
    readonly [T in TagOf<M, K> & keyof Peer]: (
      message: MessageOf<M, K, T>,
      ...context: Args
    ) => HandlerAnswer<Peer, T, Optional, K, A>;
  }
  & {
    readonly [T in Exclude<TagOf<M, K> & AnswerTag<Own, K>, keyof Peer>]?: (
      message: MessageOf<M, K, T>,
      ...context: Args
    ) => unknown;
  };

/** Any of the requests `Q`, as received (correlation property included). */
export type AnyRequest<Q> = { [T in keyof Q]: Q[T] extends { readonly request: infer M } ? M : never }[keyof Q];

/** Any error reply of the requests `Q`, without its correlation property: what maps a failure to an answer. */
export type AnyErrorAnswer<Q> = { [T in keyof Q]: Without<ErrorReplyOf<Q, T>, CorrelationOf<Q, T>> }[keyof Q];

/** The discriminator of a protocol's request types `R`. */
export type DiscriminatorOf<R> = R extends { readonly discriminator: infer K extends string } ? K : string;

/**
 * What a caller writes for a request `T` of the requests `Q` of `R`: the request without its correlation property,
 * with its discriminator, from which `T` is inferred.
 */
export type OutgoingRequest<R, Q, T extends keyof Q & string> =
  & RequestMessage<Q, T>
  & Readonly<Record<DiscriminatorOf<R>, T>>;
