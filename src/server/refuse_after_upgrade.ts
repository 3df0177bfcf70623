/**
 * Refusing a client in a way the client can see. A browser's WebSocket API
 * reports every refused upgrade (401, 403...) as a bare 1006, exactly like a
 * server that is down, so a client cannot tell bad credentials from an
 * outage and retries forever. The typed server's `upgrade` hook can instead
 * return `refuseAfterUpgrade(...)`: the upgrade is accepted and the
 * connection closed at once with a code of 4400-4499, which typewire's
 * client treats as terminal (it does not reconnect) and any client can read.
 *
 * @module
 */
import { FORBIDDEN, isTerminalCode, UNAUTHORIZED } from "../client/close_codes.ts";
import { closeReason } from "./close_reason.ts";

/** The upgrade hook's answer for a client that must not come back as it is: see {@link refuseAfterUpgrade}. */
export class AfterUpgradeRefusal {
  /**
   * @param code 1008 or 4400-4499.
   * @param reason The close reason, at most 123 bytes of UTF-8.
   */
  constructor(readonly code: number, readonly reason: string) {}
}

/**
 * Refuses a connection after accepting its upgrade: no handler, no `open`
 * or `close` hook runs for it; the server closes it at once with `code` and
 * `reason`. Use it for bad or missing credentials (4401) and for clients not
 * allowed in (4403); keep HTTP refusals (a `Response`) for what may pass
 * (429, 503), which clients retry.
 *
 * @param code A terminal close code: 4401 (unauthorized), 4403 (forbidden), another of 4400-4499, or 1008.
 *   @default 4401
 * @param reason Why, for the client; cut to 123 bytes of UTF-8 at a character boundary. @default "unauthorized"
 * @returns The value for the `upgrade` hook to return.
 * @throws {RangeError} For a code outside 4400-4499 and 1008: the client would retry it.
 * @example Bad tokens are final
 * ```ts
 * import { refuseAfterUpgrade } from "./refuse_after_upgrade.ts";
 * const upgrade = (request: Request) => {
 *   const token = new URL(request.url).searchParams.get("token");
 *   return token === "s3cret" ? { user: "ada" } : refuseAfterUpgrade(4401, "bad token");
 * };
 * ```
 */
export function refuseAfterUpgrade(code: number = UNAUTHORIZED, reason = "unauthorized"): AfterUpgradeRefusal {
  if (!isTerminalCode(code)) {
    throw new RangeError(
      `refuseAfterUpgrade(${code}): use 4400-4499 (${UNAUTHORIZED} unauthorized, ${FORBIDDEN} forbidden) or 1008, which clients do not retry`,
    );
  }
  return new AfterUpgradeRefusal(code, closeReason(reason));
}
