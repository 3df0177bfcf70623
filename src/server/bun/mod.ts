/**
 * typewire's server adapter for Bun: `serve()` on `Bun.serve`, implementing
 * the contract of `../contract.ts`.
 *
 * @example
 * ```ts
 * import { serve } from "./mod.ts";
 * const server = await serve({ port: 0, selectProtocol: (offered) => offered.find((p) => p === "json") }, {
 *   message: (socket, frame) => socket.send(String(frame)),
 * });
 * await server.stop();
 * ```
 *
 * @module
 */
export { serve } from "./serve.ts";
