/**
 * Answering a request: running its handler, taking what it returns (or the
 * error reply it throws as a `ReplyError`), checking that it answers that
 * request, copying the correlation value and encoding it. The typed server
 * and the client answer the same way.
 *
 * @module
 */
import { describeValue } from "./issue.ts";
import type { RequestSpec } from "./protocol.ts";
import { ReplyError } from "./request_errors.ts";
import type { EncodeResult } from "./result.ts";

/**
 * Encodes the answer to a request: it must be one of the request's replies or error replies; the correlation value
 * is copied from the request.
 *
 * @param spec The request's spec.
 * @param request The request as received.
 * @param answer What the handler returned.
 * @param discriminator The protocol's discriminator.
 * @param encode The answering side's encoder (it validates).
 * @returns The frame, or why the answer cannot be sent.
 * @example
 * ```ts
 * import { encodeAnswer } from "./answer.ts";
 * const spec = { replies: ["pong"], errors: [], correlation: "id", correlationKind: "integer" as const };
 * const encode = (m: unknown) => ({ ok: true as const, frame: JSON.stringify(m) });
 * encodeAnswer(spec, { type: "ping", id: 7 }, { type: "pong" }, "type", encode); // frame '{"type":"pong","id":7}'
 * ```
 */
export function encodeAnswer(
  spec: RequestSpec,
  request: Readonly<Record<string, unknown>>,
  answer: unknown,
  discriminator: string,
  encode: (message: never) => EncodeResult,
): EncodeResult {
  const asked = JSON.stringify(request[discriminator]);
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
    return {
      ok: false,
      error: {
        kind: "not-object",
        message: `the answer to a ${asked} request is ${describeValue(answer)}, no message`,
      },
    };
  }
  const type = (answer as Record<string, unknown>)[discriminator];
  if (typeof type !== "string" || (!spec.replies.includes(type) && !spec.errors.includes(type))) {
    const allowed = [...spec.replies, ...spec.errors].map((t) => JSON.stringify(t)).join(", ");
    return {
      ok: false,
      error: {
        kind: "unknown-type",
        type,
        message: `a ${JSON.stringify(type)} message does not answer a ${asked} request (its answers: ${allowed})`,
      },
    };
  }
  return (encode as (message: unknown) => EncodeResult)({ ...answer, [spec.correlation]: request[spec.correlation] });
}

/**
 * Runs a request's handler and hands its answer on: what it returns or resolves with, or the answer of a
 * `ReplyError` it throws, goes to `answered`; anything else it throws or rejects with goes to `failed`.
 *
 * @param handler The handler, called at once with no arguments.
 * @param answered Takes the answer (`undefined` when the handler returned nothing).
 * @param failed Takes the failure.
 * @returns A promise when the handler is asynchronous, settled once its answer is handed on.
 * @example
 * ```ts
 * import { runAnswer } from "./answer.ts";
 * runAnswer(() => ({ type: "pong" }), (answer) => console.log(answer), (error) => console.error(error));
 * ```
 */
export function runAnswer(
  handler: () => unknown,
  answered: (answer: unknown) => void,
  failed: (error: unknown) => void,
): Promise<void> | undefined {
  const caught = (error: unknown) => error instanceof ReplyError ? answered(error.answer) : failed(error);
  let outcome: unknown;
  try {
    outcome = handler();
  } catch (error) {
    caught(error);
    return undefined;
  }
  if (!(outcome instanceof Promise)) {
    answered(outcome);
    return undefined;
  }
  return outcome.then(answered, caught);
}
