/**
 * A TCP proxy on 127.0.0.1 that can cut the network path under its
 * connections without closing them: a half-open connection, as when a NAT
 * forgets a flow or a cable is pulled. Neither end gets a FIN, an RST or a
 * close frame; bytes simply stop arriving. New connections pass as before.
 */
import net from "node:net";

/** A running proxy. */
export interface TcpProxy {
  /** The port to connect to instead of the target's. */
  readonly port: number;
  /** Connections made through the proxy so far. */
  readonly connections: number;
  /** Cuts every current connection silently: from now on their bytes are read and dropped, both ways. */
  sever(): void;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/**
 * Starts a proxy to a TCP port on 127.0.0.1.
 *
 * @param targetPort Where connections are forwarded.
 * @returns The proxy, listening on a port of its own.
 * @example
 * ```ts
 * import { startTcpProxy } from "./proxy.ts";
 * const proxy = await startTcpProxy(6502);
 * // connect clients to ws://127.0.0.1:${proxy.port}/, then:
 * proxy.sever();
 * await proxy.close();
 * ```
 */
export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; severed: boolean }>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections++;
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair = { client, upstream, severed: false };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on("data", (chunk) => {
        if (!pair.severed) to.write(chunk);
      });
      // Until severed, an end closes the other side too; after, nothing does: that is the point.
      from.on("close", () => {
        if (!pair.severed) to.destroy();
      });
      from.on("error", () => from.destroy());
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      resolve({
        port: address.port,
        get connections() {
          return connections;
        },
        sever() {
          for (const pair of pairs) pair.severed = true;
        },
        close() {
          for (const { client, upstream } of pairs) {
            client.destroy();
            upstream.destroy();
          }
          pairs.clear();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}
