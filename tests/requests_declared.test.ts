/**
 * Requests as a schema declares them, in all three inputs (TypeScript tags,
 * JSON Schema keywords, AsyncAPI 3 `reply` and `correlationId`): what the
 * generator reads, what it emits, and what it refuses, naming the fix.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readJsonSchema, type ReadOptions } from "../gen/read_schema.ts";
import { emitModule } from "../gen/emit_module.ts";
import { schemaFromAsyncApi } from "../gen/asyncapi.ts";
import { SchemaError } from "../gen/errors.ts";
import { ROOMS_REQUESTS, roomsProtocol } from "./fixtures/generated/rooms.ts";
import { JOBS_REQUESTS } from "./fixtures/generated/jobs.ts";
import { COUNTERS_REQUESTS } from "./fixtures/generated/counters.ts";
import { chatProtocol } from "../src/generated/chat.ts";

const OPTIONS: ReadOptions = {
  name: "inline",
  source: "inline.json",
  discriminator: "type",
  subprotocols: [],
  serverType: "ServerMessage",
  clientType: "ClientMessage",
};

const message = (tag: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  type: "object",
  properties: { type: { const: tag }, ...properties },
  required: ["type", ...Object.keys(properties)],
  additionalProperties: false,
  ...extra,
});

/** A request `ask` (client) answered by `answer` or the error `oops` (server), paired by `id`. */
function schema(overrides: { ask?: Record<string, unknown>; answer?: Record<string, unknown> } = {}) {
  return {
    definitions: {
      Ask: message("ask", { id: { type: "integer" } }, {
        "x-reply": ["answer"],
        "x-error-reply": ["oops"],
        "x-correlation": "id",
        ...overrides.ask,
      }),
      Answer: message("answer", { id: { type: "integer" }, value: { type: "string" } }, overrides.answer),
      Oops: message("oops", { id: { type: "integer" } }),
      Note: message("note"),
      ServerMessage: {
        anyOf: [{ $ref: "#/definitions/Answer" }, { $ref: "#/definitions/Oops" }, { $ref: "#/definitions/Note" }],
      },
      ClientMessage: { anyOf: [{ $ref: "#/definitions/Ask" }, { $ref: "#/definitions/Note" }] },
    },
  };
}

function refusal(document: unknown): SchemaError {
  try {
    readJsonSchema(document, OPTIONS);
  } catch (error) {
    assert.ok(error instanceof SchemaError, String(error));
    return error;
  }
  return assert.fail("expected a SchemaError");
}

test("JSON Schema: x-reply, x-error-reply and x-correlation on a message make it a request", () => {
  assert.deepEqual(readJsonSchema(schema(), OPTIONS).requests, [
    {
      side: "client",
      tag: "ask",
      replies: ["answer"],
      errors: ["oops"],
      correlation: "id",
      correlationKind: "integer",
    },
  ]);
});

test("the three inputs give the same kind of table: TypeScript tags, JSON Schema keywords, AsyncAPI reply", () => {
  assert.deepEqual(ROOMS_REQUESTS, {
    client: {
      "create-room": {
        replies: ["room-created"],
        errors: ["refused"],
        correlation: "request",
        correlationKind: "integer",
      },
      "list-members": { replies: ["members"], errors: ["refused"], correlation: "request", correlationKind: "integer" },
    },
    server: { "here?": { replies: ["here"], errors: [], correlation: "request", correlationKind: "integer" } },
  });
  assert.deepEqual(COUNTERS_REQUESTS.client.get, {
    replies: ["value"],
    errors: ["no-such-counter"],
    correlation: "id",
    correlationKind: "string",
  });
  assert.deepEqual(COUNTERS_REQUESTS.client.bump?.replies, ["value"], "a $ref to the reply's definition works too");
  assert.deepEqual(JOBS_REQUESTS, {
    client: {
      status: { replies: ["report"], errors: ["unknown-job"], correlation: "request", correlationKind: "integer" },
    },
    server: {},
  });
  assert.equal(roomsProtocol.requests, ROOMS_REQUESTS, "the descriptor carries the table");
});

test("a protocol that declares no requests generates no table and no requests field", () => {
  assert.equal("requests" in chatProtocol, false);
  const plain = emitModule(
    readJsonSchema(
      { definitions: { ...schema().definitions, Ask: message("ask", { id: { type: "integer" } }) } },
      OPTIONS,
    ),
    {
      runtimeSpecifier: "typewire/runtime",
      version: "9.9.9",
    },
  );
  assert.doesNotMatch(plain, /REQUESTS|requests:|RequestTable/);
});

test("AsyncAPI: a reply answered by a message marked x-error: true, paired by a correlationId location", () => {
  const document = {
    asyncapi: "3.0.0",
    channels: {
      c: {
        messages: {
          ask: {
            correlationId: { location: "$message.payload#/id" },
            payload: message("ask", { id: { type: "string" } }),
          },
          answer: { payload: message("answer", { id: { type: "string" } }) },
          oops: { "x-error": true, payload: message("oops", { id: { type: "string" } }) },
        },
      },
    },
    operations: {
      ask: {
        action: "receive",
        channel: { $ref: "#/channels/c" },
        messages: [{ $ref: "#/channels/c/messages/ask" }],
        reply: { messages: [{ $ref: "#/channels/c/messages/answer" }, { $ref: "#/channels/c/messages/oops" }] },
      },
    },
  };
  const { document: converted } = schemaFromAsyncApi(document, "a.yaml", "server", "ServerMessage", "ClientMessage");
  const model = readJsonSchema(converted, OPTIONS);
  assert.deepEqual(model.requests, [
    { side: "client", tag: "ask", replies: ["answer"], errors: ["oops"], correlation: "id", correlationKind: "string" },
  ]);
  assert.deepEqual(
    model.server.variants.map((v) => v.tag),
    ["answer", "oops"],
    "the replies are what the server sends",
  );

  const nested = structuredClone(document);
  nested.channels.c.messages.ask.correlationId.location = "$message.payload#/meta/id";
  assert.throws(
    () => schemaFromAsyncApi(nested, "a.yaml", "server", "ServerMessage", "ClientMessage"),
    /must name a top-level property of the payload, such as \$message\.payload#\/requestId/,
  );
});

/** Each mistake, and the words of its refusal. */
const MISTAKES: readonly (readonly [string, () => unknown, RegExp])[] = [
  [
    "a reply that is not a message of the other direction",
    () => schema({ ask: { "x-reply": ["note-that-does-not-exist"] } }),
    /the reply "note-that-does-not-exist" is not a message the server sends; the server sends "answer", "oops", "note": reply with one of those, or add "note-that-does-not-exist" to ServerMessage/,
  ],
  [
    "a reply the requester's own side sends",
    () => {
      const s = schema({ ask: { "x-reply": ["ask"] } });
      return s;
    },
    /the reply "ask" is not a message the server sends/,
  ],
  [
    "a request without a correlation",
    () => schema({ ask: { "x-correlation": undefined } }),
    /a request needs x-correlation \(@correlation in TypeScript\): the name of a required string or integer property/,
  ],
  [
    "a reply named by its type's name instead of its message type",
    () => schema({ ask: { "x-reply": ["Answer"] } }),
    /the reply "Answer" names a type, where replies are listed by message type: list "answer" \(its "type"\) instead/,
  ],
  [
    "a correlation property missing from the request",
    () => schema({ ask: { "x-correlation": "ref" } }),
    /Ask: no property "ref", the correlation of this request: add ref: string \(or an integer\) to it, required/,
  ],
  [
    "a correlation property missing from a reply",
    () => schema({ answer: { properties: { type: { const: "answer" } }, required: ["type"] } }),
    /Answer: no property "id", the correlation of request Ask/,
  ],
  [
    "an optional correlation property",
    () =>
      schema({ answer: { properties: { type: { const: "answer" }, id: { type: "integer" } }, required: ["type"] } }),
    /Answer: its correlation property "id" is optional: make it required \(typewire always fills it in\)/,
  ],
  [
    "a correlation of a type other than string or integer",
    () => schema({ ask: { properties: { type: { const: "ask" }, id: { type: "boolean" } } } }),
    /Ask\.id: a correlation property must be a string or an integer/,
  ],
  [
    "a correlation of a different type in a reply",
    () =>
      schema({
        answer: { properties: { type: { const: "answer" }, id: { type: "string" } }, required: ["type", "id"] },
      }),
    /Answer: its "id" is a string but the request Ask's is an integer: give both the same type/,
  ],
  [
    "an integer correlation whose bounds refuse typewire's numbering",
    () => schema({ ask: { properties: { type: { const: "ask" }, id: { type: "integer", maximum: 3 } } } }),
    /Ask\.id: typewire numbers requests 1, 2, 3\.\.\. \(as integers\), and this property refuses 4, the request after 3/,
  ],
  [
    "an integer correlation that refuses the first number",
    () => schema({ ask: { properties: { type: { const: "ask" }, id: { type: "integer", minimum: 100 } } } }),
    /Ask\.id: .* refuses 1, the first: loosen or drop its bounds/,
  ],
  [
    "a string correlation whose pattern refuses decimal numbers",
    () => schema({ ask: { properties: { type: { const: "ask" }, id: { type: "string", pattern: "^[a-f]{8}$" } } } }),
    /Ask\.id: typewire numbers requests 1, 2, 3\.\.\. \(as decimal strings\), and this property refuses "1"/,
  ],
  [
    "one answer type for two requests paired by different properties",
    () => {
      const document = schema();
      const definitions = document.definitions as Record<string, unknown>;
      definitions.Answer = message("answer", { id: { type: "integer" }, ref: { type: "integer" } });
      definitions.Other = message("other", { ref: { type: "integer" } }, {
        "x-reply": ["answer"],
        "x-correlation": "ref",
      });
      definitions.ClientMessage = { anyOf: [{ $ref: "#/definitions/Ask" }, { $ref: "#/definitions/Other" }] };
      return document;
    },
    /answer: it answers "ask" \(paired by "id"\) and "other" \(paired by "ref"\): give both requests the same correlation property, or each its own answer type/,
  ],
  [
    "a correlation that is the discriminator",
    () => schema({ ask: { "x-correlation": "type" } }),
    /x-correlation cannot be the discriminator "type"/,
  ],
  [
    "an answer listed both as a reply and an error reply",
    () => schema({ ask: { "x-error-reply": ["answer"] } }),
    /"answer" is in both x-reply and x-error-reply: list each answer once/,
  ],
  [
    "an empty list of replies",
    () => schema({ ask: { "x-reply": [] } }),
    /x-reply must name the message types that answer this request: a list of strings/,
  ],
  [
    "request keywords on a type that is not a message",
    () => {
      const s = schema();
      return { definitions: { ...s.definitions, Id: { type: "integer", "x-reply": ["answer"] } } };
    },
    /Id: x-reply, x-error-reply and x-correlation belong on a message that the client or the server union lists/,
  ],
];

for (const [what, document, words] of MISTAKES) {
  test(`refused, naming the fix: ${what}`, () => {
    const error = refusal(JSON.parse(JSON.stringify(document())));
    assert.match(error.message, words);
  });
}
