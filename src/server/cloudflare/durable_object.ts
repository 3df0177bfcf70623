/**
 * A typed server as a Cloudflare Durable Object class, with WebSocket
 * hibernation: the handlers written for Bun, Deno and Node, unchanged.
 *
 * @module
 */
import type { Protocol } from "../../runtime/protocol.ts";
import type { TypedServer } from "../server_options.ts";
import { DurableHost } from "./durable_host.ts";
import { autoResponsePair, type DurableObjectContext } from "./workerd.ts";

/** A frame the object answers with another without waking up (workerd's `setWebSocketAutoResponse`). */
export interface AutoResponse {
  /** The exact frame a client sends. */
  readonly request: string;
  /** The exact frame the object answers with. */
  readonly response: string;
}

/** What a typed Durable Object is made of. */
export interface DurableObjectOptions<Env> {
  /**
   * Builds the object's typed server: `createServer(protocol, { handlers, ... })`, as on any runtime. It runs each
   * time the object comes into memory (first use, and after every hibernation); `listen()` is the adapter's. `ctx` is
   * the object's state: annotate it as `DurableObjectState` (from `@cloudflare/workers-types`, or `wrangler types`) to
   * reach `ctx.storage` typed; typewire names only the parts it uses.
   */
  server(ctx: DurableObjectContext, env: Env): TypedServer<never, unknown, never>;
  /** Answers the object's requests that are not WebSocket upgrades. @default 404 */
  readonly fetch?: (request: Request) => Response | Promise<Response>;
  /** A ping the runtime answers without waking the object: `pingPong(protocol, ping, pong)`. @default none */
  readonly autoResponse?: AutoResponse;
}

/** The Durable Object class `durableObject()` makes: export it under the `class_name` of your wrangler configuration. */
export interface TypedDurableObjectClass<Env> {
  new (ctx: DurableObjectContext, env: Env): TypedDurableObject;
}

/** The methods workerd calls on the object. */
export interface TypedDurableObject {
  fetch(request: Request): Response | Promise<Response>;
  webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void;
  webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): void;
  webSocketError(ws: WebSocket, error: unknown): void;
}

/**
 * Makes a Durable Object class that serves a typed server's connections with WebSocket hibernation. Each
 * connection's `data`, id, topics and policy state live in its WebSocket's attachment (16 KiB at most, checked); the
 * topics its Worker gave it are its tags; when the object wakes, every connection is back, `restored` (not `open`)
 * runs for each, and the handlers carry on. Upgrades reach it through `worker()`, which runs the `upgrade` hook.
 *
 * @param options The server, and what else the object answers.
 * @returns The class.
 * @example
 * ```ts
 * import { durableObject, pingPong } from "./durable_object.ts";
 * import { createServer } from "../typed_server.ts";
 * import { echoProtocol } from "../../../tests/fixtures/generated/echo.ts";
 *
 * export const Echo = durableObject({
 *   server: () =>
 *     createServer(echoProtocol, {
 *       handlers: {
 *         say: ({ seq, text }, conn) => conn.send({ type: "echo", seq, text }),
 *         ping: ({ seq }, conn) => conn.send({ type: "pong", seq }),
 *       },
 *     }),
 *   autoResponse: pingPong(echoProtocol, { type: "ping", seq: 0 }, { type: "pong", seq: 0 }),
 * });
 * ```
 */
export function durableObject<Env = unknown>(options: DurableObjectOptions<Env>): TypedDurableObjectClass<Env> {
  return class implements TypedDurableObject {
    readonly #host: DurableHost;

    constructor(ctx: DurableObjectContext, env: Env) {
      this.#host = new DurableHost(ctx, options.fetch);
      if (options.autoResponse !== undefined) {
        ctx.setWebSocketAutoResponse(autoResponsePair(options.autoResponse.request, options.autoResponse.response));
      }
      const server = options.server(ctx, env) as unknown as TypedServer<unknown, unknown, unknown>;
      void ctx.blockConcurrencyWhile(() => this.#host.start(server));
    }

    fetch(request: Request): Response | Promise<Response> {
      return this.#host.fetch(request);
    }

    webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
      this.#host.message(ws, message);
    }

    webSocketClose(ws: WebSocket, code: number, reason: string): void {
      this.#host.closed(ws, code, reason);
    }

    webSocketError(ws: WebSocket): void {
      this.#host.failed(ws);
    }
  };
}

/**
 * A protocol's ping and pong as an {@link AutoResponse}: both validated and encoded by the generated codecs, so that
 * the runtime answers the exact frame typewire's client sends with the exact frame the server would.
 *
 * @param protocol The generated descriptor.
 * @param ping The client's ping message, as its client sends it (the frame must match byte for byte).
 * @param pong The server's answer.
 * @returns The frames.
 * @throws {TypeError} When either message breaks the schema.
 * @example
 * ```ts
 * import { pingPong } from "./durable_object.ts";
 * import { echoProtocol } from "../../../tests/fixtures/generated/echo.ts";
 * pingPong(echoProtocol, { type: "ping", seq: 0 }, { type: "pong", seq: 0 });
 * // { request: '{"type":"ping","seq":0}', response: '{"type":"pong","seq":0}' }
 * ```
 */
export function pingPong<S, C, K extends string, R>(
  protocol: Protocol<S, C, K, R>,
  ping: NoInfer<C>,
  pong: NoInfer<S>,
): AutoResponse {
  const request = protocol.client.encode(ping);
  if (!request.ok) throw new TypeError(`pingPong: the ping is not a valid message: ${request.error.message}`);
  const response = protocol.server.encode(pong);
  if (!response.ok) throw new TypeError(`pingPong: the pong is not a valid message: ${response.error.message}`);
  return { request: request.frame, response: response.frame };
}
