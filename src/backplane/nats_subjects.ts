/**
 * The NATS engine's subjects: which subject a topic's frames and entries go
 * on, and the stream's name, under the prefix instances share.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { quote } from "./text.ts";

/** A prefix: subject tokens of letters, digits, `_`, `-`, separated by dots. */
const PREFIX = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

/** Topics longer than this (in bytes) get a hash in their subject, which must stay well below NATS's 4 KB lines. */
const LONGEST_TOPIC = 1024;

/** Topic tokens remembered, after which the memo starts over. */
const REMEMBERED = 10_000;

const encoder = new TextEncoder();

/** Base64url without padding: letters, digits, `-` and `_`, all valid in a subject token. */
function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * One subject token per topic, different for different topics: `b` and its UTF-8 bytes in base64url, or `u` and its
 * UTF-16 code units (a topic with a lone surrogate, which UTF-8 cannot carry); `h` and a SHA-256 of those when long.
 *
 * @param topic Any string.
 * @returns A subject token: letters, digits, `-` and `_`.
 *
 * @example Tokens of a short topic and of a long one
 * ```ts
 * import { topicToken } from "./nats_subjects.ts";
 * console.log(topicToken("room:1")); // "bcm9vbTox"
 * console.log(topicToken("x".repeat(2000)).startsWith("hb")); // true
 * ```
 */
export function topicToken(topic: string): string {
  const wellFormed = topic.isWellFormed();
  let bytes = encoder.encode(topic);
  if (!wellFormed) {
    bytes = new Uint8Array(topic.length * 2);
    for (let i = 0; i < topic.length; i++) {
      const unit = topic.charCodeAt(i);
      bytes[2 * i] = unit >> 8;
      bytes[2 * i + 1] = unit & 0xff;
    }
  }
  const kind = wellFormed ? "b" : "u";
  if (bytes.length > LONGEST_TOPIC) return `h${kind}${createHash("sha256").update(bytes).digest("base64url")}`;
  return `${kind}${base64url(bytes)}`;
}

/**
 * The subjects under one prefix P: `P.p.<topic>` (plain frames), `P.c` (control payloads), `P.r.<topic>` (entries,
 * in a stream named P upper-cased, dots as `_`), `P.f.<topic>` (entries as the stream republishes them). A topic is
 * one subject token (`topicToken`), remembered for the topics used most recently.
 *
 * @example The subjects of a topic
 * ```ts
 * import { NatsSubjects } from "./nats_subjects.ts";
 * const subjects = new NatsSubjects("chat.eu");
 * console.log(subjects.stream); // "CHAT_EU"
 * console.log(subjects.stored("room:1")); // "chat.eu.r.bcm9vbTox"
 * ```
 */
export class NatsSubjects {
  /** The prefix every subject starts with. */
  readonly prefix: string;
  /** The stream's name: the prefix upper-cased, dots as `_`. */
  readonly stream: string;
  /** Where control payloads go. */
  readonly control: string;
  /** Every topic's stored entries: the stream's subjects. */
  readonly allStored: string;
  /** Every topic's republished entries: where the stream republishes what it stores. */
  readonly allRepublished: string;
  readonly #tokens = new Map<string, string>();

  /**
   * @param prefix Tokens of letters, digits, `_`, `-`, separated by dots.
   * @throws {RangeError} When the prefix is not that.
   */
  constructor(prefix: string) {
    if (!PREFIX.test(prefix)) {
      throw new RangeError(`a prefix is tokens of letters, digits, "_", "-", separated by dots: ${quote(prefix)}`);
    }
    this.prefix = prefix;
    this.stream = prefix.toUpperCase().replace(/\./g, "_");
    this.control = `${prefix}.c`;
    this.allStored = `${prefix}.r.>`;
    this.allRepublished = `${prefix}.f.>`;
  }

  /** Where a plain topic's frames go. */
  plain(topic: string): string {
    return `${this.prefix}.p.${this.#token(topic)}`;
  }

  /** Where a resumable topic's entries are stored. */
  stored(topic: string): string {
    return `${this.prefix}.r.${this.#token(topic)}`;
  }

  /** Where the stream republishes a resumable topic's entries as it stores them. */
  republished(topic: string): string {
    return `${this.prefix}.f.${this.#token(topic)}`;
  }

  #token(topic: string): string {
    let token = this.#tokens.get(topic);
    if (token === undefined) {
      token = topicToken(topic);
      if (this.#tokens.size >= REMEMBERED) this.#tokens.clear();
      this.#tokens.set(topic, token);
    }
    return token;
  }
}
