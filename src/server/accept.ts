/**
 * The upgrade path every adapter shares: the handshake checks, the `upgrade`
 * hook, and the choice of subprotocol, in that order.
 *
 * @module
 */
import { type Acceptance, offeredProtocols, type ServeOptions, type UpgradeHook } from "./contract.ts";
import { handshakeProblem } from "./handshake.ts";

/** An upgrade that goes ahead: the connection's data and the subprotocol to select (`undefined` for none). */
export interface Accepted {
  readonly data: unknown;
  readonly protocol: string | undefined;
}

/**
 * Decides on an upgrade request, synchronously unless the `upgrade` hook
 * returns a promise (on Bun, an upgrade made after an await keeps costing
 * memory for the connection's whole life).
 *
 * @param options The server's options (`upgrade`, `selectProtocol`).
 * @param request The upgrade request.
 * @param remoteAddress The peer's address.
 * @returns The response that refuses it, or what the accepted connection starts with.
 * @example
 * ```ts
 * import { decideUpgrade } from "./accept.ts";
 * const request = new Request("http://x/", { headers: { upgrade: "websocket" } });
 * const decision = decideUpgrade({}, request, "127.0.0.1");
 * decision instanceof Response; // true: 400, the handshake lacks its key
 * ```
 */
export function decideUpgrade(
  options: ServeOptions,
  request: Request,
  remoteAddress: string,
): Response | Accepted | Promise<Response | Accepted> {
  const problem = handshakeProblem(request);
  if (problem !== undefined) return problem;
  let decision: ReturnType<UpgradeHook> | undefined;
  try {
    decision = options.upgrade?.(request, remoteAddress);
  } catch (error) {
    return hookFailed(error);
  }
  if (decision instanceof Promise) return decision.then((d) => settle(options, request, d), hookFailed);
  return settle(options, request, decision);
}

function settle(options: ServeOptions, request: Request, decision: Response | Acceptance | undefined) {
  if (decision instanceof Response) return decision;
  const offered = offeredProtocols(request);
  const chosen = decision?.protocol ?? options.selectProtocol?.(offered);
  return { data: decision?.data, protocol: chosen !== undefined && offered.includes(chosen) ? chosen : undefined };
}

function hookFailed(error: unknown): Response {
  console.error("typewire: the upgrade hook threw; the upgrade is refused with 500:", error);
  return new Response("Internal Server Error\n", { status: 500 });
}
