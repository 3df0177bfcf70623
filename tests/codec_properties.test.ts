/**
 * Property tests of the generated codecs of every committed protocol: valid
 * messages survive encode -> decode unchanged; broken ones are refused with
 * the JSON Pointer of what broke.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { committedProtocols } from "./support/protocols.ts";
import { breakages, variantArbitraries } from "./support/arbitrary.ts";
import { escapePointerSegment } from "../src/runtime/issue.ts";

for (const { protocol, model } of committedProtocols) {
  for (const variant of variantArbitraries(model)) {
    const direction = protocol[variant.side];
    const label = `${protocol.name} ${variant.side} ${JSON.stringify(variant.tag)} (${variant.definition})`;

    test(`${label}: every valid message survives encode -> decode unchanged`, () => {
      fc.assert(
        fc.property(variant.valid, (message) => {
          const encoded = direction.encode(message);
          assert.ok(encoded.ok, JSON.stringify(encoded));
          assert.deepEqual(JSON.parse(encoded.frame), message, "the frame is the message's JSON");
          assert.deepEqual(direction.decode(encoded.frame), { ok: true, value: message });
          assert.deepEqual(direction.decodeStrict(encoded.frame), { ok: true, value: message });
          assert.equal(direction.is(message), true);
        }),
        { numRuns: 300 },
      );
    });

    test(`${label}: the encoder writes the same JSON as JSON.stringify`, () => {
      fc.assert(
        fc.property(variant.valid, (message) => {
          const encoded = direction.encode(message);
          assert.ok(encoded.ok);
          assert.deepEqual(JSON.parse(encoded.frame), JSON.parse(JSON.stringify(message)));
        }),
        { numRuns: 200 },
      );
    });

    test(`${label}: unknown properties are kept leniently, refused strictly, never encoded`, () => {
      fc.assert(
        fc.property(variant.valid, fc.string({ minLength: 1 }), fc.jsonValue(), (message, key, extra) => {
          fc.pre(!variant.shape.properties.some((p) => p.name === key));
          const frame = JSON.stringify({ ...message, [key]: extra });
          const lenient = direction.decode(frame);
          assert.ok(lenient.ok, `lenient decoding refused ${frame}: ${JSON.stringify(lenient)}`);
          assert.deepEqual(lenient.value, JSON.parse(frame), `lenient decoding changed ${frame}`);
          const strict = direction.decodeStrict(frame);
          assert.ok(
            !strict.ok && strict.error.kind === "invalid",
            `strict decoding of ${frame}: ${JSON.stringify(strict)}`,
          );
          assert.equal(strict.error.pointer, "/" + escapePointerSegment(key), `strict decoding's pointer for ${frame}`);
          const reencoded = direction.encode(lenient.value);
          assert.ok(reencoded.ok, `re-encoding ${frame}: ${JSON.stringify(reencoded)}`);
          assert.deepEqual(JSON.parse(reencoded.frame), message, `re-encoding ${frame} kept an unknown property`);
        }),
        { numRuns: 200 },
      );
    });

    for (const property of variant.shape.properties) {
      if (property.name === protocol.discriminator) continue;
      const pointer = "/" + escapePointerSegment(property.name);
      const broken = breakages(property.shape, model.definitions);
      if (property.required) broken.unshift({ value: undefined, why: "missing" });
      for (const { value, why } of broken) {
        test(`${label}: ${property.name} ${why} is refused at ${pointer}`, () => {
          fc.assert(
            fc.property(variant.valid, (message) => {
              const mutated: Record<string, unknown> = { ...message, [property.name]: value };
              if (value === undefined) delete mutated[property.name];
              const decoded = direction.decode(JSON.stringify(mutated));
              assert.ok(!decoded.ok, `accepted ${JSON.stringify(mutated).slice(0, 200)}`);
              assert.equal(decoded.error.kind, "invalid");
              assert.equal(decoded.error.kind === "invalid" && decoded.error.pointer, pointer);
              assert.equal(decoded.error.kind === "invalid" && decoded.error.type, variant.tag);
              const encoded = direction.encode(mutated);
              assert.ok(!encoded.ok && encoded.error.kind === "invalid" && encoded.error.pointer === pointer);
              assert.equal(direction.is(mutated), false);
            }),
            { numRuns: 20 },
          );
        });
      }
    }
  }

  test(`${protocol.name}: a type the server direction does not name is refused as unknown-type`, () => {
    const known = new Set<string>(protocol.server.types);
    fc.assert(
      fc.property(fc.string().filter((t) => !known.has(t)), (type) => {
        const decoded = protocol.server.decode(JSON.stringify({ [protocol.discriminator]: type }));
        assert.ok(!decoded.ok && decoded.error.kind === "unknown-type" && decoded.error.type === type);
      }),
    );
  });
}
