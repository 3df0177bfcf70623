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
import type { Protocol, RequestSpec } from "../runtime/protocol.ts";
import type { DecodeError } from "../runtime/result.ts";
import { encodeAnswer, runAnswer } from "../runtime/answer.ts";
import { isRequestError } from "../runtime/request_errors.ts";
import type { NoRequests } from "../runtime/requests.ts";
import type {
  Acceptance,
  Maybe,
  RunningServer,
  ServeOptions,
  ServerSocket,
  SocketHandlers,
  UpgradeHook,
} from "./contract.ts";
import {
  type Connection,
  encodeOrThrow,
  LiveConnection,
  MessageRefused,
  type RequestContext,
  Resuming,
} from "./connection.ts";
import { ServerTopics } from "./cluster_topics.ts";
import { Cluster } from "../backplane/cluster.ts";
import { MemoryHub } from "../backplane/memory.ts";
import { MAX_RESUMABLE_TOPIC_LENGTH, parseResumeParam, RESUME_PARAM } from "../runtime/resume_tokens.ts";
import { CloseCode, type ResolvedLimits, resolveLimits } from "./policy.ts";
import { takeToken } from "./rate_limit.ts";
import { loadServe } from "./this_runtime.ts";
import type { ListenOptions, TypedServer, TypedServerOptions } from "./server_options.ts";

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

/** The longest a resumable topic may be once percent-encoded: a client's URL holds at least one, within 8 KiB. */
const MAX_ENCODED_TOPIC_LENGTH = 4096;

/** Whether a client can carry a topic back in its URL. */
function resumableTopic(topic: string): boolean {
  if (topic.length > MAX_RESUMABLE_TOPIC_LENGTH) return false;
  try {
    return encodeURIComponent(topic).length <= MAX_ENCODED_TOPIC_LENGTH;
  } catch {
    return false; // a lone surrogate: not text a URL can carry
  }
}

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
export function createServer<S, C, K extends string, D = undefined, R = NoRequests, A extends string = string>(
  protocol: Protocol<S, C, K, R>,
  options: TypedServerOptions<S, C, K, D, R, A>,
): TypedServer<S, D, R> {
  const limits: ResolvedLimits = resolveLimits(options.limits);
  const handlers = (options.handlers ?? options.partialHandlers) as Readonly<
    Record<string, ((message: unknown, conn: Connection<S, D, R>, frame: string) => unknown) | undefined>
  >;
  /** The requests clients send, by type; none when the protocol declares none. */
  const asked: Readonly<Record<string, RequestSpec>> = protocol.requests?.client ?? {};
  const asking: RequestContext | undefined = protocol.requests && Object.keys(protocol.requests.server).length > 0
    ? {
      specs: protocol.requests.server,
      discriminator: protocol.discriminator,
      limit: limits.maxPendingRequests,
      timeout: options.requestTimeout ?? 10_000,
    }
    : undefined;
  const decode = options.strict === true ? protocol.client.decodeStrict : protocol.client.decode;
  const encode = protocol.server.encode;
  const key = protocol.discriminator;
  const bySocket = new Map<ServerSocket, LiveConnection<S, D, R>>();
  const open = new Set<LiveConnection<S, D, R>>();
  const perAddress = new Map<string, number>();
  /** Accepted upgrades not open yet: counted against the limits, so that a burst cannot pass them all at once. */
  const reserved = new UpgradeReservations(HANDSHAKE_GRACE);
  let nextId = 1;
  let running: RunningServer | undefined;
  /** A cluster of its own is the server's to close; one it was given is the caller's. */
  const ownCluster = options.cluster === undefined;
  // Its hub is its own: no other instance can reach it, so no heartbeat.
  const cluster = options.cluster ?? new Cluster(new MemoryHub().backplane(), { alone: true });
  const label = options.presence;
  const topics = new ServerTopics({
    cluster,
    discriminator: key,
    resume: protocol.resume,
    presence: label === undefined || label === false
      ? undefined
      : label === true
      ? () => undefined
      : (member) => label(member as LiveConnection<S, D, R>),
    maxHeldBytes: limits.maxQueuedBytes,
    deliver: (topic, frame) => running?.publish(topic, frame),
    overflow: (member, reason) =>
      refuse(member as LiveConnection<S, D, R>, CloseCode.tryAgainLater, `too slow to catch up: ${reason}`),
  });
  let sweeper: ReturnType<typeof setInterval> | undefined;
  let lastSweep = 0;
  /** On a host that may drop the server from memory, the clock runs only while a connection has a deadline. */
  let hibernates = false;

  const reportError = (error: unknown, conn: Connection<S, D, R> | undefined) => {
    try {
      if (options.onError) return options.onError(error, conn);
    } catch (hookError) {
      error = hookError;
    }
    console.error(`typewire: a handler failed${conn ? ` on connection ${conn.id}` : ""}:`, error);
  };

  /** Closes a connection for the policy, tells `onRefusal`, and ignores whatever it sends after. */
  const refuse = (conn: LiveConnection<S, D, R>, code: number, reason: string) => {
    if (conn.closing) return;
    conn.closing = true;
    // Told before the close: a runtime may run the close hook within the close itself (Bun does).
    tell(conn, code, reason);
    conn.close(code, reason);
  };

  const tell = (conn: LiveConnection<S, D, R>, code: number, reason: string) => {
    try {
      options.onRefusal?.({ conn, code, reason });
    } catch (error) {
      reportError(error, conn);
    }
  };

  const tooSlow = (conn: LiveConnection<S, D, R>, reason: string) =>
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
    let waiting = false;
    for (const conn of open) {
      if (conn.closing) continue;
      if (!conn.heard) waiting = true;
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
    if (hibernates && !waiting) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  /** Starts the clock if it is not running (a host that hibernates stops it when no deadline is left). */
  const clock = () => {
    if (sweeper !== undefined || running === undefined) return;
    lastSweep = 0;
    sweeper = setInterval(sweep, SWEEP_INTERVAL);
  };

  /** Hands the connection's state to a host that may drop the server from memory; one that does not fit: 1011. */
  const keep = (conn: LiveConnection<S, D, R>) => {
    if (conn.socket.keep === undefined || conn.closing) return;
    try {
      conn.socket.keep({
        id: conn.id,
        openedAt: conn.openedAt,
        data: conn.data,
        heard: conn.heard,
        invalid: conn.invalid,
        tokens: conn.tokens,
        refilledAt: conn.refilledAt,
        topics: [...conn.topics],
      });
    } catch (error) {
      fail(conn, error);
    }
  };

  const invalid = (conn: LiveConnection<S, D, R>, error: DecodeError, frame: string) => {
    if (error.kind === "not-json" || error.kind === "not-object") {
      return refuse(conn, CloseCode.invalidPayload, error.message);
    }
    if (error.kind === "invalid") conn.requests?.settleInvalid(frame, error);
    try {
      options.onInvalid?.(error, conn);
    } catch (hookError) {
      reportError(hookError, conn);
    }
    if (++conn.invalid >= limits.invalidStrikes) refuse(conn, CloseCode.policyViolation, error.message);
  };

  /** Handles one frame; a promise when its handler has not finished (the next frames wait for it). */
  const handle = (conn: LiveConnection<S, D, R>, data: string | Uint8Array): unknown => {
    if (conn.closing) return;
    if (typeof data !== "string") {
      return refuse(conn, CloseCode.unsupportedData, `binary frames are not part of the ${protocol.name} protocol`);
    }
    const decoded = decode(data);
    if (decoded.ok) {
      const message = decoded.value as Readonly<Record<string, unknown>>;
      const type = message[key] as string;
      const handler = handlers[type];
      if (Object.hasOwn(asked, type)) return answer(conn, asked[type] as RequestSpec, message, handler, data);
      return handler?.(message, conn, data);
    }
    if (decoded.error.kind !== "unknown-type" || typeof decoded.error.type !== "string" || !options.onUnknown) {
      return invalid(conn, decoded.error, data);
    }
    return options.onUnknown(JSON.parse(data), conn, data);
  };

  /**
   * Runs a request's handler without holding up the connection's next frames, unless `maxPendingRequests` answers
   * are owed already: the returned promise then holds them until one is sent.
   */
  const answer = (
    conn: LiveConnection<S, D, R>,
    spec: RequestSpec,
    request: Readonly<Record<string, unknown>>,
    handler: ((message: unknown, conn: Connection<S, D, R>, frame: string) => unknown) | undefined,
    frame: string,
  ): Promise<void> | undefined => {
    if (handler === undefined) return;
    if (conn.held + frame.length > limits.maxQueuedBytes) {
      refuse(conn, CloseCode.policyViolation, `more than ${limits.maxQueuedBytes} bytes waiting`);
      return;
    }
    const running = runAnswer(
      () => handler(request, conn, frame),
      (answer) => reply(conn, spec, request, answer),
      (error) => answerFailure(conn, spec, request, error),
    );
    if (running === undefined) return;
    conn.answering++;
    conn.held += frame.length;
    running.catch((error) => fail(conn, error)).finally(() => {
      conn.answering--;
      conn.held -= frame.length;
      conn.freed?.();
    });
    if (conn.answering < limits.maxPendingRequests) return;
    return new Promise((resolve) => {
      conn.freed = () => {
        conn.freed = undefined;
        resolve();
      };
    });
  };

  /** Sends a request's answer, with the request's correlation value; an answer that breaks the schema is a failure. */
  const reply = (
    conn: LiveConnection<S, D, R>,
    spec: RequestSpec,
    request: Readonly<Record<string, unknown>>,
    answer: unknown,
  ) => {
    if (answer === undefined) {
      throw new Error(`the handler of a ${JSON.stringify(request[key])} request returned no answer`);
    }
    const encoded = encodeAnswer(spec, request, answer, key, encode);
    if (!encoded.ok) throw new MessageRefused(encoded.error);
    conn.sendFrame(encoded.frame);
  };

  /** A request's handler failed: `errorReply` may turn that into an error reply; otherwise the error policy. */
  const answerFailure = (
    conn: LiveConnection<S, D, R>,
    spec: RequestSpec,
    request: Readonly<Record<string, unknown>>,
    error: unknown,
  ) => {
    const answer = options.errorReply?.(error, request as never, conn);
    if (answer === undefined) throw error;
    reply(conn, spec, request, answer);
  };

  /** A handler threw or rejected: that connection, and only it, is closed with 1011. */
  const fail = (conn: LiveConnection<S, D, R>, error: unknown) => {
    reportError(error, conn);
    refuse(conn, CloseCode.internalError, "internal error");
  };

  /**
   * Calls `work(conn, data)` so that a throw or a rejection closes only this connection; no closure is made per
   * frame. Returns the promise that the connection's next frames wait for, when the work is async.
   */
  const attempt = <A>(
    conn: LiveConnection<S, D, R>,
    work: (conn: LiveConnection<S, D, R>, data: A) => unknown,
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
  const opened = (conn: LiveConnection<S, D, R>) => options.open?.(conn);

  /**
   * Settles the server's request that a frame answers, at once: a valid answer is taken (and costs nothing against
   * the rate limit: the server asked for it, at most `maxPendingRequests` at a time); an invalid one fails its request
   * now, then meets the policy in its turn like any invalid frame.
   */
  const settleAnswer = (conn: LiveConnection<S, D, R>, data: string): boolean => {
    const decoded = decode(data);
    if (decoded.ok) return conn.requests?.settle(decoded.value as Readonly<Record<string, unknown>>) === true;
    if (decoded.error.kind === "invalid") conn.requests?.settleInvalid(data, decoded.error);
    return false;
  };

  const socketHandlers: SocketHandlers = {
    open(socket) {
      reserved.release(socket.remoteAddress);
      if (socket.data instanceof AfterUpgradeRefusal) {
        socket.close(socket.data.code, socket.data.reason);
        return;
      }
      const conn = new LiveConnection<S, D, R>(socket, nextId++, Date.now(), limits.burst, encode, asking, topics);
      conn.cancelClaims = topics.opened(conn);
      bySocket.set(socket, conn);
      open.add(conn);
      perAddress.set(socket.remoteAddress, (perAddress.get(socket.remoteAddress) ?? 0) + 1);
      for (const topic of socket.openTopics ?? []) void topics.subscribe(conn, topic);
      if (hibernates && limits.firstMessageTimeout > 0) clock();
      if (options.open) conn.pending = attempt(conn, opened, undefined);
      if (conn.pending !== undefined) settle(conn, conn.pending);
      else keep(conn);
    },
    restore(socket) {
      const kept = socket.kept;
      if (kept === undefined || bySocket.has(socket)) return;
      const conn = new LiveConnection<S, D, R>(socket, kept.id, kept.openedAt, limits.burst, encode, asking, topics);
      conn.heard = kept.heard;
      conn.invalid = kept.invalid;
      conn.tokens = kept.tokens;
      conn.refilledAt = kept.refilledAt;
      nextId = Math.max(nextId, kept.id + 1);
      bySocket.set(socket, conn);
      open.add(conn);
      perAddress.set(socket.remoteAddress, (perAddress.get(socket.remoteAddress) ?? 0) + 1);
      for (const topic of kept.topics) void topics.subscribe(conn, topic);
      if (!conn.heard && limits.firstMessageTimeout > 0) clock();
      try {
        options.restored?.(conn);
      } catch (error) {
        reportError(error, conn);
      }
    },
    message(socket, data) {
      const conn = bySocket.get(socket);
      if (conn === undefined || conn.closing) return;
      conn.heard = true;
      // An answer to the server's own request settles it at once, not behind a handler that may be awaiting it.
      if (conn.requests?.size && typeof data === "string" && settleAnswer(conn, data)) return;
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
        else keep(conn);
        return;
      }
      if (conn.queued >= limits.maxQueuedMessages) {
        return refuse(conn, CloseCode.policyViolation, `more than ${limits.maxQueuedMessages} messages waiting`);
      }
      const size = typeof data === "string" ? data.length : data.byteLength;
      if (conn.held + size > limits.maxQueuedBytes) {
        return refuse(conn, CloseCode.policyViolation, `more than ${limits.maxQueuedBytes} bytes waiting`);
      }
      conn.queued++;
      conn.held += size;
      const next: Promise<void> = conn.pending.then(() => {
        conn.queued--;
        conn.held -= size;
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
      conn.requests?.closeAll(`the connection closed with code ${code}`);
      conn.cancelClaims?.();
      topics.drop(conn);
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
  const settle = (conn: LiveConnection<S, D, R>, work: Promise<void>) => {
    work.finally(() => {
      if (conn.pending !== work) return;
      conn.pending = undefined;
      keep(conn);
    });
  };

  const accept = (data: D | Response | AfterUpgradeRefusal, resumeFrom: Map<string, string> | undefined) =>
    data instanceof Response ? data : {
      data: resumeFrom === undefined || data instanceof AfterUpgradeRefusal ? data : new Resuming(data, resumeFrom),
    };

  /** The positions a client resumes from, when the protocol has resumable messages and the URL names some. */
  const resumeFrom = (request: Request): Map<string, string> | undefined => {
    if (protocol.resume === undefined || !request.url.includes(RESUME_PARAM)) return undefined;
    const positions = parseResumeParam(new URL(request.url).searchParams.get(RESUME_PARAM));
    return positions.size > 0 ? positions : undefined;
  };

  /** The `origins` check: a 403 for a browser page of another origin. */
  const originRefusal = (origin: string | undefined): Response | undefined =>
    options.origins !== undefined && origin !== undefined && !options.origins.includes(origin)
      ? new Response(`origin not allowed: ${origin}`, { status: 403 })
      : undefined;

  /** The connection limits: a 429 past them; otherwise the place is held until the socket opens. */
  const reserve = (remoteAddress: string): Response | undefined => {
    const now = Date.now();
    if (open.size + reserved.total(now) >= limits.maxConnections) {
      return new Response("too many connections\n", { status: 429 });
    }
    if ((perAddress.get(remoteAddress) ?? 0) + reserved.count(remoteAddress, now) >= limits.maxConnectionsPerAddress) {
      return new Response("too many connections from this address\n", { status: 429 });
    }
    reserved.reserve(remoteAddress, now);
    return undefined;
  };

  /** Gives the place back when the decision is a refusal. */
  const decided = (remoteAddress: string, result: Response | Acceptance) => {
    if (result instanceof Response) reserved.release(remoteAddress);
    return result;
  };

  /** Synchronous unless the user's hook is async: on Bun, an upgrade made after an await costs memory for good. */
  const upgrade: UpgradeHook = (request, remoteAddress) => {
    const origin = request.headers.get("origin") ?? undefined;
    // The place is held from here: while the user's hook decides, and then until the socket opens.
    const refused = originRefusal(origin) ?? reserve(remoteAddress);
    if (refused !== undefined) return refused;
    let hook: ReturnType<NonNullable<typeof options.upgrade>> | undefined;
    try {
      hook = options.upgrade?.(request, { remoteAddress, origin });
    } catch (error) {
      reserved.release(remoteAddress);
      throw error;
    }
    const resuming = resumeFrom(request);
    if (!(hook instanceof Promise)) {
      return decided(remoteAddress, accept(hook as D | Response | AfterUpgradeRefusal, resuming));
    }
    return hook.then((d) => decided(remoteAddress, accept(d, resuming)), (error: unknown) => {
      reserved.release(remoteAddress);
      throw error;
    });
  };

  /** The limits alone, for an upgrade whose hook ran before the request reached this host. */
  const admitted = (request: Request, remoteAddress: string, data: unknown): Response | Acceptance =>
    reserve(remoteAddress) ?? decided(remoteAddress, accept(data as D, resumeFrom(request)));

  const selectProtocol = (offered: readonly string[]) => protocol.subprotocols.find((name) => offered.includes(name));

  return {
    connections: open,
    socketHandlers,
    async listen(listen: ListenOptions = {}, serve?: Parameters<TypedServer<S, D>["listen"]>[1]) {
      if (running !== undefined) throw new Error("this typed server is listening already");
      const adapter = serve ?? await loadServe();
      await cluster.start();
      const serveOptions: ServeOptions = {
        hostname: listen.hostname ?? "127.0.0.1",
        port: listen.port ?? 0,
        ...(listen.fetch && { fetch: listen.fetch }),
        selectProtocol,
        upgrade,
        admitted,
        maxFrameBytes: limits.maxFrameBytes,
        idleTimeout: limits.idleTimeout,
        closeTimeout: limits.closeTimeout,
        onError: (error, socket) => reportError(error, bySocket.get(socket)),
      };
      const server = await adapter(serveOptions, socketHandlers);
      running = server;
      hibernates = server.hibernates === true;
      if (!hibernates) clock();
      return {
        hostname: server.hostname,
        port: server.port,
        url: server.url,
        async stop() {
          clearInterval(sweeper);
          sweeper = undefined;
          await server.stop();
          running = undefined;
          if (ownCluster) await cluster.close();
        },
      };
    },
    publish(topic, message) {
      if (!cluster.started) {
        throw new Error("publish: the typed server is not listening (a process that only publishes: cluster.start())");
      }
      const type = String((message as Readonly<Record<string, unknown>>)[key]);
      if (topics.isResumable(type) && !resumableTopic(topic)) {
        throw new RangeError(
          `publish: a resumable message's topic must be well-formed Unicode of at most ${MAX_RESUMABLE_TOPIC_LENGTH} ` +
            `characters, ${MAX_ENCODED_TOPIC_LENGTH} once percent-encoded (its clients carry it back in the URL): ` +
            JSON.stringify(topic.slice(0, 40)),
        );
      }
      topics.publish(topic, type, encodeOrThrow(encode, topics.withoutPosition(message)));
    },
    broadcast(message) {
      const frame = encodeOrThrow(encode, message);
      for (const conn of open) conn.sendFrame(frame);
    },
    isRequestError: isRequestError as TypedServer<S, D, R>["isRequestError"],
    admit(request, info) {
      return originRefusal(info.origin) ??
        options.upgrade?.(request, info) as Maybe<D | Response | AfterUpgradeRefusal>;
    },
    cluster,
    members(topic) {
      if (label === undefined || label === false) {
        throw new TypeError("members: presence is off: createServer(protocol, { presence: true, ... })");
      }
      return cluster.members(topic);
    },
  };
}
