/**
 * What a comparison finds before it is judged: the rule, where, what changed,
 * and what gets refused. `diff.ts` turns findings into changes.
 *
 * @module
 */
import type { Refusal } from "./rules.ts";

/**
 * One change found in one place.
 *
 * @example
 * ```ts
 * import type { Finding } from "./finding.ts";
 * const finding: Finding = {
 *   rule: "max-length-lowered",
 *   pointer: "/name",
 *   detail: "maxLength 20 -> 10",
 *   example: "a string of 11 to 20 characters",
 * };
 * ```
 */
export interface Finding {
  /** The rule's id. */
  readonly rule: string;
  /** The JSON Pointer into the message, `""` for the message itself or for a change outside messages. */
  readonly pointer: string;
  /** What changed, e.g. `maxLength 20 -> 10`. */
  readonly detail: string;
  /** The values a receiver refuses, e.g. `a string of 11 to 20 characters`, for the explanation. */
  readonly example?: string;
  /** Why, in full, where a template of refusals would not say it (requests, the handshake, resume). */
  readonly why?: string;
  /**
   * Who is refused with `--strict`, when it differs from the rule's (an open object accepts unnamed properties even
   * when decoding strictly).
   */
  readonly strictRefuses?: Refusal;
}
