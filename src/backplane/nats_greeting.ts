/**
 * Whether a NATS server is there, asked before the NATS client connects: the
 * client, given a server that accepts but never greets, gives up after its
 * timeout but leaves the socket open. Asking first spares that.
 *
 * @module
 */
import { createConnection, type Socket } from "node:net";

/** `host` and `port` of `nats://host:port`, `host:port` or `host` (as the NATS client reads them). */
function hostAndPort(server: string): { host: string; port: number } {
  const url = new URL(/^[a-z]+:\/\//i.test(server) ? server : `nats://${server}`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(url.port || 4222) };
}

/**
 * Resolves once one of the servers greets (NATS sends its INFO line first), within `timeoutMs`; rejects with why
 * not. Its own sockets and timer are gone when it settles.
 *
 * @param servers `nats://host:port`, `host:port` or `host`, as the NATS client takes them.
 * @param timeoutMs How long to wait for a greeting.
 * @throws {Error} (as a rejection) When no server greeted in time: the last failure seen, or `timeout`.
 *
 * @example Before connecting
 * ```ts
 * import { greeting } from "./nats_greeting.ts";
 * await greeting(["nats://127.0.0.1:4222"], 5000);
 * ```
 */
export function greeting(servers: readonly string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    let failure: unknown;
    const settle = (error?: unknown) => {
      clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (error === undefined) resolve();
      else reject(error);
    };
    const timer = setTimeout(() => settle(failure ?? new Error("timeout")), timeoutMs);
    for (const server of servers) {
      let socket: Socket;
      try {
        socket = createConnection(hostAndPort(server));
      } catch (error) {
        failure = error;
        continue;
      }
      sockets.add(socket);
      let heard = "";
      socket.on("data", (data: Uint8Array) => {
        heard += new TextDecoder().decode(data);
        if (heard.startsWith("INFO ")) settle();
        else if (heard.length >= 5) {
          failure = new Error(`${server} is not a NATS server`);
          socket.destroy();
        }
      });
      socket.on("error", (error) => (failure = error));
      socket.on("close", () => {
        sockets.delete(socket);
        if (sockets.size === 0) settle(failure ?? new Error("connection closed"));
      });
    }
    if (sockets.size === 0) settle(failure ?? new Error("no server to try"));
  });
}
