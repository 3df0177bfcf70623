/**
 * The transport contract on the test's own runtime's adapter (Bun.serve under
 * `bun test`, Deno.serve under `deno test`; tests/node_adapter.test.ts holds
 * Node's): what every adapter does alike, below the typed server. Each case is
 * a defect found on one runtime once.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import process from "node:process";
import type { RunningServer, ServeOptions, ServerSocket, SocketHandlers } from "../src/server/contract.ts";
import { loadServe } from "../src/server/this_runtime.ts";
import { RawClient } from "./support/raw_client.ts";

interface Seen {
  readonly closes: { code: number; reason: string }[];
  readonly errors: unknown[];
  readonly sockets: ServerSocket[];
}

async function start(
  options: ServeOptions,
  handlers: Partial<SocketHandlers> = {},
): Promise<{ server: RunningServer; seen: Seen }> {
  const seen: Seen = { closes: [], errors: [], sockets: [] };
  const serve = await loadServe();
  const server = await serve({ onError: (error) => seen.errors.push(error), ...options }, {
    open: (socket) => void seen.sockets.push(socket),
    message: (socket, data) => socket.send(`echo ${String(data)}`),
    close: (_socket, code, reason) => void seen.closes.push({ code, reason }),
    ...handlers,
  });
  return { server, seen };
}

async function until(check: () => boolean, what: string, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeout} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const [what, fail] of [["throws", "sync"], ["returns a promise that rejects", "async"]] as const) {
  test(`a message handler that ${what} closes that connection with 1011; the server and the others carry on`, async () => {
    const { server, seen } = await start({}, {
      message(socket, data) {
        if (data === "boom" && fail === "sync") throw new Error("boom");
        if (data === "boom") return Promise.reject(new Error("boom"));
        return socket.send(`echo ${String(data)}`);
      },
    });
    try {
      const other = await RawClient.open(server.url, []);
      const client = await RawClient.open(server.url, []);
      client.send("boom");
      assert.deepEqual(await client.closed, { code: 1011, reason: "internal error" });
      await until(() => seen.errors.length === 1, "onError");
      other.send("still");
      assert.equal((await other.next()).text, "echo still");
      other.close();
    } finally {
      await server.stop();
    }
  });
}

test("a close reason over 123 UTF-8 bytes is cut at a character boundary, not thrown", async () => {
  const { server } = await start({}, {
    message: (socket) => socket.close(1008, `bad: ${"é".repeat(150)}`),
  });
  try {
    const client = await RawClient.open(server.url, []);
    client.send("x");
    const closed = await client.closed;
    assert.equal(closed.code, 1008);
    assert.ok(new TextEncoder().encode(closed.reason).length <= 123);
    assert.match(closed.reason, /^bad: é+\.\.\.$/);
  } finally {
    await server.stop();
  }
});

test("the selected subprotocol and the upgrade hook's data are on the server's socket", async () => {
  const { server, seen } = await start({
    selectProtocol: (offered) => offered.find((p) => p === "v2"),
    upgrade: async (request) => {
      await Promise.resolve();
      const user = new URL(request.url).searchParams.get("user");
      return user === null ? new Response("no", { status: 401 }) : { data: { user } };
    },
  });
  try {
    await assert.rejects(RawClient.open(server.url, ["v2"]));
    const client = await RawClient.open(`${server.url}?user=ann`, ["v1", "v2"]);
    await until(() => seen.sockets.length === 1, "the open");
    assert.equal(seen.sockets[0]?.protocol, "v2");
    assert.equal(client.socket.protocol, "v2");
    assert.deepEqual(seen.sockets[0]?.data, { user: "ann" });
    assert.equal(seen.sockets[0]?.remoteAddress, "127.0.0.1");
    client.close();
  } finally {
    await server.stop();
  }
});

test("a connection reset reaches the close handler as 1006, never 0", async () => {
  const { server, seen } = await start({});
  try {
    const socket = net.connect(server.port, "127.0.0.1");
    socket.write(
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await until(() => seen.sockets.length === 1, "the open");
    socket.destroy();
    await until(() => seen.closes.length === 1, "the close");
    assert.equal(seen.closes[0]?.code, 1006);
  } finally {
    await server.stop();
  }
});

test("a frame over maxFrameBytes: the peer gets 1009, the close handler 1009 and why", async () => {
  const { server, seen } = await start({ maxFrameBytes: 1000 });
  try {
    const client = await RawClient.open(server.url, []);
    client.send("x".repeat(1000));
    assert.equal((await client.next()).text, `echo ${"x".repeat(1000)}`, "exactly the limit passes");
    client.send("x".repeat(5000));
    assert.equal((await client.closed).code, 1009);
    await until(() => seen.closes.length === 1, "the close");
    assert.deepEqual(seen.closes[0], { code: 1009, reason: "frame larger than 1000 bytes" });
  } finally {
    await server.stop();
  }
});

test("publish reaches the subscribed sockets only, and a closed socket leaves its topics", async () => {
  const { server, seen } = await start({}, {
    message: (socket, data) => socket.subscribe(String(data)),
  });
  try {
    const [a, b] = [await RawClient.open(server.url, []), await RawClient.open(server.url, [])];
    a.send("news");
    await until(() => seen.sockets.length === 2, "two opens");
    await new Promise((resolve) => setTimeout(resolve, 50));
    server.publish("news", "hello");
    assert.equal((await a.next()).text, "hello");
    b.send("sport");
    a.close();
    await until(() => server.connections === 1, "a left");
    server.publish("news", "nobody");
    server.publish("sport", "goal");
    assert.equal((await b.next()).text, "goal");
    b.close();
  } finally {
    await server.stop();
  }
});

test("a process whose server stopped exits at once: stop() leaves no timer behind", async () => {
  const { spawnSync } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const script = `
    import { loadServe } from "./src/server/this_runtime.ts";
    const serve = await loadServe();
    const server = await serve({ port: 0 }, { message() {} });
    await server.stop();
    console.log(Date.now());
  `;
  const runtime = "Bun" in globalThis ? [process.execPath, "-e", script] : [process.execPath, "eval", script];
  const [program, ...args] = runtime as [string, ...string[]];
  const run = spawnSync(program, args, { cwd: root, encoding: "utf8", timeout: 30_000 });
  const exited = Date.now();
  assert.equal(run.status, 0, run.stderr);
  const stopped = Number(run.stdout.trim().split("\n").at(-1));
  assert.ok(exited - stopped < 1_500, `the process lived ${exited - stopped} ms after stop()`);
});
