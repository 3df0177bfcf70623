/**
 * A reproducible mix of chat frames as a client receives them: mostly chat
 * lines, some sign-ins and user lists, the odd id and rename. Lines vary the
 * way real ones do, so that no one string length or alphabet decides the
 * figures: most are short, some are pasted paragraphs up to the schema's 4,096
 * characters; most are ASCII, others accented Latin, Cyrillic, Chinese or
 * sprinkled with emoji; some quote, paste code or paths, or span lines, which
 * JSON must escape. Seeded, so every run and every runtime measures the same frames.
 */
import type { ServerMessage } from "../../src/generated/chat.ts";

/** A small deterministic PRNG (mulberry32), so the corpus is the same everywhere. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The alphabets a line is written in, as words: JavaScript engines store the first two in one byte a character. */
export const SCRIPTS = {
  ascii: "hello anyone here? the build is green again lunch at noon ok !! see https://example.com/a/b?c=1 :)".split(
    " ",
  ),
  latin: "ça va déjà vu très bien à bientôt größer Straße mañana señor naïve café".split(" "),
  cyrillic: "привет как дела всё хорошо спасибо до завтра сборка зелёная".split(" "),
  chinese: "你好 大家 今天 构建 通过 了 午饭 中午 见 谢谢".split(" "),
  emoji: "ok 👍 nice 🎉 lol 😂 ship it 🚀 thanks 🙏 yes ❤️".split(" "),
  escapes: ['say "hi"', "C:\\Users\\ada", "line\nbreak", "tab\there", '{"json": true}', "back\\slash", "\u0007bell"],
} as const satisfies Record<string, readonly string[]>;

/** An alphabet of {@link SCRIPTS}. */
export type Script = keyof typeof SCRIPTS;

/**
 * A text of exactly `length` code points, words of one alphabet joined by spaces.
 *
 * @param script The alphabet.
 * @param length Code points (as JSON Schema counts them).
 * @param next The random source.
 * @returns The text, a flat string.
 */
export function textOf(script: Script, length: number, next: () => number): string {
  const words = SCRIPTS[script];
  const points: string[] = [];
  while (points.length < length) {
    if (points.length > 0) points.push(" ");
    points.push(...(words[Math.floor(next() * words.length)] as string));
  }
  return points.slice(0, length).join("");
}

/**
 * The same text as a flat string: concatenation makes a rope, which engines serialize and measure more slowly than
 * the flat strings `JSON.parse` makes of what a peer sent.
 *
 * @param text Any text.
 * @returns An equal string, flat.
 */
export function flat(text: string): string {
  return JSON.parse(JSON.stringify(text));
}

/** The mix, in words, for the report: keep it in step with {@link lineLength}, {@link lineScript} and {@link chatCorpus}. */
export const CORPUS_MIX = "85% chat lines, 6% sign-ins, 6% user lists (5 to 200 names, one in twenty null), 2% ids, " +
  "1% renames. Lines are 1 to 40 characters long (55%), 41 to 200 (30%), 201 to 1,000 (12%) or 1,001 to 4,096 (3%); " +
  "in ASCII (42%), accented Latin (14%), Cyrillic (9%), Chinese (8%) or ASCII with emoji (13%), or escape-heavy " +
  "(14%: quotes, backslashes, line breaks, tabs, a control character)";

/** A length drawn from a skewed distribution: mostly short lines, a tail of pasted paragraphs. */
function lineLength(next: () => number): number {
  const roll = next();
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  if (roll < 0.55) return between(1, 40);
  if (roll < 0.85) return between(41, 200);
  if (roll < 0.97) return between(201, 1000);
  return between(1001, 4096);
}

/** Which alphabet a line is in; one line in seven also quotes, pastes code or a path, or breaks lines. */
function lineScript(next: () => number): Script {
  const roll = next();
  if (roll < 0.14) return "escapes";
  if (roll < 0.56) return "ascii";
  if (roll < 0.7) return "latin";
  if (roll < 0.79) return "cyrillic";
  if (roll < 0.87) return "chinese";
  return "emoji";
}

/**
 * Builds the corpus.
 *
 * @param size How many frames.
 * @returns The messages, and their frames as a server sends them.
 */
export function chatCorpus(size: number): { messages: ServerMessage[]; frames: string[] } {
  const next = random(6502);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const names = Array.from({ length: 200 }, (_, i) => {
    const script = pick(["ascii", "ascii", "ascii", "latin", "cyrillic", "chinese", "emoji"] as const);
    return flat(`${textOf(script, 1 + Math.floor(next() * 12), next).trim() || "x"}${i}`);
  });
  const baseId = 1_732_500_000_000;
  const messages: ServerMessage[] = [];
  for (let i = 0; i < size; i++) {
    const roll = next();
    const id = baseId + Math.floor(next() * 1000);
    const date = 1_764_000_000_000 + i * 1000;
    if (roll < 0.85) {
      const text = textOf(lineScript(next), lineLength(next), next);
      messages.push({ type: "message", id, name: pick(names), text, date });
    } else if (roll < 0.91) {
      messages.push({ type: "username", id, name: pick(names), date });
    } else if (roll < 0.97) {
      // From a handful of users to a busy room; a client that has not logged in yet is listed as null.
      const count = Math.round(Math.exp(Math.log(5) + next() * Math.log(200 / 5)));
      const users = Array.from({ length: count }, () => (next() < 0.05 ? null : pick(names)));
      messages.push({ type: "userlist", users });
    } else if (roll < 0.99) {
      messages.push({ type: "id", id });
    } else {
      messages.push({ type: "rejectusername", id, name: flat(`${pick(names)}${Math.floor(next() * 9)}`) });
    }
  }
  return { messages, frames: messages.map((m) => JSON.stringify(m)) };
}
