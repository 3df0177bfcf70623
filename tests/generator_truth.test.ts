/**
 * The generator tells the truth: each TypeScript construct below, as the
 * type of a message's property (its JSDoc tags above it), becomes exactly the
 * JSON Schema shown, or is refused with a message that names the property
 * and the fix. Nothing is accepted with another meaning: a `Map` does not
 * become `{ size: number }`, a misspelt tag is not dropped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateProtocol } from "../gen/generate.ts";
import { parseConfig, type ProtocolConfig } from "../gen/config.ts";

/** A construct: the JSDoc of the property `x`, its type, and what it must become. */
interface Row {
  readonly doc?: string;
  readonly type: string;
  readonly schema?: Record<string, unknown>;
  readonly refused?: RegExp;
}

const object = (properties: Record<string, unknown>, required: string[]) => ({
  type: "object",
  properties,
  ...(required.length > 0 && { required }),
  additionalProperties: false,
});

const ROWS: readonly Row[] = [
  { type: "string", schema: { type: "string" } },
  { type: "number", schema: { type: "number" } },
  { type: "boolean", schema: { type: "boolean" } },
  { type: "null", schema: { type: "null" } },
  { type: '"a"', schema: { type: "string", const: "a" } },
  { type: "42", schema: { type: "number", const: 42 } },
  { type: "true", schema: { type: "boolean", const: true } },
  { type: '"a" | "b"', schema: { type: "string", enum: ["a", "b"] } },
  { type: "string | null", schema: { type: ["string", "null"] } },
  { type: "number | string", schema: { type: ["number", "string"] } },
  { type: "string[]", schema: { type: "array", items: { type: "string" } } },
  { type: "readonly number[]", schema: { type: "array", items: { type: "number" } } },
  { type: "Array<{ n: number }>", schema: { type: "array", items: object({ n: { type: "number" } }, ["n"]) } },
  { type: "{ a: string; b?: number }", schema: object({ a: { type: "string" }, b: { type: "number" } }, ["a"]) },
  { type: "Ok", schema: { $ref: "#/definitions/Ok" } },
  { type: "Partial<Ok>", schema: object({ type: { type: "string", const: "ok" } }, []) },
  {
    type: "Ok & { extra: string }",
    schema: {
      type: "object",
      additionalProperties: false,
      properties: { extra: { type: "string" }, type: { type: "string", const: "ok" } },
      required: ["extra", "type"],
    },
  },
  { type: "unknown", schema: {} },
  { type: "any", schema: {} },
  { type: "object", schema: { type: "object" } },
  { doc: "@minLength 1 @maxLength 20", type: "string", schema: { type: "string", minLength: 1, maxLength: 20 } },
  { doc: "@pattern ^[a-z]+$", type: "string", schema: { type: "string", pattern: "^[a-z]+$" } },
  { doc: "@minimum 0 @maximum 10", type: "number", schema: { type: "number", minimum: 0, maximum: 10 } },
  { doc: "@exclusiveMinimum 0", type: "number", schema: { type: "number", exclusiveMinimum: 0 } },
  { doc: "@asType integer", type: "number", schema: { type: "integer" } },
  { doc: "@minItems 1", type: "string[]", schema: { type: "array", items: { type: "string" }, minItems: 1 } },
  { doc: "@maxItems 3", type: "string[]", schema: { type: "array", items: { type: "string" }, maxItems: 3 } },
  { doc: "@nullable", type: "string", schema: { type: ["string", "null"] } },
  { doc: '@default "x"', type: "string", schema: { type: "string", default: "x" } },
  { doc: "@format email", type: "string", schema: { type: "string", format: "email" } },
  { doc: "@see https://example.com @remarks shown @todo trim", type: "string", schema: { type: "string" } },
  { doc: "@deprecated use y", type: "string", schema: { type: "string", deprecated: "use y" } },
  // Refused: JSON cannot carry it, or it would mean something else.
  { type: "Map<string, number>", refused: /^Probe\.x0: a Map is not JSON \(it encodes as \{\}\): use an array of/ },
  { type: "ReadonlyMap<string, number>", refused: /^Probe\.x0: a Map is not JSON/ },
  { type: "Set<string>", refused: /^Probe\.x0: a Set is not JSON \(it encodes as \{\}\): use an array$/ },
  { type: "Date", refused: /^Probe\.x0: JSON has no dates: a Date arrives as a string, not a Date: use a number/ },
  {
    type: "bigint",
    refused: /^Probe\.x0: a bigint is not a JSON number .*: use a string with @pattern \^-\?\[0-9\]\+\$/,
  },
  { type: "symbol", refused: /^Probe\.x0: a symbol is not data$/ },
  { type: "() => void", refused: /^Probe\.x0: a function is not data/ },
  { type: "{ run(): void }", refused: /^Probe\.x0\.run: a function is not data/ },
  { type: "`r-${string}`", refused: /^Probe\.x0: a template literal type .*: write string with @pattern \^r-\.\*\$$/ },
  { type: "`v${number}`", refused: /write string with @pattern \^v-\?\[0-9\]\+\(\\\.\[0-9\]\+\)\?\$$/ },
  { type: "Promise<string>", refused: /^Probe\.x0: a Promise is not data: use the type it resolves to$/ },
  { type: "Uint8Array", refused: /^Probe\.x0: binary is not JSON: use a string \(base64\)/ },
  { type: "ArrayBuffer", refused: /^Probe\.x0: binary is not JSON/ },
  { type: "URL", refused: /^Probe\.x0: a URL arrives as a string, not a URL/ },
  { type: "RegExp", refused: /^Probe\.x0: a RegExp is not JSON: use a string$/ },
  { type: "[string, number]", refused: /^Probe\.x0: tuple arrays \(items as a list\) are not supported/ },
  { type: "Record<string, number>", refused: /^Probe\.x0: .*index signatures are not supported/ },
  {
    doc: "@maxLenght 20",
    type: "string",
    refused: /^Probe\.x0: unknown JSDoc tag @maxLenght \(did you mean @maxLength\?\)/,
  },
  { doc: "@min 1", type: "number", refused: /^Probe\.x0: unknown JSDoc tag @min \(did you mean @minimum\?\)/ },
  { doc: "@colour red", type: "string", refused: /^Probe\.x0: unknown JSDoc tag @colour: typewire would drop it/ },
  {
    doc: "@asType int",
    type: "number",
    refused: /^Probe\.x0: @asType "int" names no JSON Schema type \(did you mean integer\?\)/,
  },
  {
    doc: "@multipleOf 5",
    type: "number",
    refused: /^Probe\.x0: @multipleOf: typewire's validators do not check multipleOf: for whole numbers write @asType/,
  },
  {
    doc: "@uniqueItems true",
    type: "string[]",
    refused: /^Probe\.x0: @uniqueItems: typewire's validators do not check that items are unique: remove the tag/,
  },
  {
    doc: "@minProperties 1",
    type: "{ a?: string }",
    refused: /^Probe\.x0: @minProperties: .* list the properties as required instead$/,
  },
  { type: "never", refused: /^Probe\.x0: a required property of type never: .*make it optional \(name\?: never\)/ },
];

/** A schema file of one message, `Probe`, with the given properties (JSDoc and type each). */
function probeSchema(properties: readonly Row[]): string {
  const dir = mkdtempSync(join(tmpdir(), "typewire-truth-"));
  const file = join(dir, "probe.ts");
  const fields = properties.map((row, i) => `  /** ${row.doc ?? ""} */\n  x${i}: ${row.type};\n`).join("");
  writeFileSync(
    file,
    `export interface Probe {\n  type: "probe";\n${fields}}\n` +
      `export interface Ok {\n  type: "ok";\n}\nexport type ServerMessage = Ok;\nexport type ClientMessage = Probe;\n`,
  );
  return file;
}

/** The configuration of one schema file, every setting at its default; the module beside it, `<name>_generated.ts`. */
function protocolOf(file: string): ProtocolConfig {
  return parseConfig(
    { protocols: [{ schema: file, output: file.replace(/\.(schema\.json|ts)$/, "_generated.ts") }] },
    "test",
  )
    .protocols[0] as ProtocolConfig;
}

/** The JSON Schema the generator wrote for a schema file, or why it refused it (without the file's name). */
async function generate(file: string): Promise<{ schema: Record<string, unknown> } | { error: string }> {
  try {
    const files = await generateProtocol(protocolOf(file));
    return { schema: JSON.parse(files.find((f) => f.path.endsWith(".schema.json"))?.text ?? "{}") };
  } catch (error) {
    return { error: String((error as Error).message).replace(`${file}: `, "") };
  }
}

test(`the construct table has at least 40 rows (${ROWS.length})`, () => assert.ok(ROWS.length >= 40));

const translated = ROWS.filter((row) => row.schema !== undefined);
// One compilation for every construct that translates (each its own property); one each for the refused.
const together = generate(probeSchema(translated));

translated.forEach((row, i) => {
  test(`${row.doc ? `/** ${row.doc} */ ` : ""}${row.type}: translated exactly`, async () => {
    const result = await together;
    assert.ok("schema" in result, `refused: ${"error" in result && result.error}`);
    const probe = (result.schema.definitions as Record<string, { properties: Record<string, unknown> }>).Probe;
    assert.deepEqual(probe?.properties[`x${i}`], row.schema);
  });
});

for (const row of ROWS.filter((row) => row.refused !== undefined)) {
  test(`${row.doc ? `/** ${row.doc} */ ` : ""}${row.type}: refused, naming the property and the fix`, async () => {
    const result = await generate(probeSchema([row]));
    assert.ok("error" in result, `accepted: ${JSON.stringify(result).slice(0, 200)}`);
    assert.match(result.error, row.refused as RegExp);
  });
}

test("a generic's instances are named by the generic and their literal arguments, not by source positions", async () => {
  const dir = mkdtempSync(join(tmpdir(), "typewire-truth-"));
  const file = join(dir, "replies.ts");
  writeFileSync(
    file,
    'export interface Reply<T extends string, P> {\n  type: T;\n  payload: P;\n}\nexport interface Hello {\n  type: "hello";\n}\n' +
      'export type ServerMessage = Reply<"room_created", { room: string }> | Reply<"left", { id: number }>;\n' +
      "export type ClientMessage = Hello;\n",
  );
  const files = await generateProtocol(protocolOf(file));
  const module = files.find((f) => f.path.endsWith("replies_generated.ts"))?.text ?? "";
  assert.match(module, /export interface ReplyRoomCreated \{/);
  assert.match(module, /export interface ReplyLeft \{/);
  assert.doesNotMatch(module, /structure/);
});

test("an optional property of type never is one that must be absent: left out of a closed object", async () => {
  const dir = mkdtempSync(join(tmpdir(), "typewire-truth-"));
  const file = join(dir, "absent.ts");
  writeFileSync(
    file,
    'export interface Probe {\n  type: "probe";\n  gone?: never;\n}\nexport type ServerMessage = Probe;\n' +
      "export type ClientMessage = Probe;\n",
  );
  const result = await generate(file);
  assert.ok("schema" in result);
  const probe = (result.schema.definitions as Record<string, Record<string, unknown>>).Probe;
  assert.deepEqual(probe, object({ type: { type: "string", const: "probe" } }, ["type"]));
});

test("files the schema imports are held to the same rules: their types and tags are checked where written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "typewire-truth-"));
  const shared = (body: string) => writeFileSync(join(dir, "shared.ts"), `export interface Base {\n${body}\n}\n`);
  const file = join(dir, "imports.ts");
  writeFileSync(
    file,
    'import type { Base } from "./shared.ts";\nexport interface Probe extends Base {\n  type: "probe";\n}\n' +
      "export type ServerMessage = Probe;\nexport type ClientMessage = Probe;\n",
  );
  shared("  /** @maxLenght 3 */\n  name: string;");
  const tag = await generate(file);
  assert.ok("error" in tag, "a misspelt tag in an imported file was accepted");
  assert.match(tag.error, /shared\.ts: Base\.name: unknown JSDoc tag @maxLenght \(did you mean @maxLength\?\)/);
  shared("  when: Date;");
  const type = await generate(file);
  assert.ok("error" in type, "a Date in an imported file was accepted");
  assert.match(type.error, /shared\.ts: Base\.when: JSON has no dates/);
  shared("  /** @maxLength 3 */\n  name: string;");
  assert.ok("schema" in await generate(file));
});

test("JSON Schema keywords the validators do not check are refused with what to write instead", async () => {
  const dir = mkdtempSync(join(tmpdir(), "typewire-truth-"));
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ not: { type: "string" } }, /the keyword not is not supported: to forbid a property, leave it out/],
    [{ type: "array", items: { type: "string" }, uniqueItems: true }, /uniqueItems is not supported.*check in your/],
    [{ type: "number", multipleOf: 5 }, /multipleOf is not supported here: for whole numbers use "type": "integer"/],
  ];
  for (const [i, [x, why]] of cases.entries()) {
    const file = join(dir, `keyword${i}.schema.json`);
    const probe = object({ type: { const: "probe" }, x }, ["type", "x"]);
    writeFileSync(file, JSON.stringify({ $defs: { Probe: probe, ServerMessage: probe, ClientMessage: probe } }));
    await assert.rejects(generateProtocol(protocolOf(file)), (error: Error) => {
      assert.match(error.message, why);
      return true;
    });
  }
});

test("a JSDoc comment that belongs to no declaration is refused, not dropped with its tags", async () => {
  const dir = mkdtempSync(join(tmpdir(), "typewire-truth-"));
  const file = join(dir, "inline.ts");
  const write = (ping: string) =>
    writeFileSync(file, `${ping}\nexport type ServerMessage = Ping;\nexport type ClientMessage = Ping;\n`);
  write('export interface Ping { type: "ping"; /** @asType integer */ seq: number }');
  const dropped = await generate(file);
  assert.ok("error" in dropped, "the tag was dropped in silence");
  assert.match(dropped.error, /^line 1: this JSDoc comment \(@asType\) belongs to no declaration, .*on its own line/);
  write('export interface Ping {\n  type: "ping"; // the tag\n  /** @asType integer */ seq: number;\n}');
  const kept = await generate(file);
  assert.ok("schema" in kept);
  const ping = (kept.schema.definitions as Record<string, { properties: Record<string, unknown> }>).Ping;
  assert.deepEqual(ping?.properties.seq, { type: "integer" });
});
