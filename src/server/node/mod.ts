/**
 * typewire's server adapter for Node.js (20 and later): `serve()` on a
 * `node:http` server, and `attach()` to an `http.Server` you already have,
 * both with the `ws` package (an optional peer dependency: `npm install ws`),
 * implementing the contract of `../contract.ts`.
 *
 * @example
 * ```ts
 * import { serve } from "./mod.ts";
 * const server = await serve({ port: 0, selectProtocol: (offered) => offered.find((p) => p === "json") }, {
 *   message: (socket, frame) => void socket.send(String(frame)),
 * });
 * await server.stop();
 * ```
 *
 * @module
 */
export { attach, type AttachedServer, serve } from "./serve.ts";
