/**
 * The decoder skeleton that every generated `decode*` function calls: parse,
 * then validate with the direction's generated check. It never throws.
 *
 * Nesting: a message of a type that contains itself (a tree) is refused as
 * `invalid` when it nests more than `MAX_DEPTH` (256) levels of objects and
 * arrays, the message being level 1; the generated check measures it, without
 * recursion, before validating (see `depth.ts`). Deno's and Bun's own
 * `JSON.parse` take 400,000 levels without running out of stack; a parser
 * that did would make the frame `not-json`, never a throw.
 *
 * @module
 */
import type { DecodeError, DecodeResult, EncodeError, Issue } from "./result.ts";
import { describeValue, shorten } from "./issue.ts";
import { type DirectionCheck, isFields, UNKNOWN_TYPE } from "./fields.ts";

/**
 * Decodes one text frame into a message of a direction.
 *
 * Extra properties that the schema does not name are kept on the returned
 * object (untyped) unless `strict` is set, in which case they are an
 * `invalid` error. Encoders never write them back out. A message of a
 * recursive type nested more than `MAX_DEPTH` (256) levels deep is an
 * `invalid` error at the JSON Pointer where the depth ran out. Never throws.
 *
 * @param frame The text frame, exactly as received.
 * @param key The discriminator property, e.g. `"type"`.
 * @param check The direction's generated validator.
 * @param strict Whether unknown properties are rejected.
 * @returns The typed message, or the reason it was refused.
 * @example
 * ```ts
 * import { decodeWith } from "./decode.ts";
 * import { UNKNOWN_TYPE } from "./fields.ts";
 * decodeWith("[1]", "type", () => UNKNOWN_TYPE, false); // { ok: false, error: { kind: "not-object", ... } }
 * ```
 */
export function decodeWith<M>(frame: string, key: string, check: DirectionCheck, strict: boolean): DecodeResult<M> {
  if (typeof frame !== "string") {
    return refuse({ kind: "not-json", message: `not JSON: a text frame was expected, found ${describeValue(frame)}` });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch (error) {
    return refuse({ kind: "not-json", message: `not JSON: ${(error as Error).message}` });
  }
  if (!isFields(parsed)) return refuse(notObject(parsed));
  const issue = check(parsed, strict);
  if (issue === undefined) return { ok: true, value: parsed as M };
  return refuse(
    issue === UNKNOWN_TYPE ? unknownType(key, parsed[key]) : invalidMessage(key, parsed[key] as string, issue),
  );
}

function refuse(error: DecodeError): { ok: false; error: DecodeError } {
  return { ok: false, error };
}

/**
 * The error for a value that is not a JSON object.
 *
 * @param value What was found instead.
 * @returns A `not-object` error.
 * @example
 * ```ts
 * import { notObject } from "./decode.ts";
 * notObject(null).message; // "expected a JSON object, found null"
 * ```
 */
export function notObject(value: unknown): DecodeError & EncodeError & { kind: "not-object" } {
  return { kind: "not-object", message: `expected a JSON object, found ${describeValue(value)}` };
}

/**
 * The error for a discriminator value that names no message.
 *
 * @param key The discriminator property.
 * @param tag The value found there.
 * @returns An `unknown-type` error.
 * @example
 * ```ts
 * import { unknownType } from "./decode.ts";
 * unknownType("type", "ping").message; // "unknown \"type\": the string \"ping\" names no message"
 * ```
 */
export function unknownType(key: string, tag: unknown): DecodeError & EncodeError & { kind: "unknown-type" } {
  const found = describeValue(tag);
  return {
    kind: "unknown-type",
    type: tag,
    message: `unknown ${JSON.stringify(key)}: ${
      typeof tag === "string" ? `${found} names no message` : `expected a string, found ${found}`
    }`,
  };
}

/**
 * The error for a known message that breaks its schema. Its message shows
 * only the first 100 characters of a long pointer (one 256 levels deep, or to
 * a huge unknown key); `pointer` keeps it whole.
 *
 * @param key The discriminator property.
 * @param tag Which message the object claimed to be.
 * @param issue Where and how it broke the schema.
 * @returns An `invalid` error.
 * @example
 * ```ts
 * import { invalidMessage } from "./decode.ts";
 * invalidMessage("type", "id", { pointer: "/id", expected: "an integer", found: "null" }).message;
 * // "invalid \"id\" message at /id: expected an integer, found null"
 * ```
 */
export function invalidMessage(
  key: string,
  tag: string,
  issue: Issue,
): DecodeError & EncodeError & { kind: "invalid" } {
  const at = issue.pointer === "" ? "" : ` at ${shorten(issue.pointer, 100)}`;
  const what = key === "type" ? `${JSON.stringify(tag)} message` : `message with ${key} ${JSON.stringify(tag)}`;
  return {
    kind: "invalid",
    type: tag,
    pointer: issue.pointer,
    expected: issue.expected,
    found: issue.found,
    message: `invalid ${what}${at}: expected ${issue.expected}, found ${issue.found}`,
  };
}
