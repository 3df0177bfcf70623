/**
 * A realistic, reproducible mix of chat frames as a client receives them:
 * mostly chat lines, some sign-ins and user lists, the odd id and rename.
 * Seeded, so every run and every runtime measures the same frames.
 */
import type { ServerMessage } from "../../src/generated/chat.ts";

/** A small deterministic PRNG (mulberry32), so the corpus is the same everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "hello",
  "anyone",
  "here?",
  "the",
  "build",
  "is",
  "green",
  "again",
  "lunch",
  "at",
  "noon",
  "👍",
  "ça",
  "va",
  "déjà",
  "vu",
  "ok",
  "!!",
];

/**
 * Builds the corpus.
 *
 * @param size How many frames.
 * @returns The messages, and their frames as a server sends them.
 */
export function chatCorpus(size: number): { messages: ServerMessage[]; frames: string[] } {
  const next = random(6502);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const names = Array.from({ length: 40 }, (_, i) => `${pick(["ada", "bob", "eve", "zoë", "li"])}${i}`);
  const baseId = 1_732_500_000_000;
  const messages: ServerMessage[] = [];
  for (let i = 0; i < size; i++) {
    const roll = next();
    const id = baseId + Math.floor(next() * 1000);
    const date = 1_764_000_000_000 + i * 1000;
    if (roll < 0.85) {
      const words = Array.from({ length: 1 + Math.floor(next() * 30) }, () => pick(WORDS));
      messages.push({ type: "message", id, name: pick(names), text: words.join(" "), date });
    } else if (roll < 0.91) {
      messages.push({ type: "username", id, name: pick(names), date });
    } else if (roll < 0.97) {
      messages.push({ type: "userlist", users: names.slice(0, 5 + Math.floor(next() * 35)) });
    } else if (roll < 0.99) {
      messages.push({ type: "id", id });
    } else {
      messages.push({ type: "rejectusername", id, name: `${pick(names)}${Math.floor(next() * 9)}` });
    }
  }
  return { messages, frames: messages.map((m) => JSON.stringify(m)) };
}
