/**
 * Differential test: typewire's generated validators agree with ajv compiled
 * from the same JSON Schema, lenient and strict, on generated inputs, valid
 * and invalid alike.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { committedProtocols } from "./support/protocols.ts";
import { breakages, variantArbitraries } from "./support/arbitrary.ts";

type Json = unknown;

/** Rewrites every object schema's additionalProperties: lenient opens them all, strict closes those not explicitly open. */
function withAdditionalProperties(node: Json, mode: "lenient" | "strict"): Json {
  if (Array.isArray(node)) return node.map((n) => withAdditionalProperties(n, mode));
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withAdditionalProperties(value, mode);
  if (out.type === "object") {
    if (mode === "lenient") delete out.additionalProperties;
    else if (out.additionalProperties === undefined) out.additionalProperties = false;
  }
  return out;
}

/** Every path to a value inside a JSON value. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(value.flatMap((v, i) => paths(v, [...prefix, i])));
  if (typeof value === "object" && value !== null) {
    return here.concat(Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k])));
  }
  return here;
}

/** A deep copy of `value` with the value at `path` replaced, or deleted when `replacement` is undefined. */
function mutateAt(value: Json, path: readonly (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(value)) {
    const copy = [...value];
    if (rest.length === 0 && replacement === undefined) copy.splice(head as number, 1);
    else copy[head as number] = mutateAt(copy[head as number], rest, replacement);
    return copy;
  }
  const copy = { ...(value as Record<string, Json>) };
  if (rest.length === 0 && replacement === undefined) delete copy[head as string];
  else copy[head as string] = mutateAt(copy[head as string], rest, replacement);
  return copy;
}

const RUNS_PER_DIRECTION = 2_600;

for (const { protocol, schema, model, serverType, clientType } of committedProtocols) {
  for (const side of ["server", "client"] as const) {
    test(`${protocol.name} ${side}: validators agree with ajv on ${RUNS_PER_DIRECTION} generated inputs, lenient and strict`, () => {
      // draft-07 documents keep their types under definitions, 2020-12 ones (and AsyncAPI-derived) under $defs.
      const section = schema.$defs !== undefined ? "$defs" : "definitions";
      const modern = String(schema.$schema ?? "").includes("2020-12");
      const root = {
        ...(modern && { $schema: schema.$schema }),
        $ref: `#/${section}/${side === "server" ? serverType : clientType}`,
        [section]: schema[section],
      };
      const ajv = modern
        ? new Ajv2020({ strict: false, validateFormats: false })
        : new Ajv({ strict: false, validateFormats: false });
      const lenient = ajv.compile(withAdditionalProperties(root, "lenient") as object);
      const strict = ajv.compile(withAdditionalProperties(root, "strict") as object);
      const direction = protocol[side];
      const valid = fc.oneof(...variantArbitraries(model).filter((v) => v.side === side).map((v) => v.valid));
      const mutated = fc.tuple(valid, fc.nat(), fc.option(fc.jsonValue(), { nil: undefined })).map(
        ([message, n, replacement]) => {
          const all = paths(message).slice(1);
          return all.length === 0
            ? message
            : mutateAt(message, all[n % all.length] as (string | number)[], replacement);
        },
      );
      const edges = variantArbitraries(model).filter((v) => v.side === side).flatMap((variant) =>
        variant.shape.properties.flatMap((property) =>
          breakages(property.shape, model.definitions).map(({ value }) =>
            variant.valid.map((message) => ({ ...message, [property.name]: value }))
          )
        )
      );
      const extended = fc.tuple(valid, fc.string(), fc.jsonValue()).map(([m, k, v]) => ({ ...m, [k]: v }));
      const tagged = fc.tuple(fc.constantFrom(...direction.types), fc.dictionary(fc.string(), fc.jsonValue())).map((
        [tag, fields],
      ) => ({ ...fields, [protocol.discriminator]: tag }));
      const input = fc.oneof(
        { arbitrary: valid, weight: 4 },
        { arbitrary: mutated, weight: 4 },
        { arbitrary: fc.oneof(...edges), weight: 2 },
        { arbitrary: extended, weight: 2 },
        { arbitrary: tagged, weight: 1 },
        { arbitrary: fc.jsonValue(), weight: 1 },
      );
      const tally = { lenientValid: 0, lenientInvalid: 0, strictValid: 0, strictInvalid: 0 };
      fc.assert(
        fc.property(input, (value) => {
          const frame = JSON.stringify(value);
          const parsed = JSON.parse(frame);
          const ours = direction.decode(frame).ok;
          const oursStrict = direction.decodeStrict(frame).ok;
          assert.equal(ours, lenient(parsed), `lenient disagreement on ${frame.slice(0, 300)}`);
          assert.equal(oursStrict, strict(parsed), `strict disagreement on ${frame.slice(0, 300)}`);
          assert.equal(direction.is(parsed), ours);
          tally[ours ? "lenientValid" : "lenientInvalid"]++;
          tally[oursStrict ? "strictValid" : "strictInvalid"]++;
        }),
        { numRuns: RUNS_PER_DIRECTION },
      );
      for (const [outcome, count] of Object.entries(tally)) {
        assert.ok(
          count > RUNS_PER_DIRECTION / 10,
          `too few ${outcome} inputs (${count}) for the comparison to mean much`,
        );
      }
    });
  }
}
