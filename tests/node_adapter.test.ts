/**
 * typewire's Node.js adapter (src/server/node/) on real Node.js: the echo
 * server of tests/node/echo_server.ts, bundled and run by `node`, driven from
 * Deno or Bun with their standard WebSocket and with raw TCP where a test must
 * write the handshake or misbehave as a peer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { type NodeServer, startNodeServer } from "./support/node_server.ts";
import { RawClient } from "./support/raw_client.ts";

const ENTRY = "tests/node/echo_server.ts";
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

/** Runs `body` against a fresh echo server on Node.js, and stops it whatever happens. */
async function onNode(args: string[], body: (server: NodeServer) => Promise<void>): Promise<void> {
  const server = await startNodeServer(ENTRY, args);
  try {
    await body(server);
  } catch (error) {
    throw new Error(`${(error as Error).message}\nthe Node.js server printed:\n${server.output()}`, { cause: error });
  } finally {
    await server.stop();
  }
}

/** Opens a connection named `name` (the server reports its close under that name). */
function open(server: NodeServer, name: string, protocols: string[] = ["json"]): Promise<RawClient> {
  return RawClient.open(`${server.url}?name=${name}`, protocols);
}

/** A connection that receives a JSON line for every connection that closes. */
async function watcher(server: NodeServer): Promise<RawClient> {
  const client = await open(server, "watcher");
  client.send("watch");
  assert.equal((await client.next()).text, "watching");
  return client;
}

/** Reads the watcher's lines until every connection named has closed, whatever the order: name -> [code, reason]. */
async function closes(watch: RawClient, names: string[], timeout?: number): Promise<Record<string, [number, string]>> {
  const seen: Record<string, [number, string]> = {};
  while (names.some((name) => !(name in seen))) {
    const { closed, code, reason } = (await watch.next((m) => names.includes(m?.closed), timeout)).json;
    seen[closed] = [code, reason];
  }
  return seen;
}

/** Connects over TCP, writes `bytes`, and gives the socket and what it has received so far. */
function tcp(port: number, bytes: string | Uint8Array) {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  let received = "";
  socket.setEncoding("latin1").on("data", (chunk: string) => (received += chunk));
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.write(bytes);
  return {
    socket,
    received: () => received,
    /** Resolves once the server has closed the connection; rejects after `timeout`. */
    async closed(timeout = 5_000): Promise<string> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the server kept the connection open; got: ${received}`)), timeout);
      });
      try {
        await Promise.race([ended, late]);
      } finally {
        clearTimeout(timer);
        socket.destroy();
      }
      return received;
    },
    /** Resolves once `pattern` (a regular expression, or bytes as latin1 text) has been received. */
    until(pattern: RegExp | string, timeout = 5_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (typeof pattern === "string" ? !received.includes(pattern) : !pattern.test(received)) return;
          clearTimeout(timer);
          socket.off("data", check);
          resolve(received);
        };
        const timer = setTimeout(() => {
          socket.off("data", check);
          reject(
            new Error(`no ${JSON.stringify(String(pattern))} within ${timeout} ms; got: ${JSON.stringify(received)}`),
          );
        }, timeout);
        socket.on("data", check);
        check();
      });
    },
  };
}

/** What a connection the server keeps alive received once `pattern` arrived; the connection is closed then. */
async function answered(connection: ReturnType<typeof tcp>, pattern: RegExp): Promise<string> {
  try {
    return await connection.until(pattern);
  } finally {
    connection.socket.destroy();
  }
}

/** An upgrade request as a client writes it, with headers to add or leave out (`undefined`). */
function handshake(path: string, headers: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": KEY,
    "Sec-WebSocket-Version": "13",
    ...headers,
  };
  const lines = Object.entries(all).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** A masked text frame, as a client must send it. */
function maskedText(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const mask = [0x12, 0x34, 0x56, 0x78];
  return new Uint8Array([0x81, 0x80 | payload.length, ...mask, ...payload.map((b, i) => b ^ (mask[i % 4] as number))]);
}

test("Node.js: echoes text and binary frames; the selected subprotocol, data and address reach the socket", async () => {
  await onNode([], async (server) => {
    const offering = await open(server, "a", ["v2", "json"]);
    assert.equal(offering.socket.protocol, "json");
    offering.send("whoami");
    assert.deepEqual((await offering.next()).json, {
      protocol: "json",
      data: { name: "a" },
      remoteAddress: "127.0.0.1",
      origin: null,
    });
    offering.send("hello, Node");
    assert.equal((await offering.next()).text, "hello, Node");
    offering.send(new Uint8Array([1, 2, 3, 4, 5]));
    assert.equal((await offering.next()).text, "binary 5");
    const none = await open(server, "b", []);
    assert.equal(none.socket.protocol, "");
    none.send("whoami");
    assert.equal((await none.next()).json.protocol, "");
    offering.close();
    none.close();
    await Promise.all([offering.closed, none.closed]);
  });
});

test("Node.js: a handler that throws or rejects closes only its connection, with 1011", async () => {
  await onNode([], async (server) => {
    const watch = await watcher(server);
    const [thrower, rejecter, bystander] = await Promise.all([
      open(server, "thrower"),
      open(server, "rejecter"),
      open(server, "bystander"),
    ]);
    thrower.send("throw");
    rejecter.send("reject");
    assert.deepEqual(await thrower.closed, { code: 1011, reason: "internal error" });
    assert.deepEqual(await rejecter.closed, { code: 1011, reason: "internal error" });
    assert.deepEqual(await closes(watch, ["thrower", "rejecter"]), {
      thrower: [1011, "internal error"],
      rejecter: [1011, "internal error"],
    });
    bystander.send("still here");
    assert.equal((await bystander.next()).text, "still here");
    bystander.close();
    watch.close();
  });
});

test("Node.js: a frame over maxFrameBytes gets 1009 at the peer and (1009, why) in the close handler", async () => {
  await onNode([], async (server) => {
    const watch = await watcher(server);
    const [text, binary] = await Promise.all([open(server, "text"), open(server, "binary")]);
    text.send("x".repeat(1024));
    assert.equal((await text.next()).text, "x".repeat(1024), "a frame of exactly maxFrameBytes passes");
    text.send("x".repeat(1025));
    binary.send(new Uint8Array(4096));
    assert.equal((await text.closed).code, 1009);
    assert.equal((await binary.closed).code, 1009);
    assert.deepEqual(await closes(watch, ["text", "binary"]), {
      text: [1009, "frame larger than 1024 bytes"],
      binary: [1009, "frame larger than 1024 bytes"],
    });
    watch.close();
  });
});

test("Node.js: malformed handshakes get 400 or 426, a refusing upgrade hook its status, plain HTTP 404", async () => {
  await onNode([], async (server) => {
    const answers = await Promise.all([
      tcp(server.port, handshake("/", { "Sec-WebSocket-Key": undefined })).closed(),
      tcp(server.port, handshake("/", { "Sec-WebSocket-Version": "8" })).closed(),
      tcp(server.port, handshake("/private")).closed(),
      // Without `Connection: Upgrade` it is a plain request, answered on a connection kept alive.
      answered(tcp(server.port, handshake("/", { Connection: "keep-alive" })), /upgrade needs/),
      tcp(server.port, "GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").closed(),
    ]);
    const statuses = answers.map((answer) => answer.split("\r\n")[0]);
    assert.deepEqual(statuses, [
      "HTTP/1.1 400 Bad Request",
      "HTTP/1.1 426 Upgrade Required",
      "HTTP/1.1 401 Unauthorized",
      "HTTP/1.1 400 Bad Request",
      "HTTP/1.1 404 Not Found",
    ]);
    assert.match(answers[1] as string, /\r\nsec-websocket-version: 13\r\n/i);
  });
});

test("Node.js: publish reaches a topic's subscribers only", async () => {
  await onNode([], async (server) => {
    const [a, b, outsider] = await Promise.all([open(server, "a"), open(server, "b"), open(server, "outsider")]);
    for (const client of [a, b]) {
      client.send("sub news");
      assert.equal((await client.next()).text, "subscribed news");
    }
    a.send("pub news extra, extra");
    assert.equal((await a.next()).text, "extra, extra");
    assert.equal((await b.next()).text, "extra, extra");
    // The publish happened before the outsider's echo is handled: had it been sent the news, the news would be first.
    outsider.send("nothing for me?");
    assert.equal((await outsider.next()).text, "nothing for me?");
    for (const client of [a, b, outsider]) client.close();
  });
});

test("Node.js: a peer silent to pings is cut (1006), and so is one that ignores the close frame (the server's code)", async () => {
  await onNode([], async (server) => {
    const watch = await watcher(server);
    const silent = tcp(server.port, handshake("/?name=silent"));
    const stubborn = tcp(server.port, handshake("/?name=stubborn"));
    await Promise.all([silent.until(/^HTTP\/1\.1 101 /), stubborn.until(/^HTTP\/1\.1 101 /)]);
    stubborn.socket.write(maskedText("close-me"));
    // The server's close frame: 0x88, length, code 4000 (0x0fa0), "asked to"; then nothing comes back from us.
    await stubborn.until(`${String.fromCharCode(0x88, 10, 0x0f, 0xa0)}asked to`);
    const started = Date.now();
    // The close handler is told what the server sent, whatever the peer did.
    assert.deepEqual(await closes(watch, ["stubborn"], 3_000), { stubborn: [4000, "asked to"] });
    assert.ok(Date.now() - started >= 300, "cut after closeTimeout (500 ms), not at once");
    await stubborn.closed(1_000);
    // idleTimeout is 1 s: pinged at the first tick, cut at the second.
    await silent.until(String.fromCharCode(0x89, 0), 3_000);
    assert.deepEqual(await closes(watch, ["silent"], 4_000), { silent: [1006, ""] });
    await silent.closed(1_000);
    watch.send("still answering pings");
    assert.equal((await watch.next()).text, "still answering pings");
    watch.close();
  });
});

test("Node.js: stop() closes every connection with 1001", async () => {
  const server = await startNodeServer(ENTRY);
  try {
    const client = await open(server, "a");
    client.send("ready?");
    assert.equal((await client.next()).text, "ready?");
    await server.stop();
    assert.deepEqual(await client.closed, { code: 1001, reason: "server stopping" });
  } finally {
    await server.stop();
  }
});

test("Node.js: attach() serves WebSockets on an existing http.Server that keeps its plain requests", async () => {
  await onNode(["--attach"], async (server) => {
    const response = await fetch(server.url.replace("ws:", "http:") + "plain");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "hello over HTTP at /plain\n");
    const client = await open(server, "a");
    assert.equal(client.socket.protocol, "json");
    client.send("over the attached server");
    assert.equal((await client.next()).text, "over the attached server");
    const refused = await tcp(server.port, handshake("/private")).closed();
    assert.match(refused, /^HTTP\/1\.1 401 /);
    const watch = await watcher(server);
    client.send("throw");
    assert.equal((await client.closed).code, 1011);
    assert.deepEqual(await closes(watch, ["a"]), { a: [1011, "internal error"] });
    watch.close();
  });
});
