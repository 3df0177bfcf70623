/**
 * Debian's nats-server for the backplane tests: JetStream on, on 127.0.0.1,
 * a free port, its store in a temporary directory that outlives a stop (a
 * restart on the same port finds its streams again, as a production server
 * would) and is removed when the process exits. And the NATS engine of
 * `tests/support/backplanes.ts`: instances reach the server through a TCP
 * proxy that can cut them off.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { freePort } from "../../scripts/bench/redis_server.ts";
import { stopChild, untilAnswering } from "../../scripts/bench/processes.ts";
import type { RecoveryWindow } from "../../src/backplane/backplane.ts";
import { NatsBackplane } from "../../src/backplane/nats.ts";
import type { Engine } from "./backplanes.ts";

/** A nats-server the test started. */
export interface NatsServer {
  /** Where clients connect: `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM: it flushes its store), and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store; resolves once it answers with JetStream on. */
  start(): Promise<void>;
  /** Stops it, empties its store (as a crash without persistence would), starts it again. */
  wipe(): Promise<void>;
  /** Stops it and removes its store (also done when the process exits). */
  remove(): Promise<void>;
}

const PROGRAM = process.env.NATS_SERVER ?? "/usr/sbin/nats-server";

/** Whether a nats-server on `port` greets with its INFO line, JetStream enabled. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let greeting = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (data) => {
      greeting += String(data);
      if (greeting.includes("\r\n")) done(greeting.startsWith("INFO ") && /"jetstream"\s*:\s*true/.test(greeting));
    });
  });
}

/**
 * Starts nats-server with JetStream.
 *
 * @example
 * ```ts
 * import { startNats } from "./nats_server.ts";
 * const nats = await startNats();
 * await nats.stop();
 * await nats.start(); // the same port, the same streams
 * await nats.remove();
 * ```
 *
 * @throws {Error} When it is not installed (`npm test` installs Debian's package), or does not answer within 10 s.
 */
export async function startNats(): Promise<NatsServer> {
  if (!existsSync(PROGRAM)) {
    throw new Error(`nats-server is not installed at ${PROGRAM}: apt-get install nats-server (npm test does it)`);
  }
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "typewire-nats-"));
  let child: ChildProcess | undefined;
  const removeStore = () => rmSync(storeDir, { recursive: true, force: true });
  const onExit = () => {
    child?.kill("SIGKILL");
    removeStore();
  };
  process.once("exit", onExit);
  const start = async () => {
    const running = spawn(PROGRAM, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir], {
      stdio: "ignore",
    });
    child = running;
    await untilAnswering(running, port, answers, "nats-server");
  };
  const stop = () => stopChild(child);
  const wipe = async () => {
    await stop();
    removeStore();
    await start();
  };
  const remove = async () => {
    await stop();
    process.removeListener("exit", onExit);
    removeStore();
  };
  await start();
  return { url: `nats://127.0.0.1:${port}`, port, stop, start, wipe, remove };
}

/** A TCP proxy on 127.0.0.1 in front of `port`, that can cut the connections through it and refuse new ones. */
export interface Proxy {
  readonly url: string;
  /** Cuts every connection, and refuses new ones until `letIn`. */
  cut(): void;
  letIn(): void;
  close(): Promise<void>;
}

/**
 * Starts a proxy to a server on 127.0.0.1.
 *
 * @example
 * ```ts
 * import { startNats, startProxy } from "./nats_server.ts";
 * const nats = await startNats();
 * const proxy = await startProxy(nats.port);
 * proxy.cut(); // clients connected through proxy.url lose their connection, and cannot make a new one
 * proxy.letIn();
 * await proxy.close();
 * await nats.remove();
 * ```
 */
export async function startProxy(port: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: "127.0.0.1", port });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", end);
      socket.on("close", end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const cut = () => {
    refusing = true;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    url: `nats://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    cut,
    letIn: () => (refusing = false),
    close: () => {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The NATS engine of the backplane tests: one nats-server; instances reach it through a proxy (which `cut` cuts,
 * appends included: NATS has one connection per instance), each window on a prefix (a stream) of its own, so that
 * instances with different windows do not change each other's limits.
 *
 * @example
 * ```ts
 * import { startNatsEngine } from "./nats_server.ts";
 * const engine = await startNatsEngine();
 * const backplane = engine.make({ maxMessages: 5 });
 * await engine.stop();
 * ```
 */
export async function startNatsEngine(): Promise<Engine> {
  const nats = await startNats();
  const proxy = await startProxy(nats.port);
  const prefixes = new Map<string, string>();
  const prefixOf = (window: Partial<RecoveryWindow>) => {
    const key = JSON.stringify([window.maxMessages, window.maxAgeMs]);
    let prefix = prefixes.get(key);
    if (prefix === undefined) prefixes.set(key, prefix = prefixes.size === 0 ? "typewire" : `typewire${prefixes.size}`);
    return prefix;
  };
  return {
    make: (window = {}) => new NatsBackplane(proxy.url, { prefix: prefixOf(window), window }),
    outages: {
      cut() {
        proxy.cut();
        return Promise.resolve(() => Promise.resolve(proxy.letIn()));
      },
      async restart() {
        await nats.stop();
        await nats.start();
      },
      wipe: () => nats.wipe(),
      unreachable: async (connectTimeoutMs) =>
        new NatsBackplane(`nats://127.0.0.1:${await freePort()}`, { connectTimeoutMs }),
    },
    stop: async () => {
      await proxy.close();
      await nats.remove();
    },
  };
}
