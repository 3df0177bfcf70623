/**
 * typewire's transport contract on crossws's Deno adapter, for the server
 * fan-out benchmark only: what typewire's Deno adapter would be if crossws
 * carried it. `Deno.serve` hands upgrades to crossws (`handleUpgrade`), whose
 * hooks call the contract's handlers; a topic is `peer.subscribe`, a publish
 * crossws's own `publish` (a loop over the peers that have the topic). The
 * upgrade runs through typewire's shared checks (`decideUpgrade`).
 */
import crossws from "crossws/adapters/deno";
import type { Peer } from "crossws";
import {
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_FRAME_BYTES,
  frameExceeds,
  frameTooBig,
  isUpgrade,
  type RunningServer,
  type Serve,
  type ServerSocket,
} from "../../../../src/server/contract.ts";
import { closeReason } from "../../../../src/server/close_reason.ts";
import { crosswsHooks, type Settled } from "../crossws_hooks.ts";

/**
 * Serves the contract with crossws on `Deno.serve`.
 *
 * @param options Where to listen, which upgrades to accept, the limits.
 * @param handlers What to do on each connection.
 * @returns The running server, once it listens.
 */
export const serve: Serve = async (options, handlers) => {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const sockets = new Map<Peer, ServerSocket>();
  const wrap = (peer: Peer, settled: Settled): ServerSocket => ({
    ...settled,
    get bufferedAmount() {
      return peer.bufferedAmount;
    },
    send(frame) {
      peer.send(frame);
      return true;
    },
    close: (code, reason) => peer.close(code, reason === undefined ? undefined : closeReason(reason)),
    subscribe: (topic) => peer.subscribe(topic),
    unsubscribe: (topic) => peer.unsubscribe(topic),
  });
  const adapter = crossws({
    idleTimeout: options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    hooks: crosswsHooks(
      options,
      handlers,
      sockets,
      wrap,
      (socket, frame) => frameExceeds(frame, maxFrameBytes) && (socket.close(1009, frameTooBig(maxFrameBytes)), true),
    ),
  });
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: listening.resolve,
  }, (request, info) => {
    if (!isUpgrade(request)) return options.fetch?.(request) ?? new Response("Not Found", { status: 404 });
    // crossws's upgrade hook sees only the request: carry the address in the context it starts from.
    Object.assign(request, { context: { remoteAddress: info.remoteAddr.hostname } });
    return adapter.handleUpgrade(request, info);
  });
  const address = await listening.promise;
  const running: RunningServer = {
    hostname: address.hostname,
    port: address.port,
    url: `ws://${address.hostname}:${address.port}/`,
    get connections() {
      return sockets.size;
    },
    publish: (topic, frame) => adapter.publish(topic, frame),
    async stop() {
      await adapter.close(1001, "server stopping");
      await server.shutdown();
    },
  };
  return running;
};
