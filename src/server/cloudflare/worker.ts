/**
 * The Worker in front of typed Durable Objects: it decides each upgrade (the
 * handshake checks, `origins` and the typed `upgrade` hook run here, before
 * the request reaches an object, as Cloudflare advises) and routes the
 * connection to the object of its room.
 *
 * @module
 */
import { isUpgrade, offeredProtocols } from "../contract.ts";
import { handshakeProblem } from "../handshake.ts";
import { AfterUpgradeRefusal } from "../refuse_after_upgrade.ts";
import type { TypedServer } from "../server_options.ts";
import { handOver, notJson, tagProblem } from "./handoff.ts";
import { type DurableObjectNamespace, switchingProtocols, webSocketPair } from "./workerd.ts";

/** Where a connection goes. */
export interface Route {
  /** The name of its Durable Object (a room): one object per name, everywhere. */
  readonly object: string;
  /**
   * The topics it starts subscribed to: its WebSocket's tags, which need no memory while the object hibernates. At
   * most 10, of at most 256 characters each. @default none
   */
  readonly topics?: readonly string[];
}

/** What the Worker needs. */
export interface WorkerOptions<Env, D> {
  /**
   * The typed server whose `origins` and `upgrade` hook decide upgrades, built as the object builds it (it never
   * listens here); built once per `env`.
   */
  readonly server: (env: Env) => TypedServer<never, D, never>;
  /** The Durable Object binding of the objects that hold the connections: `(env) => env.ROOMS`. */
  readonly namespace: (env: Env) => DurableObjectNamespace;
  /** The object (and the first topics) of an accepted connection, from its request and its data; or a refusal. */
  readonly route: (request: Request, data: D) => Route | Response;
  /** Answers requests that are not WebSocket upgrades (a page, an API). @default 404 */
  readonly fetch?: (request: Request, env: Env) => Response | Promise<Response>;
}

/** A Worker's module export. */
export interface TypedWorker<Env> {
  fetch(request: Request, env: Env): Promise<Response>;
}

/** The upgrade is the server's mistake: logged, and refused with 500. */
function serverMistake(detail: string): Response {
  console.error(`typewire: an upgrade refused with 500: ${detail}`);
  return new Response("Internal Server Error\n", { status: 500 });
}

/**
 * Accepts and at once closes with `refusal`'s code: the only refusal a browser client can read. The Worker does it
 * itself; no object wakes for a client it refuses.
 */
function refuseHere(request: Request, refusal: AfterUpgradeRefusal): Response {
  const [client, server] = webSocketPair();
  server.accept();
  server.close(refusal.code, refusal.reason);
  // Selecting what the client offered lets it read the close: a client that offered a protocol fails a handshake
  // that selects none before it reads anything.
  return switchingProtocols(client, offeredProtocols(request)[0]);
}

/**
 * Makes the Worker that routes typed WebSocket connections to Durable Objects made by `durableObject()`.
 *
 * The client's upgrade gets the handshake checks (400, 426), `origins` (403), then the `upgrade` hook of
 * `options.server`: a `Response` refuses it over HTTP, `refuseAfterUpgrade(code, reason)` accepts and closes it here,
 * and data goes to the object with the request, as JSON (a `Date`, a `Map`, a class instance: refused with 500 and a
 * line naming where). `route` picks the object and the first topics. The peer's address is `CF-Connecting-IP`.
 *
 * @param options The server, the binding, the route.
 * @returns The Worker: `export default worker({ ... })`.
 * @example
 * ```ts
 * import { worker } from "./worker.ts";
 * import { createServer } from "../typed_server.ts";
 * import { echoProtocol } from "../../../tests/fixtures/generated/echo.ts";
 * import type { DurableObjectNamespace } from "./workerd.ts";
 *
 * function echo() {
 *   return createServer(echoProtocol, {
 *     upgrade: (request) => ({ user: new URL(request.url).searchParams.get("user") ?? "anonymous" }),
 *     partialHandlers: {},
 *   });
 * }
 * export default worker({
 *   server: echo,
 *   namespace: (env: { ECHO: DurableObjectNamespace }) => env.ECHO,
 *   route: (request) => ({ object: new URL(request.url).pathname.slice(1) || "lobby" }),
 * });
 * ```
 */
export function worker<Env, D>(options: WorkerOptions<Env, D>): TypedWorker<Env> {
  const servers = new WeakMap<object, TypedServer<never, D, never>>();
  const serverOf = (env: Env) => {
    const key = (env ?? servers) as object;
    let server = servers.get(key);
    if (server === undefined) servers.set(key, server = options.server(env));
    return server;
  };
  return {
    async fetch(request, env) {
      if (!isUpgrade(request)) return options.fetch?.(request, env) ?? new Response("Not Found", { status: 404 });
      const problem = handshakeProblem(request);
      if (problem !== undefined) return problem;
      const remoteAddress = request.headers.get("cf-connecting-ip") ?? "";
      const origin = request.headers.get("origin") ?? undefined;
      let data: D | Response | AfterUpgradeRefusal;
      try {
        data = await serverOf(env).admit(request, { remoteAddress, origin });
      } catch (error) {
        return serverMistake(`the upgrade hook threw: ${(error as Error)?.stack ?? error}`);
      }
      if (data instanceof Response) return data;
      if (data instanceof AfterUpgradeRefusal) return refuseHere(request, data);
      const notPlain = data === undefined ? undefined : notJson(data);
      if (notPlain !== undefined) {
        return serverMistake(
          `the upgrade hook's data goes to the Durable Object as JSON, and ${notPlain} is not JSON: keep it plain ` +
            "(a Date as its getTime(), a Map as an object)",
        );
      }
      const route = options.route(request, data);
      if (route instanceof Response) return route;
      const topics = route.topics ?? [];
      const badTopics = tagProblem(topics);
      if (badTopics !== undefined) return serverMistake(`route(): ${badTopics}`);
      const namespace = options.namespace(env);
      const object = namespace.get(namespace.idFromName(route.object));
      return await object.fetch(handOver(request, { data, remoteAddress, topics }));
    },
  };
}
