/**
 * The wire format of resumable topics, shared by the client and the server.
 *
 * - The server stamps each message of a resumable type with a token,
 *   `position:topic` ({@link formatToken}), in the protocol's resume property.
 * - A client that reconnects puts the last token of each topic in its URL's
 *   {@link RESUME_PARAM} query parameter, a JSON array of tokens; the server
 *   reads it with {@link parseResumeParam}.
 * - For each topic it re-subscribes the connection to, the server answers with
 *   a control frame of type {@link RESUMED_TYPE} ({@link encodeResumed}): how
 *   many messages it replayed, or why it could not; the client reads it with
 *   {@link parseResumed}.
 *
 * Lengths are counted in UTF-16 code units (a string's `length`). Every parser
 * here takes what a hostile peer may send, and never throws.
 *
 * @example A token, there and back
 * ```ts
 * import { formatToken, parseToken } from "./resume_tokens.ts";
 * const token = formatToken("17", "room:lobby"); // "17:room:lobby"
 * parseToken(token); // { position: "17", topic: "room:lobby" }
 * ```
 *
 * @module
 */

/** The URL query parameter in which a reconnecting client sends its tokens: a JSON array of token strings. */
export const RESUME_PARAM = "typewire-resume";

/** The discriminator value of the server's resume notice. A protocol with `resume` may not use it for a message. */
export const RESUMED_TYPE = "typewire:resumed";

/** The longest position a server may give, in UTF-16 code units. */
export const MAX_POSITION_LENGTH = 64;

/** The longest token, in UTF-16 code units. */
export const MAX_TOKEN_LENGTH = 1024;

/** The longest topic whose tokens always fit in {@link MAX_TOKEN_LENGTH}, whatever their position (959). */
export const MAX_RESUMABLE_TOPIC_LENGTH = MAX_TOKEN_LENGTH - MAX_POSITION_LENGTH - 1;

/** The most tokens a client keeps and sends, one per topic; a parameter with more is refused whole. */
export const MAX_RESUME_TOPICS = 64;

/** The longest value of the {@link RESUME_PARAM} parameter a server reads (16 KiB, decoded); a longer one is refused. */
export const MAX_RESUME_PARAM_LENGTH = 16 * 1024;

/** The longest URL a client dials with its tokens (8 KiB): tokens that do not fit are left out, and reported. */
export const MAX_RESUME_URL_LENGTH = 8 * 1024;

/** The longest `message` a resume notice may carry; a client refuses a notice with a longer one. */
export const MAX_RESUMED_MESSAGE_LENGTH = 1024;

/**
 * Why a topic was not resumed: `gone` (the position is beyond the recovery window, or the log was lost),
 * `invalid` (not a position the server ever gave), `unreachable` (the server's log did not answer),
 * `too-many-topics` (more topics than the client keeps, or than fit in the URL, or than the server takes),
 * `not-subscribed` (the server did not subscribe the connection to the topic soon after it connected: the
 * application did not ask again, after the reconnection, for what it had asked for before).
 */
export type ResumeFailure = "gone" | "invalid" | "unreachable" | "too-many-topics" | "not-subscribed";

/** What a server says about one topic when it re-subscribes a reconnected client to it. */
export type ResumedNotice =
  | {
    readonly topic: string;
    readonly resumed: true;
    /** How many missed messages were sent again, before the live ones. */
    readonly replayed: number;
  }
  | {
    readonly topic: string;
    readonly resumed: false;
    readonly reason: ResumeFailure;
    /** Says what happened, for people; at most {@link MAX_RESUMED_MESSAGE_LENGTH} characters. */
    readonly message: string;
  };

const FAILURES: readonly string[] = [
  "gone",
  "invalid",
  "unreachable",
  "too-many-topics",
  "not-subscribed",
] satisfies ResumeFailure[];

/**
 * Writes a token: where a message is in its topic's log, and the topic.
 *
 * @param position The message's position: 1 to 64 characters, none a `:`.
 * @param topic The topic, any string; one of at most {@link MAX_RESUMABLE_TOPIC_LENGTH} characters always fits.
 * @returns `${position}:${topic}`.
 * @throws {RangeError} For a position that is empty, too long or holds a `:`, or a token longer than
 *   {@link MAX_TOKEN_LENGTH}: no client could carry it back.
 * @example
 * ```ts
 * import { formatToken } from "./resume_tokens.ts";
 * formatToken("1700000000000-0", "prices"); // "1700000000000-0:prices"
 * ```
 */
export function formatToken(position: string, topic: string): string {
  const token = `${position}:${topic}`;
  if (position === "" || position.length > MAX_POSITION_LENGTH || position.includes(":")) {
    throw new RangeError(
      `not a resume position: ${
        JSON.stringify(position.slice(0, 80))
      } (1 to ${MAX_POSITION_LENGTH} characters, no ":")`,
    );
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new RangeError(
      `a resume token of ${token.length} characters, above ${MAX_TOKEN_LENGTH}: the topic is too long to resume`,
    );
  }
  return token;
}

/**
 * Reads a token. Never throws.
 *
 * @param token What a peer sent.
 * @returns The position and topic, or `undefined` for anything that is not a token: not a string, no `:`, an empty
 *   position, a position over {@link MAX_POSITION_LENGTH} or a token over {@link MAX_TOKEN_LENGTH} characters.
 * @example
 * ```ts
 * import { parseToken } from "./resume_tokens.ts";
 * parseToken("42:a:b"); // { position: "42", topic: "a:b" }
 * parseToken("no-colon"); // undefined
 * ```
 */
export function parseToken(token: unknown): { position: string; topic: string } | undefined {
  if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return undefined;
  const colon = token.indexOf(":");
  if (colon < 1 || colon > MAX_POSITION_LENGTH) return undefined;
  return { position: token.slice(0, colon), topic: token.slice(colon + 1) };
}

/**
 * Reads the {@link RESUME_PARAM} parameter of a connection's URL, for the server. Never throws.
 *
 * @param value The parameter's decoded value (`url.searchParams.get(RESUME_PARAM)`), or `null` when absent.
 * @returns Each topic's position. Empty when the parameter is absent or malformed in any way: longer than
 *   {@link MAX_RESUME_PARAM_LENGTH}, not JSON, not an array, more than {@link MAX_RESUME_TOPICS} entries, an entry
 *   that is not a token ({@link parseToken}), or two tokens of one topic.
 * @example
 * ```ts
 * import { parseResumeParam, RESUME_PARAM } from "./resume_tokens.ts";
 * const url = new URL('ws://h/?typewire-resume=["7:news","3:sport"]');
 * parseResumeParam(url.searchParams.get(RESUME_PARAM)); // Map { "news" => "7", "sport" => "3" }
 * ```
 */
export function parseResumeParam(value: string | null): Map<string, string> {
  const positions = new Map<string, string>();
  if (typeof value !== "string" || value.length > MAX_RESUME_PARAM_LENGTH) return positions;
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    return positions;
  }
  if (!Array.isArray(list) || list.length > MAX_RESUME_TOPICS) return positions;
  for (const entry of list) {
    const token = parseToken(entry);
    if (token === undefined || positions.has(token.topic)) return new Map();
    positions.set(token.topic, token.position);
  }
  return positions;
}

/**
 * Writes the resume notice for one topic, for the server.
 *
 * @param discriminator The protocol's discriminator, e.g. `"type"`.
 * @param notice What happened to the topic.
 * @returns The text frame, e.g. `{"type":"typewire:resumed","topic":"news","resumed":true,"replayed":3}`.
 * @example
 * ```ts
 * import { encodeResumed } from "./resume_tokens.ts";
 * encodeResumed("type", { topic: "news", resumed: false, reason: "gone", message: "beyond the recovery window" });
 * // '{"type":"typewire:resumed","topic":"news","resumed":false,"reason":"gone","message":"beyond the recovery window"}'
 * ```
 */
export function encodeResumed(discriminator: string, notice: ResumedNotice): string {
  const { topic } = notice;
  return JSON.stringify(
    notice.resumed
      ? { [discriminator]: RESUMED_TYPE, topic, resumed: true, replayed: notice.replayed }
      : { [discriminator]: RESUMED_TYPE, topic, resumed: false, reason: notice.reason, message: notice.message },
  );
}

/**
 * Reads a resume notice, strictly, for the client: exactly the properties {@link encodeResumed} writes, each of its
 * type and within its bounds. Never throws.
 *
 * @param frame A text frame from the server.
 * @param discriminator The protocol's discriminator.
 * @returns The notice, or `undefined` for anything else.
 * @example
 * ```ts
 * import { parseResumed } from "./resume_tokens.ts";
 * parseResumed('{"type":"typewire:resumed","topic":"news","resumed":true,"replayed":3}', "type");
 * // { topic: "news", resumed: true, replayed: 3 }
 * parseResumed('{"type":"typewire:resumed","topic":"news","resumed":true}', "type"); // undefined
 * ```
 */
export function parseResumed(frame: string, discriminator: string): ResumedNotice | undefined {
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const { topic, resumed, replayed, reason, message } = fields;
  // Object.prototype names none of these properties, so each one read is the frame's own: counting the keys is
  // then enough to refuse any other.
  const keys = Object.keys(fields).length;
  if (
    !Object.hasOwn(fields, discriminator) || fields[discriminator] !== RESUMED_TYPE ||
    typeof topic !== "string" || topic.length > MAX_TOKEN_LENGTH
  ) return undefined;
  if (resumed === true) {
    const counted = typeof replayed === "number" && Number.isSafeInteger(replayed) && replayed >= 0;
    return counted && keys === 4 ? { topic, resumed, replayed: replayed as number } : undefined;
  }
  const explained = typeof reason === "string" && FAILURES.includes(reason) && typeof message === "string" &&
    message.length <= MAX_RESUMED_MESSAGE_LENGTH;
  return resumed === false && explained && keys === 5
    ? { topic, resumed, reason: reason as ResumeFailure, message: message as string }
    : undefined;
}
