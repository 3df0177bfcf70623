/**
 * The AsyncAPI export (`gen/asyncapi_export.ts`): every protocol of
 * typewire.config.json exports a document that `@asyncapi/parser` accepts
 * without errors, that states its operations, replies, correlation ids,
 * descriptions and discriminator, and that `typewire gen` reads back into the
 * same protocol: the same model, the same module (but for the differences the
 * AsyncAPI reader makes, which are named per protocol below) and the same
 * decoding of valid and invalid frames. Then the `asyncapi` setting, the
 * `--asyncapi` option and `--check`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { Parser } from "@asyncapi/parser";
import fc from "fast-check";
import { asyncApiOf, asyncApiText } from "../gen/asyncapi_export.ts";
import { schemaFromAsyncApi } from "../gen/asyncapi.ts";
import { main } from "../gen/cli.ts";
import { parseConfig, type ProtocolConfig } from "../gen/config.ts";
import { emitModule } from "../gen/emit_module.ts";
import { generateProtocol, readProtocol } from "../gen/generate.ts";
import type { ProtocolModel } from "../gen/model.ts";
import { VERSION } from "../gen/version.ts";
import { breakages, variantArbitraries } from "./support/arbitrary.ts";
import { captured } from "./support/captured.ts";

type Node = Record<string, unknown>;

const CONFIG = parseConfig(JSON.parse(readFileSync("typewire.config.json", "utf8")), "typewire.config.json");

/** What each protocol's document holds: its operations per action, and its messages. */
const EXPECTED: Record<string, { send: number; receive: number; messages: number }> = {
  chat: { send: 5, receive: 2, messages: 7 },
  signaling: { send: 9, receive: 6, messages: 11 },
  shapes: { send: 2, receive: 1, messages: 2 },
  echo: { send: 3, receive: 2, messages: 5 },
  ticker: { send: 3, receive: 2, messages: 5 },
  jobs: { send: 6, receive: 3, messages: 9 },
  tree: { send: 2, receive: 2, messages: 4 },
  rooms: { send: 5, receive: 4, messages: 9 },
  counters: { send: 3, receive: 2, messages: 5 },
  feed: { send: 3, receive: 4, messages: 7 },
};

const RUNTIME = "src/runtime/mod.ts";

/** A scratch folder inside the repository, so that generated modules import the runtime by a relative path. */
function scratchInRepo(): string {
  return mkdtempSync("tests/.tmp-asyncapi-export-");
}

const at = (document: Node, pointer: string): unknown =>
  pointer.replace(/^#\//, "").split("/").reduce<unknown>(
    (node, part) => (node as Node | undefined)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")],
    document,
  );

/** The payload schema of a message, following its `$ref`. */
function payloadOf(document: Node, message: Node): Node {
  const payload = message.payload as Node;
  return typeof payload.$ref === "string" ? at(document, payload.$ref) as Node : payload;
}

test("every protocol exports a document the AsyncAPI parser accepts, stating what the model says", async () => {
  assert.deepEqual(CONFIG.protocols.map((p) => p.name).sort(), Object.keys(EXPECTED).sort());
  const parser = new Parser();
  const warnings: string[] = [];
  for (const protocol of CONFIG.protocols) {
    const { model, document } = await readProtocol(protocol);
    const spec = asyncApiOf(model, document) as Node;
    const { document: parsed, diagnostics } = await parser.parse(asyncApiText(spec, "x.json"));
    const errors = diagnostics.filter((d) => d.severity === 0);
    assert.deepEqual(errors.map((d) => `${d.code}: ${d.message} at ${d.path.join("/")}`), [], protocol.name);
    assert.ok(parsed !== undefined, protocol.name);
    // Severity 1 is a warning, 2 information (the parser recommends AsyncAPI 3.1.0), 3 a hint.
    warnings.push(...diagnostics.filter((d) => d.severity === 1).map((d) => `${protocol.name}: ${d.code}`));
    assert.deepEqual(
      diagnostics.filter((d) => d.severity > 1).map((d) => d.code),
      ["asyncapi-latest-version"],
      protocol.name,
    );

    const expected = EXPECTED[protocol.name]!;
    const operations = Object.values(spec.operations as Node) as Node[];
    assert.equal(operations.filter((o) => o.action === "send").length, expected.send, `${protocol.name} send`);
    assert.equal(operations.filter((o) => o.action === "receive").length, expected.receive, `${protocol.name} receive`);
    assert.equal(parsed.operations().filterBySend().length, expected.send);
    const channel = (spec.channels as Node)[protocol.name] as Node;
    const messages = channel.messages as Record<string, Node>;
    assert.equal(Object.keys(messages).length, expected.messages, `${protocol.name} messages`);
    assert.equal((spec.info as Node).title, protocol.name);
    assert.equal((spec.info as Node).version, "0.0.0");
    const ws = (channel.bindings as Node).ws as Node;
    assert.equal(ws.method, "GET");
    assert.equal(JSON.stringify(ws).includes(protocol.subprotocols.join(", ")), true);

    for (const [definition, { shape }] of model.definitions) {
      if (shape.description === undefined) continue;
      const schema = ((spec.components as Node).schemas as Node)[definition] as Node | undefined ??
        (messages[definition] === undefined ? undefined : payloadOf(spec, messages[definition]));
      const recreated = schema === undefined && shape.kind === "ref";
      if (!recreated) assert.equal(schema?.description, shape.description, `${protocol.name} ${definition}`);
    }
    for (const direction of [model.server, model.client]) {
      for (const variant of direction.variants) {
        const message = messages[variant.definition]!;
        assert.equal(message.title, variant.definition);
        assert.equal(message.description, model.definitions.get(variant.definition)!.shape.description);
        assert.equal(payloadOf(spec, message).discriminator, model.discriminator, variant.definition);
        assert.equal(
          message["x-resume"],
          direction.side === "server" && model.resume?.types.includes(variant.tag) ? model.resume.property : undefined,
        );
      }
    }
  }
  console.log(`@asyncapi/parser warnings over ${CONFIG.protocols.length} documents: ${warnings.length}`, warnings);
  assert.deepEqual(warnings, []);
});

test("requests: a reply of the answers, error replies marked, correlation ids in the payload", async () => {
  const spec = async (name: string) => {
    const { model, document } = await readProtocol(CONFIG.protocols.find((p) => p.name === name)!);
    return asyncApiOf(model, document) as Node;
  };
  const rooms = await spec("rooms");
  const ops = rooms.operations as Record<string, Node>;
  const refs = (op: Node) => ((op.reply as Node).messages as Node[]).map((m) => m.$ref);
  assert.deepEqual(refs(ops.receiveCreateRoom!), [
    "#/channels/rooms/messages/RoomCreated",
    "#/channels/rooms/messages/Refused",
  ]);
  assert.deepEqual(refs(ops.receiveListMembers!), [
    "#/channels/rooms/messages/Members",
    "#/channels/rooms/messages/Refused",
  ]);
  assert.equal(ops.sendAreYouThere!.action, "send", "the server's request");
  assert.deepEqual(refs(ops.sendAreYouThere!), ["#/channels/rooms/messages/Here"]);
  assert.equal(ops.receiveSay!.reply, undefined);
  const roomMessages = ((rooms.channels as Node).rooms as Node).messages as Record<string, Node>;
  assert.equal(roomMessages.Refused!["x-error"], true);
  assert.equal(roomMessages.RoomCreated!["x-error"], undefined);
  assert.deepEqual(roomMessages.CreateRoom!.correlationId, { $ref: "#/components/correlationIds/request" });
  assert.equal(roomMessages.Say!.correlationId, undefined);
  assert.equal(at(rooms, "#/components/correlationIds/request/location"), "$message.payload#/request");

  const counters = await spec("counters");
  const counterOps = counters.operations as Record<string, Node>;
  assert.deepEqual(refs(counterOps.receiveGet!), [
    "#/channels/counters/messages/Value",
    "#/channels/counters/messages/NoSuchCounter",
  ]);
  assert.deepEqual(refs(counterOps.receiveBump!), ["#/channels/counters/messages/Value"]);
  assert.equal(at(counters, "#/channels/counters/messages/NoSuchCounter/x-error"), true);
  assert.equal(at(counters, "#/components/correlationIds/id/location"), "$message.payload#/id");
  assert.equal(at(counters, "#/components/schemas/Get/discriminator"), "op");
});

/** The round trip's configuration: the exported document as the schema, every other setting as the original's. */
function roundTripConfig(protocol: ProtocolConfig, schema: string, dir: string): ProtocolConfig {
  return parseConfig({
    protocols: [{
      schema,
      output: join(dir, `${protocol.name}.roundtrip.ts`),
      name: protocol.name,
      ...(protocol.discriminator !== undefined && { discriminator: protocol.discriminator }),
      server: protocol.server,
      client: protocol.client,
      subprotocols: protocol.subprotocols,
      runtime: relative(dir, RUNTIME),
      ...(protocol.resume !== undefined && { resume: protocol.resume }),
    }],
  }, "round trip").protocols[0]!;
}

type Codec = Record<string, (input: unknown) => unknown>;

/** Frames to decode: valid messages of every type, each broken at each property, and frames no message matches. */
function corpus(model: ProtocolModel): string[] {
  const frames = ["not json", "null", "[]", "{}", JSON.stringify({ [model.discriminator]: "no-such-type" })];
  for (const variant of variantArbitraries(model)) {
    for (const valid of fc.sample(variant.valid, { numRuns: 6, seed: 7 })) {
      frames.push(JSON.stringify(valid), JSON.stringify({ ...valid, unknownExtra: 1 }));
      for (const property of variant.shape.properties) {
        for (const broken of breakages(property.shape, model.definitions)) {
          const copy: Node = { ...valid };
          if (broken.value === undefined) delete copy[property.name];
          else copy[property.name] = broken.value;
          frames.push(JSON.stringify(copy));
        }
        if (property.required) {
          const { [property.name]: _gone, ...rest } = valid;
          frames.push(JSON.stringify(rest));
        }
      }
    }
  }
  return frames;
}

for (const protocol of CONFIG.protocols) {
  test(`round trip of ${protocol.name}: the same model, module and decoding`, async () => {
    const dir = scratchInRepo();
    try {
      const original = await readProtocol(protocol);
      // Half the protocols go through YAML, half through JSON.
      const index = CONFIG.protocols.indexOf(protocol);
      const schema = join(dir, `${protocol.name}.asyncapi.${index % 2 === 0 ? "yaml" : "json"}`);
      writeFileSync(schema, asyncApiText(asyncApiOf(original.model, original.document), schema));
      const config = roundTripConfig(protocol, schema, dir);
      const files = await generateProtocol(config);
      const back = (await readProtocol(config)).model;

      const { model } = original;
      assert.equal(back.discriminator, model.discriminator);
      assert.deepEqual(back.subprotocols, model.subprotocols);
      assert.deepEqual(back.server.variants, model.server.variants);
      assert.deepEqual(back.client.variants, model.client.variants);
      assert.deepEqual(back.requests, model.requests);
      assert.deepEqual(back.resume, model.resume);
      for (const [name, definition] of model.definitions) {
        assert.deepEqual(back.definitions.get(name), definition, `${protocol.name}: ${name}`);
      }
      assert.deepEqual([...back.definitions.keys()], [...model.definitions.keys()], "the same types, in their order");
      assert.equal(back.server.description, model.server.description);
      assert.equal(back.client.description, model.client.description);

      const options = { runtimeSpecifier: config.runtime, version: VERSION };
      const withoutHeader = (text: string) => text.split("\n").slice(1).join("\n");
      const originalText = emitModule(model, options);
      const backText = files.find((f) => f.path === config.output)!.text;
      assert.equal(withoutHeader(backText), withoutHeader(originalText), "the same module but for its header line");

      writeFileSync(join(dir, `${protocol.name}.original.ts`), originalText);
      writeFileSync(config.output, backText);
      const load = (file: string) => import(pathToFileURL(join(process.cwd(), file)).href) as Promise<Codec>;
      const [before, after] = [await load(join(dir, `${protocol.name}.original.ts`)), await load(config.output)];
      const frames = corpus(model);
      let decoded = 0;
      for (const direction of [model.server, model.client]) {
        for (const decoder of [`decode${direction.typeName}`, `decode${direction.typeName}Strict`]) {
          for (const frame of frames) {
            assert.deepEqual(after[decoder]!(frame), before[decoder]!(frame), `${decoder}(${frame})`);
            decoded++;
          }
        }
      }
      assert.ok(frames.length > 20 && decoded === frames.length * 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("exported from the client's side, send and receive swap, and the reader told so reads it back", async () => {
  const protocol = CONFIG.protocols.find((p) => p.name === "counters")!;
  const { model, document } = await readProtocol(protocol);
  const spec = asyncApiOf(model, document, { describes: "client", version: "2.1.0", address: "/counters" }) as Node;
  const ops = spec.operations as Record<string, Node>;
  assert.equal(ops.sendGet!.action, "send");
  assert.equal(ops.receiveValue!.action, "receive");
  assert.equal((spec.info as Node).version, "2.1.0");
  assert.equal(at(spec, "#/channels/counters/address"), "/counters");
  const dir = scratchInRepo();
  try {
    const schema = join(dir, "counters.asyncapi.json");
    writeFileSync(schema, asyncApiText(spec, schema));
    const config = parseConfig({
      protocols: [{ ...roundTripConfig(protocol, schema, dir), describes: "client" }],
    }, "client side").protocols[0]!;
    const back = (await readProtocol(config)).model;
    assert.deepEqual(back.server.variants, model.server.variants);
    assert.deepEqual(back.requests, model.requests);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the asyncapi setting: checked, and generateProtocol writes the document as one more file", async () => {
  const entry = { schema: "tests/fixtures/shapes.schema.json", output: "out/shapes.ts" };
  const parse = (extra: Node) => parseConfig({ protocols: [{ ...entry, ...extra }] }, "inline").protocols[0]!;
  assert.equal(parse({}).asyncapi, undefined);
  assert.equal(parse({ asyncapi: "api/shapes.asyncapi.yml" }).asyncapi, "api/shapes.asyncapi.yml");
  assert.throws(() => parse({ asyncapi: "api/shapes.txt" }), /asyncapi: expected a \.json, \.yaml or \.yml file/);
  assert.throws(() => parse({ asyncapi: 3 }), /asyncapi: expected a string/);
  assert.throws(() => parse({ asyncapi: entry.schema }), /asyncapi: .* name a file of its own/);
  assert.throws(() => parse({ asyncAPI: "x.json" }), /did you mean "asyncapi"/i);

  const yaml = await generateProtocol(parse({ asyncapi: "api/shapes.asyncapi.yaml" }));
  assert.deepEqual(yaml.map((f) => f.path), ["out/shapes.ts", "api/shapes.asyncapi.yaml"]);
  const [header, ...rest] = yaml[1]!.text.split("\n");
  assert.equal(header, `# generated by typewire ${VERSION} from tests/fixtures/shapes.schema.json, do not edit`);
  assert.equal(rest[0], "asyncapi: 3.0.0");
  const json = await generateProtocol(parse({ asyncapi: "api/shapes.asyncapi.json" }));
  const document = JSON.parse(json[1]!.text) as Node;
  assert.equal(
    (document.info as Node)["x-generated-by"],
    `typewire ${VERSION} from tests/fixtures/shapes.schema.json`,
  );
  assert.equal(json[1]!.text, (await generateProtocol(parse({ asyncapi: "api/shapes.asyncapi.json" })))[1]!.text);
  assert.equal((document.info as Node).version, "0.0.0");
  assert.equal(Object.values(document.channels as Node).map((c) => (c as Node).address)[0], null);

  const stated = await generateProtocol(
    parse({ asyncapi: "api/s.asyncapi.json", protocolVersion: "2.1.0", address: "/shapes" }),
  );
  const statedDocument = JSON.parse(stated[1]!.text) as Node;
  assert.equal((statedDocument.info as Node).version, "2.1.0", "protocolVersion is info.version");
  assert.equal(Object.values(statedDocument.channels as Node).map((c) => (c as Node).address)[0], "/shapes");
  assert.throws(() => parse({ protocolVersion: "  " }), /protocolVersion: expected a version/);
  assert.throws(() => parse({ protocolVersion: "" }), /protocolVersion: expected a version, e\.g\. "1\.2\.0"/);
  assert.throws(() => parse({ version: "1.0.0" }), /did you mean "protocolVersion"/i);
  assert.throws(() => parse({ address: 7 }), /address: expected a string/);
});

/** Runs the command in this process, capturing what it writes. */
const gen = (args: readonly string[]) => captured(() => main(args));

test("--asyncapi: a file for one schema, a directory for several, and --check flags a stale document", async () => {
  const dir = mkdtempSync(join(tmpdir(), "typewire-asyncapi-"));
  try {
    assert.ok((await gen(["--help"])).out.includes("--asyncapi <file|dir>"));
    for (const name of ["a", "b"]) copyFileSync("tests/fixtures/shapes.schema.json", join(dir, `${name}.schema.json`));
    const [a, b] = [join(dir, "a.schema.json"), join(dir, "b.schema.json")];
    const out = join(dir, "out");

    const one = await gen([a, "--out", out, "--asyncapi", join(dir, "api", "a.asyncapi.yaml")]);
    assert.equal(one.code, 0, one.err);
    assert.match(
      readFileSync(join(dir, "api", "a.asyncapi.yaml"), "utf8"),
      /^# generated by typewire .* from .*a\.schema\.json/,
    );

    const refused = await gen([a, b, "--out", out, "--asyncapi", join(dir, "both.asyncapi.json")]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /names one file for 2 schemas: name a directory/);

    const several = await gen([
      ...[a, b, "--out", out, "--asyncapi", join(dir, "specs")],
      ...["--protocol-version=1.4.0", "--address", "/shapes"],
    ]);
    assert.equal(several.code, 0, several.err);
    for (const name of ["a", "b"]) {
      const document = JSON.parse(readFileSync(join(dir, "specs", `${name}.asyncapi.json`), "utf8")) as Node;
      assert.equal((document.info as Node).title, name);
      assert.equal((document.info as Node).version, "1.4.0");
      assert.equal(Object.values(document.channels as Node).map((c) => (c as Node).address)[0], "/shapes");
    }

    const blank = await gen([a, "--out", out, "--asyncapi", join(dir, "c.json"), "--protocol-version", " "]);
    assert.deepEqual([blank.code, blank.err], [
      2,
      "typewire gen: --protocol-version needs a value\nSee typewire gen --help.\n",
    ]);
    const unused = await gen([a, "--out", out, "--address", "/shapes"]);
    assert.equal(unused.code, 0, unused.err);
    assert.match(unused.err, /note: protocol "a": address goes only into the AsyncAPI document, and none is written/);

    // A configuration with the setting: --check covers the document.
    const configPath = join(dir, "typewire.config.json");
    const asyncapi = join(dir, "api", "shapes.asyncapi.yaml");
    writeFileSync(configPath, JSON.stringify({ protocols: [{ schema: a, output: join(out, "shapes.ts"), asyncapi }] }));
    assert.equal((await gen(["--config", configPath])).code, 0);
    assert.equal((await gen(["--config", configPath, "--check"])).code, 0);
    writeFileSync(asyncapi, readFileSync(asyncapi, "utf8").replace("version: 0.0.0", "version: 9.9.9"));
    const stale = await gen(["--config", configPath, "--check"]);
    assert.equal(stale.code, 1);
    assert.match(stale.err, new RegExp(`stale: ${asyncapi.replaceAll("\\", "\\\\")}`));
    rmSync(asyncapi);
    assert.match((await gen(["--config", configPath, "--check"])).err, /\(missing\)/);

    // The option overrides the setting; a file for a configuration of several protocols is refused.
    const overridden = await gen(["--config", configPath, "--asyncapi", join(dir, "elsewhere")]);
    assert.equal(overridden.code, 0, overridden.err);
    assert.ok(existsSync(join(dir, "elsewhere", "a.asyncapi.json")));
    writeFileSync(
      configPath,
      JSON.stringify({ protocols: [a, b].map((schema, i) => ({ schema, output: join(out, `${i}.ts`) })) }),
    );
    const tooMany = await gen(["--config", configPath, "--asyncapi", join(dir, "x.yaml")]);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.err, /--asyncapi: .* names one file for 2 protocols: name a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("x-type names a message's type; a payload that is the component of that name is the type itself", () => {
  const jobs = (message: Node) => ({
    asyncapi: "3.0.0",
    channels: { jobs: { messages: { done: message } } },
    operations: {
      sendDone: { action: "send", channel: { $ref: "#/channels/jobs" } },
      receiveDone: { action: "receive", channel: { $ref: "#/channels/jobs" } },
    },
    components: {
      schemas: { Done: { type: "object", properties: { kind: { const: "done" } }, required: ["kind"] } },
    },
  });
  const payload = { $ref: "#/components/schemas/Done" };
  const read = (message: Node) =>
    schemaFromAsyncApi(jobs(message), "jobs.yaml", "server", "ServerMessage", "ClientMessage").document.$defs as Node;
  assert.deepEqual(Object.keys(read({ payload })), ["Done", "SendDoneMessage", "ServerMessage", "ClientMessage"]);
  assert.deepEqual(Object.keys(read({ payload, "x-type": "Done" })), ["Done", "ServerMessage", "ClientMessage"]);
  assert.deepEqual(read({ payload, "x-type": "Finished" }).Finished, { $ref: "#/$defs/Done" });
  assert.throws(() => read({ payload, "x-type": "not a name" }), /x-type names the message's type/);
});
