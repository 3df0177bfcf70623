/**
 * What a Worker tells the Durable Object it routes an upgrade to: the data
 * its `upgrade` hook decided, the peer's address and the connection's topics,
 * in headers of the forwarded request. The Worker sets every one of them
 * (a client's own are replaced), and only Workers reach an object, so the
 * object can trust them.
 *
 * @module
 */
import { escapePointerSegment } from "../../runtime/issue.ts";

const DATA = "x-typewire-data";
const ADDRESS = "x-typewire-address";
const TOPICS = "x-typewire-topics";

/** The most topics a connection may start with: workerd's limit of tags per WebSocket. */
export const MAX_TAGS = 10;
/** The longest such topic: workerd's limit on a tag, in characters. */
export const MAX_TAG_LENGTH = 256;

/** An upgrade as the Worker decided it. */
export interface Handoff {
  /** The connection's data: JSON. */
  readonly data: unknown;
  readonly remoteAddress: string;
  /** The topics it starts subscribed to: the WebSocket's tags. */
  readonly topics: readonly string[];
}

/**
 * Where a value is not plain JSON (what crosses from the Worker to the object), as a JSON Pointer and why.
 *
 * @param value The value.
 * @returns `undefined` for plain JSON: `null`, booleans, finite numbers, strings, arrays and plain objects of them
 * (`undefined` properties are dropped as JSON drops them).
 * @example
 * ```ts
 * import { notJson } from "./handoff.ts";
 * notJson({ user: "ann", since: new Date() }); // "/since: a Date"
 * ```
 */
export function notJson(value: unknown, path = ""): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path || "/"}: ${value}`;
  if (typeof value !== "object") return `${path || "/"}: a ${typeof value}`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = notJson(value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return `${path || "/"}: a ${(value as object).constructor?.name ?? "object with a prototype"}`;
  }
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const found = notJson(item, `${path}/${escapePointerSegment(key)}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * What is wrong with a connection's topics as WebSocket tags.
 *
 * @param topics The topics.
 * @returns Why workerd would refuse them, or `undefined`.
 * @example
 * ```ts
 * import { tagProblem } from "./handoff.ts";
 * tagProblem(["room:lobby"]); // undefined
 * ```
 */
export function tagProblem(topics: readonly unknown[]): string | undefined {
  if (topics.length > MAX_TAGS) {
    return `a connection starts with at most ${MAX_TAGS} topics (WebSocket tags), not ${topics.length}`;
  }
  for (const topic of topics) {
    if (typeof topic !== "string") return `a topic is a string, not ${JSON.stringify(topic)}`;
    if (topic.length > MAX_TAG_LENGTH) {
      return `a topic a connection starts with (a WebSocket tag) is at most ${MAX_TAG_LENGTH} characters, not ` +
        `${topic.length}: ${JSON.stringify(topic.slice(0, 40))}...`;
    }
  }
  return undefined;
}

/**
 * The upgrade request as the Worker forwards it to the object.
 *
 * @param request The client's upgrade request.
 * @param handoff What the Worker decided.
 * @returns A request with the client's headers and the Worker's.
 */
export function handOver(request: Request, handoff: Handoff): Request {
  const headers = new Headers(request.headers);
  headers.set(ADDRESS, handoff.remoteAddress);
  headers.set(TOPICS, JSON.stringify(handoff.topics));
  if (handoff.data === undefined) headers.delete(DATA);
  else headers.set(DATA, encodeURIComponent(JSON.stringify(handoff.data)));
  return new Request(request.url, { method: request.method, headers });
}

/**
 * What the Worker decided, read back in the object.
 *
 * @param request The forwarded request.
 * @returns The handoff, or why the request cannot be one (it did not come through typewire's Worker).
 */
export function takeOver(request: Request): Handoff | string {
  const address = request.headers.get(ADDRESS);
  const topics = request.headers.get(TOPICS);
  if (address === null || topics === null) {
    return "this upgrade did not come through typewire's Worker (worker() from typewire/server/cloudflare)";
  }
  try {
    const data = request.headers.get(DATA);
    const parsed: unknown = JSON.parse(topics);
    if (!Array.isArray(parsed)) return "the topics header is not a list";
    const problem = tagProblem(parsed);
    if (problem !== undefined) return problem;
    return {
      data: data === null ? undefined : JSON.parse(decodeURIComponent(data)),
      remoteAddress: address,
      topics: parsed as string[],
    };
  } catch (error) {
    return `the Worker's headers do not parse: ${(error as Error).message}`;
  }
}
