/**
 * The typed server: anyone's protocol, from its generated descriptor, served
 * as typed handlers on any adapter (Bun, Deno, Node). It decodes and
 * validates what clients send, routes each message to its handler in arrival
 * order, validates and encodes what the server sends, and applies one policy
 * for bad input and limits on every runtime.
 *
 * @module
 */
import { UpgradeReservations } from "./upgrade_reservations.ts";
import { AfterUpgradeRefusal } from "./refuse_after_upgrade.ts";
import type { MessageOf } from "../runtime/dispatch.ts";
import type { Protocol } from "../runtime/protocol.ts";
import type { DecodeError } from "../runtime/result.ts";
import type { Acceptance, RunningServer, ServeOptions, ServerSocket, SocketHandlers, UpgradeHook } from "./contract.ts";
import { type Connection, encodeOrThrow, LiveConnection } from "./connection.ts";
import { CloseCode, type ResolvedLimits, resolveLimits } from "./policy.ts";
import { takeToken } from "./rate_limit.ts";
import { loadServe } from "./this_runtime.ts";
import type { ListenOptions, MessageHandler, TypedServer, TypedServerOptions } from "./server_options.ts";

/** How long an accepted upgrade may take to open its socket before the place it holds is given back, in ms. */
const HANDSHAKE_GRACE = 10_000;

export type {
  ListeningServer,
  ListenOptions,
  MessageHandler,
  MessageHandlers,
  Refusal,
  ServerHooks,
  TypedServer,
  TypedServerOptions,
  UpgradeInfo,
} from "./server_options.ts";

const noop = () => {};

/** How often the server looks for slow consumers and silent newcomers, in milliseconds. */
const SWEEP_INTERVAL = 250;

/**
 * Builds a typed server for a generated protocol.
 *
 * @param protocol The generated descriptor (`tickerProtocol`, `chatProtocol`...).
 * @param options Handlers, hooks and limits.
 * @returns The server; nothing listens until `listen()`.
 * @example A typed server with auth at the upgrade
 * ```ts
 * import { createServer } from "./typed_server.ts";
 * import { echoProtocol } from "../../tests/fixtures/generated/echo.ts";
 *
 * const server = createServer(echoProtocol, {
 *   upgrade(request) {
 *     const user = new URL(request.url).searchParams.get("user");
 *     return user === null ? new Response("who are you?", { status: 401 }) : { user };
 *   },
 *   handlers: {
 *     say({ seq, text }, conn) {
 *       conn.subscribe("lobby");
 *       server.publish("lobby", { type: "echo", seq, text: `${conn.data.user}: ${text}` });
 *     },
 *     ping: ({ seq }, conn) => conn.send({ type: "pong", seq }),
 *   },
 * });
 * const listening = await server.listen({ port: 0 });
 * server.broadcast({ type: "echo", seq: 0, text: "welcome" });
 * await listening.stop();
 * ```
 */
export function createServer<S, C, K extends string, D = undefined>(
  protocol: Protocol<S, C, K>,
  options: TypedServerOptions<S, C, K, D>,
): TypedServer<S, D> {
  const limits: ResolvedLimits = resolveLimits(options.limits);
  const handlers = (options.handlers ?? options.partialHandlers) as Readonly<
    Record<string, MessageHandler<S, C, K, D, string> | undefined>
  >;
  const decode = options.strict === true ? protocol.client.decodeStrict : protocol.client.decode;
  const encode = protocol.server.encode;
  const key = protocol.discriminator;
  const bySocket = new Map<ServerSocket, LiveConnection<S, D>>();
  const open = new Set<LiveConnection<S, D>>();
  const perAddress = new Map<string, number>();
  /** Accepted upgrades not open yet: counted against the limits, so that a burst cannot pass them all at once. */
  const reserved = new UpgradeReservations(HANDSHAKE_GRACE);
  let nextId = 1;
  let running: RunningServer | undefined;
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let lastSweep = 0;

  const reportError = (error: unknown, conn: Connection<S, D> | undefined) => {
    try {
      if (options.onError) return options.onError(error, conn);
    } catch (hookError) {
      error = hookError;
    }
    console.error(`typewire: a handler failed${conn ? ` on connection ${conn.id}` : ""}:`, error);
  };

  /** Closes a connection for the policy, tells `onRefusal`, and ignores whatever it sends after. */
  const refuse = (conn: LiveConnection<S, D>, code: number, reason: string) => {
    if (conn.closing) return;
    conn.closing = true;
    // Told before the close: a runtime may run the close hook within the close itself (Bun does).
    tell(conn, code, reason);
    conn.close(code, reason);
  };

  const tell = (conn: LiveConnection<S, D>, code: number, reason: string) => {
    try {
      options.onRefusal?.({ conn, code, reason });
    } catch (error) {
      reportError(error, conn);
    }
  };

  const tooSlow = (conn: LiveConnection<S, D>, reason: string) =>
    refuse(conn, CloseCode.policyViolation, `too slow: more than ${reason}`);

  /**
   * The policy's clock, every 250 ms: the first-message deadline, and the slow consumers. A backlog is judged only
   * here, after the runtime has had time to write (right after a send, Deno counts the server's own burst as unsent),
   * and not at all in a sweep that came late: the server itself lagged then, not its peers.
   */
  const sweep = () => {
    const now = Date.now();
    const lagged = lastSweep !== 0 && now - lastSweep > 2 * SWEEP_INTERVAL;
    lastSweep = now;
    for (const conn of open) {
      if (conn.closing) continue;
      if (!conn.heard && limits.firstMessageTimeout > 0 && now - conn.openedAt > limits.firstMessageTimeout) {
        refuse(conn, CloseCode.policyViolation, `no message within ${limits.firstMessageTimeout} ms of connecting`);
        continue;
      }
      const unsent = conn.socket.bufferedAmount;
      if (unsent <= limits.maxUnsentBytes) conn.slowSince = 0;
      else if (lagged) conn.slowSince = now;
      else if (unsent > 4 * limits.maxUnsentBytes) {
        tooSlow(conn, `${4 * limits.maxUnsentBytes} bytes waiting to be sent`);
      } else if (conn.slowSince === 0) conn.slowSince = now;
      else if (now - conn.slowSince >= limits.slowConsumerGrace) {
        tooSlow(conn, `${limits.maxUnsentBytes} bytes waiting to be sent for ${limits.slowConsumerGrace} ms`);
      }
    }
  };

  const invalid = (conn: LiveConnection<S, D>, error: DecodeError) => {
    if (error.kind === "not-json" || error.kind === "not-object") {
      return refuse(conn, CloseCode.invalidPayload, error.message);
    }
    try {
      options.onInvalid?.(error, conn);
    } catch (hookError) {
      reportError(hookError, conn);
    }
    if (++conn.invalid >= limits.invalidStrikes) refuse(conn, CloseCode.policyViolation, error.message);
  };

  /** Handles one frame; a promise when its handler has not finished (the next frames wait for it). */
  const handle = (conn: LiveConnection<S, D>, data: string | Uint8Array): unknown => {
    if (conn.closing) return;
    if (typeof data !== "string") {
      return refuse(conn, CloseCode.unsupportedData, `binary frames are not part of the ${protocol.name} protocol`);
    }
    const decoded = decode(data);
    if (decoded.ok) {
      const message = decoded.value as Readonly<Record<string, unknown>>;
      const handler = handlers[message[key] as string];
      return handler?.(decoded.value as MessageOf<C, K, string>, conn, data);
    }
    if (decoded.error.kind !== "unknown-type" || typeof decoded.error.type !== "string" || !options.onUnknown) {
      return invalid(conn, decoded.error);
    }
    return options.onUnknown(JSON.parse(data), conn, data);
  };

  /** A handler threw or rejected: that connection, and only it, is closed with 1011. */
  const fail = (conn: LiveConnection<S, D>, error: unknown) => {
    reportError(error, conn);
    refuse(conn, CloseCode.internalError, "internal error");
  };

  /**
   * Calls `work(conn, data)` so that a throw or a rejection closes only this connection; no closure is made per
   * frame. Returns the promise that the connection's next frames wait for, when the work is async.
   */
  const attempt = <A>(
    conn: LiveConnection<S, D>,
    work: (conn: LiveConnection<S, D>, data: A) => unknown,
    data: A,
  ): Promise<void> | undefined => {
    try {
      const result = work(conn, data);
      return result instanceof Promise ? result.then(noop, (error) => fail(conn, error)) : undefined;
    } catch (error) {
      fail(conn, error);
      return undefined;
    }
  };
  const opened = (conn: LiveConnection<S, D>) => options.open?.(conn);

  const socketHandlers: SocketHandlers = {
    open(socket) {
      reserved.release(socket.remoteAddress);
      if (socket.data instanceof AfterUpgradeRefusal) {
        socket.close(socket.data.code, socket.data.reason);
        return;
      }
      const conn = new LiveConnection<S, D>(socket, nextId++, Date.now(), limits.burst, encode);
      bySocket.set(socket, conn);
      open.add(conn);
      perAddress.set(socket.remoteAddress, (perAddress.get(socket.remoteAddress) ?? 0) + 1);
      if (!options.open) return;
      conn.pending = attempt(conn, opened, undefined);
      if (conn.pending !== undefined) settle(conn, conn.pending);
    },
    message(socket, data) {
      const conn = bySocket.get(socket);
      if (conn === undefined || conn.closing) return;
      conn.heard = true;
      if (!takeToken(conn, limits.framesPerSecond, limits.burst, Date.now())) {
        return refuse(
          conn,
          CloseCode.policyViolation,
          `rate limit: more than ${limits.framesPerSecond} frames a second`,
        );
      }
      if (conn.pending === undefined) {
        conn.pending = attempt(conn, handle, data);
        if (conn.pending !== undefined) settle(conn, conn.pending);
        return;
      }
      if (conn.queued >= limits.maxQueuedMessages) {
        return refuse(conn, CloseCode.policyViolation, `more than ${limits.maxQueuedMessages} messages waiting`);
      }
      conn.queued++;
      const next: Promise<void> = conn.pending.then(() => {
        conn.queued--;
        return attempt(conn, handle, data);
      });
      conn.pending = next;
      settle(conn, next);
    },
    close(socket, code, reason) {
      const conn = bySocket.get(socket);
      if (conn === undefined) return;
      bySocket.delete(socket);
      open.delete(conn);
      // A frame over the limit is refused by the transport itself, before the typed server sees it.
      if (code === CloseCode.messageTooBig && !conn.closing) tell(conn, code, reason);
      conn.closing = true;
      const left = (perAddress.get(socket.remoteAddress) ?? 1) - 1;
      if (left === 0) perAddress.delete(socket.remoteAddress);
      else perAddress.set(socket.remoteAddress, left);
      try {
        options.close?.(conn, code, reason);
      } catch (error) {
        reportError(error, conn);
      }
    },
  };

  /** Once nothing waits behind `work`, the next frame runs at once again. */
  const settle = (conn: LiveConnection<S, D>, work: Promise<void>) => {
    work.finally(() => {
      if (conn.pending === work) conn.pending = undefined;
    });
  };

  const accept = (data: D | Response | AfterUpgradeRefusal): Response | Acceptance =>
    data instanceof Response ? data : { data };

  /** Synchronous unless the user's hook is async: on Bun, an upgrade made after an await costs memory for good. */
  const upgrade: UpgradeHook = (request, remoteAddress) => {
    const origin = request.headers.get("origin") ?? undefined;
    if (options.origins !== undefined && origin !== undefined && !options.origins.includes(origin)) {
      return new Response(`origin not allowed: ${origin}`, { status: 403 });
    }
    const now = Date.now();
    if (open.size + reserved.total(now) >= limits.maxConnections) {
      return new Response("too many connections\n", { status: 429 });
    }
    if ((perAddress.get(remoteAddress) ?? 0) + reserved.count(remoteAddress, now) >= limits.maxConnectionsPerAddress) {
      return new Response("too many connections from this address\n", { status: 429 });
    }
    // The place is held from here: while the user's hook decides, and then until the socket opens.
    reserved.reserve(remoteAddress, now);
    let decided: ReturnType<NonNullable<typeof options.upgrade>> | undefined;
    try {
      decided = options.upgrade?.(request, { remoteAddress, origin });
    } catch (error) {
      reserved.release(remoteAddress);
      throw error;
    }
    const settle = (result: Response | Acceptance) => {
      if (result instanceof Response) reserved.release(remoteAddress);
      return result;
    };
    if (!(decided instanceof Promise)) return settle(accept(decided as D | Response | AfterUpgradeRefusal));
    return decided.then((d) => settle(accept(d)), (error: unknown) => {
      reserved.release(remoteAddress);
      throw error;
    });
  };

  const selectProtocol = (offered: readonly string[]) => protocol.subprotocols.find((name) => offered.includes(name));

  return {
    connections: open,
    socketHandlers,
    async listen(listen: ListenOptions = {}, serve?: Parameters<TypedServer<S, D>["listen"]>[1]) {
      if (running !== undefined) throw new Error("this typed server is listening already");
      const adapter = serve ?? await loadServe();
      const serveOptions: ServeOptions = {
        hostname: listen.hostname ?? "127.0.0.1",
        port: listen.port ?? 0,
        ...(listen.fetch && { fetch: listen.fetch }),
        selectProtocol,
        upgrade,
        maxFrameBytes: limits.maxFrameBytes,
        idleTimeout: limits.idleTimeout,
        closeTimeout: limits.closeTimeout,
        onError: (error, socket) => reportError(error, bySocket.get(socket)),
      };
      const server = await adapter(serveOptions, socketHandlers);
      running = server;
      sweeper = setInterval(sweep, SWEEP_INTERVAL);
      return {
        hostname: server.hostname,
        port: server.port,
        url: server.url,
        async stop() {
          clearInterval(sweeper);
          await server.stop();
          running = undefined;
        },
      };
    },
    publish(topic, message) {
      if (running === undefined) throw new Error("publish: the typed server is not listening");
      running.publish(topic, encodeOrThrow(encode, message));
    },
    broadcast(message) {
      const frame = encodeOrThrow(encode, message);
      for (const conn of open) conn.sendFrame(frame);
    },
  };
}
