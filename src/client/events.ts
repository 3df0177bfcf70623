/**
 * The lifecycle events a typewire client reports, typed. They are plain
 * objects, not DOM `Event`s: the client is not an `EventTarget` (that keeps
 * it small in a page and in memory), and lifecycle events have their own
 * subscribe method, `onEvent`, so that no event name can collide with a
 * message type (a protocol may well have a message called `error`).
 *
 * @example
 * ```ts
 * import type { ClientEventMap } from "./events.ts";
 * const log = (event: ClientEventMap["close"]) => console.log(event.code, event.reason, event.willReconnect);
 * ```
 *
 * @module
 */
import type { DecodeError } from "../runtime/result.ts";
import type { ResumeFailure } from "../runtime/resume_tokens.ts";

/** The connection is usable: after the handshake hook and the flush of queued messages. */
export interface OpenEventInfo {
  readonly type: "open";
}

/** A connection closed (or an attempt failed). */
export interface CloseEventInfo {
  readonly type: "close";
  /** The close code (RFC 6455 section 7.4), 1006 when the connection failed or dropped without a close frame. Name it with `closeCodeName`. */
  readonly code: number;
  readonly reason: string;
  /** Whether the closing handshake completed. */
  readonly wasClean: boolean;
  /** Whether the client will try to reconnect. `false` means the client is now closed for good. */
  readonly willReconnect: boolean;
  /**
   * Whether the client gave up reconnecting: it would have reconnected after this close, but `maxAttempts`
   * attempts in a row have failed. Always `false` when `willReconnect` is true.
   */
  readonly gaveUp: boolean;
  /** Connection attempts made in a row without a connection staying up `minUptime` (0 for the first connection). */
  readonly attempts: number;
}

/** The socket reported an error, a handshake failed, or a URL was refused. A `close` event follows. */
export interface ErrorEventInfo {
  readonly type: "error";
  readonly error: Error;
}

/** The client will try to reconnect after `delay` milliseconds. */
export interface ReconnectingEventInfo {
  readonly type: "reconnecting";
  /** 1 for the first attempt after a drop, counting up until a connection stays up for the minimum uptime. */
  readonly attempt: number;
  readonly delay: number;
}

/** A reconnection succeeded (after the handshake and the flush of queued messages). */
export interface ReconnectedEventInfo {
  readonly type: "reconnected";
  /** Which attempt succeeded. */
  readonly attempt: number;
}

/** A frame was refused: not text, too large, not JSON, not an object, or invalid. */
export interface InvalidFrameEventInfo {
  readonly type: "invalid";
  readonly error: FrameError;
  /** The frame as received (a string, or the binary data). */
  readonly frame: unknown;
}

/** A frame named a type the protocol does not have. */
export interface UnknownTypeEventInfo {
  readonly type: "unknown";
  readonly error: DecodeError & { kind: "unknown-type" };
  readonly frame: string;
}

/**
 * A message handler threw (or its promise rejected). Routing carries on. Without a `handlererror` listener the
 * client reports it on the console; with one, the listener decides.
 */
export interface HandlerErrorEventInfo {
  readonly type: "handlererror";
  readonly error: unknown;
  /** The `type` of the message whose handler failed. */
  readonly messageType: string;
}

/**
 * What became of a topic's missed messages after a reconnection, for a protocol that declares `resume`: the server
 * sent them again (`resumed: true`, `replayed` of them, before the live ones), or could not (`resumed: false`, with
 * `reason` and `message`). `too-many-topics` may also come from the client itself, at once when it dials: it keeps
 * the tokens of 64 topics (the most recently updated) and sends those that fit in a URL of 8 KiB.
 */
export type ResumedEventInfo =
  | {
    readonly type: "resumed";
    readonly topic: string;
    readonly resumed: true;
    /** How many missed messages the server sent again. */
    readonly replayed: number;
  }
  | {
    readonly type: "resumed";
    readonly topic: string;
    readonly resumed: false;
    /**
     * `gone`: beyond the server's recovery window, or its log was lost. `invalid`: a position the server never gave.
     * `unreachable`: the server's log did not answer. `too-many-topics`: more topics than the client or the server
     * resumes at once. `not-subscribed`: the server did not subscribe this connection to the topic within 5 s of
     * connecting (send again, after every reconnection, what subscribes it: `onEvent("open", ...)`).
     */
    readonly reason: ResumeFailure;
    readonly message: string;
  };

/** The send queue was full and the oldest message was dropped (policy `"drop-oldest"`). */
export interface QueueOverflowEventInfo {
  readonly type: "queueoverflow";
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

/** Every lifecycle event a client reports, by name: what `onEvent(name, listener)` passes to the listener. */
export interface ClientEventMap {
  open: OpenEventInfo;
  close: CloseEventInfo;
  error: ErrorEventInfo;
  reconnecting: ReconnectingEventInfo;
  reconnected: ReconnectedEventInfo;
  invalid: InvalidFrameEventInfo;
  unknown: UnknownTypeEventInfo;
  handlererror: HandlerErrorEventInfo;
  queueoverflow: QueueOverflowEventInfo;
  resumed: ResumedEventInfo;
}

/** A listener for one lifecycle event. */
export type ClientListener<E extends keyof ClientEventMap> = (event: ClientEventMap[E]) => void;

/** How an `onEvent` listener listens. */
export interface OnEventOptions {
  /** Remove the listener after its first call. @default false */
  readonly once?: boolean;
}
