/**
 * The typed server's small parts, without a network: close reasons, the
 * handshake checks, topics and limits.
 */
import { test } from "node:test";
import { UpgradeReservations } from "../src/server/upgrade_reservations.ts";
import assert from "node:assert/strict";
import { closeReason, MAX_CLOSE_REASON_BYTES } from "../src/server/close_reason.ts";
import { handshakeProblem } from "../src/server/handshake.ts";
import { TopicRegistry } from "../src/server/topics.ts";
import { DEFAULT_LIMITS, resolveLimits } from "../src/server/policy.ts";

const bytes = (text: string) => new TextEncoder().encode(text).length;

test("a close reason is kept when it fits, and cut at a character boundary when it does not", () => {
  for (const unit of ["a", "é", "€", "😀"]) {
    for (let count = 0; count < 130; count++) {
      const reason = unit.repeat(count);
      const cut = closeReason(reason);
      assert.ok(bytes(cut) <= MAX_CLOSE_REASON_BYTES, `${unit} x ${count}: ${bytes(cut)} bytes`);
      if (bytes(reason) <= MAX_CLOSE_REASON_BYTES) assert.equal(cut, reason);
      else {
        assert.ok(cut.endsWith("..."));
        assert.ok(reason.startsWith(cut.slice(0, -3)), "a prefix of whole characters");
        assert.ok(!/[\ud800-\udbff]$/.test(cut.slice(0, -3)), "no half of a surrogate pair");
      }
    }
  }
  assert.equal(closeReason("x".repeat(123)), "x".repeat(123));
  assert.equal(closeReason("x".repeat(124)), `${"x".repeat(120)}...`);
});

const upgrade = (headers: Record<string, string>, method = "GET") =>
  new Request("http://127.0.0.1/", {
    method,
    headers: {
      upgrade: "websocket",
      connection: "keep-alive, Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
      ...headers,
    },
  });

test("handshakes are checked as RFC 6455 says: 400 for a malformed one, 426 for another version", () => {
  assert.equal(handshakeProblem(upgrade({})), undefined);
  assert.equal(handshakeProblem(upgrade({ connection: "keep-alive" }))?.status, 400);
  assert.equal(handshakeProblem(upgrade({ "sec-websocket-key": "abc" }))?.status, 400);
  assert.equal(handshakeProblem(upgrade({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ" }))?.status, 400);
  assert.equal(handshakeProblem(upgrade({}, "POST"))?.status, 400);
  const version = handshakeProblem(upgrade({ "sec-websocket-version": "8" }));
  assert.equal(version?.status, 426);
  assert.equal(version?.headers.get("sec-websocket-version"), "13");
});

test("topics: subscribers by topic, and a dropped subscriber leaves every topic", () => {
  const topics = new TopicRegistry<string>();
  const of = (topic: string) => [...topics.subscribers(topic)];
  topics.subscribe("a", "x");
  topics.subscribe("a", "y");
  topics.subscribe("b", "x");
  assert.deepEqual(of("x"), ["a", "b"]);
  topics.unsubscribe("b", "x");
  assert.deepEqual(of("x"), ["a"]);
  topics.drop("a");
  assert.deepEqual([...of("x"), ...of("y")], []);
});

test("limits: defaults filled in; nonsense refused with the limit's name", () => {
  assert.deepEqual(resolveLimits(), DEFAULT_LIMITS);
  assert.equal(resolveLimits({ burst: 5 }).burst, 5);
  assert.equal(resolveLimits({ idleTimeout: 0 }).idleTimeout, 0);
  assert.throws(() => resolveLimits({ burst: 0 }), /limits.burst must be a positive number, got 0/);
  assert.throws(() => resolveLimits({ framesPerSecond: Number.NaN }), /limits.framesPerSecond/);
  assert.throws(() => resolveLimits({ nope: 1 } as never), /unknown limit "nope"/);
});

test("an accepted upgrade holds its place until its socket opens, or until the handshake's grace runs out", () => {
  const held = new UpgradeReservations(100);
  held.reserve("a", 0);
  held.reserve("a", 10);
  held.reserve("b", 20);
  assert.equal(held.count("a", 50), 2);
  assert.equal(held.total(50), 3);
  held.release("a");
  assert.equal(held.count("a", 50), 1, "an opened socket gives its place back");
  assert.equal(held.count("a", 115), 0, "past the grace, a handshake that never finished holds nothing");
  assert.equal(held.total(115), 1);
  assert.equal(held.total(125), 0);
  held.release("b");
  assert.equal(held.total(125), 0, "releasing what expired changes nothing");
});
