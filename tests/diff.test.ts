/**
 * `typewire diff` tells whom a change breaks, honestly: each rule is applied
 * to a server message and to a client message of small inline JSON Schema
 * documents, and the verdict asserted both ways; for the rules about values,
 * a witness message is decoded by the generated modules of both versions to
 * show that the receiver said to refuse it does refuse it. Then the command:
 * exit codes, `--allow-breaking`, `--json`, `--against` a git revision, and
 * the rule table of docs/diff.md against the code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseConfig } from "../gen/config.ts";
import { readProtocol } from "../gen/generate.ts";
import { emitModule } from "../gen/emit_module.ts";
import { type Change, diffProtocols } from "../gen/diff/diff.ts";
import { breakCells, type Breaks, RULES } from "../gen/diff/rules.ts";
import { main } from "../gen/diff/cli.ts";
import { PendingRequests } from "../src/runtime/pending_requests.ts";
import { captured } from "./support/captured.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const RUNTIME = pathToFileURL(join(ROOT, "src", "runtime", "mod.ts")).href;
const SCRATCH = mkdtempSync(join(tmpdir(), "typewire-diff-test-"));
let files = 0;

/** A message of the inline documents: its properties besides the discriminator. */
interface Message {
  readonly properties?: Record<string, unknown>;
  readonly required?: readonly string[];
  /** `additionalProperties: true`. */
  readonly open?: boolean;
  /** The definition's name. @default the side and the tag, e.g. `ServerM` */
  readonly name?: string;
  readonly description?: string;
  /** More keywords on the definition: `x-reply`, `x-correlation`. */
  readonly keywords?: Record<string, unknown>;
}

type Messages = Readonly<Record<string, Message>>;

/** A JSON Schema document with the two directions' unions. */
function documentOf(server: Messages, client: Messages, discriminator = "type"): Record<string, unknown> {
  const definitions: Record<string, unknown> = {};
  const union = (side: "Server" | "Client", messages: Messages) => {
    const refs = Object.entries(messages).map(([tag, m]) => {
      const name = m.name ?? `${side}${tag[0]!.toUpperCase()}${tag.slice(1).replace(/\W/g, "")}`;
      definitions[name] = {
        type: "object",
        ...(m.description !== undefined && { description: m.description }),
        properties: { [discriminator]: { const: tag }, ...m.properties },
        required: [discriminator, ...(m.required ?? [])],
        additionalProperties: m.open === true,
        ...m.keywords,
      };
      return { $ref: `#/$defs/${name}` };
    });
    definitions[`${side}Message`] = { anyOf: refs };
  };
  union("Server", server);
  union("Client", client);
  return { $schema: "https://json-schema.org/draft/2020-12/schema", $defs: definitions };
}

/** Writes a document and names it in a configuration, with settings (subprotocols, resume, discriminator). */
function configOf(document: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const schema = join(SCRATCH, `v${files++}.schema.json`);
  writeFileSync(schema, JSON.stringify(document, null, 2));
  return parseConfig({ protocols: [{ schema, output: "unused.ts", name: "t", ...settings }] }, "test").protocols[0]!;
}

async function diffOf(
  old: Record<string, unknown>,
  next: Record<string, unknown>,
  settings: { old?: Record<string, unknown>; new?: Record<string, unknown>; strict?: boolean } = {},
): Promise<Change[]> {
  const { model: before } = await readProtocol(configOf(old, settings.old));
  const { model: after } = await readProtocol(configOf(next, settings.new));
  return diffProtocols(before, after, { strict: settings.strict ?? false });
}

/** The messages of the side that does not carry the case's message: one of its own, and the case's replies. */
const HELLO: Messages = { hello: {} };
const PING: Messages = { ping: {} };

/** One rule applied to message `m`, and whom it breaks on each side. */
interface Case {
  readonly rule: string;
  /** `m` in the old version; absent: no such message. */
  readonly old?: Message;
  /** `m` in the new version; absent: no such message. */
  readonly new?: Message;
  /** Whom it breaks when `m` is a server message. */
  readonly server: Breaks;
  /** Whom it breaks when `m` is a client message. */
  readonly client: Breaks;
  readonly pointer?: string;
  /** Other rules the same edit brings, reported too. */
  readonly also?: readonly string[];
  /** Messages of the other side (replies), old and new. */
  readonly others?: { readonly old?: Messages; readonly new?: Messages };
  /** Messages a sender of one version may send that a receiver of the other refuses (`m`'s properties). */
  readonly witnesses?: readonly { readonly from: "old" | "new"; readonly message: Record<string, unknown> }[];
  readonly strict?: boolean;
  /** What the case shows, when it is not the rule's first case. */
  readonly label?: string;
}

const x = (schema: Record<string, unknown>, required = true): Message => ({
  properties: { x: schema },
  required: required ? ["x"] : [],
});
const STRING = { type: "string" };
const request = (keywords: Record<string, unknown> = {}): Message => ({
  properties: { id: { type: "integer" } },
  required: ["id"],
  ...(Object.keys(keywords).length > 0 && { keywords }),
});
const ANSWERS: Messages = { r: request(), r2: request(), e: request(), e2: request() };
const asked = (replies: string[], errors: string[] = [], correlation = "id") =>
  request({ "x-reply": replies, ...(errors.length > 0 && { "x-error-reply": errors }), "x-correlation": correlation });

const CASES: readonly Case[] = [
  { rule: "message-added", new: {}, server: "clients", client: "servers", witnesses: [{ from: "new", message: {} }] },
  { rule: "message-removed", old: {}, server: "servers", client: "clients", witnesses: [{ from: "old", message: {} }] },
  { rule: "message-type-renamed", old: { name: "Before" }, new: { name: "After" }, server: "none", client: "none" },
  {
    rule: "description-changed",
    old: { description: "a" },
    new: { description: "b" },
    server: "none",
    client: "none",
  },
  {
    rule: "description-changed",
    label: "of a property",
    old: x({ type: "string", description: "a" }),
    new: x({ type: "string", description: "b" }),
    server: "none",
    client: "none",
    pointer: "/x",
  },
  {
    rule: "property-added-optional",
    old: {},
    new: x(STRING, false),
    server: "none",
    client: "none",
    pointer: "/x",
  },
  {
    rule: "property-added-optional",
    label: "with --strict",
    strict: true,
    old: {},
    new: x(STRING, false),
    server: "clients",
    client: "servers",
    pointer: "/x",
  },
  {
    rule: "property-added-optional",
    label: "with --strict, to an open object",
    strict: true,
    old: { open: true },
    new: { ...x(STRING, false), open: true },
    server: "none",
    client: "none",
    pointer: "/x",
  },
  {
    rule: "property-added-required",
    old: {},
    new: x(STRING),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: {} }],
  },
  {
    rule: "property-added-required",
    label: "with --strict",
    strict: true,
    old: {},
    new: x(STRING),
    server: "both",
    client: "both",
    pointer: "/x",
  },
  {
    rule: "property-removed-optional",
    old: x(STRING, false),
    new: {},
    server: "none",
    client: "none",
    pointer: "/x",
  },
  {
    rule: "property-removed-optional",
    label: "with --strict",
    strict: true,
    old: x(STRING, false),
    new: {},
    server: "servers",
    client: "clients",
    pointer: "/x",
  },
  {
    rule: "property-removed-required",
    old: x(STRING),
    new: {},
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: {} }],
  },
  {
    rule: "property-made-required",
    old: x(STRING, false),
    new: x(STRING),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: {} }],
  },
  {
    rule: "property-made-optional",
    old: x(STRING),
    new: x(STRING, false),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: {} }],
  },
  { rule: "object-closed", old: { open: true }, new: {}, server: "none", client: "none" },
  { rule: "object-opened", old: {}, new: { open: true }, server: "none", client: "none" },
  {
    rule: "object-closed",
    label: "a nested object",
    old: x({ type: "object", properties: { a: STRING }, additionalProperties: true }),
    new: x({ type: "object", properties: { a: STRING }, additionalProperties: false }),
    server: "none",
    client: "none",
    pointer: "/x",
  },
  {
    rule: "type-changed",
    old: x(STRING),
    new: x({ type: "number" }),
    server: "both",
    client: "both",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "a" } }, { from: "new", message: { x: 1 } }],
  },
  {
    rule: "type-widened",
    old: x({ enum: ["a", "b"] }),
    new: x(STRING),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: "c" } }],
  },
  {
    rule: "type-widened",
    label: "to any",
    old: x(STRING),
    new: x({}),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: 1 } }],
  },
  {
    rule: "type-narrowed",
    old: x(STRING),
    new: x({ enum: ["a", "b"] }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "c" } }],
  },
  {
    rule: "type-narrowed",
    label: "from any",
    old: x({}),
    new: x({ type: "integer" }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "a" } }],
  },
  {
    rule: "union-member-added",
    old: x(STRING),
    new: x({ type: ["string", "null"] }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: null } }],
  },
  {
    rule: "union-member-removed",
    old: x({ anyOf: [STRING, { type: "array", items: STRING }] }),
    new: x(STRING),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: ["a"] } }],
  },
  {
    rule: "enum-value-added",
    old: x({ enum: ["a", "b"] }),
    new: x({ enum: ["a", "b", "c"] }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: "c" } }],
  },
  {
    rule: "enum-value-removed",
    old: x({ enum: ["a", "b"] }),
    new: x({ const: "a" }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "b" } }],
  },
  {
    rule: "min-length-raised",
    old: x({ type: "string", minLength: 1 }),
    new: x({ type: "string", minLength: 3 }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "ab" } }],
  },
  {
    rule: "min-length-lowered",
    old: x({ type: "string", minLength: 3 }),
    new: x(STRING),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: "" } }],
  },
  {
    rule: "max-length-lowered",
    old: x({ type: "string", maxLength: 20 }),
    new: x({ type: "string", maxLength: 10 }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "a".repeat(15) } }],
  },
  {
    rule: "max-length-raised",
    old: x({ type: "string", maxLength: 10 }),
    new: x({ type: "string", maxLength: 20 }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: "a".repeat(15) } }],
  },
  {
    rule: "pattern-added",
    old: x(STRING),
    new: x({ type: "string", pattern: "^[a-z]+$" }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "A" } }],
  },
  {
    rule: "pattern-removed",
    old: x({ type: "string", pattern: "^[a-z]+$" }),
    new: x(STRING),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: "A" } }],
  },
  {
    rule: "pattern-changed",
    old: x({ type: "string", pattern: "^[a-z]+$" }),
    new: x({ type: "string", pattern: "^[0-9]+$" }),
    server: "both",
    client: "both",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: "a" } }, { from: "new", message: { x: "1" } }],
  },
  {
    rule: "integer-required",
    old: x({ type: "number" }),
    new: x({ type: "integer" }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: 1.5 } }],
  },
  {
    rule: "integer-relaxed",
    old: x({ type: "integer" }),
    new: x({ type: "number" }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: 1.5 } }],
  },
  {
    rule: "minimum-raised",
    old: x({ type: "integer", minimum: 0 }),
    new: x({ type: "integer", minimum: 1 }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: 0 } }],
  },
  {
    rule: "minimum-raised",
    label: "minimum made exclusive",
    old: x({ type: "number", minimum: 0 }),
    new: x({ type: "number", exclusiveMinimum: 0 }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: 0 } }],
  },
  {
    rule: "minimum-lowered",
    old: x({ type: "integer", minimum: 0 }),
    new: x({ type: "integer" }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: -1 } }],
  },
  {
    rule: "maximum-lowered",
    old: x({ type: "number", maximum: 10 }),
    new: x({ type: "number", exclusiveMaximum: 5 }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: 5 } }],
  },
  {
    rule: "maximum-raised",
    old: x({ type: "number", maximum: 5 }),
    new: x({ type: "number", maximum: 10 }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: 10 } }],
  },
  {
    rule: "min-items-raised",
    old: x({ type: "array", items: STRING }),
    new: x({ type: "array", items: STRING, minItems: 1 }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: [] } }],
  },
  {
    rule: "min-items-lowered",
    old: x({ type: "array", items: STRING, minItems: 2 }),
    new: x({ type: "array", items: STRING, minItems: 1 }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: ["a"] } }],
  },
  {
    rule: "max-items-lowered",
    old: x({ type: "array", items: STRING, maxItems: 3 }),
    new: x({ type: "array", items: STRING, maxItems: 2 }),
    server: "servers",
    client: "clients",
    pointer: "/x",
    witnesses: [{ from: "old", message: { x: ["a", "b", "c"] } }],
  },
  {
    rule: "max-items-raised",
    old: x({ type: "array", items: STRING, maxItems: 2 }),
    new: x({ type: "array", items: STRING }),
    server: "clients",
    client: "servers",
    pointer: "/x",
    witnesses: [{ from: "new", message: { x: ["a", "b", "c"] } }],
  },
  {
    rule: "max-length-lowered",
    label: "deep inside an array of objects",
    old: x({
      type: "array",
      items: { type: "object", properties: { name: { type: "string", maxLength: 20 } }, required: ["name"] },
    }),
    new: x({
      type: "array",
      items: { type: "object", properties: { name: { type: "string", maxLength: 10 } }, required: ["name"] },
    }),
    server: "servers",
    client: "clients",
    pointer: "/x/0/name",
    witnesses: [{ from: "old", message: { x: [{ name: "a".repeat(15) }] } }],
  },
  {
    rule: "request-added",
    old: request(),
    new: asked(["r"]),
    others: { old: ANSWERS, new: ANSWERS },
    server: "clients",
    client: "servers",
  },
  {
    rule: "request-removed",
    old: asked(["r"]),
    new: request(),
    others: { old: ANSWERS, new: ANSWERS },
    server: "servers",
    client: "clients",
  },
  {
    rule: "reply-added",
    old: asked(["r"]),
    new: asked(["r", "r2"]),
    others: { old: ANSWERS, new: ANSWERS },
    server: "servers",
    client: "clients",
  },
  {
    rule: "reply-removed",
    old: asked(["r", "r2"]),
    new: asked(["r"]),
    others: { old: ANSWERS, new: ANSWERS },
    server: "clients",
    client: "servers",
  },
  {
    rule: "error-reply-added",
    old: asked(["r"]),
    new: asked(["r"], ["e"]),
    others: { old: ANSWERS, new: ANSWERS },
    server: "servers",
    client: "clients",
  },
  {
    rule: "error-reply-removed",
    old: asked(["r"], ["e", "e2"]),
    new: asked(["r"], ["e"]),
    others: { old: ANSWERS, new: ANSWERS },
    server: "clients",
    client: "servers",
  },
  {
    rule: "correlation-changed",
    old: {
      ...asked(["r"]),
      properties: { id: { type: "integer" }, rid: { type: "integer" } },
      required: ["id", "rid"],
    },
    new: {
      ...asked(["r"], [], "rid"),
      properties: { id: { type: "integer" }, rid: { type: "integer" } },
      required: ["id", "rid"],
    },
    others: {
      old: { r: { properties: { id: { type: "integer" }, rid: { type: "integer" } }, required: ["id", "rid"] } },
      new: { r: { properties: { id: { type: "integer" }, rid: { type: "integer" } }, required: ["id", "rid"] } },
    },
    server: "both",
    client: "both",
    pointer: "/rid",
  },
  {
    rule: "correlation-kind-changed",
    old: asked(["r"]),
    new: { ...asked(["r"]), properties: { id: STRING } },
    others: { old: { r: request() }, new: { r: { properties: { id: STRING }, required: ["id"] } } },
    server: "both",
    client: "both",
    pointer: "/id",
    also: ["type-changed", "type-changed"],
  },
];

/** The other side's messages of a case's version. */
function othersOf(c: Case, version: "old" | "new", side: "server" | "client"): Messages {
  return c.others?.[version] ?? (side === "server" ? PING : HELLO);
}

/** The case's document of one version, with `m` on one side. */
function caseDocument(c: Case, version: "old" | "new", side: "server" | "client"): Record<string, unknown> {
  const m = c[version];
  const own: Messages = side === "server" ? HELLO : PING;
  const mine = m === undefined ? own : { ...own, m };
  const others = othersOf(c, version, side);
  return side === "server" ? documentOf(mine, others) : documentOf(others, mine);
}

for (const c of CASES) {
  for (const side of ["server", "client"] as const) {
    const title = `${c.rule}${c.label === undefined ? "" : ` (${c.label})`} on a ${side} message breaks ${c[side]}`;
    test(title, async () => {
      const changes = await diffOf(caseDocument(c, "old", side), caseDocument(c, "new", side), {
        strict: c.strict === true,
      });
      const found = changes.filter((change) => change.rule === c.rule);
      assert.equal(found.length, 1, `one ${c.rule} change among ${JSON.stringify(changes, null, 1)}`);
      const change = found[0]!;
      assert.deepEqual(
        { side: change.side, message: change.message, pointer: change.pointer, breaks: change.breaks },
        { side, message: "m", pointer: c.pointer ?? "", breaks: c[side] },
      );
      assert.deepEqual(
        changes.filter((other) => other !== change).map((other) => other.rule),
        c.also ?? [],
        "no other change is reported",
      );
      assert.ok(change.why.length > 20, "it says why");
    });
  }
}

/** The generated module of a case's version, with `m` a server message, imported. */
async function moduleOf(c: Case, version: "old" | "new") {
  const { model } = await readProtocol(configOf(caseDocument(c, version, "server")));
  const file = join(SCRATCH, `module${files++}.ts`);
  writeFileSync(file, emitModule(model, { runtimeSpecifier: RUNTIME, version: "0.0.0" }));
  const loaded = await import(pathToFileURL(file).href) as Record<string, unknown>;
  const protocol = Object.values(loaded).find((value) =>
    typeof (value as { server?: { decode?: unknown } })?.server?.decode === "function"
  ) as { server: { decode(frame: string): { ok: boolean }; decodeStrict(frame: string): { ok: boolean } } };
  return protocol.server;
}

for (const c of CASES.filter((c) => c.witnesses !== undefined)) {
  test(`witness: ${c.rule}${c.label === undefined ? "" : ` (${c.label})`}, checked by the generated decoders`, async () => {
    const modules = { old: await moduleOf(c, "old"), new: await moduleOf(c, "new") };
    for (const witness of c.witnesses!) {
      const frame = JSON.stringify({ type: "m", ...witness.message });
      const receiver = witness.from === "old" ? "new" : "old";
      assert.equal(modules[witness.from].decode(frame).ok, true, `${frame} is valid in the ${witness.from} version`);
      assert.equal(modules[receiver].decode(frame).ok, false, `${frame} is refused by the ${receiver} version`);
      // The verdict agrees: a new sender refused breaks old clients (m is a server message), an old sender old servers.
      const breaks = witness.from === "new" ? "clients" : "servers";
      assert.ok(c.server === breaks || c.server === "both", `${c.rule} on a server message breaks ${breaks}`);
    }
  });
}

test("witness: an optional property added is kept by an old decoder, refused only by its strict decoder", async () => {
  const c = CASES.find((c) => c.rule === "property-added-optional")!;
  const old = await moduleOf(c, "old");
  const frame = JSON.stringify({ type: "m", x: "new" });
  assert.equal(old.decode(frame).ok, true, "default decoding keeps an unknown property");
  assert.equal(old.decodeStrict(frame).ok, false, "strict decoding refuses it");
});

test("witness: a message type an old decoder does not know is refused, whatever the mode", async () => {
  const c = CASES.find((c) => c.rule === "message-added")!;
  const old = await moduleOf(c, "old");
  assert.equal(old.decode(JSON.stringify({ type: "m" })).ok, false);
});

test("witness: reply-added: an old requester does not take the new answer type for its answer; it times out", async () => {
  const old = { m: { replies: ["r"], errors: [], correlation: "id", correlationKind: "integer" as const } };
  const pending = new PendingRequests(old, "type", 10);
  const { answer } = pending.open({ type: "m" }, JSON.stringify, { timeout: 20 });
  assert.equal(pending.settle({ type: "r2", id: 1 }), false, "the new answer goes by");
  await assert.rejects(answer, (error: Error & { kind?: string }) => error.kind === "timeout");
  const known = new PendingRequests({ ...old, n: { ...old.m, replies: ["r2"] } }, "type", 10);
  const second = known.open({ type: "m" }, JSON.stringify, { timeout: 1000 });
  assert.equal(known.settle({ type: "r2", id: 1 }), true, "a type that answers another request");
  await assert.rejects(second.answer, (error: Error & { kind?: string }) => error.kind === "invalid-reply");
});

test("every rule is tested on a server message and on a client message, or has its own test below", () => {
  const ownTests = new Set([
    "discriminator-changed",
    "subprotocols-disjoint",
    "subprotocols-introduced",
    "subprotocols-all-removed",
    "subprotocol-added",
    "subprotocol-removed",
    "subprotocol-order-changed",
    "resume-enabled",
    "resume-disabled",
    "resume-property-changed",
    "resume-type-added",
    "resume-type-removed",
  ]);
  const tested = new Set(CASES.map((c) => c.rule));
  for (const rule of RULES) assert.ok(tested.has(rule.id) || ownTests.has(rule.id), `${rule.id} is tested`);
  assert.ok(RULES.length >= 30, `${RULES.length} rules`);
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length, "rule ids are unique");
});

test("identical protocols: no change", async () => {
  const document = documentOf({ hello: x({ type: "string", maxLength: 3 }) }, PING);
  assert.deepEqual(await diffOf(document, structuredClone(document)), []);
});

test("an integer's exclusiveMinimum 0 is its minimum 1: no change", async () => {
  const old = documentOf({ m: x({ type: "integer", exclusiveMinimum: 0 }) }, PING);
  const next = documentOf({ m: x({ type: "integer", minimum: 1 }) }, PING);
  assert.deepEqual(await diffOf(old, next), []);
});

test("recursive types are compared down to where they repeat, and a change inside is found", async () => {
  const withNode = (max: number) => {
    const document = documentOf({ m: x({ $ref: "#/$defs/Node" }) }, PING) as { $defs: Record<string, unknown> };
    document.$defs.Node = {
      type: "object",
      properties: {
        label: { type: "string", maxLength: max },
        children: { type: "array", items: { $ref: "#/$defs/Node" } },
      },
      required: ["label", "children"],
      additionalProperties: false,
    };
    return document;
  };
  assert.deepEqual(await diffOf(withNode(5), withNode(5)), []);
  const changes = await diffOf(withNode(5), withNode(3));
  assert.deepEqual(changes.map((c) => [c.rule, c.pointer, c.breaks]), [["max-length-lowered", "/x/label", "servers"]]);
});

test("a union of objects is compared member by member, matched by their literal property; pointers escaped", async () => {
  const shape = (kinds: Record<string, number>) =>
    x({
      anyOf: Object.entries(kinds).map(([kind, max]) => ({
        type: "object",
        properties: { kind: { const: kind }, "a/b": { type: "string", maxLength: max } },
        required: ["kind", "a/b"],
        additionalProperties: false,
      })),
    });
  const old = documentOf({ m: shape({ circle: 5, square: 5 }) }, PING);
  const next = documentOf({ m: shape({ square: 3, circle: 5, line: 5 }) }, PING);
  const changes = await diffOf(old, next);
  assert.deepEqual(changes.map((c) => [c.rule, c.pointer, c.breaks]), [
    ["max-length-lowered", "/x/a~1b", "servers"],
    ["union-member-added", "/x", "clients"],
  ]);
});

test("discriminator-changed breaks both", async () => {
  const changes = await diffOf(documentOf(HELLO, PING), documentOf(HELLO, PING, "kind"), {
    new: { discriminator: "kind" },
  });
  assert.deepEqual(changes.map((c) => [c.rule, c.side, c.breaks]), [["discriminator-changed", "protocol", "both"]]);
});

/** The handshake cases: old and new subprotocols, the rules expected and whom they break. */
const HANDSHAKES: readonly [string[], string[], [string, Breaks][]][] = [
  [["a"], ["b"], [["subprotocols-disjoint", "both"]]],
  [[], ["a"], [["subprotocols-introduced", "servers"]]],
  [["a"], [], [["subprotocols-all-removed", "clients"]]],
  [["a"], ["a", "b"], [["subprotocol-added", "none"]]],
  [["a", "b"], ["b"], [["subprotocol-removed", "none"]]],
  [["a", "b"], ["b", "a"], [["subprotocol-order-changed", "none"]]],
  [["a", "b"], ["a", "b"], []],
];

for (const [old, next, expected] of HANDSHAKES) {
  test(`subprotocols ${JSON.stringify(old)} -> ${JSON.stringify(next)}: ${JSON.stringify(expected)}`, async () => {
    const document = documentOf(HELLO, PING);
    const changes = await diffOf(document, document, {
      old: { subprotocols: old },
      new: { subprotocols: next },
    });
    assert.deepEqual(changes.map((c) => [c.rule, c.breaks]), expected);
    assert.ok(changes.every((c) => c.side === "handshake"));
  });
}

/** A resumable server message `m` (with `pos`, and `cursor`), and a plain one `n`. */
function feed(resumable: { m: boolean; n: boolean }): Record<string, unknown> {
  const stream = (on: boolean): Message => ({
    properties: { ...(on && { pos: STRING, cursor: STRING }), text: STRING },
    required: ["text"],
  });
  return documentOf({ m: stream(resumable.m), n: stream(resumable.n) }, PING);
}

const RESUMES: readonly [string, Record<string, unknown>, Record<string, unknown>, string[], Breaks][] = [
  ["resume-enabled", {}, { resume: "pos" }, [], "none"],
  ["resume-disabled", { resume: "pos" }, {}, [], "clients"],
  ["resume-property-changed", { resume: "pos" }, { resume: "cursor" }, [], "both"],
];

for (const [rule, old, next, also, breaks] of RESUMES) {
  test(`${rule} breaks ${breaks}`, async () => {
    const document = feed({ m: true, n: false });
    const changes = await diffOf(document, document, { old, new: next });
    assert.deepEqual(changes.map((c) => [c.rule, c.breaks]), [[rule, breaks], ...also]);
  });
}

test("resume-type-added is safe, resume-type-removed breaks old clients", async () => {
  const added = await diffOf(feed({ m: true, n: false }), feed({ m: true, n: true }), {
    old: { resume: "pos" },
    new: { resume: "pos" },
  });
  assert.deepEqual(added.map((c) => [c.rule, c.message, c.breaks]), [
    ["resume-type-added", "n", "none"],
    ["property-added-optional", "n", "none"],
    ["property-added-optional", "n", "none"],
  ]);
  const removed = await diffOf(feed({ m: true, n: true }), feed({ m: true, n: false }), {
    old: { resume: "pos" },
    new: { resume: "pos" },
  });
  assert.deepEqual(removed.filter((c) => c.rule.startsWith("resume")).map((c) => [c.rule, c.message, c.breaks]), [
    ["resume-type-removed", "n", "clients"],
  ]);
});

// The command.

/** Runs the command in this process, capturing what it writes. */
test("a message removed and one of the same shape added: both are reported, each naming the other as a likely rename", async () => {
  const text = x({ type: "string", maxLength: 20 });
  const changes = await diffOf(
    documentOf({ say: text, hello: {} }, PING),
    documentOf({ chat: text, hello: {} }, PING),
  );
  assert.deepEqual(changes.map((c) => [c.rule, c.message, c.detail]), [
    ["message-added", "chat", 'message type added (renamed from "say"? the same shape was removed)'],
    ["message-removed", "say", 'message type removed (renamed to "chat"? the same shape was added)'],
  ]);
  assert.ok(changes.every((c) => c.breaks !== "none"), "a rename breaks as a removal and an addition do");
  const reshaped = await diffOf(documentOf({ say: text }, PING), documentOf({ chat: x(STRING) }, PING));
  assert.deepEqual(
    reshaped.map((c) => c.detail),
    ["message type added", "message type removed"],
    "another shape: no hint",
  );
  const ambiguous = await diffOf(documentOf({ a: {}, b: {} }, PING), documentOf({ c: {}, d: {} }, PING));
  assert.ok(ambiguous.every((c) => !c.detail.includes("renamed")), "two of one shape could pair either way: no hint");
});

const diff = (args: readonly string[]) => captured(() => main(args));

function schemaFile(document: Record<string, unknown>): string {
  return configOf(document).schema;
}

const V1 = documentOf({ hello: x({ type: "string", maxLength: 20 }) }, PING);
const V2 = documentOf({ hello: x({ type: "string", maxLength: 10 }), bye: {} }, PING);

test("the command: no change exits 0", async () => {
  const { code, out } = await diff([schemaFile(V1), schemaFile(V1)]);
  assert.equal(code, 0);
  assert.equal(out, "typewire diff: no changes\n");
});

test("the command: one line per change, naming the message, the pointer, why and the rule; exit 1", async () => {
  const { code, out } = await diff([schemaFile(V1), schemaFile(V2)]);
  assert.equal(code, 1);
  const lines = out.replace(/protocol "v\d+"/g, 'protocol "t"').trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, 2), [
    'BREAKING for old servers: protocol "t", server message "hello" /x: maxLength 20 -> 10: an old server may send a string of ' +
    "11 to 20 characters, which a new client refuses: it drops the frame (an `invalid` event) [max-length-lowered]",
    'BREAKING for old clients: protocol "t", server message "bye": message type added: a new server may send a "bye" message, ' +
    "which an old client refuses: it drops the frame (an `unknown` event) [message-added]",
  ]);
  assert.equal(
    lines.at(-1),
    "typewire diff: 2 changes: 1 breaking for old clients, 1 breaking for old servers, 0 safe",
  );
});

test("the command: --allow-breaking exits 0 and still prints; --allow-breaking-for accepts one side", async () => {
  const [old, next] = [schemaFile(V1), schemaFile(V2)];
  const all = await diff([old, next, "--allow-breaking"]);
  assert.equal(all.code, 0);
  assert.match(all.out, /\[max-length-lowered\]/);
  assert.match(all.out, /\(breaking changes accepted\)\n$/);
  assert.equal((await diff([old, next, "--allow-breaking-for", "clients"])).code, 1, "old servers still break");
  assert.equal(
    (await diff([old, next, "--allow-breaking-for", "clients", "--allow-breaking-for", "servers"])).code,
    0,
  );
  const clientsOnly = schemaFile(documentOf({ hello: x({ type: "string", maxLength: 20 }), bye: {} }, PING));
  assert.equal((await diff([old, clientsOnly, "--allow-breaking-for", "clients"])).code, 0);
  assert.equal((await diff([old, clientsOnly, "--allow-breaking-for", "servers"])).code, 1);
});

test("the command: --json for scripts", async () => {
  const { code, out } = await diff([schemaFile(V1), schemaFile(V2), "--json"]);
  assert.equal(code, 1);
  const report = JSON.parse(out);
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.summary, { changes: 2, breakingClients: 1, breakingServers: 1, safe: 0, refused: 2 });
  assert.deepEqual(report.changes[0].rule, "max-length-lowered");
  assert.deepEqual(report.changes[0].pointer, "/x");
});

test("the command: usage and schema errors exit 2, an unknown option with the option meant", async () => {
  const one = await diff([schemaFile(V1)]);
  assert.equal(one.code, 2);
  assert.match(one.err, /^typewire diff: name two schemas, the old and the new \(1 given\)/);
  const typo = await diff([schemaFile(V1), schemaFile(V2), "--alow-breaking"]);
  assert.equal(typo.code, 2);
  assert.match(
    typo.err,
    /^typewire diff: unknown option "--alow-breaking" \(did you mean "--allow-breaking"\?\)\nSee typewire diff --help\.\n$/,
  );
  const spelledWithEquals = await diff([schemaFile(V1), schemaFile(V2), "--allow-breaking-for=servers"]);
  assert.equal(spelledWithEquals.code, 1, "--name=value is --name value: old clients are still broken");
  assert.match(spelledWithEquals.out, /2 changes: 1 breaking for old clients/);
  const who = await diff([schemaFile(V1), schemaFile(V2), "--allow-breaking-for", "everyone"]);
  assert.equal(who.code, 2);
  const missing = await diff([join(SCRATCH, "nothing.schema.json"), schemaFile(V1)]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /nothing\.schema\.json: \(file\): no such file$/m);
  const missingTs = await diff([schemaFile(V1), join(SCRATCH, "nothing.ts")]);
  assert.equal(missingTs.code, 2);
  assert.match(missingTs.err, /nothing\.ts: \(file\): no such file$/m, "not TypeScript's TS6053");
  const broken = join(SCRATCH, "broken.schema.json");
  writeFileSync(broken, "{");
  assert.equal((await diff([broken, schemaFile(V1)])).code, 2);
  const help = await diff(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /--against <revision>/);
  assert.match(help.out, /Exit status: 0 no breaking change/);
});

/** Edits a copy of the chat schema; each edit must apply. */
function editedChat(...edits: [string | RegExp, string][]): string {
  const dir = mkdtempSync(join(SCRATCH, "chat-"));
  let text = readFileSync(join(ROOT, "schema", "chat.ts"), "utf8");
  for (const [from, to] of edits) {
    const edited = text.replace(from, to);
    assert.notEqual(edited, text, `the edit ${from} applies`);
    text = edited;
  }
  writeFileSync(join(dir, "chat.ts"), text);
  return join(dir, "chat.ts");
}

test("the chat protocol against itself: no change; without a client message, one more required: judged", async () => {
  const chat = join(ROOT, "schema", "chat.ts");
  const same = await diff([chat, chat]);
  assert.deepEqual([same.code, same.out], [0, "typewire diff: no changes\n"]);
  const edited = editedChat(
    ["export type ClientMessage = LoginMessage | SayMessage;", "export type ClientMessage = SayMessage;"],
    [/( {2}\/\*\* When the line was written\. \*\/\n {2}date: Timestamp;)/, "$1\n  room: string;"],
  );
  const { code, out } = await diff([chat, edited]);
  assert.equal(code, 1);
  assert.deepEqual(
    out.trimEnd().split("\n").map((line) => line.replace(/(message "[^"]*"(?: \/\S+)?): .*\[/, "$1: ... [")),
    [
      'BREAKING for old clients: protocol "chat", client message "message" /room: ... [property-added-required]',
      'BREAKING for old clients: protocol "chat", client message "username": ... [message-removed]',
      "typewire diff: 2 changes: 2 breaking for old clients, 0 breaking for old servers, 0 safe",
    ],
  );
});

test("the output shown in docs/diff.md is what the command prints for the edit it describes", async () => {
  const docs = readFileSync(join(ROOT, "docs", "diff.md"), "utf8");
  const shown = /### Output[\s\S]*?```text\n([\s\S]*?)```/.exec(docs)?.[1];
  const edited = editedChat(
    [" * @maxLength 96\n", " * @maxLength 10\n"],
    ["  | RejectUsernameMessage\n", ""],
    [
      /( {2}\/\*\* When the line was written\. \*\/\n {2}date: Timestamp;)/,
      "$1\n  /** The room. */\n  room: string;\n  /** The language. */\n  lang?: string;",
    ],
  );
  const { code, out } = await diff([join(ROOT, "schema", "chat.ts"), edited]);
  assert.equal(code, 1);
  assert.equal(out, shown);
});

test("--strict: an optional property added breaks the receivers of the older version", async () => {
  const old = schemaFile(V1);
  const next = schemaFile(
    documentOf({
      hello: {
        ...x({ type: "string", maxLength: 20 }),
        properties: { x: { type: "string", maxLength: 20 }, y: STRING },
      },
    }, PING),
  );
  const lenient = await diff([old, next]);
  assert.equal(lenient.code, 0);
  assert.match(lenient.out, /^safe: .* \/y: optional property added: .*\[property-added-optional\]$/m);
  const strict = await diff([old, next, "--strict"]);
  assert.equal(strict.code, 1);
  assert.match(
    strict.out,
    /^BREAKING for old clients: .* \/y: optional property added: a new server may send a message with \/y, which an old client refuses/m,
  );
});

/** Runs git in a folder. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs `typewire diff` in another process (the TypeScript compiler keeps the first working directory it sees). */
function diffIn(cwd: string, args: readonly string[]): { code: number; out: string; err: string } {
  const run = spawnSync(DENO, ["run", "-A", join(ROOT, "gen", "bin.ts"), "diff", ...args], {
    cwd,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: run.status ?? -1, out: run.stdout, err: run.stderr };
}

const snapshots = () =>
  new Set(
    readdirSync(tmpdir()).filter((name) =>
      name.startsWith("typewire-diff-") && !name.startsWith("typewire-diff-test-")
    ),
  );

test("--against a git revision: a TypeScript schema importing a sibling, read as it was; temporary files removed", () => {
  const repo = mkdtempSync(join(SCRATCH, "repo-"));
  git(repo, "init", "--quiet");
  git(repo, "config", "user.email", "test@example.com");
  git(repo, "config", "user.name", "test");
  mkdirSync(join(repo, "proto"));
  const names = (max: number) => `/** @maxLength ${max} */\nexport type Name = string;\n`;
  writeFileSync(join(repo, "proto", "names.ts"), names(20));
  writeFileSync(
    join(repo, "proto", "room.ts"),
    'import type { Name } from "./names.ts";\n' +
      'export interface Joined {\n  type: "joined";\n  name: Name;\n}\n' +
      'export interface Join {\n  type: "join";\n  name: Name;\n}\n' +
      "export type ServerMessage = Joined;\nexport type ClientMessage = Join;\n",
  );
  writeFileSync(
    join(repo, "typewire.config.json"),
    JSON.stringify({ protocols: [{ schema: "proto/room.ts", output: "out/room.ts", subprotocols: ["room.v1"] }] }),
  );
  git(repo, "add", ".");
  git(repo, "commit", "--quiet", "-m", "v1");
  git(repo, "tag", "v1");
  const unchanged = diffIn(repo, ["--against", "v1"]);
  assert.deepEqual([unchanged.code, unchanged.out, unchanged.err], [0, "typewire diff: no changes\n", ""]);
  writeFileSync(join(repo, "proto", "names.ts"), names(10));
  writeFileSync(
    join(repo, "typewire.config.json"),
    JSON.stringify({
      protocols: [{ schema: "proto/room.ts", output: "out/room.ts", subprotocols: ["room.v2", "room.v1"] }],
    }),
  );
  const before = snapshots();
  const changed = diffIn(repo, ["--against", "v1"]);
  assert.equal(changed.code, 1, changed.err);
  assert.deepEqual(changed.out.trimEnd().split("\n").map((line) => /\[([a-z-]+)\]$/.exec(line)?.[1] ?? line), [
    "subprotocol-added",
    "max-length-lowered",
    "max-length-lowered",
    "typewire diff: 3 changes: 1 breaking for old clients, 1 breaking for old servers, 1 safe",
  ]);
  assert.match(
    changed.out,
    /^BREAKING for old servers: protocol "room", server message "joined" \/name: maxLength 20 -> 10/m,
  );
  assert.match(
    changed.out,
    /^BREAKING for old clients: protocol "room", client message "join" \/name: maxLength 20 -> 10/m,
  );
  assert.deepEqual(snapshots(), before, "the revision's files are removed");
  const named = diffIn(repo, ["--against", "v1", "proto/room.ts"]);
  assert.equal(named.code, 1);
  assert.match(named.out, /2 changes: 1 breaking for old clients, 1 breaking for old servers/, "settings as given");
  const one = diffIn(repo, ["--against", "v1", "--protocol", "room", "--allow-breaking"]);
  assert.equal(one.code, 0);
  const unknown = diffIn(repo, ["--against", "v1", "--protocol", "rooms"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /no protocol "rooms" in typewire\.config\.json \(did you mean "room"\?\)/);
  const bad = diffIn(repo, ["--against", "no-such-revision"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^typewire diff: unknown revision "no-such-revision": name a commit, tag or branch/);
  assert.equal(existsSync(join(repo, "out")), false, "nothing is generated");
});

test("the typewire command runs diff, and lists it", () => {
  const typewire = (...args: string[]) =>
    spawnSync(DENO, ["run", "-A", join(ROOT, "gen", "bin.ts"), ...args], {
      encoding: "utf8",
      timeout: 60_000,
    });
  const help = typewire("diff", "--help");
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /typewire diff <old-schema> <new-schema>/);
  assert.match(typewire("--help").stdout, /typewire diff <old> <new>/);
  const [old, next] = [schemaFile(V1), schemaFile(V2)];
  assert.equal(typewire("diff", old, next).status, 1);
  assert.equal(typewire("diff", old, old).status, 0);
});

test("docs/diff.md lists every rule of the code, and only those, with whom it breaks", () => {
  const text = readFileSync(join(ROOT, "docs", "diff.md"), "utf8");
  const rows = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    const id = /^`([a-z-]+)`$/.exec(cells[0] ?? "")?.[1];
    if (id !== undefined && cells.length === 5) rows.set(id, cells);
  }
  assert.deepEqual([...rows.keys()].sort(), RULES.map((rule) => rule.id).sort(), "the table's rules are the code's");
  for (const rule of RULES) {
    const [clients, servers] = breakCells(rule);
    const cells = rows.get(rule.id)!;
    assert.deepEqual([cells[2], cells[3]], [clients, servers], `the row of ${rule.id}`);
  }
});

test("cleanup", () => {
  rmSync(SCRATCH, { recursive: true, force: true });
});
