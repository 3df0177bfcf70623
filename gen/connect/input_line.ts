/**
 * One line of `typewire connect`'s input: a JSON object, or a message in the short form.
 *
 * @module
 */
import { parseShortForm } from "./short_form.ts";

/** Why a line is not a message at all (before the protocol is asked): its syntax. */
export interface LineError {
  /** `syntax`: not the short form; `not-json`: starts with `{` or `[` but is not JSON. */
  readonly kind: "syntax" | "not-json";
  readonly message: string;
  /** Where, 1-based, when known. */
  readonly column?: number;
}

/** What a line holds: nothing (blank), a message to validate and send, or a syntax error. */
export type InputLine =
  | { readonly kind: "blank" }
  | { readonly kind: "message"; readonly message: unknown }
  | { readonly kind: "error"; readonly error: LineError };

/**
 * Reads one line of input. A line whose first non-blank character is `{` (or `[`, which the protocol then refuses
 * as not an object) is JSON; any other non-blank line is the short form (see `short_form.ts`). Blank lines hold
 * nothing.
 *
 * @param line The line, without its line break.
 * @param discriminator The protocol's discriminator property, for the short form.
 * @returns What the line holds; the message is not validated yet.
 * @example
 * ```ts
 * import { parseInputLine } from "./input_line.ts";
 *
 * parseInputLine('{"type":"say","seq":1,"text":"hi"}', "type"); // { kind: "message", message: { type: "say", ... } }
 * parseInputLine("say seq=1 text=hi", "type"); // the same message
 * parseInputLine("   ", "type"); // { kind: "blank" }
 * ```
 */
export function parseInputLine(line: string, discriminator: string): InputLine {
  const text = line.trim();
  if (text === "") return { kind: "blank" };
  if (text.startsWith("{") || text.startsWith("[")) {
    try {
      return { kind: "message", message: JSON.parse(text) };
    } catch (error) {
      return { kind: "error", error: { kind: "not-json", message: `not JSON: ${(error as Error).message}` } };
    }
  }
  const result = parseShortForm(text, discriminator);
  if (result.ok) return { kind: "message", message: result.message };
  const offset = line.indexOf(text);
  return {
    kind: "error",
    error: { kind: "syntax", message: result.error.message, column: result.error.column + offset },
  };
}
