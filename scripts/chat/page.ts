/**
 * The web chat page: built from `web/` with esbuild at start-up (no CDN, no
 * build step to forget), served with a strict Content-Security-Policy.
 */
import * as esbuild from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** One file the page needs. */
export interface Asset {
  readonly body: string;
  readonly type: string;
}

/** A file of the page's sources, as a path. */
function web(file: string): string {
  return fileURLToPath(new URL(`../../web/${file}`, import.meta.url).href);
}

/**
 * Builds the page: `index.html`, `style.css`, and `chat.js` bundled from
 * `web/chat.ts` with typewire's client and the generated chat module.
 *
 * @returns The assets by URL path.
 */
export async function buildPage(): Promise<Map<string, Asset>> {
  try {
    const bundle = await esbuild.build({
      entryPoints: [web("chat.ts")],
      bundle: true,
      format: "esm",
      target: "es2022",
      minify: true,
      write: false,
      legalComments: "none",
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]?.text ?? "";
    const html = await readFile(web("index.html"), "utf8");
    const css = await readFile(web("style.css"), "utf8");
    const icon = await readFile(web("favicon.svg"), "utf8");
    return new Map([
      ["/", { body: html, type: "text/html; charset=utf-8" }],
      ["/index.html", { body: html, type: "text/html; charset=utf-8" }],
      ["/chat.js", { body: script, type: "text/javascript; charset=utf-8" }],
      ["/style.css", { body: css, type: "text/css; charset=utf-8" }],
      ["/favicon.svg", { body: icon, type: "image/svg+xml" }],
      // Browsers ask for /favicon.ico whatever the page links.
      ["/favicon.ico", { body: icon, type: "image/svg+xml" }],
    ]);
  } finally {
    // esbuild keeps a service process running; the server must not depend on it to exit.
    await esbuild.stop();
  }
}

/**
 * The headers every page response carries. The policy allows scripts, styles
 * and connections from this origin only (the WebSocket included), and no
 * inline code, no `eval`.
 *
 * @param url The request's URL, to name this origin's WebSocket scheme.
 * @returns The headers.
 */
export function pageHeaders(url: URL): Record<string, string> {
  const socket = `${url.protocol === "https:" ? "wss" : "ws"}://${url.host}`;
  return {
    "content-security-policy": [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src 'self' ${socket}`,
      "img-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}

/**
 * Answers HTTP requests with the page's assets.
 *
 * @param assets The built page.
 * @returns A handler for the server's `fetch` option.
 */
export function pageHandler(assets: ReadonlyMap<string, Asset>): (request: Request) => Response {
  return (request) => {
    const url = new URL(request.url);
    const headers = pageHeaders(url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("Method Not Allowed", { status: 405, headers: { ...headers, allow: "GET, HEAD" } });
    }
    const asset = assets.get(url.pathname);
    if (asset === undefined) return new Response("Not Found", { status: 404, headers });
    return new Response(request.method === "HEAD" ? null : asset.body, {
      headers: { ...headers, "content-type": asset.type },
    });
  };
}
