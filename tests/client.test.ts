/**
 * The typed client against real servers: `Bun.serve` under `bun test`,
 * `Deno.serve` under `deno test`, on 127.0.0.1.
 */
import { test } from "node:test";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import {
  ClientClosedError,
  type ClientOptions,
  closeCodeName,
  connect,
  drained,
  HANDSHAKE_FAILED,
  IDLE_TIMEOUT,
  isTerminalCode,
  messagesOf,
  MixedContentError,
  nextMessage,
  OutgoingMessageError,
  QueueFullError,
  TimeoutError,
  TypewireClient,
  type UrlSource,
  watchIdle,
} from "../src/client/mod.ts";
import type {
  CloseEventInfo,
  ErrorEventInfo,
  HandlerErrorEventInfo,
  QueueOverflowEventInfo,
  ReconnectingEventInfo,
} from "../src/client/mod.ts";
import { type ClientMessage, echoProtocol, type ServerMessage } from "./fixtures/generated/echo.ts";
import { freePort, nextEvent, startEchoServer } from "./support/test_server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLOSE_THEN_EXIT = join(ROOT, "tests", "support", "close_then_exit.ts");

type EchoClient = TypewireClient<ServerMessage, ClientMessage, "type">;
type EchoOptions = ClientOptions<ServerMessage, ClientMessage, "type">;

function echoClient(url: UrlSource, options: EchoOptions = {}): EchoClient {
  return connect(echoProtocol, url, { reconnect: false, ...options });
}

const say = (seq: number, text = `line ${seq}`): ClientMessage => ({ type: "say", seq, text });

test("sends made before open are queued, flushed in order on open, before open handlers run", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    const statuses = [1, 2, 3, 4, 5].map((seq) => client.send(say(seq)));
    assert.deepEqual(statuses, ["queued", "queued", "queued", "queued", "queued"]);
    assert.equal(client.readyState, TypewireClient.CONNECTING);
    const seenAtOpen = await new Promise<{ queued: number; sent: number; status: string }>((resolve) => {
      client.onopen = () => resolve({ queued: client.queued, sent: client.stats.sent, status: client.send(say(6)) });
    });
    assert.deepEqual(seenAtOpen, { queued: 0, sent: 5, status: "sent" });
    const frames = await server.received(6);
    assert.deepEqual(frames.map((f) => JSON.parse(f).seq), [1, 2, 3, 4, 5, 6]);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("the client offers subprotocols and exposes the server's pick", async () => {
  const server = await startEchoServer();
  const offering = echoClient(server.url, { protocols: ["echo.v2", "echo.v1"] });
  const defaulting = echoClient(server.url);
  try {
    await Promise.all([nextEvent(offering, "open"), nextEvent(defaulting, "open")]);
    assert.equal(offering.protocol, "echo.v1");
    assert.equal(defaulting.protocol, "echo.v1", "the descriptor's subprotocols are offered by default");
  } finally {
    await Promise.all([offering.close(), defaulting.close()]);
    await server.stop();
  }
});

test("messages are routed by type to typed handlers; unknown types and invalid frames have their own routes", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    const socket = await server.opened(1);
    const echoes: string[] = [];
    const unknown: unknown[] = [];
    const invalid: string[] = [];
    const hellos: number[] = [];
    client.on("hello", (m) => hellos.push(m.session));
    const off = client.on("echo", (m) => echoes.push(m.text.toUpperCase()));
    client.onUnknown((type) => unknown.push(type));
    client.onInvalid((error) => invalid.push(error.kind === "invalid" ? `${error.kind} ${error.pointer}` : error.kind));
    await nextEvent(client, "open");
    socket.send('{"type":"shout","text":"hi"}');
    socket.send('{"type":"echo","seq":-1,"text":"x"}');
    socket.send("{not json");
    socket.send("[]");
    socket.send('{"type":"echo","seq":1,"text":"routed"}');
    await nextMessage(client, "echo", { timeout: 5_000 });
    assert.deepEqual(hellos, [1]);
    assert.deepEqual(echoes, ["ROUTED"]);
    assert.deepEqual(unknown, ["shout"]);
    assert.deepEqual(invalid, ["invalid /seq", "not-json", "not-object"]);
    off();
    socket.send('{"type":"echo","seq":2,"text":"after off"}');
    await nextMessage(client, "echo", { timeout: 5_000 });
    assert.deepEqual(echoes, ["ROUTED"], "an unsubscribed handler is not called");
  } finally {
    await client.close();
    await server.stop();
  }
});

test("a handler that throws is reported and later messages are still routed", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    const reached: number[] = [];
    client.on("echo", (m) => {
      if (m.seq === 1) throw new Error("handler bug");
    });
    client.on("echo", (m) => m.seq === 2 ? Promise.reject(new Error("async handler bug")) : undefined);
    client.on("echo", (m) => reached.push(m.seq));
    const failures: string[] = [];
    client.onEvent("handlererror", (event: HandlerErrorEventInfo) => {
      failures.push(`${event.messageType}: ${(event.error as Error).message}`);
    });
    client.send(say(1));
    client.send(say(2));
    client.send(say(3));
    await nextMessage(client, "echo", { filter: (m) => m.seq === 3, timeout: 5_000 });
    assert.deepEqual(reached, [1, 2, 3]);
    assert.deepEqual(failures, ["echo: handler bug", "echo: async handler bug"]);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("an exhaustive handler table routes every type (and a class instance works as one)", async () => {
  const server = await startEchoServer();
  class Handlers {
    seen: string[] = [];
    hello() {
      this.seen.push("hello");
    }
    echo(m: { text: string }) {
      this.seen.push(`echo ${m.text}`);
    }
    pong(m: { seq: number }) {
      this.seen.push(`pong ${m.seq}`);
    }
  }
  const handlers = new Handlers();
  const client = echoClient(server.url, { handlers });
  try {
    client.send(say(1, "a"));
    client.send({ type: "ping", seq: 9 });
    await nextMessage(client, "pong", { timeout: 5_000 });
    assert.deepEqual(handlers.seen, ["hello", "echo a", "pong 9"]);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("next() waits with a filter, times out, and honours an AbortSignal", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    const third = nextMessage(client, "echo", { filter: (m) => m.seq === 3 });
    for (const seq of [1, 2, 3]) client.send(say(seq));
    assert.equal((await third).seq, 3);
    await assert.rejects(
      nextMessage(client, "pong", { timeout: 50 }),
      (error) => error instanceof TimeoutError && error.type === "pong",
    );
    const controller = new AbortController();
    const aborted = nextMessage(client, "pong", { signal: controller.signal });
    controller.abort(new Error("not interested"));
    await assert.rejects(aborted, /not interested/);
    const pending = nextMessage(client, "pong");
    await client.close();
    await assert.rejects(pending, ClientClosedError);
    await assert.rejects(nextMessage(client, "pong"), ClientClosedError);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("for await iterates the messages of a type and ends when the client closes", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    const collected = (async () => {
      const seqs: number[] = [];
      for await (const echo of messagesOf(client, "echo")) {
        seqs.push(echo.seq);
        if (seqs.length === 3) void client.close();
      }
      return seqs;
    })();
    for (const seq of [1, 2, 3]) client.send(say(seq));
    assert.deepEqual(await collected, [1, 2, 3]);
    const none: unknown[] = [];
    for await (const echo of messagesOf(client, "echo")) none.push(echo);
    assert.deepEqual(none, [], "a closed client's iterator ends at once");
  } finally {
    await client.close();
    await server.stop();
  }
});

test("readyState goes CONNECTING, OPEN, CLOSING, CLOSED and close() reaches the server with its code and reason", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    assert.equal(client.readyState, TypewireClient.CONNECTING);
    await nextEvent(client, "open");
    assert.equal(client.readyState, TypewireClient.OPEN);
    const closeEvent = nextEvent<CloseEventInfo>(client, "close");
    const closed = client.close(4001, "bye");
    assert.equal(client.readyState, TypewireClient.CLOSING);
    await closed;
    assert.equal(client.readyState, TypewireClient.CLOSED);
    const event = await closeEvent;
    assert.equal(event.code, 4001);
    assert.equal(closeCodeName(event.code), "application code");
    assert.equal(event.willReconnect, false);
    assert.deepEqual((await server.closed(1)).at(-1), { code: 4001, reason: "bye" });
    assert.throws(() => client.send(say(1)), ClientClosedError);
  } finally {
    await server.stop();
  }
});

test("a close from the server carries its code and name; 1008 is not reconnected by default", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url, { reconnect: { minDelay: 10 } });
  try {
    const socket = await server.opened(1);
    await nextEvent(client, "open");
    const closing = nextEvent<CloseEventInfo>(client, "close");
    socket.close(1008, "not welcome");
    const event = await closing;
    assert.deepEqual(
      [event.code, closeCodeName(event.code), event.reason, event.wasClean, event.willReconnect, event.gaveUp],
      [1008, "policy violation", "not welcome", true, false, false],
    );
    assert.equal(client.readyState, TypewireClient.CLOSED);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("connecting where nothing listens gives an error event, then close 1006", async () => {
  const port = await freePort();
  const client = echoClient(`ws://127.0.0.1:${port}/`);
  const order: string[] = [];
  client.onEvent("error", () => order.push("error"));
  const closed = nextEvent<CloseEventInfo>(client, "close");
  client.onEvent("close", () => order.push("close"));
  const event = await closed;
  assert.deepEqual(order, ["error", "close"]);
  assert.equal(event.code, 1006);
  assert.equal(closeCodeName(event.code), "abnormal closure");
  assert.equal(event.wasClean, false);
  assert.equal(client.readyState, TypewireClient.CLOSED);
});

test("after the server restarts, the client reconnects and every message sent while down arrives once, in order", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url, { reconnect: { minDelay: 20, maxDelay: 100 } });
  try {
    await nextEvent(client, "open");
    client.send(say(0));
    await server.received(1);
    const dropped = nextEvent<CloseEventInfo>(client, "close");
    await server.stop();
    const event = await dropped;
    assert.equal(event.code, 1001);
    assert.equal(event.willReconnect, true);
    const statuses = Array.from({ length: 50 }, (_, i) => client.send(say(i + 1)));
    assert.ok(statuses.every((s) => s === "queued"));
    const reconnected = nextEvent(client, "reconnected", 10_000);
    await server.start();
    await reconnected;
    const frames = await server.received(51);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(server.frames.map((f) => JSON.parse(f).seq), Array.from({ length: 51 }, (_, i) => i));
    assert.equal(frames.length, 51, "nothing was sent twice");
    assert.equal(client.stats.reconnects, 1);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("reconnection backs off with jitter, resets only after the minimum uptime, and gives up after maxAttempts", async () => {
  const port = await freePort();
  const draws: number[] = [];
  const client = echoClient(`ws://127.0.0.1:${port}/`, {
    reconnect: { minDelay: 40, maxDelay: 100, factor: 2, maxAttempts: 3, random: () => (draws.push(0.5), 0.5) },
  });
  const attempts: [number, number][] = [];
  client.onEvent("reconnecting", (e: ReconnectingEventInfo) => attempts.push([e.attempt, e.delay]));
  const closes: CloseEventInfo[] = [];
  const finalClose = new Promise<CloseEventInfo>((resolve) =>
    client.onEvent("close", (e: CloseEventInfo) => (closes.push(e), !e.willReconnect && resolve(e)))
  );
  const event = await finalClose;
  assert.deepEqual(attempts, [[1, 20], [2, 40], [3, 50]], "half of min(maxDelay, minDelay * 2^n)");
  assert.equal(draws.length, 3);
  assert.equal(client.readyState, TypewireClient.CLOSED);
  assert.deepEqual(
    closes.map((e) => [e.willReconnect, e.gaveUp, e.attempts]),
    [[true, false, 0], [true, false, 1], [true, false, 2], [false, true, 3]],
    "the final close says the client gave up, after how many attempts",
  );
  assert.equal(event.code, 1006);
  assert.equal(client.stats.gaveUp, 1);
});

test("the attempt count starts again only once a connection stayed up for minUptime", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url, { reconnect: { minDelay: 10, maxDelay: 20, minUptime: 200 } });
  const attempts: number[] = [];
  client.onEvent("reconnecting", (e: ReconnectingEventInfo) => attempts.push(e.attempt));
  try {
    for (let i = 1; i <= 3; i++) (await server.opened(i)).close(1011, "flapping");
    await server.opened(4);
    await nextEvent(client, "open");
    await new Promise((resolve) => setTimeout(resolve, 600));
    (await server.opened(4)).close(1011, "after a stable while");
    await nextEvent(client, "reconnected");
    assert.deepEqual(attempts, [1, 2, 3, 1]);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("shouldReconnect and terminal codes decide after a close", async () => {
  const server = await startEchoServer();
  const terminal = echoClient(server.url, { reconnect: { minDelay: 10, terminalCodes: [4321] } });
  const custom = echoClient(server.url, { reconnect: { minDelay: 10, shouldReconnect: (c) => c.reason !== "stop" } });
  try {
    await Promise.all([nextEvent(terminal, "open"), nextEvent(custom, "open")]);
    const closes = [nextEvent<CloseEventInfo>(terminal, "close"), nextEvent<CloseEventInfo>(custom, "close")];
    for (const socket of [await server.opened(1), await server.opened(2)]) socket.close(4321, "stop");
    const events = await Promise.all(closes);
    assert.deepEqual(events.map((e) => [e.code, e.willReconnect]), [[4321, false], [4321, false]]);
    const another = echoClient(server.url, { reconnect: { minDelay: 10, terminalCodes: [4321] } });
    await nextEvent(another, "open");
    const closing = nextEvent<CloseEventInfo>(another, "close");
    (await server.opened(3)).close(4000, "stop");
    assert.equal((await closing).willReconnect, true, "4000 is not terminal for this client");
    await another.close();
  } finally {
    await Promise.all([terminal.close(), custom.close()]);
    await server.stop();
  }
});

test("the handshake hook runs on every connection before queued messages flush", async () => {
  const server = await startEchoServer();
  let handshakes = 0;
  const client = echoClient(server.url, {
    reconnect: { minDelay: 10 },
    handshake: async (session) => {
      const hello = await nextMessage(session.client, "hello", { timeout: 5_000, signal: session.signal });
      handshakes++;
      session.send({ type: "ping", seq: 1000 + hello.session });
    },
  });
  try {
    client.send(say(1));
    await server.received(2);
    assert.deepEqual(server.frames.map((f) => JSON.parse(f).type), ["ping", "say"]);
    const dropped = nextEvent(client, "close");
    (await server.opened(1)).close(1012, "restart");
    await dropped;
    client.send(say(2));
    await server.received(4);
    assert.deepEqual(server.frames.slice(2).map((f) => JSON.parse(f)), [{ type: "ping", seq: 1002 }, say(2)]);
    assert.equal(handshakes, 2);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("a handshake that fails closes with 4101 and is retried", async () => {
  const server = await startEchoServer();
  let calls = 0;
  const client = echoClient(server.url, {
    reconnect: { minDelay: 10 },
    handshakeTimeout: 100,
    handshake: async (session) => {
      calls++;
      if (calls === 1) await nextMessage(session.client, "pong", { signal: session.signal });
    },
  });
  try {
    const closed = await nextEvent<CloseEventInfo>(client, "close");
    assert.equal(closed.code, HANDSHAKE_FAILED);
    assert.match(closed.reason, /handshake failed: the handshake took longer than 100 ms/);
    assert.equal(closed.willReconnect, true);
    await nextEvent(client, "open");
    assert.equal(calls, 2);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("watchIdle detects an idle connection, pinging first, and reconnects", async () => {
  const server = await startEchoServer();
  let pings = 0;
  const client = echoClient(server.url, {
    reconnect: { minDelay: 10 },
  });
  watchIdle(client, { timeout: 300, ping: (): ClientMessage => ({ type: "ping", seq: ++pings }) });
  try {
    await nextEvent(client, "open");
    await nextMessage(client, "pong", { timeout: 2_000 });
    server.silent = true;
    const started = Date.now();
    const closed = await nextEvent<CloseEventInfo>(client, "close", 3_000);
    const waited = Date.now() - started;
    assert.equal(closed.code, IDLE_TIMEOUT);
    assert.equal(closeCodeName(closed.code), "idle timeout");
    assert.ok(waited < 1_500, `detected after ${waited} ms`);
    server.silent = false;
    await nextEvent(client, "reconnected");
    assert.ok(pings >= 2);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("on a page loaded over https, a ws: URL is refused with a clear error", async () => {
  const page = { protocol: "https:", href: "https://chat.example/room" };
  assert.throws(
    () => echoClient("ws://127.0.0.1:6502/", { location: page }),
    (error) => error instanceof MixedContentError && /must use wss:/.test(error.message),
  );
  assert.throws(() => echoClient("http://127.0.0.1:6502/", { location: page }), MixedContentError);
  const provided = echoClient(() => "ws://127.0.0.1:6502/", { location: page, reconnect: { minDelay: 10 } });
  const error = await nextEvent<Event & { error: Error }>(provided, "error");
  assert.ok(error.error instanceof MixedContentError);
  assert.equal(provided.readyState, TypewireClient.CLOSED, "a refused URL is final, not retried");
});

test("http: URLs are mapped to ws:, and a URL provider is called before every attempt", async () => {
  const server = await startEchoServer();
  let calls = 0;
  const client = echoClient(() => Promise.resolve(`http://127.0.0.1:${server.port}/?attempt=${++calls}`), {
    reconnect: { minDelay: 10 },
  });
  try {
    await nextEvent(client, "open");
    (await server.opened(1)).close(1012, "restart");
    await nextEvent(client, "reconnected");
    assert.equal(calls, 2);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("a list of URLs is tried in turn, one per attempt: a dead instance is passed over for the next", async () => {
  const dead = `ws://127.0.0.1:${await freePort()}/`;
  const server = await startEchoServer();
  const client = echoClient([dead, `ws://127.0.0.1:${server.port}/`], { reconnect: { minDelay: 10, maxDelay: 20 } });
  try {
    const failed = nextEvent<CloseEventInfo>(client, "close");
    await nextEvent(client, "open");
    assert.equal((await failed).code, 1006, "the first URL failed first");
    client.send(say(1));
    assert.equal((await nextMessage(client, "echo", { timeout: 5_000 })).seq, 1);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("a list of URLs must hold at least one, and every one is checked at once", () => {
  assert.throws(() => echoClient([]), SyntaxError);
  assert.throws(() => echoClient(["ws://127.0.0.1:1/", "ftp://example.com/"]), /not a WebSocket URL: ftp:/);
});

test("a frame above maxFrameLength is refused as too-large, unparsed, and a binary frame as binary", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url, { maxFrameLength: 1000 });
  try {
    const socket = await server.opened(1);
    await nextEvent(client, "open");
    const refused: string[] = [];
    client.onInvalid((error) =>
      refused.push(error.kind === "too-large" ? `too-large ${error.length}>${error.limit}` : error.kind)
    );
    const big = JSON.stringify({ type: "echo", seq: 1, text: "x".repeat(2000) });
    socket.send(big);
    socket.send(JSON.stringify({ type: "echo", seq: 2, text: "fits" }));
    assert.equal((await nextMessage(client, "echo", { timeout: 5_000 })).seq, 2);
    assert.deepEqual(refused, [`too-large ${big.length}>1000`]);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("an invalid outgoing message is a typed error naming the field, and nothing is sent", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    await nextEvent(client, "open");
    assert.throws(
      () => client.send({ type: "say", seq: -1, text: "x" }),
      (error) =>
        error instanceof OutgoingMessageError && error.detail.kind === "invalid" && error.detail.pointer === "/seq" &&
        /cannot send: invalid "say" message at \/seq: expected an integer of at least 0/.test(error.message),
    );
    client.send(say(1));
    await server.received(1);
    assert.equal(server.frames.length, 1);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("the queue is bounded: 'reject' throws QueueFullError, 'drop-oldest' reports what it dropped", async () => {
  const port = await freePort();
  const rejecting = echoClient(`ws://127.0.0.1:${port}/`, { queue: { maxMessages: 2 } });
  rejecting.send(say(1));
  rejecting.send(say(2));
  assert.throws(() => rejecting.send(say(3)), QueueFullError);
  const frame = JSON.stringify(say(1)).length;
  const dropping = echoClient(`ws://127.0.0.1:${port}/`, {
    queue: { maxMessages: 100, maxBytes: 3 * frame, overflow: "drop-oldest" },
  });
  const dropped: unknown[] = [];
  dropping.onEvent("queueoverflow", (e: QueueOverflowEventInfo) => dropped.push(e.dropped));
  for (let seq = 1; seq <= 5; seq++) dropping.send(say(seq));
  assert.deepEqual(dropped, [say(1), say(2)]);
  assert.equal(dropping.queued, 3);
  assert.equal(dropping.stats.dropped, 2);
  await Promise.all([rejecting.close(), dropping.close()]);
  assert.equal(dropping.stats.discarded, 3, "messages still queued when the client closes for good are counted");
});

test("bufferedAmount counts typewire's own queue; drained() resolves once it is back under the high-water mark", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    for (let seq = 0; seq < 10; seq++) client.send(say(seq, "x".repeat(20)));
    const frameLength = JSON.stringify(say(0, "x".repeat(20))).length;
    assert.equal(client.bufferedAmount, 10 * frameLength);
    await drained(client, 100);
    assert.equal(client.queued, 0);
    assert.ok(client.bufferedAmount <= 100);
    await server.received(10);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("close() lets queued messages go out before the closing handshake", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  try {
    for (let seq = 1; seq <= 20; seq++) client.send(say(seq));
    await client.close(1000, "done");
    assert.deepEqual((await server.closed(1)).at(-1), { code: 1000, reason: "done" });
    assert.deepEqual(server.frames.map((f) => JSON.parse(f).seq), Array.from({ length: 20 }, (_, i) => i + 1));
  } finally {
    await server.stop();
  }
});

test("reconnect() drops the connection and connects again at once", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url, { reconnect: { minDelay: 5_000 } });
  try {
    await nextEvent(client, "open");
    const reconnecting = nextEvent<ReconnectingEventInfo>(client, "reconnecting");
    client.reconnect();
    assert.equal((await reconnecting).delay, 0);
    await nextEvent(client, "reconnected");
    assert.equal(client.readyState, TypewireClient.OPEN);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("a Deno and a Bun process that end with `await client.close()` exit at once: the client holds no timer", async () => {
  const server = await startEchoServer();
  const nowhere = `ws://127.0.0.1:${await freePort()}/`;
  try {
    for (const runtime of ["deno", "bun"]) {
      for (const [mode, url] of [["open", server.url], ["handshake", server.url], ["reconnecting", nowhere]]) {
        const exe = join(ROOT, "node_modules", ".bin", runtime);
        const args = runtime === "deno"
          ? ["run", "-A", "--no-lock", CLOSE_THEN_EXIT, url, mode]
          : [CLOSE_THEN_EXIT, url, mode];
        const child = spawn(exe, args as string[], { stdio: ["ignore", "pipe", "inherit"] });
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        const closedAt = await new Promise<number>((resolve, reject) => {
          child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("closed") && resolve(performance.now()));
          void exited.then(() => reject(new Error(`${runtime} ${mode}: exited before close() resolved`)));
          setTimeout(() => reject(new Error(`${runtime} ${mode}: close() did not resolve in 20 s`)), 20_000);
        });
        const code = await exited;
        const lingered = performance.now() - closedAt;
        assert.equal(code, 0, `${runtime} ${mode}: exit code`);
        assert.ok(lingered < 1_000, `${runtime} ${mode}: exited ${Math.round(lingered)} ms after close() resolved`);
      }
    }
    assert.deepEqual(server.frames.map((f) => JSON.parse(f).text), ["last words", "last words"]);
  } finally {
    await server.stop();
  }
});

test("4400-4499 and 1008 are terminal by default, other closes are retried; terminalCodes adds codes", async () => {
  for (
    const [code, terminal] of [[4401, true], [4403, true], [4499, true], [1008, true], [4000, false], [1011, false]]
  ) {
    assert.equal(isTerminalCode(code as number), terminal, `isTerminalCode(${code})`);
  }
  const server = await startEchoServer();
  try {
    for (
      const [code, options, retried] of [
        [4401, {}, false],
        [4403, {}, false],
        [4400, {}, false],
        [4500, {}, true],
        [4500, { terminalCodes: [4500] }, false],
        [4401, { shouldReconnect: () => true }, true],
      ] as const
    ) {
      const client = echoClient(server.url, { reconnect: { minDelay: 10, ...options } });
      await nextEvent(client, "open");
      const closing = nextEvent<CloseEventInfo>(client, "close");
      [...server.sockets].at(-1)?.close(code, "go away");
      const event = await closing;
      assert.equal(event.willReconnect, retried, `${code} with ${JSON.stringify(options)}`);
      assert.equal(event.gaveUp, false, "refused, not given up");
      await client.close();
    }
  } finally {
    await server.stop();
  }
});

test("a failed connection's error passes on the runtime's cause, or says that the WebSocket API gives none", async () => {
  const url = `ws://127.0.0.1:${await freePort()}/`;
  const client = echoClient(url);
  const event = await nextEvent<ErrorEventInfo>(client, "error");
  const runtimeSays = (event.error.cause as ErrorEvent | undefined)?.message ?? "";
  assert.notEqual(runtimeSays, "", "Deno and Bun say what failed");
  assert.equal(event.error.message, `WebSocket error on ${url}: ${runtimeSays}`);
  await client.close();

  // A browser's error event carries no message at all.
  class SilentSocket extends EventTarget {
    readonly readyState = 0;
    readonly protocol = "";
    readonly bufferedAmount = 0;
    binaryType = "blob";
    onerror: ((event: Event) => void) | null = null;
    onclose: ((event: Event) => void) | null = null;
    constructor() {
      super();
      setTimeout(() => {
        this.onerror?.(new Event("error"));
        this.onclose?.(Object.assign(new Event("close"), { code: 1006, reason: "", wasClean: false }));
      }, 1);
    }
    send() {}
    close() {}
  }
  const silent = echoClient(url, { WebSocket: SilentSocket as unknown as typeof WebSocket });
  const quiet = await nextEvent<ErrorEventInfo>(silent, "error");
  assert.equal(
    quiet.error.message,
    `WebSocket error on ${url} (the WebSocket API gives no cause: the server may be down, or refused the upgrade)`,
  );
  await silent.close();
});

test("onEvent: typed plain events, once, removal, and a listener that throws does not stop the others", async () => {
  const server = await startEchoServer();
  const client = echoClient(server.url);
  const seen: string[] = [];
  const errors: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void errors.push(args);
  try {
    client.onopen = (event) => seen.push(`property ${event.type}`);
    client.onEvent("open", () => {
      throw new Error("listener bug");
    });
    client.onEvent("open", (event) => seen.push(`once ${event.type}`), { once: true });
    const removed = client.onEvent("open", () => seen.push("removed"));
    removed();
    await nextEvent(client, "open");
    assert.deepEqual(seen, ["property open", "once open"]);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]?.[0]), /a listener for "open" events failed/);
    client.reconnect();
    await nextEvent(client, "open");
    assert.deepEqual(seen, ["property open", "once open", "property open"], "once listeners ran once");
  } finally {
    console.error = original;
    await client.close();
    await server.stop();
  }
});
