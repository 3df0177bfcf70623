/**
 * A client's resumable topics: it keeps the last token of each topic from the
 * messages the server stamps (see `./resume_tokens.ts`), puts them in the URL
 * of every reconnection, and reads the server's resume notices. It comes with
 * the generated descriptor of a protocol that declares `resume`
 * (`resumeEngine`), so that a page whose protocol has none ships none of this.
 *
 * @module
 */
import {
  MAX_RESUME_TOPICS,
  MAX_RESUME_URL_LENGTH,
  parseResumed,
  parseToken,
  RESUME_PARAM,
  type ResumedNotice,
} from "./resume_tokens.ts";
import type { DecodeResult } from "./result.ts";

/** Which server messages carry a token, and in which property: a generated descriptor's `resume`. */
export interface ResumeSpec {
  /** The optional string property in which the server puts each message's token, `position:topic`. */
  readonly property: string;
  /** The server message types that carry it, in schema order. */
  readonly types: readonly string[];
}

/** The client's side of resumable topics; see the module's description. */
export interface ResumeEngine {
  /**
   * A frame from the server, decoded: keeps the token of a valid message whose type carries one (before the
   * message's handlers run), reports a resume notice (a frame of a type the protocol does not name).
   *
   * @returns `true` when the frame was a resume notice, and the client should do nothing more with it.
   */
  frame(frame: string, result: DecodeResult<unknown>): boolean;
  /**
   * The URL to dial: unchanged before any token came; otherwise with the tokens in its {@link RESUME_PARAM}
   * parameter (replacing any), newest first, as many as fit in {@link MAX_RESUME_URL_LENGTH} characters. Topics left
   * out, for that reason or because newer topics pushed their tokens out, are reported at once as `too-many-topics`.
   */
  url(url: string): string;
}

/** Builds a client's resume engine (the descriptor's `resumeEngine`). */
export type ResumeEngineFactory = (
  protocol: { readonly discriminator: string; readonly resume?: ResumeSpec },
  report: (notice: ResumedNotice) => void,
) => ResumeEngine;

/** Percent-encodes a query value so that the URL parser leaves it as it is (`'` included, which it would encode). */
function queryValue(text: string): string {
  return encodeURIComponent(text).replaceAll("'", "%27");
}

/**
 * Builds the resume engine of one client.
 *
 * @param protocol The client's protocol: its discriminator and `resume`.
 * @param report Called with each notice: the server's, and those of topics the client could not ask to resume.
 * @returns The engine.
 * @example
 * ```ts
 * import { resumeEngine } from "./resume_engine.ts";
 * const engine = resumeEngine({ discriminator: "type", resume: { property: "pos", types: ["entry"] } }, console.log);
 * const entry = { type: "entry", topic: "news", pos: "7:news" };
 * engine.frame(JSON.stringify(entry), { ok: true, value: entry });
 * engine.url("ws://127.0.0.1:6510/feed"); // 'ws://127.0.0.1:6510/feed?typewire-resume=%5B%227%3Anews%22%5D'
 * ```
 */
export function resumeEngine(
  protocol: { readonly discriminator: string; readonly resume?: ResumeSpec },
  report: (notice: ResumedNotice) => void,
): ResumeEngine {
  const { discriminator } = protocol;
  const { property = "", types = [] } = protocol.resume ?? {};
  /** The last token of each topic, the least recently updated first. */
  const tokens = new Map<string, string>();
  /** Topics whose tokens gave way to newer topics' since the last dial, to report then (the latest 64). */
  const pushedOut = new Set<string>();
  const leftOut = (topic: string, message: string) =>
    report({ topic, resumed: false, reason: "too-many-topics", message });

  /** Keeps a token, if it is one: the topic's newest. */
  const keep = (token: unknown) => {
    const parsed = parseToken(token);
    if (parsed === undefined) return;
    tokens.delete(parsed.topic);
    tokens.set(parsed.topic, token as string);
    pushedOut.delete(parsed.topic);
    if (tokens.size <= MAX_RESUME_TOPICS) return;
    const oldest = tokens.keys().next().value as string;
    tokens.delete(oldest);
    pushedOut.add(oldest);
    if (pushedOut.size > MAX_RESUME_TOPICS) pushedOut.delete(pushedOut.values().next().value as string);
  };

  return {
    frame(frame, result) {
      if (result.ok) {
        const message = result.value as Readonly<Record<string, unknown>>;
        if (types.includes(String(message[discriminator]))) keep(message[property]);
        return false;
      }
      const notice = result.error.kind === "unknown-type" ? parseResumed(frame, discriminator) : undefined;
      if (notice !== undefined) report(notice);
      return notice !== undefined;
    },
    url(url) {
      for (const topic of pushedOut) {
        leftOut(
          topic,
          `more than ${MAX_RESUME_TOPICS} topics: newer topics' tokens replaced this one's, so what it missed is not replayed`,
        );
      }
      pushedOut.clear();
      if (tokens.size === 0) return url;
      const parsed = new URL(url);
      // The other parameters are kept byte for byte (a signed URL stays valid).
      const others = parsed.search.slice(1).split("&").filter((p) => p !== "" && p.split("=")[0] !== RESUME_PARAM);
      parsed.search = [...others, `${RESUME_PARAM}=`].join("&");
      let length = parsed.href.length + queryValue("[]").length;
      const chosen: string[] = [];
      for (const [topic, token] of [...tokens].reverse()) {
        const quoted = JSON.stringify(token);
        const more = queryValue(quoted).length + (chosen.length > 0 ? queryValue(",").length : 0);
        if (length + more > MAX_RESUME_URL_LENGTH) {
          leftOut(
            topic,
            `the tokens of ${tokens.size} topic(s) do not fit in a URL of ${MAX_RESUME_URL_LENGTH} characters: this ` +
              "one was left out, so what it missed is not replayed",
          );
          continue;
        }
        length += more;
        chosen.push(quoted);
      }
      parsed.search = chosen.length === 0
        ? others.join("&")
        : [...others, `${RESUME_PARAM}=${queryValue(`[${chosen.join(",")}]`)}`].join("&");
      return parsed.href;
    },
  };
}
