/**
 * The client's parts that need no server: backoff, close code names, URL
 * resolution, the bounded queue, and construction rules.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { backoffDelay } from "../src/client/backoff.ts";
import { closeCodeName } from "../src/client/close_codes.ts";
import { MixedContentError, QueueFullError } from "../src/client/errors.ts";
import { SendQueue } from "../src/client/send_queue.ts";
import { resolveSocketUrl } from "../src/client/url.ts";
import { connect } from "../src/client/mod.ts";
import { echoProtocol } from "./fixtures/generated/echo.ts";
import { nextEvent, startEchoServer } from "./support/test_server.ts";

test("backoff is full jitter under an exponential cap", () => {
  const settings = { minDelay: 100, maxDelay: 5_000, factor: 2 };
  fc.assert(
    fc.property(fc.nat(40), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const cap = Math.min(5_000, 100 * 2 ** attempt);
      const delay = backoffDelay(attempt, { ...settings, random: () => r });
      assert.ok(delay >= 0 && delay < Math.max(cap, 1) && delay === Math.floor(r * cap));
    }),
  );
});

test("close codes have their RFC 6455 names", () => {
  const names: [number, string][] = [
    [1000, "normal closure"],
    [1001, "going away"],
    [1006, "abnormal closure"],
    [1008, "policy violation"],
    [1009, "message too big"],
    [1011, "internal error"],
    [3000, "registered code"],
    [4000, "application code"],
    [4999, "application code"],
    [4100, "idle timeout"],
    [999, "unknown code"],
  ];
  for (const [code, name] of names) assert.equal(closeCodeName(code), name);
});

test("URLs: http(s) map to ws(s), relative ones resolve against the page, https pages refuse ws", () => {
  assert.equal(resolveSocketUrl("http://a.example:6502", undefined), "ws://a.example:6502/");
  assert.equal(resolveSocketUrl("https://a.example/chat", undefined), "wss://a.example/chat");
  assert.equal(resolveSocketUrl(new URL("ws://127.0.0.1:1/x"), undefined), "ws://127.0.0.1:1/x");
  const page = { protocol: "https:", href: "https://a.example/room/" };
  assert.equal(resolveSocketUrl("/socket", page), "wss://a.example/socket");
  assert.throws(() => resolveSocketUrl("ws://a.example", page), MixedContentError);
  assert.throws(() => resolveSocketUrl("ftp://a.example", undefined), /not a WebSocket URL/);
  assert.throws(() => resolveSocketUrl("not a url", undefined), /not a URL/);
});

test("the send queue keeps order and its bounds", () => {
  const queue = new SendQueue<number>(3, 10, "drop-oldest");
  for (const n of [1, 2, 3, 4]) queue.push({ message: n, frame: "ab" });
  assert.deepEqual(queue.drain().map((q) => q.message), [2, 3, 4]);
  assert.equal(queue.bytes, 0);
  assert.throws(
    () => queue.push({ message: 9, frame: "x".repeat(11) }),
    QueueFullError,
    "a frame larger than the queue",
  );
  const strict = new SendQueue<number>(10, 4, "reject");
  strict.push({ message: 1, frame: "abc" });
  assert.throws(() => strict.push({ message: 2, frame: "ab" }), QueueFullError);
  assert.equal(strict.length, 1);
});

test("without a global WebSocket the client says how to inject one", () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
  Object.defineProperty(globalThis, "WebSocket", { value: undefined, configurable: true, writable: true });
  try {
    assert.throws(
      () => connect(echoProtocol, "ws://127.0.0.1:1/"),
      /no global WebSocket here: pass one as options\.WebSocket/,
    );
  } finally {
    if (original) Object.defineProperty(globalThis, "WebSocket", original);
  }
});

test("an injected WebSocket constructor is the one used", async () => {
  const server = await startEchoServer();
  const opened: string[] = [];
  const Native = globalThis.WebSocket;
  class Recording extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      opened.push(String(url));
    }
  }
  const client = connect(echoProtocol, server.url, { WebSocket: Recording, reconnect: false });
  try {
    await nextEvent(client, "open");
    assert.deepEqual(opened, [server.url]);
  } finally {
    await client.close();
    await server.stop();
  }
});
