/**
 * A typed server on the echo protocol whose behaviour a test picks with a
 * JSON scenario, so that one test suite can run it in the test's own runtime
 * (Bun.serve, Deno.serve) and on real Node.js (`tests/node/typed_server.ts`).
 * It records what its hooks see as events.
 *
 * Commands a client can send as the text of a `say` message:
 * `throw`, `reject` (the handler fails), `slow:<ms>` (an async handler),
 * `sub:<topic>`, `unsub:<topic>`, `pub:<topic>:<text>`, `all:<text>`,
 * `burst:<count>:<KiB>:<ms>` (broadcasts that many lines, then blocks the event loop),
 * `whoami` (answers with the connection's data, subprotocol, origin and address),
 * `bad` (sends a message that breaks the schema); anything else is echoed.
 */
import { createServer, type ListeningServer, type TypedServer } from "../../src/server/typed_server.ts";
import type { Serve } from "../../src/server/contract.ts";
import type { Limits } from "../../src/server/policy.ts";
import type { Connection } from "../../src/server/connection.ts";
import { type AfterUpgradeRefusal, refuseAfterUpgrade } from "../../src/server/refuse_after_upgrade.ts";
import { type ClientMessage, echoProtocol, type ServerMessage } from "../fixtures/generated/echo.ts";

/** How the server behaves. */
export interface Scenario {
  readonly limits?: Limits;
  readonly origins?: string[];
  readonly strict?: boolean;
  /**
   * An async upgrade hook: `?user=<name>` is let in with `{ user }`, `?token=<anything>` is refused after the upgrade
   * with 4401 "bad token", anything else gets 401.
   */
  readonly auth?: boolean;
  /** An `onUnknown` hook that answers an unknown type with an echo naming it. */
  readonly takeUnknown?: boolean;
}

/** What the server's hooks saw, in order. */
export type ScenarioEvent =
  | { readonly kind: "open"; readonly id: number }
  | { readonly kind: "close"; readonly id: number; readonly code: number; readonly reason: string }
  | { readonly kind: "refusal"; readonly id: number; readonly code: number; readonly reason: string }
  | { readonly kind: "error"; readonly id: number | undefined; readonly message: string }
  | { readonly kind: "invalid"; readonly id: number; readonly error: string };

/** A running scenario server. */
export interface ScenarioServer {
  readonly listening: ListeningServer;
  /** Every connection the server has open now. */
  readonly open: () => number;
}

type Data = { readonly user: string } | undefined;

/**
 * Builds the scenario's server, not listening (a Durable Object's adapter listens itself).
 *
 * @param scenario The behaviour.
 * @param record Where events go.
 */
export function scenarioServer(
  scenario: Scenario,
  record: (event: ScenarioEvent) => void,
): TypedServer<ServerMessage, Data> {
  const echo = (conn: Connection<ServerMessage, Data>, seq: number, text: string) =>
    conn.send({ type: "echo", seq, text });
  const server: TypedServer<ServerMessage, Data> = createServer<ServerMessage, ClientMessage, "type", Data>(
    echoProtocol,
    {
      ...(scenario.limits && { limits: scenario.limits }),
      ...(scenario.origins && { origins: scenario.origins }),
      ...(scenario.strict !== undefined && { strict: scenario.strict }),
      upgrade: scenario.auth
        ? async (request): Promise<Data | Response | AfterUpgradeRefusal> => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          const query = new URL(request.url).searchParams;
          const user = query.get("user");
          if (query.has("token")) return refuseAfterUpgrade(4401, "bad token");
          return user === null ? new Response("who are you?", { status: 401 }) : { user };
        }
        : () => undefined,
      open(conn) {
        record({ kind: "open", id: conn.id });
        conn.send({ type: "hello", session: conn.id });
      },
      close: (conn, code, reason) => record({ kind: "close", id: conn.id, code, reason }),
      onRefusal: ({ conn, code, reason }) => record({ kind: "refusal", id: conn.id, code, reason }),
      onError: (error, conn) => record({ kind: "error", id: conn?.id, message: String((error as Error).message) }),
      onInvalid: (error, conn) => record({ kind: "invalid", id: conn.id, error: error.message }),
      ...(scenario.takeUnknown && {
        onUnknown: (message, conn) => echo(conn, 0, `unknown:${String(message.type)}`),
      }),
      handlers: {
        async say({ seq, text }, conn): Promise<unknown> {
          const [command, argument = "", rest = ""] = text.split(":");
          switch (command) {
            case "throw":
              throw new Error("a handler threw");
            case "reject":
              await Promise.resolve();
              throw new Error("a handler rejected");
            case "slow":
              await new Promise((resolve) => setTimeout(resolve, Number(argument)));
              return echo(conn, seq, text);
            case "sub":
              conn.subscribe(argument);
              return echo(conn, seq, `subscribed ${argument}`);
            case "unsub":
              conn.unsubscribe(argument);
              return echo(conn, seq, `unsubscribed ${argument}`);
            case "pub":
              return server.publish(argument, { type: "echo", seq, text: rest });
            case "all":
              return server.broadcast({ type: "echo", seq, text: argument });
            case "burst": {
              const line = "x".repeat(Number(rest) * 1024);
              for (let i = 0; i < Number(argument); i++) server.broadcast({ type: "echo", seq: seq + i, text: line });
              const busyUntil = Date.now() + Number(text.split(":")[3]);
              while (Date.now() < busyUntil) {
                // The server is busy: nothing it queued can be written meanwhile.
              }
              return;
            }
            case "whoami": {
              const { data, protocol, origin, remoteAddress } = conn;
              return echo(
                conn,
                seq,
                JSON.stringify({ data: data ?? null, protocol, origin: origin ?? null, remoteAddress }),
              );
            }
            case "bad":
              return conn.send({ type: "echo", seq: -1, text });
            default:
              return echo(conn, seq, text);
          }
        },
        ping: ({ seq }, conn) => conn.send({ type: "pong", seq }),
      },
    },
  );
  return server;
}

/**
 * Starts the scenario's server.
 *
 * @param scenario The behaviour.
 * @param record Where events go.
 * @param serve The adapter. @default this runtime's
 */
export async function startScenario(
  scenario: Scenario,
  record: (event: ScenarioEvent) => void,
  serve?: Serve,
): Promise<ScenarioServer> {
  const server = scenarioServer(scenario, record);
  const listening = await server.listen({ port: 0 }, serve);
  return { listening, open: () => server.connections.size };
}
