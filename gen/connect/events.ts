/**
 * What `typewire connect` reports, one event per output line: the NDJSON schema (docs/connect.md), and the
 * events built from the client's errors. The readable output (`format.ts`) shows the same events.
 *
 * @module
 */
import type { FrameError } from "../../src/client/events.ts";
import type { DecodeError, EncodeError } from "../../src/runtime/result.ts";
import { escapePointerSegment } from "../../src/runtime/issue.ts";
import type { LineError } from "./input_line.ts";

/** The connection opened (the first time, or again after a reconnection). Sends go out from now on. */
export interface OpenEvent {
  readonly event: "open";
  /** The subprotocol the server selected, `""` for none. */
  readonly subprotocol: string;
  /** Whether this is a reconnection. */
  readonly reconnected: boolean;
}

/** A valid message from the server, as decoded (its discriminator included). */
export interface MessageEvent {
  readonly event: "message";
  readonly data: unknown;
}

/** A frame from the server that is not a valid message: where (`pointer`) and why (`reason`). */
export interface InvalidEvent {
  readonly event: "invalid";
  /** `invalid`, `unknown-type`, `not-json`, `not-object`, `too-large` or `binary`. */
  readonly kind: string;
  /** The JSON Pointer of the offending value: `""` for the frame itself, `/type` for an unknown type. */
  readonly pointer: string;
  /** The decoder's sentence, e.g. `invalid "message" message at /name: expected ..., found ...`. */
  readonly reason: string;
  /** What the schema expects at `pointer` (kind `invalid` only). */
  readonly expected?: string;
  /** What was there instead (kind `invalid` only). */
  readonly found?: string;
  /** The frame, when it was text. */
  readonly frame?: string;
  /** The frame's length in bytes, when it was binary. */
  readonly bytes?: number;
}

/** A line of input was validated and sent (`status: "sent"`), or queued until the connection opens. */
export interface SentEvent {
  readonly event: "sent";
  readonly status: "sent" | "queued";
  /** The message as it goes on the wire (the encoder writes only the schema's properties). */
  readonly data: unknown;
}

/** A line of input was not sent: its syntax, or the protocol's validation, refused it. */
export interface RefusedEvent {
  readonly event: "refused";
  /**
   * `syntax` (not the short form), `not-json`, `not-object`, `unknown-type`, `invalid` (the protocol's encoder
   * refused it), `queue-full` or `closed`.
   */
  readonly kind: string;
  readonly reason: string;
  /** The JSON Pointer of the offending value, for `unknown-type` and `invalid`. */
  readonly pointer?: string;
  readonly expected?: string;
  readonly found?: string;
  /** The 1-based column of a syntax error. */
  readonly column?: number;
  /** The line as read. */
  readonly line: string;
}

/** The connection closed, or an attempt failed (code 1006). */
export interface CloseEvent {
  readonly event: "close";
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** Whether the client reconnects: `false` means this is the end. */
  readonly willReconnect: boolean;
}

/** The next connection attempt starts after `delay` milliseconds. */
export interface ReconnectingEvent {
  readonly event: "reconnecting";
  readonly attempt: number;
  readonly delay: number;
}

/** The connection reported an error; a `close` event follows. */
export interface ErrorEvent {
  readonly event: "error";
  readonly message: string;
}

/** For a protocol with resumable topics: whether a topic's missed messages were sent again after a reconnection. */
export interface ResumedEvent {
  readonly event: "resumed";
  readonly topic: string;
  readonly resumed: boolean;
  readonly replayed?: number;
  readonly reason?: string;
  readonly message?: string;
}

/** Every event `typewire connect` reports. */
export type ConnectEvent =
  | OpenEvent
  | MessageEvent
  | InvalidEvent
  | SentEvent
  | RefusedEvent
  | CloseEvent
  | ReconnectingEvent
  | ErrorEvent
  | ResumedEvent;

/**
 * The event for a frame the client refused (its `invalid` and `unknown` events).
 *
 * @param error The decoder's (or the client's) error.
 * @param frame The frame as received.
 * @param discriminator The protocol's discriminator, the pointer of an unknown type.
 * @returns The `invalid` event.
 * @example
 * ```ts
 * import { invalidFrameEvent } from "./events.ts";
 * import { chatProtocol } from "../../src/generated/chat.ts";
 *
 * const frame = '{"type":"message","id":1,"name":3,"text":"hi","date":0}';
 * const result = chatProtocol.server.decode(frame);
 * if (!result.ok) console.log(invalidFrameEvent(result.error, frame, "type").pointer); // "/name"
 * ```
 */
export function invalidFrameEvent(
  error: FrameError | DecodeError,
  frame: unknown,
  discriminator: string,
): InvalidEvent {
  return {
    event: "invalid",
    kind: error.kind,
    ...whereAndWhy(error, discriminator),
    ...(typeof frame === "string" ? { frame } : { bytes: byteLength(frame) }),
  };
}

/**
 * The event for a line the encoder (or the strict check) refused.
 *
 * @param error Why the protocol refused the message.
 * @param line The line as read.
 * @param discriminator The protocol's discriminator, the pointer of an unknown type.
 * @param hint Appended to the reason, e.g. ` (did you mean "say"?)`.
 * @returns The `refused` event.
 * @example
 * ```ts
 * import { refusedMessageEvent } from "./events.ts";
 * import { chatProtocol } from "../../src/generated/chat.ts";
 *
 * const result = chatProtocol.client.encode({ type: "message", id: 1, text: 3 as unknown as string, date: 0 });
 * if (!result.ok) console.log(refusedMessageEvent(result.error, "message id=1 text=3 date=0", "type").pointer); // "/text"
 * ```
 */
export function refusedMessageEvent(
  error: EncodeError | DecodeError,
  line: string,
  discriminator: string,
  hint = "",
): RefusedEvent {
  const { reason, ...where } = whereAndWhy(error, discriminator);
  return { event: "refused", kind: error.kind, reason: reason + hint, ...where, line };
}

/**
 * The event for a line that is not a message at all (its syntax).
 *
 * @param error What `parseInputLine` found.
 * @param line The line as read.
 * @returns The `refused` event.
 * @example
 * ```ts
 * import { refusedLineEvent } from "./events.ts";
 * import { parseInputLine } from "./input_line.ts";
 *
 * const line = 'say text="hi';
 * const parsed = parseInputLine(line, "type");
 * if (parsed.kind === "error") console.log(refusedLineEvent(parsed.error, line).column); // 10
 * ```
 */
export function refusedLineEvent(error: LineError, line: string): RefusedEvent {
  return {
    event: "refused",
    kind: error.kind,
    reason: error.message,
    ...(error.column === undefined ? {} : { column: error.column }),
    line,
  };
}

function whereAndWhy(
  error: FrameError | DecodeError,
  discriminator: string,
): { pointer: string; reason: string; expected?: string; found?: string } {
  if (error.kind === "invalid") {
    return { pointer: error.pointer, reason: error.message, expected: error.expected, found: error.found };
  }
  const pointer = error.kind === "unknown-type" ? `/${escapePointerSegment(discriminator)}` : "";
  return { pointer, reason: error.message };
}

function byteLength(frame: unknown): number {
  if (frame instanceof ArrayBuffer) return frame.byteLength;
  if (ArrayBuffer.isView(frame)) return frame.byteLength;
  if (typeof Blob !== "undefined" && frame instanceof Blob) return frame.size;
  return 0;
}
