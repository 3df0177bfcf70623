/**
 * One runtime's codec benchmark: every candidate decodes (or encodes) the
 * same corpus in the same process, interleaved round by round, and the
 * per-message time of each round is kept; then the encoder sweep, one message
 * shape at a time. Prints one line of JSON.
 *
 * Every encoder's frame is consumed as a sender consumes it: written as UTF-8
 * into a reused buffer (`TextEncoder.encodeInto`), which needs the whole
 * string, so a lazily concatenated string (a rope) pays for flattening here, as
 * it would in `WebSocket.send`, instead of winning by deferring work.
 *
 * Usage: deno run -A scripts/bench/codec_run.ts [--quick]   (or: bun scripts/bench/codec_run.ts)
 */
import process from "node:process";
import { Ajv } from "ajv";
import { z } from "zod";
import schema from "../../schema/chat.schema.json" with { type: "json" };
import {
  decodeServerMessage,
  encodeServerMessage,
  isServerMessage,
  type ServerMessage,
} from "../../src/generated/chat.ts";
import { dispatchServerMessage, type ServerMessageHandlers } from "../../src/generated/chat.ts";
import { chatCorpus, flat, random, type Script, textOf } from "./chat_corpus.ts";

const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 7 : 31;
const WARMUP_ROUNDS = quick ? 2 : 5;
const CORPUS_SIZE = 2_000;
const PASSES_PER_ROUND = quick ? 3 : 15;
const SWEEP_ROUNDS = quick ? 5 : 21;
/** How long one candidate runs per sweep round, in milliseconds. */
const SWEEP_ROUND_MS = quick ? 1 : 4;

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

/** Room for the largest frame: 10,000 names of 96 characters of up to 3 bytes each, with quotes and commas. */
const sendBuffer = new Uint8Array(4 << 20);
const utf8 = new TextEncoder();
/** What a sender does with a frame: UTF-8 into its buffer. Returns the bytes written. */
function send(frame: string): number {
  return utf8.encodeInto(frame, sendBuffer).written;
}

const BASELINE_ENCODE = "baseline: JSON.stringify";
const TYPEWIRE_ENCODE = "typewire: validate + encode";
const encoders: Record<string, (message: ServerMessage) => void> = {
  [BASELINE_ENCODE]: (m) => {
    sink += send(JSON.stringify(m));
  },
  [TYPEWIRE_ENCODE]: (m) => {
    const result = encodeServerMessage(m);
    if (result.ok) sink += send(result.frame);
    else failures++;
  },
};
/** The validation alone, for reference: the least a validating encoder adds to `JSON.stringify`. */
const encodersWithFloor: Record<string, (message: ServerMessage) => void> = {
  ...encoders,
  "for reference: the validation alone (isServerMessage)": (m) => {
    if (isServerMessage(m)) sink++;
    else failures++;
  },
};

/** Runs each candidate over the items `passes` times per round, interleaved; returns ns per item, per round. */
function measure<T>(
  candidates: Record<string, (item: T) => void>,
  items: readonly T[],
  rounds = ROUNDS,
  warmup = WARMUP_ROUNDS,
  passes = PASSES_PER_ROUND,
): Record<string, number[]> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  const names = Object.keys(candidates);
  for (let round = 0; round < warmup + rounds; round++) {
    // Rotate the order so no candidate always runs first (or right after the garbage collector's favourite).
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) {
      const run = candidates[name] as (item: T) => void;
      const started = performance.now();
      for (let pass = 0; pass < passes; pass++) {
        for (let i = 0; i < items.length; i++) run(items[i] as T);
      }
      const elapsed = performance.now() - started;
      if (round >= warmup) samples[name]?.push((elapsed * 1e6) / (passes * items.length));
    }
  }
  return samples;
}

/** How many passes over `items` the baseline needs to run for about `ms` milliseconds. */
function passesFor<T>(run: (item: T) => void, items: readonly T[], ms: number): number {
  for (let passes = 1;; passes *= 2) {
    const started = performance.now();
    for (let pass = 0; pass < passes; pass++) for (const item of items) run(item);
    if (performance.now() - started >= ms || passes >= 1 << 20) return passes;
  }
}

/** One point of the sweep: a message shape, a few messages of it, measured on their own. */
interface SweepPoint {
  readonly label: string;
  readonly messages: readonly ServerMessage[];
}

const SWEEP_LENGTHS = [1, 4, 16, 64, 256, 1024, 4096];
const SWEEP_SCRIPTS: readonly [Script, string][] = [
  ["ascii", "ASCII"],
  ["latin", "accented Latin"],
  ["cyrillic", "Cyrillic"],
  ["chinese", "Chinese"],
  ["emoji", "ASCII and emoji"],
  ["escapes", "escape-heavy"],
];
const SWEEP_USERS = [1, 10, 100, 1_000, 10_000];

/** Chat lines of every alphabet and length the schema allows, and user lists up to its 10,000 names. */
function sweepPoints(): SweepPoint[] {
  const next = random(1989);
  const points: SweepPoint[] = [];
  for (const [script, label] of SWEEP_SCRIPTS) {
    for (const length of SWEEP_LENGTHS) {
      const lines = Array.from({ length: 8 }, (_, i): ServerMessage => ({
        type: "message",
        id: 1_732_500_000_000 + i,
        name: flat(`ada${i}`),
        text: textOf(script, length, next),
        date: 1_764_000_000_000 + i * 1000,
      }));
      points.push({ label: `chat line, ${length} ${label} character${length === 1 ? "" : "s"}`, messages: lines });
    }
  }
  for (const count of SWEEP_USERS) {
    const lists = Array.from({ length: 4 }, (): ServerMessage => ({
      type: "userlist",
      users: Array.from(
        { length: count },
        (_, i) => (next() < 0.05 ? null : `${textOf("ascii", 1 + (i % 12), next)}${i}`),
      ),
    }));
    points.push({ label: `user list of ${count.toLocaleString("en")} name${count === 1 ? "" : "s"}`, messages: lists });
  }
  return points;
}

function sweep(): Record<string, Record<string, number[]>> {
  const results: Record<string, Record<string, number[]>> = {};
  for (const point of sweepPoints()) {
    const passes = passesFor(encoders[BASELINE_ENCODE] as (m: ServerMessage) => void, point.messages, SWEEP_ROUND_MS);
    results[point.label] = measure(encoders, point.messages, SWEEP_ROUNDS, 2, passes);
  }
  return results;
}

function runtime(): { name: string; version: string } {
  const g = globalThis as { Deno?: { version: { deno: string; v8: string } }; Bun?: { version: string } };
  if (g.Deno) return { name: "Deno", version: `${g.Deno.version.deno} (V8 ${g.Deno.version.v8})` };
  if (g.Bun) return { name: "Bun", version: `${g.Bun.version} (JavaScriptCore)` };
  return { name: "Node.js", version: process.versions.node };
}

// Both encoders must write the same bytes, and every frame must fit the buffer, or the comparison means nothing.
for (const m of [...messages, ...sweepPoints().flatMap((p) => p.messages)]) {
  const result = encodeServerMessage(m);
  const frame = JSON.stringify(m);
  if (!result.ok || result.frame !== frame) throw new Error(`typewire and JSON.stringify disagree on ${frame}`);
  if (utf8.encodeInto(frame, sendBuffer).read !== frame.length) throw new Error("a frame does not fit the buffer");
}

const decode = measure(decoders, frames);
const encode = measure(encodersWithFloor, messages);
/** Encoding split by message type. */
const encodeByType: Record<string, Record<string, number[]>> = {};
for (const type of ["id", "rejectusername", "userlist", "username", "message"]) {
  encodeByType[type] = measure(encoders, messages.filter((m) => m.type === type));
}
const sweepResults = sweep();
if (failures > 0) throw new Error(`${failures} frames were refused: the corpus must be valid`);
const bytes = frames.map((f) => utf8.encode(f).length).sort((a, b) => a - b);
console.log(JSON.stringify({
  runtime: runtime(),
  corpus: {
    frames: frames.length,
    meanBytes: Math.round(bytes.reduce((n, b) => n + b, 0) / bytes.length),
    medianBytes: bytes[bytes.length >> 1],
    maxBytes: bytes[bytes.length - 1],
  },
  rounds: ROUNDS,
  passesPerRound: PASSES_PER_ROUND,
  sweepRounds: SWEEP_ROUNDS,
  sweepRoundMs: SWEEP_ROUND_MS,
  decode,
  encode,
  encodeByType,
  sweep: sweepResults,
  sink,
}));
