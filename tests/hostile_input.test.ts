/**
 * Hostile input at the codecs: each case must give a clean result, never a
 * throw, a hang, or a changed prototype.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chatProtocol, decodeClientMessage, decodeServerMessage, encodeClientMessage } from "../src/generated/chat.ts";
import type { ClientMessage } from "../src/generated/chat.ts";
import { isChatLineMessage, isClientMessage } from "../src/generated/chat.ts";
import { signalingProtocol } from "../src/generated/signaling.ts";
import { committedProtocols } from "./support/protocols.ts";
import { shapesProtocol } from "./fixtures/generated/shapes.ts";

const MB = 1024 * 1024;

function assertPrototypesIntact(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.equal(typeof Object.prototype.toString, "function");
}

test("__proto__ keys are kept as plain data and pollute nothing", () => {
  const frame = '{"type":"id","id":1,"__proto__":{"polluted":true}}';
  const lenient = decodeServerMessage(frame);
  assert.ok(lenient.ok);
  assert.equal(Object.getPrototypeOf(lenient.value), Object.prototype);
  assert.equal(Object.hasOwn(lenient.value, "__proto__"), true);
  const strict = chatProtocol.server.decodeStrict(frame);
  assert.ok(!strict.ok && strict.error.kind === "invalid" && strict.error.pointer === "/__proto__");
  const nested = decodeServerMessage('{"type":"userlist","users":[],"x":{"__proto__":{"polluted":1}}}');
  assert.ok(nested.ok);
  assertPrototypesIntact();
});

test("constructor and prototype keys pollute nothing and name no message", () => {
  for (
    const frame of [
      '{"type":"id","id":1,"constructor":{"prototype":{"polluted":true}}}',
      '{"type":"constructor"}',
      '{"type":"__proto__"}',
      '{"type":"toString"}',
      '{"type":"hasOwnProperty","id":1}',
    ]
  ) {
    const result = decodeServerMessage(frame);
    if (!result.ok) assert.ok(["unknown-type", "invalid"].includes(result.error.kind), frame);
  }
  assert.equal(decodeServerMessage('{"type":"constructor"}').ok, false);
  const handlers = { id: () => assert.fail("not an id") };
  assert.equal(chatProtocol.server.dispatch(handlers, { type: "toString" } as never), false);
  assertPrototypesIntact();
});

test("dispatch consults only the message's own type, so prototype names reach no handler", () => {
  let called = 0;
  class Handlers {
    id() {
      called++;
    }
  }
  assert.equal(
    chatProtocol.server.dispatch(new Handlers(), { type: "id", id: 1 }),
    true,
    "a class instance is a handler table",
  );
  for (const type of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    assert.equal(chatProtocol.server.dispatch(new Handlers(), { type } as never), false);
  }
  assert.equal(called, 1);
});

test("nesting 10,000 deep is refused without recursion", () => {
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  const inList = decodeServerMessage(`{"type":"userlist","users":${deep}}`);
  assert.ok(!inList.ok && inList.error.kind === "invalid" && inList.error.pointer === "/users/0");
  const objects = '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000);
  const extra = decodeServerMessage(`{"type":"id","id":1,"x":${objects}}`);
  assert.ok(extra.ok || extra.error.kind === "not-json", "a deep unknown property is kept or refused cleanly");
  const deeper = decodeServerMessage("[".repeat(200_000) + "]".repeat(200_000));
  assert.ok(!deeper.ok && ["not-json", "not-object"].includes(deeper.error.kind));
});

test("an array of a million items is refused by its length alone", () => {
  const users = JSON.stringify(Array.from({ length: 1_000_000 }, () => "a"));
  const started = performance.now();
  const result = decodeServerMessage(`{"type":"userlist","users":${users}}`);
  assert.ok(!result.ok && result.error.kind === "invalid" && result.error.pointer === "/users");
  assert.equal(result.error.found, "an array of 1000000 items");
  const encoded = chatProtocol.server.encode({ type: "userlist", users: Array(1_000_000).fill("a") });
  assert.ok(!encoded.ok && encoded.error.kind === "invalid");
  assert.ok(performance.now() - started < 10_000);
});

test("lone surrogates decode, count as one character, and encode as escaped valid JSON", () => {
  for (const name of ["\ud800", "\udfff", "a\ud800b", "\udc00\ud800", "😀"]) {
    const message: ClientMessage = { type: "username", id: 1, name, date: 0 };
    const encoded = encodeClientMessage(message);
    assert.ok(encoded.ok);
    assert.equal(encoded.frame, JSON.stringify(message));
    assert.ok(encoded.frame.isWellFormed(), "lone surrogates are escaped, so the frame is well-formed UTF-16");
    assert.deepEqual(decodeClientMessage(encoded.frame), { ok: true, value: message });
  }
  const raw = decodeClientMessage('{"type":"message","id":1,"text":"\\ud800","date":0}');
  assert.ok(raw.ok && raw.value.type === "message" && raw.value.text === "\ud800");
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), (text) => {
      const encoded = encodeClientMessage({ type: "message", id: 1, text: text.slice(0, 4096), date: 0 });
      assert.ok(encoded.ok);
      assert.equal(encoded.frame, JSON.stringify({ type: "message", id: 1, text: text.slice(0, 4096), date: 0 }));
    }),
  );
});

test("NaN, Infinity and non-JSON values are refused on encode, naming the field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ type: "message", id: NaN, text: "", date: 0 }, "/id"],
    [{ type: "message", id: 1, text: "", date: Infinity }, "/date"],
    [{ type: "message", id: -Infinity, text: "", date: 0 }, "/id"],
    [{ type: "message", id: 1n, text: "", date: 0 }, "/id"],
    [{ type: "message", id: 1, text: Symbol("x"), date: 0 }, "/text"],
    [{ type: "message", id: 1, text: () => "", date: 0 }, "/text"],
    [{ type: "username", id: 1, name: undefined, date: 0 }, "/name"],
  ];
  for (const [message, pointer] of cases) {
    const result = encodeClientMessage(message as unknown as ClientMessage);
    assert.ok(!result.ok && result.error.kind === "invalid", pointer);
    assert.equal(result.error.pointer, pointer);
  }
  for (const value of [null, 42, "x", [], undefined]) {
    const result = encodeClientMessage(value as unknown as ClientMessage);
    assert.ok(!result.ok && result.error.kind === "not-object");
  }
});

test("10 MB strings are refused quickly, whole frames and fields alike", () => {
  const huge = "x".repeat(10 * MB);
  const started = performance.now();
  const field = decodeClientMessage(`{"type":"message","id":1,"text":"${huge}","date":0}`);
  assert.ok(!field.ok && field.error.kind === "invalid" && field.error.pointer === "/text");
  assert.match(field.error.found, /^a string of 10485760 characters$/);
  assert.ok(!decodeClientMessage(huge).ok);
  const encoded = encodeClientMessage({ type: "message", id: 1, text: huge, date: 0 });
  assert.ok(!encoded.ok && encoded.error.kind === "invalid");
  const astral = "😀".repeat(5 * MB);
  assert.ok(!encodeClientMessage({ type: "message", id: 1, text: astral, date: 0 }).ok);
  assert.ok(performance.now() - started < 10_000);
  assert.ok(field.error.message.length < 300, "error messages never echo the input");
});

test("arbitrary frames never make a decoder throw or pollute a prototype", () => {
  const decoders = [
    chatProtocol.server.decode,
    chatProtocol.client.decode,
    chatProtocol.client.decodeStrict,
    signalingProtocol.server.decode,
    signalingProtocol.client.decodeStrict,
  ];
  const frames = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ type: fc.constantFrom("id", "message", "userlist", "video-offer", "__proto__"), x: fc.jsonValue() })
      .map((v) => JSON.stringify(v)),
  );
  fc.assert(
    fc.property(frames, (frame) => {
      for (const decode of decoders) {
        const result = decode(frame);
        assert.equal(typeof result.ok, "boolean");
        if (!result.ok) assert.equal(typeof result.error.message, "string");
      }
    }),
    { numRuns: 2_000 },
  );
  assertPrototypesIntact();
});

test("non-string frames are refused as not JSON", () => {
  for (const frame of [new ArrayBuffer(4), new Uint8Array([123, 125]), null, undefined, 42]) {
    const result = decodeServerMessage(frame as unknown as string);
    assert.ok(!result.ok && result.error.kind === "not-json");
  }
});

/** Values whose reading throws: a getter, Proxy traps, a revoked Proxy. */
function throwingValues(): [string, Record<string, unknown>][] {
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const trap = (what: string) => () => {
    throw new Error(`${what} trap`);
  };
  return [
    ["a getter that throws", {
      type: "message",
      id: 1,
      date: 0,
      get text(): string {
        throw new Error("x");
      },
    }],
    ["a Proxy whose get trap throws", new Proxy({ type: "message" }, { get: trap("get") })],
    [
      "a Proxy whose every trap throws",
      new Proxy({}, {
        get: trap("get"),
        ownKeys: trap("ownKeys"),
        getPrototypeOf: trap("getPrototypeOf"),
        has: trap("has"),
        getOwnPropertyDescriptor: trap("getOwnPropertyDescriptor"),
      }),
    ],
    ["a revoked Proxy", revoked as Record<string, unknown>],
    ["a getter on the discriminator that throws", {
      get type(): string {
        throw new Error("no type");
      },
    }],
    ["a getter that throws a non-Error", {
      type: "message",
      id: 1,
      date: 0,
      get text(): string {
        throw "just a string";
      },
    }],
  ];
}

test("a property that throws when read makes encode return invalid, never throw; is() says false", () => {
  for (const [what, message] of throwingValues()) {
    const result = encodeClientMessage(message as unknown as ClientMessage);
    assert.ok(!result.ok && result.error.kind === "invalid", what);
    assert.equal(result.error.pointer, "");
    assert.equal(result.error.expected, "readable properties");
    assert.match(result.error.message, /found a property read that threw /, what);
    assert.equal(isClientMessage(message), false, what);
    assert.equal(isChatLineMessage(message), false, what);
    for (const { protocol } of committedProtocols) {
      for (const side of ["server", "client"] as const) {
        assert.ok(!protocol[side].encode(message).ok, `${protocol.name} ${side} encode: ${what}`);
        assert.equal(protocol[side].is(message), false, `${protocol.name} ${side} is: ${what}`);
      }
    }
  }
  const [, getter] = throwingValues()[0] as [string, Record<string, unknown>];
  const named = encodeClientMessage(getter as unknown as ClientMessage);
  assert.ok(!named.ok && named.error.kind === "invalid");
  assert.equal(named.error.type, "message");
  assert.equal(
    named.error.message,
    'invalid "message" message: expected readable properties, found a property read that threw Error: x',
  );
});

test("the thrown error's message is cut short", () => {
  const message = {
    type: "message",
    id: 1,
    date: 0,
    get text(): string {
      throw new Error("y".repeat(100_000));
    },
  };
  const result = encodeClientMessage(message as unknown as ClientMessage);
  assert.ok(!result.ok && result.error.kind === "invalid");
  assert.ok(result.error.message.length < 200, `${result.error.message.length} characters`);
  assert.match(result.error.found, /^a property read that threw Error: y+…$/);
});

test("a value that reads fine once and throws when written, or that JSON cannot hold, is an invalid error too", () => {
  let reads = 0;
  const message = {
    type: "message",
    id: 1,
    date: 0,
    get text(): string {
      if (reads++ > 0) throw new Error("read twice");
      return "hi";
    },
  };
  const result = encodeClientMessage(message as unknown as ClientMessage);
  assert.ok(!result.ok && result.error.kind === "invalid");
  assert.match(result.error.message, /found a property read that threw Error: read twice$/);
  const unprintable = {
    type: "message",
    id: 1,
    date: 0,
    get text(): string {
      throw Object.create(null);
    },
  };
  const odd = encodeClientMessage(unprintable as unknown as ClientMessage);
  assert.ok(!odd.ok && odd.error.kind === "invalid" && odd.error.found === "a property read that threw ?");
});

test("a property of any type that JSON.stringify refuses (BigInt, a cycle, too deep for Bun) is invalid, never thrown", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  let deep: unknown = null;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  for (const meta of [1n, { n: [2n] }, cyclic]) {
    const result = shapesProtocol.server.encode({ type: "shape", where: { x: 0, y: 0 }, meta } as never);
    assert.ok(!result.ok && result.error.kind === "invalid" && result.error.type === "shape");
    assert.match(result.error.found, /^a property read that threw TypeError: /);
  }
  // V8's JSON.stringify writes 100,000 levels; JavaScriptCore's runs out of stack, which encode reports.
  const result = shapesProtocol.server.encode({ type: "shape", where: { x: 0, y: 0 }, meta: deep } as never);
  if (result.ok) assert.ok(result.frame.endsWith(`null${"]".repeat(100_000)}}`));
  else assert.match(result.error.message, /found a property read that threw RangeError: /);
});
