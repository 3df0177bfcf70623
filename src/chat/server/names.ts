/**
 * Names the chat room accepts, and when two names are the same user: a name
 * is cleaned up (NFC, spaces) or refused (invisible, control, bidi), and two
 * names that look alike share one skeleton, so the second gets digits
 * appended as a taken name does.
 *
 * @module
 */
import { CONFUSABLES } from "./confusables.ts";

/** The most combining marks in a row after one character: more stack into a smear over the text around the name. */
export const MAX_MARKS_IN_A_ROW = 4;

/** A requested name as the room will show it, or why it is refused. */
export type NameCheck = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string };

const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** Characters an emoji sequence needs: a joiner between two pictographs, a variation selector after an emoji. */
const EMOJI_JOIN = /(?<=[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D(?=\p{Extended_Pictographic})/gu;
const EMOJI_SELECTOR = /(?<=\p{Emoji})[\uFE0E\uFE0F]/gu;
/** Format and default-ignorable characters (Hangul fillers among them), and the braille blank, which is neither. */
const INVISIBLE = /[\p{Cf}\p{DI}\u2800]/u;
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const MARK = /\p{M}/u;
const UNASSIGNED = /[\p{Co}\p{Cn}]/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * Cleans up a requested name, or says why the room refuses it. Refused: a lone surrogate, a control character
 * (`\p{Cc}`: NUL, tab, newline...) or line separator, a bidirectional control, an invisible character (format
 * `\p{Cf}` and default-ignorable, but for the joiners and variation selectors inside an emoji), a private-use or
 * unassigned code point, a name that starts with a combining mark or stacks more than {@link MAX_MARKS_IN_A_ROW} of
 * them, a name of only spaces. The name is put in NFC, every run of spaces (`\p{Zs}`) becomes one space, and the ends
 * are trimmed.
 *
 * @param requested The name as the client sent it.
 * @returns The name to use, or the reason to refuse it (no part of the name in it).
 * @example
 * ```ts
 * import { checkName } from "./names.ts";
 * checkName("  Zoë\u0308 "); // { ok: true, name: "Zoë̈" }
 * checkName("alice\u200B"); // { ok: false, reason: "a name may not contain U+200B (an invisible character)" }
 * ```
 */
export function checkName(requested: string): NameCheck {
  if (!requested.isWellFormed()) return refuse("a lone surrogate");
  const normal = requested.normalize("NFC");
  let marks = 0;
  for (const char of normal.replace(EMOJI_JOIN, "").replace(EMOJI_SELECTOR, "")) {
    if (CONTROL.test(char)) return refuse(`${codePoint(char)} (a control character or line break)`);
    if (BIDI_CONTROLS.test(char)) return refuse(`${codePoint(char)} (a bidirectional control)`);
    if (INVISIBLE.test(char)) return refuse(`${codePoint(char)} (an invisible character)`);
    if (UNASSIGNED.test(char)) return refuse(`${codePoint(char)} (a private-use or unassigned code point)`);
    marks = MARK.test(char) ? marks + 1 : 0;
    if (marks > MAX_MARKS_IN_A_ROW) return refuse(`more than ${MAX_MARKS_IN_A_ROW} combining marks in a row`);
  }
  const name = normal.replace(/\p{Zs}+/gu, " ").trim();
  if (name === "") return { ok: false, reason: "a name may not be only spaces" };
  if (/^\p{M}/u.test(name)) return { ok: false, reason: "a name may not start with a combining mark" };
  return { ok: true, name };
}

function refuse(what: string): NameCheck {
  return { ok: false, reason: `a name may not contain ${what}` };
}

let prototypes: Map<number, string> | undefined;

function prototypeOf(char: string): string {
  prototypes ??= new Map(
    CONFUSABLES.trim().split("\n").map((line) => {
      const [from, ...to] = line.split(" ").map((hex) => parseInt(hex, 16));
      return [from!, String.fromCodePoint(...to)];
    }),
  );
  return prototypes.get(char.codePointAt(0)!) ?? char;
}

/**
 * The skeletons of a name: two names that share one are the same user to the room. Unicode TS #39's skeleton (NFD,
 * default-ignorable code points removed, every character replaced by its confusable prototype, NFD again), taken two
 * ways, as case and look-alikes do not commute: of the case-folded name (`ALICE`, `a1ice` and `alice` share one; `I`
 * folds to `i` before `i` could become `l`), and case-folded after (`ВОВ` in Cyrillic capitals looks like `BOB`,
 * though its lower case `вов` looks like nothing Latin). Case is folded as `toUpperCase().toLowerCase()` of each code
 * point, so `ß` and `SS` fold alike; each skeleton is lower-cased at the end, as prototypes may be capitals (`0` is
 * `O`). One key when the two are equal.
 *
 * The keys of a name with decimal digits appended are the name's keys followed by the digits' keys (Redis builds the
 * keys of `alice1`, `alice2`... that way); a digit has one key.
 *
 * @param name A name `checkName` accepted.
 * @returns Its keys: one or two.
 * @example
 * ```ts
 * import { nameKeys } from "./names.ts";
 * nameKeys("Аlice"); // ["alice"]: a Cyrillic capital A
 * ```
 */
export function nameKeys(name: string): readonly string[] {
  const folded = skeleton(fold(name)).toLowerCase();
  const after = fold(skeleton(name));
  return folded === after ? [folded] : [folded, after];
}

/** Case folding, one code point at a time: no context (a final `ς` folds as `σ` does), so a suffix folds alone. */
function fold(text: string): string {
  let folded = "";
  for (const char of text) folded += char.toUpperCase().toLowerCase();
  return folded;
}

function skeleton(text: string): string {
  let mapped = "";
  for (const char of text.normalize("NFD")) {
    if (!/\p{DI}/u.test(char)) mapped += prototypeOf(char);
  }
  return mapped.normalize("NFD");
}
