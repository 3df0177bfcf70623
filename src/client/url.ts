/**
 * Turning what a user gives as a URL into the URL a WebSocket opens: `http(s):`
 * mapped to `ws(s):`, relative URLs resolved against the page, and a page on
 * `https:` refused a plain `ws:` connection.
 *
 * @module
 */
import { MixedContentError } from "./errors.ts";

/** The page a client runs in, as far as URLs are concerned (`globalThis.location` in a browser). */
export interface PageLocation {
  readonly protocol: string;
  readonly href: string;
}

/**
 * Resolves a WebSocket URL.
 *
 * @param url `ws:`, `wss:`, `http:`, `https:` or (in a page) relative.
 * @param page The page's location, if there is a page.
 * @returns The `ws:` or `wss:` URL to open.
 * @throws {MixedContentError} For a `ws:` URL on a page loaded over `https:`.
 * @throws {SyntaxError} For a URL that is not one, or has another scheme.
 * @example
 * ```ts
 * import { resolveSocketUrl } from "./url.ts";
 * resolveSocketUrl("https://chat.example/room", undefined); // "wss://chat.example/room"
 * ```
 */
export function resolveSocketUrl(url: string | URL, page: PageLocation | undefined): string {
  let parsed: URL;
  try {
    parsed = new URL(url, page?.href);
  } catch {
    throw new SyntaxError(`not a URL: ${JSON.stringify(String(url))}`);
  }
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  else if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw new SyntaxError(`not a WebSocket URL: ${parsed.href} (use ws:, wss:, http: or https:)`);
  }
  if (page?.protocol === "https:" && parsed.protocol === "ws:") throw new MixedContentError(parsed.href);
  return parsed.href;
}
