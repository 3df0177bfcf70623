/**
 * The checks RFC 6455 (4.2.1) asks of an opening handshake, made before any
 * runtime sees the request, so that every adapter answers a malformed one the
 * same way: 400 Bad Request, or 426 Upgrade Required (with
 * `Sec-WebSocket-Version: 13`) for a version other than 13.
 *
 * @module
 */

/** A `Sec-WebSocket-Key`: 16 bytes in base64, 24 characters ending in `==`. */
const KEY = /^[A-Za-z0-9+/]{22}==$/;

function refuse(status: number, reason: string, headers: Record<string, string> = {}): Response {
  return new Response(`${reason}\n`, { status, headers: { "content-type": "text/plain", ...headers } });
}

/**
 * What is wrong with a WebSocket upgrade request, as a response to send back.
 *
 * @param request A request that asks for an upgrade (`Upgrade: websocket`).
 * @returns `undefined` for a well-formed handshake, otherwise the 400 or 426 response.
 * @example
 * ```ts
 * import { handshakeProblem } from "./handshake.ts";
 * const request = new Request("http://x/", { headers: { upgrade: "websocket", connection: "Upgrade" } });
 * handshakeProblem(request)?.status; // 400: no Sec-WebSocket-Key
 * ```
 */
export function handshakeProblem(request: Request): Response | undefined {
  if (request.method !== "GET") return refuse(400, "a WebSocket upgrade must be a GET request");
  const connection = request.headers.get("connection") ?? "";
  if (!connection.split(",").some((token) => token.trim().toLowerCase() === "upgrade")) {
    return refuse(400, "a WebSocket upgrade needs `Connection: Upgrade`");
  }
  const key = request.headers.get("sec-websocket-key");
  if (key === null || !KEY.test(key.trim())) {
    return refuse(400, "a WebSocket upgrade needs a Sec-WebSocket-Key of 16 bytes in base64");
  }
  if (request.headers.get("sec-websocket-version")?.trim() !== "13") {
    return refuse(426, "only WebSocket version 13 is supported", { "sec-websocket-version": "13" });
  }
  return undefined;
}
