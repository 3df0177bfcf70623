/**
 * Debian's redis-server for the scale-out tests and benchmark: on 127.0.0.1,
 * a free port, without persistence (a restart loses every key, the hardest
 * case for the instances sharing it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import process from "node:process";

/** A redis-server the test started. */
export interface RedisServer {
  readonly url: string;
  /** Stops it (its data is lost), and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it answers. */
  start(): Promise<void>;
}

const PROGRAM = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";

function freePort(): Promise<number> {
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
 * @throws {Error} When it is not installed (`npm test` installs Debian's package), or does not answer within 10 s.
 */
export async function startRedis(): Promise<RedisServer> {
  if (!existsSync(PROGRAM)) {
    throw new Error(`redis-server is not installed at ${PROGRAM}: apt-get install redis-server (npm test does it)`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(PROGRAM, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await answers(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGKILL");
    throw new Error(`redis-server on port ${port} did not answer within 10 s`);
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return resolve();
      running.once("exit", () => resolve());
      running.kill("SIGTERM");
    });
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start };
}
