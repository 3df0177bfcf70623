/**
 * The short form of a message typed on one line: `<tag> field=value ...`.
 *
 * - The first word is the value of the protocol's discriminator (`message` for `{"type":"message"}`).
 * - `field=value` sets a property; `a.b=1` sets a nested one (`{"a":{"b":1}}`).
 * - A bare value that parses as JSON is JSON (`3`, `-1.5`, `true`, `false`, `null`, `[1,2]`, `{"k":1}`); any
 *   other bare value is a string (`text=hi`). A bare `[...]` or `{...}` value may contain spaces.
 * - `"..."` is a JSON string, escapes included (`text="hello world"`, `id="3"` for the string `"3"`); `'...'` is a
 *   string taken as written, without escapes. A key may be quoted the same way (`"a.b"=1` for a key with a dot).
 *
 * @module
 */

/** Why a line is not a message in the short form, and where (a 1-based column). */
export interface ShortFormError {
  readonly message: string;
  readonly column: number;
}

/** The message a line describes, or why it does not describe one. */
export type ShortFormResult =
  | { readonly ok: true; readonly message: Record<string, unknown> }
  | { readonly ok: false; readonly error: ShortFormError };

/** One word of the line: its text (unquoted), whether it was quoted, and where it began. */
interface Word {
  readonly text: string;
  readonly quoted: boolean;
  readonly column: number;
}

/** Thrown inside the parser only; `parseShortForm` turns it into a result. */
class SyntaxProblem extends Error {
  constructor(message: string, readonly column: number) {
    super(message);
  }
}

/**
 * Parses one line in the short form into a message object. It checks only the syntax: whether the message
 * matches the protocol is the generated encoder's question.
 *
 * @param line The line, e.g. `message text="hello world" id=3`.
 * @param discriminator The protocol's discriminator property, e.g. `"type"`.
 * @returns The message (`{"type":"message","text":"hello world","id":3}`), or the syntax error and its column.
 * @example Tag, a quoted string, a number and a nested field
 * ```ts
 * import { parseShortForm } from "./short_form.ts";
 *
 * const result = parseShortForm('message text="hello world" id=3 meta.tags=["a","b"]', "type");
 * if (result.ok) console.log(JSON.stringify(result.message));
 * // {"type":"message","text":"hello world","id":3,"meta":{"tags":["a","b"]}}
 * else console.log(`column ${result.error.column}: ${result.error.message}`);
 * ```
 */
export function parseShortForm(line: string, discriminator: string): ShortFormResult {
  try {
    return { ok: true, message: parseLine(line, discriminator) };
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    return { ok: false, error: { message: error.message, column: error.column } };
  }
}

function parseLine(line: string, discriminator: string): Record<string, unknown> {
  let at = skipSpaces(line, 0);
  if (at === line.length) throw new SyntaxProblem(`an empty line: start with the ${discriminator}`, 1);
  const tag = readWord(line, at, " \t");
  if (!tag.quoted && tag.text.includes("=")) {
    throw new SyntaxProblem(
      `start with the message's ${discriminator}, then its fields: e.g. \`say ${tag.text}\``,
      tag.column,
    );
  }
  const message: Record<string, unknown> = {};
  define(message, discriminator, tag.text);
  /** Where each path was set, to refuse giving a field twice. */
  const given = new Set<string>([JSON.stringify([discriminator])]);
  at = skipSpaces(line, tag.end);
  while (at < line.length) {
    const path = readPath(line, at);
    if (line[path.end] !== "=") {
      throw new SyntaxProblem(
        `expected field=value after ${JSON.stringify(path.segments.join("."))}`,
        path.end + 1,
      );
    }
    const value = readValue(line, path.end + 1);
    if (path.segments.length === 1 && path.segments[0] === discriminator) {
      throw new SyntaxProblem(
        `the ${discriminator} is the first word of the line, not a field`,
        path.column,
      );
    }
    setPath(message, path.segments, value.value, path.column, given);
    at = skipSpaces(line, value.end);
  }
  return message;
}

function skipSpaces(line: string, at: number): number {
  while (at < line.length && (line[at] === " " || line[at] === "\t")) at++;
  return at;
}

/** A quoted or bare word ending at one of `stops` (or the end of the line). */
function readWord(line: string, at: number, stops: string): Word & { readonly end: number } {
  const quote = line[at];
  if (quote === '"' || quote === "'") {
    const end = closingQuote(line, at);
    const raw = line.slice(at, end + 1);
    const text = quote === '"' ? parseJsonString(raw, at) : raw.slice(1, -1);
    return { text, quoted: true, column: at + 1, end: end + 1 };
  }
  let end = at;
  while (end < line.length && !stops.includes(line[end] as string)) end++;
  return { text: line.slice(at, end), quoted: false, column: at + 1, end };
}

/** The index of the quote that closes the one at `at`. */
function closingQuote(line: string, at: number): number {
  const quote = line[at];
  for (let i = at + 1; i < line.length; i++) {
    if (quote === '"' && line[i] === "\\") i++;
    else if (line[i] === quote) return i;
  }
  throw new SyntaxProblem(`a ${quote} quote that is never closed`, at + 1);
}

function parseJsonString(raw: string, at: number): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    throw new SyntaxProblem(`not a valid JSON string: ${raw}`, at + 1);
  }
}

/** A dotted path of keys, each bare or quoted: `a.b`, `"a.b".c`. */
function readPath(line: string, at: number): { segments: string[]; column: number; end: number } {
  const segments: string[] = [];
  const column = at + 1;
  for (;;) {
    const word = readWord(line, at, ".= \t");
    if (word.text === "" && !word.quoted) throw new SyntaxProblem("a field with no name", word.column);
    segments.push(word.text);
    if (line[word.end] !== ".") return { segments, column, end: word.end };
    at = word.end + 1;
  }
}

/** A value: quoted (a string), a bracketed JSON array or object, or a bare word (JSON when it parses, else a string). */
function readValue(line: string, at: number): { value: unknown; end: number } {
  const first = line[at];
  if (first === '"' || first === "'") {
    const word = readWord(line, at, " \t");
    if (word.end < line.length && line[word.end] !== " " && line[word.end] !== "\t") {
      throw new SyntaxProblem("a space must follow a quoted value", word.end + 1);
    }
    return { value: word.text, end: word.end };
  }
  const end = first === "[" || first === "{" ? bracketEnd(line, at) : wordEnd(line, at);
  const text = line.slice(at, end);
  return { value: jsonOrString(text), end };
}

function wordEnd(line: string, at: number): number {
  while (at < line.length && line[at] !== " " && line[at] !== "\t") at++;
  return at;
}

/** Where a bracketed value ends: after its matching bracket (strings inside skipped), or at the next space when it has none. */
function bracketEnd(line: string, at: number): number {
  let depth = 0;
  for (let i = at; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      i = closingQuote(line, i);
    } else if (c === "[" || c === "{") {
      depth++;
    } else if (c === "]" || c === "}") {
      if (--depth === 0) {
        // `tags=[a]b` is one bare word; stop at the bracket only when the word ends there.
        return i + 1 === line.length || line[i + 1] === " " || line[i + 1] === "\t" ? i + 1 : wordEnd(line, i);
      }
    }
  }
  return wordEnd(line, at);
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sets an own property, whatever its name (`__proto__` included), without touching any prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setPath(
  message: Record<string, unknown>,
  segments: readonly string[],
  value: unknown,
  column: number,
  given: Set<string>,
): void {
  const name = segments.join(".");
  if (given.has(JSON.stringify(segments))) throw new SyntaxProblem(`${name} is given twice`, column);
  let target = message;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i] as string;
    const prefix = JSON.stringify(segments.slice(0, i + 1));
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (existing === undefined) {
      define(target, key, {});
    } else if (!isPlainObject(existing) || given.has(prefix)) {
      throw new SyntaxProblem(`${name}: ${segments.slice(0, i + 1).join(".")} is set already`, column);
    }
    target = target[key] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1] as string;
  if (Object.hasOwn(target, last)) throw new SyntaxProblem(`${name} is set already`, column);
  define(target, last, value);
  given.add(JSON.stringify(segments));
}
