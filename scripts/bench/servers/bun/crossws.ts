/**
 * typewire's transport contract on crossws's Bun adapter, for the server
 * fan-out benchmark only: what typewire's Bun adapter would be if crossws
 * carried it. `Bun.serve` hands upgrades to crossws (`handleUpgrade`), whose
 * hooks call the contract's handlers; a topic is `peer.subscribe`, a publish
 * crossws's own `publish` (one peer's `send`, then Bun's native publish from
 * it). The upgrade runs through typewire's shared checks (`decideUpgrade`).
 */
import crossws from "crossws/adapters/bun";
import type { Peer } from "crossws";
import {
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_FRAME_BYTES,
  isUpgrade,
  type RunningServer,
  type Serve,
  type ServerSocket,
} from "../../../../src/server/contract.ts";
import { closeReason } from "../../../../src/server/close_reason.ts";
import { crosswsHooks, type Settled } from "../crossws_hooks.ts";

/**
 * Serves the contract with crossws on `Bun.serve`.
 *
 * @param options Where to listen, which upgrades to accept, the limits.
 * @param handlers What to do on each connection.
 * @returns The running server.
 */
export const serve: Serve = (options, handlers) => {
  const sockets = new Map<Peer, ServerSocket>();
  const wrap = (peer: Peer, settled: Settled): ServerSocket => ({
    ...settled,
    get bufferedAmount() {
      return peer.bufferedAmount;
    },
    send: (frame) => (peer.send(frame) as unknown as number) !== 0,
    close: (code, reason) => peer.close(code, reason === undefined ? undefined : closeReason(reason)),
    subscribe: (topic) => peer.subscribe(topic),
    unsubscribe: (topic) => peer.unsubscribe(topic),
  });
  const adapter = crossws({
    idleTimeout: options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    hooks: crosswsHooks(options, handlers, sockets, wrap),
  });
  const server = Bun.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    fetch(request, bun) {
      if (!isUpgrade(request)) return options.fetch?.(request) ?? new Response("Not Found", { status: 404 });
      // crossws's upgrade hook sees only the request: carry the address in the context it starts from.
      Object.assign(request, { context: { remoteAddress: bun.requestIP(request)?.address ?? "" } });
      return adapter.handleUpgrade(request, bun);
    },
    websocket: { ...adapter.websocket, maxPayloadLength: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES },
  });
  const hostname = server.hostname ?? "127.0.0.1";
  const port = server.port ?? 0;
  const running: RunningServer = {
    hostname,
    port,
    url: `ws://${hostname}:${port}/`,
    get connections() {
      return sockets.size;
    },
    publish: (topic, frame) => adapter.publish(topic, frame),
    async stop() {
      await adapter.close(1001, "server stopping");
      await server.stop(true);
    },
  };
  return Promise.resolve(running);
};
