/**
 * The few Deno APIs that Deno's server adapter (src/server/deno/) uses,
 * declared for the npm build alone: tsc has no Deno types, and the npm
 * package ships the adapter for Deno users of npm. Deno itself checks the
 * adapter against its real types (`deno check`), which these must match.
 */
declare namespace Deno {
  interface NetAddr {
    transport: "tcp" | "udp";
    hostname: string;
    port: number;
  }
  interface ServeHandlerInfo {
    remoteAddr: NetAddr;
  }
  interface HttpServer {
    readonly finished: Promise<void>;
    shutdown(): Promise<void>;
  }
  function serve(
    options: { hostname?: string; port?: number; onListen?: (address: NetAddr) => void },
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): HttpServer;
  function upgradeWebSocket(
    request: Request,
    options?: { protocol?: string; idleTimeout?: number },
  ): { socket: WebSocket; response: Response };
}
