/**
 * The protocol descriptor: one object per generated module that bundles its
 * codecs for the runtime client and the server.
 *
 * @module
 */
import type { PartialHandlers, TagOf } from "./dispatch.ts";
import type { DecodeResult, EncodeResult } from "./result.ts";
import type { NoRequests } from "./requests.ts";
import type { RequestEngineFactory } from "./request_engine.ts";
import type { ResumeEngineFactory, ResumeSpec } from "./resume_engine.ts";

/**
 * Everything about the messages that one side sends: the other side decodes
 * them, this side encodes them.
 */
export interface Direction<M, K extends string> {
  /** Every discriminator value of this direction, in schema order. */
  readonly types: readonly TagOf<M, K>[];
  /**
   * Decodes a text frame; unknown properties are kept. Never throws. A message of a recursive type nested more
   * than `MAX_DEPTH` (256) levels of objects and arrays deep is an `invalid` error.
   */
  decode(frame: string): DecodeResult<M>;
  /** Decodes a text frame; unknown properties are an `invalid` error. Never throws. */
  decodeStrict(frame: string): DecodeResult<M>;
  /**
   * Validates, then serializes a message. Never throws: nesting past `MAX_DEPTH` (256) levels, or a property that
   * throws when read, is an `invalid` error.
   */
  encode(message: M): EncodeResult;
  /** Tells whether a value is a valid message of this direction. Never throws. */
  is(value: unknown): value is M;
  /** Calls the handler for the message's type; returns whether one ran. */
  dispatch(handlers: PartialHandlers<M, K, unknown>, message: M): boolean;
}

/** How one request is answered: the replies, the error replies, and the property that pairs them with it. */
export interface RequestSpec {
  /** The message types (of the other direction) that answer the request. */
  readonly replies: readonly string[];
  /** The message types that answer it with an error; none when the protocol declares no error reply. */
  readonly errors: readonly string[];
  /** The property the request and every answer carry, with the same value. */
  readonly correlation: string;
  readonly correlationKind: "string" | "integer";
}

/** A protocol's requests: by who sends them, then by message type. */
export interface RequestTable {
  readonly client: Readonly<Record<string, RequestSpec>>;
  readonly server: Readonly<Record<string, RequestSpec>>;
}

/**
 * A generated protocol: its name, discriminator, WebSocket subprotocols and
 * both directions. `server` holds what a server sends (a client decodes it);
 * `client` holds what a client sends (a server decodes it). `R` pairs its
 * requests with their replies (the generated `<Name>Requests`); a protocol
 * without requests leaves it out.
 *
 * @example Decoding what a server sent
 * ```ts
 * import { chatProtocol } from "../generated/chat.ts";
 * const result = chatProtocol.server.decode('{"type":"id","id":1}');
 * console.log(result.ok);
 * ```
 */
export interface Protocol<S, C, K extends string = "type", R = NoRequests> {
  /** The protocol's name, from its schema file. */
  readonly name: string;
  /** The property that names each message's type. */
  readonly discriminator: K;
  /** The WebSocket subprotocols a client offers, in order of preference. */
  readonly subprotocols: readonly string[];
  /** The messages a server sends. */
  readonly server: Direction<S, K>;
  /** The messages a client sends. */
  readonly client: Direction<C, K>;
  /** The messages that expect an answer, when the protocol declares any. */
  readonly requests?: RequestTable;
  /** What a client runs its requests with, when the protocol declares any (so that only those clients ship it). */
  readonly requestEngine?: RequestEngineFactory;
  /**
   * The server messages that carry a resume token, and the property that holds it, when the protocol declares
   * `resume` (the generator's option): a client that reconnects asks to be sent what it missed of their topics.
   */
  readonly resume?: ResumeSpec;
  /** What a client keeps and sends its resume tokens with, when the protocol has `resume` (so only those ship it). */
  readonly resumeEngine?: ResumeEngineFactory;
  /** Never present at run time: carries the request types `R` for the type checker. */
  readonly requestTypes?: R;
}

/**
 * A protocol as a client needs it: decoders for what the server sends, the
 * encoder for what the client sends. A whole {@link Protocol} is one, and each
 * generated module also exports a slim one (`chatClientProtocol`), so that a
 * browser bundle carries nothing a client never runs.
 *
 * @example
 * ```ts
 * import { chatClientProtocol } from "../generated/chat.ts";
 * const result = chatClientProtocol.server.decode('{"type":"id","id":1}');
 * ```
 */
export interface ClientProtocol<S, C, K extends string = "type", R = NoRequests> {
  readonly name: string;
  readonly discriminator: K;
  readonly subprotocols: readonly string[];
  readonly server: Pick<Direction<S, K>, "types" | "decode" | "decodeStrict">;
  readonly client: Pick<Direction<C, K>, "encode">;
  /** The messages that expect an answer, when the protocol declares any. */
  readonly requests?: RequestTable;
  /** What a client runs its requests with, when the protocol declares any (so that only those clients ship it). */
  readonly requestEngine?: RequestEngineFactory;
  /**
   * The server messages that carry a resume token, and the property that holds it, when the protocol declares
   * `resume` (the generator's option): a client that reconnects asks to be sent what it missed of their topics.
   */
  readonly resume?: ResumeSpec;
  /** What a client keeps and sends its resume tokens with, when the protocol has `resume` (so only those ship it). */
  readonly resumeEngine?: ResumeEngineFactory;
  /** Never present at run time: carries the request types `R` for the type checker. */
  readonly requestTypes?: R;
}

/** The union of messages a server sends in protocol `P`. */
export type ServerMessageOf<P> = P extends ClientProtocol<infer S, unknown, string> ? S : never;

/** The union of messages a client sends in protocol `P`. */
export type ClientMessageOf<P> = P extends ClientProtocol<unknown, infer C, string> ? C : never;
