/**
 * The runtime helpers generated code relies on: string length in code
 * points, picking arrays for the encoder, value descriptions, dispatch and guards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { codePointLength, lengthOutside } from "../src/runtime/length.ts";
import { pickList } from "../src/runtime/encode.ts";
import { describeValue, escapePointerSegment, shorten } from "../src/runtime/issue.ts";
import { invalidMessage } from "../src/runtime/decode.ts";
import { guardWith } from "../src/runtime/guard.ts";
import { chatProtocol, dispatchServerMessage, isIdMessage, isServerMessage } from "../src/generated/chat.ts";
import type { ServerMessageHandlers } from "../src/generated/chat.ts";

test("codePointLength counts surrogate pairs once and lone surrogates once", () => {
  assert.equal(codePointLength(""), 0);
  assert.equal(codePointLength("abc"), 3);
  assert.equal(codePointLength("😀😀"), 2);
  assert.equal(codePointLength("\ud800"), 1);
  assert.equal(codePointLength("\udc00\ud800"), 2);
  assert.equal(codePointLength("\ud800😀\udfff"), 3);
  fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => assert.equal(codePointLength(s), [...s].length)));
});

test("lengthOutside agrees with counting code points, for any bounds", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 30 }), fc.nat(20), fc.nat(20), (s, a, b) => {
      const [min, max] = a <= b ? [a, b] : [b, a];
      const n = [...s].length;
      assert.equal(lengthOutside(s, min, max), n < min || n > max);
    }),
  );
  assert.equal(lengthOutside("x".repeat(100), 0, Infinity), false);
});

test("codePointLength decides pairs at the ends of a string, and around a lone surrogate", () => {
  for (
    const [text, points] of [
      ["😀", 1],
      ["a😀", 2],
      ["😀a", 2],
      ["\ud83d", 1],
      ["a\ud83d", 2],
      ["\ude00a", 2],
      ["\ude00\ud83d", 2],
      ["\ud83d\ud83d\ude00", 2],
      ["\ud83d\ude00\ude00", 2],
      ["\udbff\udfff\ud800\udc00", 2],
      ["\ud7ff\udc00", 2],
      ["\ud800\ue000", 2],
    ] as const
  ) {
    assert.equal(codePointLength(text), points, JSON.stringify(text));
    assert.equal(codePointLength(text), [...text].length, JSON.stringify(text));
  }
});

test("codePointLength may stop once the count is within atMost, never returning more", () => {
  const text = "😀".repeat(10) + "a".repeat(10);
  assert.equal(codePointLength(text), 20);
  assert.equal(codePointLength(text, 25), 25, "stops as soon as five pairs are found");
  assert.equal(codePointLength(text, 20), 20);
  assert.equal(codePointLength(text, 19), 20, "never below the real count when that is above atMost");
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), fc.nat(40), (s, atMost) => {
      const points = [...s].length;
      const counted = codePointLength(s, atMost);
      if (points > atMost) assert.equal(counted, points);
      else assert.ok(counted <= atMost && counted >= points);
    }),
  );
});

test("lengthOutside counts only when UTF-16 units cannot decide, and decides right on both sides of the bound", () => {
  const max = 4096;
  // Over max units but at most max code points: only counting tells, and pairs anywhere count once.
  const pairs = "😀".repeat(100);
  for (const text of ["a".repeat(max - 100) + pairs, pairs + "a".repeat(max - 100), "😀".repeat(max)]) {
    assert.equal(lengthOutside(text, 0, max), false);
    assert.equal(lengthOutside(text + "a", 0, max), true);
    assert.equal(lengthOutside("a" + text, 0, max), true);
  }
  // A lone surrogate is one character: a broken pair does not shorten the count.
  assert.equal(lengthOutside("a".repeat(max - 1) + "\ud83d\ud83d", 0, max), true);
  assert.equal(lengthOutside("a".repeat(max - 1) + "\ude00", 0, max), false);
  assert.equal(lengthOutside("\ud83d".repeat(max + 1), 0, max), true);
  assert.equal(lengthOutside("😀".repeat(max) + "\ud83d", 0, max), true);
  assert.equal(lengthOutside("x".repeat(2 * max + 1), 0, max), true);
  assert.equal(lengthOutside("😀", 2, 3), true);
  assert.equal(lengthOutside("😀😀", 2, 3), false);
});

test("pickList picks every item by index, never through the array's own map", () => {
  const items = Object.assign([{ k: "a", extra: 1 }, { k: "b" }], { map: () => ["not this"] });
  assert.deepEqual(pickList(items, (v) => ({ k: v.k })), [{ k: "a" }, { k: "b" }]);
  assert.deepEqual(pickList([], (v) => v), []);
});

test("describeValue names what was found without echoing long input", () => {
  assert.equal(describeValue(undefined), "nothing (missing)");
  assert.equal(describeValue(null), "null");
  assert.equal(describeValue("ofer"), 'the string "ofer"');
  assert.equal(describeValue("x".repeat(41)), "a string of 41 characters");
  assert.equal(describeValue(3.5), "the number 3.5");
  assert.equal(describeValue(NaN), "the number NaN (not JSON)");
  assert.equal(describeValue([1, 2]), "an array of 2 items");
  assert.equal(describeValue({}), "an object");
  assert.equal(describeValue(1n), "a bigint (not JSON)");
});

test("JSON Pointer segments are escaped as RFC 6901 says", () => {
  assert.equal(escapePointerSegment("a/b~c"), "a~1b~0c");
  assert.equal(escapePointerSegment("~1"), "~01");
});

test("shorten cuts text to its limit with an ellipsis", () => {
  assert.equal(shorten("abc", 3), "abc");
  assert.equal(shorten("abcdef", 4), "abc…");
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 2, max: 40 }), (text, limit) => {
      const cut = shorten(text, limit);
      assert.ok(text.length <= limit ? cut === text : cut.length === limit && cut.endsWith("…"));
    }),
  );
});

test("a long JSON Pointer is cut in the error message and kept whole in the error", () => {
  const pointer = "/children/0".repeat(256);
  const error = invalidMessage("type", "tree", {
    pointer,
    expected: "at most 256 levels of nesting",
    found: "an object",
  });
  assert.equal(error.pointer, pointer);
  assert.equal(
    error.message,
    `invalid "tree" message at ${pointer.slice(0, 99)}…: expected at most 256 levels of nesting, found an object`,
  );
  assert.equal(
    invalidMessage("type", "id", { pointer: "/a/b", expected: "x", found: "y" }).message.includes("/a/b:"),
    true,
  );
  const huge = "/" + "k".repeat(1_000_000);
  assert.ok(invalidMessage("type", "id", { pointer: huge, expected: "x", found: "y" }).message.length < 200);
});

test("guardWith never throws: values whose reading throws are not messages", () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const check = (
    v: Readonly<Record<string, unknown>>,
  ) => (v.x === 1 ? undefined : { pointer: "", expected: "", found: "" });
  assert.equal(guardWith({ x: 1 }, check), true);
  assert.equal(guardWith({ x: 2 }, check), false);
  assert.equal(guardWith(proxy, check), false);
  assert.equal(
    guardWith({
      get x() {
        throw new Error("no");
      },
    }, check),
    false,
  );
  assert.equal(guardWith({ x: 1, deep: [[[]]] }, check, 3), false, "nesting is measured when a bound is given");
  assert.equal(guardWith({ x: 1, deep: [[]] }, check, 3), true);
});

test("decode errors name their kind and say what went wrong", () => {
  const cases: [string, string, RegExp][] = [
    ["{", "not-json", /^not JSON: /],
    ["[1]", "not-object", /^expected a JSON object, found an array of 1 items$/],
    ['{"id":1}', "unknown-type", /^unknown "type": expected a string, found nothing \(missing\)$/],
    ['{"type":"ping"}', "unknown-type", /^unknown "type": the string "ping" names no message$/],
    [
      '{"type":"id","id":"7"}',
      "invalid",
      /^invalid "id" message at \/id: expected an integer from 0 to 9007199254740991, found the string "7"$/,
    ],
  ];
  for (const [frame, kind, message] of cases) {
    const result = chatProtocol.server.decode(frame);
    assert.ok(!result.ok);
    assert.equal(result.error.kind, kind, frame);
    assert.match(result.error.message, message);
  }
});

test("dispatch calls the handler for the message's type, and only that one", () => {
  const seen: string[] = [];
  const handlers: ServerMessageHandlers = {
    id: (m) => seen.push(`id ${m.id}`),
    rejectusername: (m) => seen.push(`renamed ${m.name}`),
    userlist: (m) => seen.push(`users ${m.users.length}`),
    username: (m) => seen.push(`joined ${m.name}`),
    message: (m) => seen.push(`${m.name}: ${m.text}`),
  };
  assert.equal(dispatchServerMessage(handlers, { type: "id", id: 3 }), true);
  assert.equal(dispatchServerMessage(handlers, { type: "message", id: 3, name: "ada", text: "hi", date: 0 }), true);
  assert.equal(dispatchServerMessage({}, { type: "id", id: 3 }), false);
  assert.deepEqual(seen, ["id 3", "ada: hi"]);
});

test("guards accept valid messages of their type only", () => {
  assert.equal(isIdMessage({ type: "id", id: 1 }), true);
  assert.equal(isIdMessage({ type: "id", id: -1 }), false);
  assert.equal(isIdMessage({ type: "userlist", users: [] }), false);
  assert.equal(isServerMessage({ type: "userlist", users: [] }), true);
  assert.equal(isServerMessage({ type: "userlist", users: [""] }), false);
  assert.equal(isServerMessage("x"), false);
});

test("the descriptor bundles the chat protocol for client and server", () => {
  assert.equal(chatProtocol.name, "chat");
  assert.deepEqual(chatProtocol.subprotocols, ["json"]);
  assert.deepEqual(chatProtocol.server.types, ["id", "rejectusername", "userlist", "username", "message"]);
  assert.deepEqual(chatProtocol.client.types, ["username", "message"]);
});
