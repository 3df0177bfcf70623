/**
 * Between `node:http` and the standard `Request`/`Response` the contract is
 * written in: a request built from an `IncomingMessage`, and a response
 * written to a `ServerResponse` or, for a refused upgrade, to the raw socket.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import { type Duplex, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { clearTimeout, setTimeout } from "node:timers";

/**
 * The standard `Request` for a Node.js request: its method, its URL (made
 * absolute with the `Host` header) and its headers; with its body streamed
 * when `withBody` is set and the method has one.
 *
 * @param message The request Node.js parsed.
 * @param withBody Whether to stream the body (never for an upgrade).
 * @param signal Aborted when the client goes away.
 * @returns The request, or `undefined` when its URL or headers are not valid for a `Request`.
 * @example
 * ```ts
 * import { toRequest } from "./http.ts";
 * declare const message: import("node:http").IncomingMessage;
 * toRequest(message, false)?.headers.get("upgrade");
 * ```
 */
export function toRequest(message: IncomingMessage, withBody: boolean, signal?: AbortSignal): Request | undefined {
  try {
    const secure = (message.socket as { encrypted?: boolean }).encrypted === true;
    const local = message.socket.localAddress ?? "localhost";
    const host = message.headers.host ?? `${local.includes(":") ? `[${local}]` : local}:${message.socket.localPort}`;
    const target = message.url ?? "/";
    const url = target.startsWith("/") ? new URL(`${secure ? "https" : "http"}://${host}${target}`) : new URL(target);
    const headers = new Headers();
    const raw = message.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
    const method = message.method ?? "GET";
    // Node.js's web streams and the standard ones are one class, typed twice.
    const body = withBody && method !== "GET" && method !== "HEAD"
      ? Readable.toWeb(message) as unknown as RequestInit["body"]
      : undefined;
    // `duplex` is required by the standard for a streamed body; not every lib declares it.
    const init: RequestInit & { duplex?: "half" } = {
      method,
      headers,
      ...(body && { body, duplex: "half" }),
      ...(signal && { signal }),
    };
    return new Request(url.href, init);
  } catch {
    return undefined;
  }
}

/**
 * Sends a `Response` through Node.js's `ServerResponse`, its body streamed.
 *
 * @param out Where to write.
 * @param response What to send.
 * @returns Once the body is written (or the client went away).
 * @example
 * ```ts
 * import { writeResponse } from "./http.ts";
 * declare const out: import("node:http").ServerResponse;
 * await writeResponse(out, new Response("hello"));
 * ```
 */
export async function writeResponse(out: ServerResponse, response: Response): Promise<void> {
  out.statusCode = response.status;
  if (response.statusText !== "") out.statusMessage = response.statusText;
  response.headers.forEach((value, name) => name !== "set-cookie" && out.setHeader(name, value));
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out.setHeader("set-cookie", cookies);
  if (response.body === null) {
    out.end();
    return;
  }
  try {
    await pipeline(Readable.fromWeb(response.body as unknown as NodeReadableStream), out);
  } catch {
    out.destroy();
  }
}

/**
 * Answers an upgrade request that is refused with an HTTP response written to
 * the raw socket (Node.js hands an upgrade over without a `ServerResponse`),
 * then closes the connection.
 *
 * @param socket The connection of the upgrade request.
 * @param response The refusal (400, 401, 426...).
 * @returns Once it is written and the socket is closed.
 * @example
 * ```ts
 * import { writeRawResponse } from "./http.ts";
 * declare const socket: import("node:stream").Duplex;
 * await writeRawResponse(socket, new Response(null, { status: 401 }));
 * ```
 */
export async function writeRawResponse(socket: Duplex, response: Response): Promise<void> {
  let body: Uint8Array;
  try {
    body = new Uint8Array(await response.arrayBuffer());
  } catch {
    body = new Uint8Array();
  }
  const reason = response.statusText || STATUS_CODES[response.status] || "";
  const lines = [`HTTP/1.1 ${response.status} ${reason}`];
  response.headers.forEach((value, name) => {
    if (!["connection", "content-length", "transfer-encoding", "set-cookie"].includes(name)) {
      lines.push(`${name}: ${value}`);
    }
  });
  for (const cookie of response.headers.getSetCookie()) lines.push(`set-cookie: ${cookie}`);
  lines.push("connection: close", `content-length: ${body.byteLength}`, "", "");
  if (socket.destroyed) return;
  // A peer that reads nothing must not keep the socket open.
  const timer = setTimeout(() => socket.destroy(), 5_000).unref();
  await new Promise<void>((resolve) => {
    socket.once("close", resolve);
    socket.end(Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), body]), () => socket.destroy());
  });
  clearTimeout(timer);
}
