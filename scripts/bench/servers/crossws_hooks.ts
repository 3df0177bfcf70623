/**
 * The part of the benchmark's crossws transports that does not depend on the
 * runtime: crossws's hooks, calling typewire's contract handlers, with the
 * upgrade through typewire's shared checks (`decideUpgrade`).
 */
import type { Hooks, Peer } from "crossws";
import type { ServeOptions, ServerSocket, SocketHandlers } from "../../../src/server/contract.ts";
import { decideUpgrade } from "../../../src/server/accept.ts";
import { guarded } from "../../../src/server/guard.ts";

/** What the upgrade settled, kept as the peer's crossws context. */
export interface Settled {
  readonly remoteAddress: string;
  readonly origin: string | undefined;
  readonly protocol: string;
  readonly data: unknown;
}

/**
 * crossws's hooks for the contract's handlers.
 *
 * @param options The server's options.
 * @param handlers The contract's handlers.
 * @param sockets Where each peer's socket is kept (the server counts its connections there).
 * @param wrap Makes the contract's socket of a peer.
 * @param refuse A frame the transport refuses itself (the frame limit where crossws has none), closing the socket.
 * @returns The hooks.
 */
export function crosswsHooks(
  options: ServeOptions,
  handlers: SocketHandlers,
  sockets: Map<Peer, ServerSocket>,
  wrap: (peer: Peer, settled: Settled) => ServerSocket,
  refuse: (socket: ServerSocket, frame: string | Uint8Array) => boolean = () => false,
): Partial<Hooks> {
  return {
    async upgrade(request) {
      const remoteAddress = String((request as { context?: { remoteAddress?: string } }).context?.remoteAddress ?? "");
      const decision = await decideUpgrade(options, request, remoteAddress);
      if (decision instanceof Response) return decision;
      const settled: Settled = {
        remoteAddress,
        origin: request.headers.get("origin") ?? undefined,
        protocol: decision.protocol ?? "",
        data: decision.data,
      };
      return { context: { settled }, ...(decision.protocol !== undefined && { protocol: decision.protocol }) };
    },
    open(peer) {
      const socket = wrap(peer, peer.context.settled as Settled);
      sockets.set(peer, socket);
      if (handlers.open) guarded(options, socket, () => handlers.open?.(socket));
    },
    message(peer, message) {
      const socket = sockets.get(peer);
      if (socket === undefined) return;
      const frame = typeof message.rawData === "string" ? message.rawData : message.uint8Array();
      if (refuse(socket, frame)) return;
      guarded(options, socket, () => handlers.message(socket, frame));
    },
    close(peer, { code, reason }) {
      const socket = sockets.get(peer);
      if (socket === undefined || !sockets.delete(peer) || handlers.close === undefined) return;
      // crossws's Deno adapter tells no code or reason: every close looks like 1006 there.
      guarded(options, socket, () => handlers.close?.(socket, code || 1006, reason ?? ""));
    },
  };
}
