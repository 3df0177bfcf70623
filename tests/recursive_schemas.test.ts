/**
 * Recursive types (tests/fixtures/tree.schema.json: a tree of nodes, an
 * expression of sums): their validators call themselves, so a message nested
 * deeper than MAX_DEPTH levels is refused as `invalid`, measured without
 * recursion, and no decoder, encoder or guard ever overflows the call stack.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeTreeClientMessage,
  decodeTreeServerMessage,
  encodeTreeClientMessage,
  encodeTreeServerMessage,
  type Expr,
  isEvaluateMessage,
  isPingMessage,
  isTreeMessage,
  isTreeServerMessage,
  type Node,
  treeProtocol,
  type TreeServerMessage,
} from "./fixtures/generated/tree.ts";
import { MAX_DEPTH, nestingIssue } from "../src/runtime/depth.ts";
import type { DecodeResult, EncodeResult } from "../src/runtime/result.ts";

const EXPECTED = "at most 256 levels of nesting";

/** A tree message whose root has `nodes - 1` nodes below it, one per level. */
function treeFrame(nodes: number): string {
  return `{"type":"tree","seq":1,"root":${'{"value":1,"children":['.repeat(nodes - 1)}{"value":1,"children":[]}${
    "]}".repeat(nodes - 1)
  }}`;
}

/** An evaluate message whose expression nests `sums` sums. */
function expressionFrame(sums: number): string {
  return `{"type":"evaluate","seq":1,"expr":${'{"kind":"sum","terms":['.repeat(sums)}{"kind":"num","value":1}${
    "]}".repeat(sums)
  }}`;
}

/** A chain of `nodes` nodes built as objects (no JSON involved). */
function chain(nodes: number): Node {
  let node: Node = { value: 1, children: [] };
  for (let i = 1; i < nodes; i++) node = { value: i, children: [node] };
  return node;
}

/** Levels of objects and arrays, the outermost being 1; iterative, so it measures anything. */
function nesting(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, level] = next;
    if (typeof item !== "object" || item === null) continue;
    deepest = Math.max(deepest, level);
    for (const child of Object.values(item)) stack.push([child, level + 1]);
  }
  return deepest;
}

/** Whether this engine's `JSON.parse` itself refuses a frame (neither Deno's nor Bun's does at 100,000 levels). */
function parserRefuses(frame: string): boolean {
  try {
    JSON.parse(frame);
    return false;
  } catch {
    return true;
  }
}

/** Asserts a result is the nesting refusal: `invalid`, at a pointer 256 levels down, with a short message. */
function assertTooDeep(result: DecodeResult<unknown> | EncodeResult, pointerStart: string): void {
  assert.ok(!result.ok, "refused");
  assert.equal(result.error.kind, "invalid", result.error.message.slice(0, 200));
  if (result.error.kind !== "invalid") return;
  assert.equal(result.error.expected, EXPECTED);
  assert.ok(result.error.pointer.startsWith(pointerStart), result.error.pointer.slice(0, 80));
  assert.equal(result.error.pointer.split("/").length - 1, MAX_DEPTH, "the pointer names the first level too deep");
  assert.ok(result.error.message.length < 300, "a long pointer is abbreviated in the message");
  assert.match(result.error.message, /: expected at most 256 levels of nesting, found an? (object|array)/);
}

test("MAX_DEPTH is 256, the bound the generated modules document", () => {
  assert.equal(MAX_DEPTH, 256);
});

for (const nodes of [10_000, 100_000]) {
  test(`a tree and an expression ${nodes.toLocaleString("en")} levels deep are refused as invalid, never thrown`, () => {
    for (const side of ["server", "client"] as const) {
      const frame = side === "server" ? treeFrame(nodes) : expressionFrame(nodes);
      const pointer = side === "server" ? "/root/children/0/children/0" : "/expr/terms/0/terms/0";
      const direction = treeProtocol[side];
      if (parserRefuses(frame)) {
        // Should the engine's JSON.parse run out of stack, the decoders report not-json.
        for (const result of [direction.decode(frame), direction.decodeStrict(frame)]) {
          assert.ok(!result.ok && result.error.kind === "not-json", "refused by the engine's parser, cleanly");
          assert.match(result.error.message, /^not JSON: /);
        }
        continue;
      }
      for (const result of [direction.decode(frame), direction.decodeStrict(frame)]) {
        assertTooDeep(result, pointer);
        assert.ok(!result.ok && result.error.kind === "invalid");
        assert.equal(result.error.type, side === "server" ? "tree" : "evaluate");
      }
      const parsed = JSON.parse(frame);
      assertTooDeep(direction.encode(parsed), pointer);
      assert.equal(direction.is(parsed), false);
      assert.equal(side === "server" ? isTreeMessage(parsed) : isEvaluateMessage(parsed), false);
    }
  });

  test(`encoding a tree of ${nodes.toLocaleString("en")} nested node objects is invalid, never thrown`, () => {
    const message: TreeServerMessage = { type: "tree", seq: 1, root: chain(nodes) };
    assertTooDeep(encodeTreeServerMessage(message), "/root/children/0/children/0");
    assert.equal(isTreeServerMessage(message), false);
    assert.equal(isTreeMessage(message), false);
    let expr: Expr = { kind: "num", value: 1 };
    for (let i = 0; i < nodes; i++) expr = { kind: "sum", terms: [expr] };
    assertTooDeep(encodeTreeClientMessage({ type: "evaluate", seq: 1, expr }), "/expr/terms/0/terms/0");
  });
}

test("a tree up to 256 levels decodes, encodes and passes the guards; one level more is refused", () => {
  // Each node is two levels (the node and its children array) under the message and its root property.
  const fits = treeFrame(127);
  assert.equal(nesting(JSON.parse(fits)), 255);
  const decoded = decodeTreeServerMessage(fits);
  assert.ok(decoded.ok);
  assert.deepEqual(treeProtocol.server.decodeStrict(fits), decoded);
  const encoded = encodeTreeServerMessage(decoded.value);
  assert.ok(encoded.ok);
  assert.equal(encoded.frame, fits);
  assert.equal(isTreeServerMessage(decoded.value), true);
  assert.equal(isTreeMessage(decoded.value), true);

  const over = treeFrame(128);
  assert.equal(nesting(JSON.parse(over)), 257);
  assertTooDeep(decodeTreeServerMessage(over), "/root/children/0");
  assertTooDeep(encodeTreeServerMessage(JSON.parse(over)), "/root/children/0");
  assert.equal(isTreeMessage(JSON.parse(over)), false);

  const expression = decodeTreeClientMessage(expressionFrame(127));
  assert.ok(expression.ok);
  assert.ok(encodeTreeClientMessage(expression.value).ok);
  assertTooDeep(decodeTreeClientMessage(expressionFrame(128)), "/expr/terms/0");
});

test("the bound counts every level, properties the schema does not name included: 256 fit, 257 do not", () => {
  const extra = (depth: number) =>
    `{"type":"tree","seq":1,"root":{"value":1,"children":[]},"x":${"[".repeat(depth)}${"]".repeat(depth)}}`;
  assert.equal(nesting(JSON.parse(extra(255))), 256);
  assert.ok(decodeTreeServerMessage(extra(255)).ok, "256 levels fit");
  const refused = decodeTreeServerMessage(extra(256));
  assertTooDeep(refused, "/x/0/0");
  assert.ok(!refused.ok && refused.error.kind === "invalid" && refused.error.found === "an array of 0 items");
});

test("a message without a recursive type is never measured, like those of non-recursive protocols", () => {
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  const ping = decodeTreeClientMessage(`{"type":"ping","seq":1,"x":${deep}}`);
  assert.ok(ping.ok, "a deep unknown property of a ping is kept, as in every protocol");
  assert.equal(isPingMessage(JSON.parse(`{"type":"ping","seq":1,"x":${deep}}`)), true);
  const result = decodeTreeServerMessage(`{"type":"result","seq":1,"value":2,"x":${deep}}`);
  assert.ok(result.ok);
});

test("an object graph with a cycle is refused as too deep, never looped over", () => {
  const root: Node = { value: 1, children: [] };
  root.children.push({ value: 2, children: [] }, root);
  const started = performance.now();
  const encoded = encodeTreeServerMessage({ type: "tree", seq: 1, root });
  assert.ok(!encoded.ok && encoded.error.kind === "invalid" && encoded.error.expected === EXPECTED);
  assert.ok(encoded.error.pointer.startsWith("/root/children/1/children/1"), "depth first, down the cycle");
  assert.equal(isTreeMessage({ type: "tree", seq: 1, root }), false);
  assert.ok(performance.now() - started < 1_000);
});

test("nestingIssue measures without recursion and points at the first value too deep", () => {
  assert.equal(nestingIssue({ a: [{ b: [] }] }, 3)?.pointer, "/a/0/b");
  assert.equal(nestingIssue({ a: [{ b: [] }] }, 4), undefined);
  assert.deepEqual(nestingIssue({ "a/b": { "c~d": {} } }, 2), {
    pointer: "/a~1b/c~0d",
    expected: "at most 2 levels of nesting",
    found: "an object",
  });
  assert.equal(nestingIssue({ a: 1, b: "x", c: null, d: [1, 2, 3] }, 2), undefined);
  const deep: unknown[] = [];
  let inner = deep;
  for (let i = 0; i < 1_000_000; i++) {
    const next: unknown[] = [];
    inner.push(next);
    inner = next;
  }
  assert.equal(nestingIssue({ deep }, MAX_DEPTH)?.pointer.split("/").length, MAX_DEPTH + 1);
});
