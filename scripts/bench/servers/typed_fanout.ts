/**
 * typewire's typed server as the server fan-out benchmark runs it, on the echo
 * fixture protocol: subscribers join one topic when they connect; each `say`
 * from the publisher is published to the topic as an `echo` message object
 * through `server.publish` (validated and encoded once, then handed to the
 * adapter's publish). On any adapter given.
 */
import { createServer, type ListeningServer, type TypedServer } from "../../../src/server/typed_server.ts";
import type { Serve } from "../../../src/server/contract.ts";
import { type ClientMessage, echoProtocol, type ServerMessage } from "../../../tests/fixtures/generated/echo.ts";
import { answerHttp, type Role, roleOf, TOPIC } from "./common.ts";

/**
 * Starts the typed fan-out server.
 *
 * @param serve The adapter; the runtime's own by default.
 * @returns The listening server.
 */
export function startTypedFanout(serve?: Serve): Promise<ListeningServer> {
  const server: TypedServer<ServerMessage, Role> = createServer<ServerMessage, ClientMessage, "type", Role>(
    echoProtocol,
    {
      // The publisher sends far more than the default 50 frames a second; subscribers and idle connections never speak.
      limits: { framesPerSecond: 1e9, burst: 1e9, maxConnections: 20_000, firstMessageTimeout: 0 },
      upgrade: (request) => roleOf(request.url),
      open(conn) {
        if (conn.data === "sub") conn.subscribe(TOPIC);
      },
      handlers: {
        say: ({ seq, text }): void => server.publish(TOPIC, { type: "echo", seq, text }),
        ping: ({ seq }, conn) => conn.send({ type: "pong", seq }),
      },
    },
  );
  return server.listen({ port: 0, fetch: answerHttp }, serve);
}
