/**
 * The events a typewire client dispatches, typed. One small class carries
 * them all, so the client stays small in a browser bundle.
 *
 * @module
 */
import type { DecodeError } from "../runtime/result.ts";

/**
 * An event with extra fields, set from `init`.
 *
 * @example
 * ```ts
 * import { ClientEvent } from "./events.ts";
 * const event = new ClientEvent("reconnecting", { attempt: 1, delay: 250 });
 * ```
 */
export class ClientEvent extends Event {
  /**
   * @param type The event's type.
   * @param init The fields to set on it.
   * @param cancelable Whether `preventDefault()` means something.
   */
  constructor(type: string, init: object = {}, cancelable = false) {
    super(type, { cancelable });
    Object.assign(this, init);
  }
}

/** A connection closed. */
export interface CloseEventInfo extends Event {
  /** The close code (RFC 6455 section 7.4), 1006 when the connection failed or dropped without a close frame. */
  readonly code: number;
  /** The code's name, e.g. `"policy violation"`. */
  readonly codeName: string;
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** Whether the client will try to reconnect. `false` means the client is now closed for good. */
  readonly willReconnect: boolean;
}

/** The socket reported an error, a handshake failed, or a URL was refused. A `close` event follows. */
export interface ErrorEventInfo extends Event {
  readonly error: Error;
}

/** The client will try to reconnect after `delay` milliseconds. */
export interface ReconnectingEventInfo extends Event {
  /** 1 for the first attempt after a drop, counting up until a connection stays up for the minimum uptime. */
  readonly attempt: number;
  readonly delay: number;
}

/** A reconnection succeeded (after the handshake and the flush of queued messages). */
export interface ReconnectedEventInfo extends Event {
  /** Which attempt succeeded. */
  readonly attempt: number;
}

/** A frame was refused: not text, too large, not JSON, not an object, or invalid. */
export interface InvalidFrameEventInfo extends Event {
  readonly error: FrameError;
  /** The frame as received (a string, or the binary data). */
  readonly frame: unknown;
}

/** A frame named a type the protocol does not have. */
export interface UnknownTypeEventInfo extends Event {
  readonly error: DecodeError & { kind: "unknown-type" };
  readonly frame: string;
}

/** A message handler threw (or its promise rejected). Routing carries on. Cancel it to stop the console report. */
export interface HandlerErrorEventInfo extends Event {
  readonly error: unknown;
  /** The `type` of the message whose handler failed. */
  readonly messageType: string;
}

/** The send queue was full and the oldest message was dropped (policy `"drop-oldest"`). */
export interface QueueOverflowEventInfo extends Event {
  readonly dropped: unknown;
}

/** A frame bigger than the client's limit (`maxFrameLength`); it was not parsed. */
export interface FrameTooLargeError {
  readonly kind: "too-large";
  readonly message: string;
  readonly length: number;
  readonly limit: number;
}

/** A binary frame, where the protocol speaks text. */
export interface BinaryFrameError {
  readonly kind: "binary";
  readonly message: string;
}

/** Why a frame was not delivered to a handler. */
export type FrameError = Exclude<DecodeError, { kind: "unknown-type" }> | FrameTooLargeError | BinaryFrameError;

/** Every event a client dispatches, by type. */
export interface ClientEventMap {
  open: Event;
  close: CloseEventInfo;
  error: ErrorEventInfo;
  reconnecting: ReconnectingEventInfo;
  reconnected: ReconnectedEventInfo;
  invalid: InvalidFrameEventInfo;
  unknown: UnknownTypeEventInfo;
  handlererror: HandlerErrorEventInfo;
  queueoverflow: QueueOverflowEventInfo;
}
