/**
 * One runtime's codec benchmark: every candidate decodes (or encodes) the
 * same corpus in the same process, interleaved round by round, and the
 * per-message time of each round is kept. Prints one line of JSON.
 *
 * Usage: deno run -A scripts/bench/codec_run.ts [--quick]   (or: bun scripts/bench/codec_run.ts)
 */
import process from "node:process";
import { Ajv } from "ajv";
import { z } from "zod";
import schema from "../../schema/chat.schema.json" with { type: "json" };
import { decodeServerMessage, encodeServerMessage, type ServerMessage } from "../../src/generated/chat.ts";
import { dispatchServerMessage, type ServerMessageHandlers } from "../../src/generated/chat.ts";
import { quote, writeInteger } from "../../src/runtime/encode.ts";
import { chatCorpus } from "./chat_corpus.ts";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 7 : 31;
const WARMUP_ROUNDS = quick ? 2 : 5;
const CORPUS_SIZE = 2_000;
const PASSES_PER_ROUND = quick ? 5 : 25;

const { messages, frames } = chatCorpus(CORPUS_SIZE);

/** What every candidate's handlers do: a little real work, so nothing is optimized away. */
let sink = 0;
function onId(m: { id: number }) {
  sink += m.id & 1;
}
function onName(m: { name: string }) {
  sink += m.name.length;
}
function onUsers(m: { users: readonly (string | null)[] }) {
  sink += m.users.length;
}
function onLine(m: { text: string }) {
  sink += m.text.length;
}

/** The baseline's dispatch: a switch on `type`, as a hand-written client would. */
function switchDispatch(m: ServerMessage): void {
  switch (m.type) {
    case "id":
      return onId(m);
    case "rejectusername":
      return onName(m);
    case "userlist":
      return onUsers(m);
    case "username":
      return onName(m);
    case "message":
      return onLine(m);
  }
}

const handlers: ServerMessageHandlers = {
  id: onId,
  rejectusername: onName,
  userlist: onUsers,
  username: onName,
  message: onLine,
};

const ajv = new Ajv({ strict: false });
const ajvValidate = ajv.compile({ $ref: "#/definitions/ServerMessage", definitions: schema.definitions });

const Id = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const Name = z.string().min(1).max(96);
const Timestamp = z.int().min(0).max(8_640_000_000_000_000);
const zodServerMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("id"), id: Id }),
  z.object({ type: z.literal("rejectusername"), id: Id, name: Name }),
  z.object({ type: z.literal("userlist"), users: z.array(Name.nullable()).max(10_000) }),
  z.object({ type: z.literal("username"), id: Id, name: Name, date: Timestamp }),
  z.object({ type: z.literal("message"), id: Id, name: Name, text: z.string().max(4096), date: Timestamp }),
]);

let failures = 0;
const decoders: Record<string, (frame: string) => void> = {
  "baseline: JSON.parse + switch": (frame) => switchDispatch(JSON.parse(frame)),
  "typewire: decode + validate + dispatch": (frame) => {
    const result = decodeServerMessage(frame);
    if (result.ok) dispatchServerMessage(handlers, result.value);
    else failures++;
  },
  "ajv (anyOf, compiled at run time) + switch": (frame) => {
    const value = JSON.parse(frame);
    if (ajvValidate(value)) switchDispatch(value as ServerMessage);
    else failures++;
  },
  "zod 4 discriminatedUnion + switch": (frame) => {
    const result = zodServerMessage.safeParse(JSON.parse(frame));
    if (result.success) switchDispatch(result.data as ServerMessage);
    else failures++;
  },
};

let bytes = 0;
const encoders: Record<string, (message: ServerMessage) => void> = {
  "baseline: JSON.stringify": (m) => {
    bytes += JSON.stringify(m).length;
  },
  "typewire: validate + specialized encode": (m) => {
    const result = encodeServerMessage(m);
    if (result.ok) bytes += result.frame.length;
    else failures++;
  },
};

/** Runs each candidate over the corpus once per round, interleaved; returns ns per message, per round. */
function measure<T>(candidates: Record<string, (item: T) => void>, items: readonly T[]): Record<string, number[]> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  const names = Object.keys(candidates);
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    // Rotate the order so no candidate always runs first (or right after the garbage collector's favourite).
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const run = candidates[name] as (item: T) => void;
      const started = performance.now();
      for (let pass = 0; pass < PASSES_PER_ROUND; pass++) {
        for (let i = 0; i < items.length; i++) run(items[i] as T);
      }
      const elapsed = performance.now() - started;
      if (round >= WARMUP_ROUNDS) samples[name]?.push((elapsed * 1e6) / (PASSES_PER_ROUND * items.length));
    }
  }
  return samples;
}

function runtime(): { name: string; version: string } {
  const g = globalThis as { Deno?: { version: { deno: string; v8: string } }; Bun?: { version: string } };
  if (g.Deno) return { name: "Deno", version: `${g.Deno.version.deno} (V8 ${g.Deno.version.v8})` };
  if (g.Bun) return { name: "Bun", version: `${g.Bun.version} (JavaScriptCore)` };
  return { name: "Node.js", version: process.versions.node };
}

const decode = measure(decoders, frames);
const encode = measure(encoders, messages);
/** Where a chat line's encoding time goes: the pieces every encoder must produce, ours against the engine's. */
const texts = messages.flatMap((m) => (m.type === "message" ? [m.text] : []));
const dates = messages.flatMap((m) => ("date" in m ? [m.date] : []));
const components = {
  "chat line text": measure({
    "JSON.stringify(text)": (t: string) => {
      bytes += JSON.stringify(t).length;
    },
    "quote(text)": (t: string) => {
      bytes += quote(t).length;
    },
  }, texts),
  "13-digit integer": measure({
    "String(n)": (n: number) => {
      bytes += String(n).length;
    },
    "writeInteger(n)": (n: number) => {
      bytes += writeInteger(n).length;
    },
  }, dates),
};
/** Encoding split by message type: where the specialized writer gains, and where string scanning dominates. */
const encodeByType: Record<string, Record<string, number[]>> = {};
for (const type of ["id", "rejectusername", "userlist", "username", "message"]) {
  encodeByType[type] = measure(encoders, messages.filter((m) => m.type === type));
}
if (failures > 0) throw new Error(`${failures} frames were refused: the corpus must be valid`);
console.log(JSON.stringify({
  runtime: runtime(),
  corpus: { frames: frames.length, meanBytes: Math.round(frames.reduce((n, f) => n + f.length, 0) / frames.length) },
  rounds: ROUNDS,
  passesPerRound: PASSES_PER_ROUND,
  decode,
  encode,
  encodeByType,
  components,
  sink: sink + bytes,
}));
