/**
 * The results that generated decoders and encoders return. They never throw:
 * every failure is a value that names its kind.
 *
 * @module
 */

/**
 * Where a message breaks its schema: the JSON Pointer (RFC 6901) of the
 * offending value, what the schema expected there, and what was found.
 */
export interface Issue {
  /** JSON Pointer of the offending value, `""` for the message itself, e.g. `"/users/3"`. */
  readonly pointer: string;
  /** What the schema expects at `pointer`, e.g. `"a string of 1 to 64 characters"`. */
  readonly expected: string;
  /** What was there instead, e.g. `"a number (42)"` or `"nothing (missing)"`. Never echoes long input. */
  readonly found: string;
}

/** The frame is not valid JSON. */
export interface NotJsonError {
  readonly kind: "not-json";
  readonly message: string;
}

/** The frame is JSON, but not a JSON object (an array, a string, `null`...). */
export interface NotObjectError {
  readonly kind: "not-object";
  readonly message: string;
}

/** The object's discriminator names no message of this direction. */
export interface UnknownTypeError {
  readonly kind: "unknown-type";
  readonly message: string;
  /** The discriminator's value as received (`undefined` when absent). */
  readonly type: unknown;
}

/** The object names a known message but breaks its schema. */
export interface InvalidMessageError extends Issue {
  readonly kind: "invalid";
  readonly message: string;
  /** The discriminator's value: which message the object claimed to be. */
  readonly type: string;
}

/** Why a frame could not be decoded. Switch on `kind`. */
export type DecodeError =
  | NotJsonError
  | NotObjectError
  | UnknownTypeError
  | InvalidMessageError;

/** Why a message could not be encoded. Nothing was serialized. */
export type EncodeError = NotObjectError | UnknownTypeError | InvalidMessageError;

/**
 * The outcome of decoding one text frame.
 *
 * @example Handling both outcomes
 * ```ts
 * import { decodeServerMessage } from "../generated/chat.ts";
 *
 * const result = decodeServerMessage('{"type":"id","id":7}');
 * if (result.ok) console.log(result.value.type);
 * else console.error(result.error.kind, result.error.message);
 * ```
 */
export type DecodeResult<M> =
  | { readonly ok: true; readonly value: M }
  | { readonly ok: false; readonly error: DecodeError };

/**
 * The outcome of encoding one message: the text frame to send, or why not.
 *
 * @example Sending only what encodes
 * ```ts
 * import { encodeClientMessage } from "../generated/chat.ts";
 *
 * const result = encodeClientMessage({ type: "message", id: 7, text: "hi", date: Date.now() });
 * if (result.ok) console.log(result.frame);
 * ```
 */
export type EncodeResult =
  | { readonly ok: true; readonly frame: string }
  | { readonly ok: false; readonly error: EncodeError };
