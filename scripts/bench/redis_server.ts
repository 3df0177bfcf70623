/**
 * Debian's redis-server for the scale-out tests and benchmark: on 127.0.0.1,
 * a free port, without persistence (a restart loses every key, the hardest
 * case for the instances sharing it); or, when asked, with an append-only
 * file in a temporary directory (a restart keeps every key).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection, createServer } from "node:net";
import process from "node:process";
import { stopChild, untilAnswering } from "./processes.ts";

/** A redis-server the test started. */
export interface RedisServer {
  readonly url: string;
  /** Stops it (its data is lost, unless `appendOnly`), and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty, unless `appendOnly`); resolves once it answers. */
  start(): Promise<void>;
  /** Stops it for good, and deletes its data directory if it has one. */
  remove(): Promise<void>;
}

/** How to start redis-server. */
export interface RedisServerOptions {
  /**
   * Keep the data across restarts in an append-only file (`--appendonly yes`), in a new temporary directory that
   * `remove` deletes. @default false: no persistence, a restart starts empty
   */
  readonly appendOnly?: boolean;
}

const PROGRAM = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

/** A TCP port of 127.0.0.1 where nothing listens: one the operating system gave, and taken back. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(
        () => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))),
      );
    });
  });
}

/** Whether Redis on `port` answers PING. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(String(data).startsWith("+PONG")));
  });
}

/**
 * Starts redis-server.
 *
 * @param options Persistence (none by default).
 * @throws {Error} When it is not installed (`npm test` installs Debian's package), or does not answer within 10 s.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  if (!existsSync(PROGRAM)) {
    throw new Error(`redis-server is not installed at ${PROGRAM}: apt-get install redis-server (npm test does it)`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const dir = options.appendOnly ? mkdtempSync(join(tmpdir(), "typewire-redis-")) : undefined;
  const persistence = dir === undefined ? ["--appendonly", "no"] : ["--appendonly", "yes", "--dir", dir];
  const start = async () => {
    child = spawn(PROGRAM, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence], {
      stdio: "ignore",
    });
    await untilAnswering(child, port, answers, "redis-server");
  };
  const stop = () => stopChild(child);
  const remove = async () => {
    await stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start();
  } catch (error) {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop, start, remove };
}
