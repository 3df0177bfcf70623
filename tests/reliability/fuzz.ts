/**
 * Hostile input, at the codecs and at a live server. The codec fuzzer runs
 * every decoder of every committed protocol over arbitrary hostile frames,
 * and every encoder and guard over what those frames parse to;
 * the server fuzzer sends the same kinds of frames from many connections to
 * the reference server while well-behaved sessions chat through it, and
 * checks each frame's reaction against the documented one.
 */
import fc from "fast-check";
import type { ChatSession } from "../../src/chat/mod.ts";
import { chatClientProtocol } from "../../src/generated/chat.ts";
import { signalingProtocol } from "../../src/generated/signaling.ts";
import { MAX_RELAY_BYTES, type Refusal } from "../../src/chat/server/room.ts";
import { DEFAULT_MAX_FRAME_BYTES, startReferenceServer } from "../../scripts/chat/server.ts";
import { checkName } from "../../src/chat/server/names.ts";
import { frameExceeds } from "../../src/server/contract.ts";
import { committedProtocols } from "../support/protocols.ts";
import { type HostileFrame, hostileFrames } from "./hostile_frames.ts";
import { closeAll, joinAsMdnClient, joinSessions } from "./sessions.ts";
import { type Check, checks, sleep, until } from "./verdict.ts";

type Decode = (frame: string) => { ok: boolean; error?: { message: string } };

/** Every decoder a frame from the network can reach. */
const DECODERS: readonly { name: string; decode: Decode }[] = [
  ...committedProtocols.flatMap(({ protocol }) =>
    (["server", "client"] as const).flatMap((side) => [
      { name: `${protocol.name} ${side} decode`, decode: protocol[side].decode as Decode },
      { name: `${protocol.name} ${side} decodeStrict`, decode: protocol[side].decodeStrict as Decode },
    ])
  ),
  { name: "chat (client bundle) server decode", decode: chatClientProtocol.server.decode as Decode },
];

type Encode = (message: unknown) => { ok: boolean };

/** Every encoder and direction guard, which take what a frame parses to. */
const ENCODERS: readonly { name: string; encode: Encode; is: (value: unknown) => boolean }[] = committedProtocols
  .flatMap(({ protocol }) =>
    (["server", "client"] as const).map((side) => ({
      name: `${protocol.name} ${side}`,
      encode: protocol[side].encode as Encode,
      is: protocol[side].is as (value: unknown) => boolean,
    }))
  );

/** What a text frame parses to, or `undefined` when it is not JSON (or too deep for this engine's parser). */
function parsedOrUndefined(frame: string | Uint8Array): unknown {
  if (typeof frame !== "string") return undefined;
  try {
    return JSON.parse(frame);
  } catch {
    return undefined;
  }
}

/** Own property names of the built-in prototypes, to compare before and after. */
function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(","))
    .join("|");
}

/** What the codec fuzzer measured. */
export interface CodecFuzzFigures {
  readonly frames: number;
  readonly decoders: number;
  readonly byKind: Record<string, number>;
  /** Decoder calls that accepted the frame, and that refused it. */
  readonly accepted: number;
  readonly refused: number;
  readonly thrown: number;
  /** Encoder and guard calls on the parsed frames, and those that threw or disagreed (encode ok but not `is`, or back). */
  readonly encoderCalls: number;
  readonly encoderThrown: number;
  readonly encoderDisagreed: number;
  /** The slowest single decoder call, and encoder and guard pair, in ms (a call past `HANG_MS`: its fastest of three). */
  readonly slowestMs: number;
  readonly slowestEncoderMs: number;
  readonly seconds: number;
  readonly seed: number;
  /** fast-check's counterexample when a property failed. */
  readonly counterexample?: string;
  readonly checks: readonly Check[];
}

/** A call this long is a hang: a catastrophic pattern or a loop, not a large frame (those take milliseconds). */
const HANG_MS = 250;

/**
 * A call's time, confirmed when it looks like a hang: run again twice, the fastest of the three counts. A hang is in
 * the call and comes back every time; a pause of the machine (another process on the core, a collection) does not.
 */
function confirmedMs(ms: number, again: () => unknown): number {
  let fastest = ms;
  for (let retry = 0; retry < 2 && fastest >= HANG_MS; retry++) {
    const at = performance.now();
    again();
    fastest = Math.min(fastest, performance.now() - at);
  }
  return fastest;
}

/**
 * Runs every decoder over `frames` hostile frames.
 *
 * @param frames How many frames (each goes through every decoder).
 * @param seed fast-check's seed, for a reproducible run.
 * @returns The figures, with checks.
 */
export function fuzzCodecs(frames: number, seed: number): CodecFuzzFigures {
  const before = prototypeSnapshot();
  const byKind: Record<string, number> = {};
  let accepted = 0;
  let refused = 0;
  let thrown = 0;
  let encoderCalls = 0;
  let encoderThrown = 0;
  let encoderDisagreed = 0;
  let slowestMs = 0;
  let slowestEncoderMs = 0;
  let longRefusal = "";
  const started = performance.now();
  const details = fc.check(
    fc.property(hostileFrames(), ({ kind, frame }: HostileFrame) => {
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      for (const { name, decode } of DECODERS) {
        const at = performance.now();
        let result: ReturnType<Decode>;
        try {
          result = decode(frame as string);
        } catch (error) {
          thrown++;
          throw new Error(`${name} threw on a ${kind} frame: ${error}`);
        }
        slowestMs = Math.max(slowestMs, confirmedMs(performance.now() - at, () => decode(frame as string)));
        if (result.ok) accepted++;
        else {
          refused++;
          if ((result.error?.message.length ?? 0) > 300) longRefusal = `${name}: ${result.error?.message.slice(0, 80)}`;
        }
      }
      const parsed = parsedOrUndefined(frame);
      for (const { name, encode, is } of parsed === undefined ? [] : ENCODERS) {
        const at = performance.now();
        let encoded: boolean;
        let valid: boolean;
        try {
          encoded = encode(parsed).ok;
          valid = is(parsed);
        } catch (error) {
          encoderThrown++;
          throw new Error(`${name} encode or is threw on a ${kind} frame: ${error}`);
        }
        slowestEncoderMs = Math.max(
          slowestEncoderMs,
          confirmedMs(performance.now() - at, () => encode(parsed).ok && is(parsed)),
        );
        encoderCalls++;
        if (encoded !== valid) encoderDisagreed++;
      }
      return ({} as Record<string, unknown>).polluted === undefined;
    }),
    { numRuns: frames, seed, endOnFailure: true },
  );
  const intact = prototypeSnapshot() === before && ({} as Record<string, unknown>).polluted === undefined;
  return {
    frames: Object.values(byKind).reduce((a, b) => a + b, 0),
    decoders: DECODERS.length,
    byKind,
    accepted,
    refused,
    thrown,
    encoderCalls,
    encoderThrown,
    encoderDisagreed,
    slowestMs,
    slowestEncoderMs,
    seconds: (performance.now() - started) / 1_000,
    seed,
    ...(details.failed && { counterexample: String(details.errorInstance ?? details.counterexample).slice(0, 500) }),
    checks: checks([
      [`${frames} frames went through every decoder`, !details.failed && details.numRuns === frames],
      ["no decoder threw", thrown === 0],
      ["no encoder or guard threw on what the frames parse to", encoderThrown === 0 && encoderCalls > 0],
      ["encode accepted exactly what is() accepted", encoderDisagreed === 0],
      [`no decoder call took ${HANG_MS} ms or more (no hang)`, slowestMs < HANG_MS],
      [`no encoder or guard call took ${HANG_MS} ms or more (no hang)`, slowestEncoderMs < HANG_MS],
      ["no prototype changed", intact],
      ["every refusal's message is short: the input is never echoed", longRefusal === ""],
    ]),
  };
}

/**
 * The reaction README's table documents for a frame from a logged-in client,
 * applied to the decoder's verdict on the frame.
 *
 * @param frame What the client sent.
 * @param ownId The id the server gave the client.
 * @returns `"served"` (handled, relayed to its target or broadcast) or `"close <code>"`.
 */
export function documentedReaction(frame: string | Uint8Array, ownId: number): string {
  if (frameExceeds(frame, DEFAULT_MAX_FRAME_BYTES)) return "close 1009";
  if (typeof frame !== "string") return "close 1003";
  // The server reads the frame as UTF-8 carried it: a lone surrogate in the text arrives as U+FFFD.
  const decoded = signalingProtocol.client.decode(frame.toWellFormed());
  if (decoded.ok) {
    const { id, type, name } = decoded.value as { id?: unknown; type: string; name?: string };
    // A login whose name the room refuses (an invisible or control character, only spaces...).
    if (type === "username" && id === ownId && !checkName(name as string).ok) return "close 1008";
    if (id !== undefined) return id === ownId ? "served" : "close 1008";
    // A signalling message, relayed only within the relay limit.
    return frameExceeds(frame, MAX_RELAY_BYTES) ? "close 1009" : "served";
  }
  const { kind } = decoded.error;
  if (kind === "not-json" || kind === "not-object") return "close 1007";
  // Every other case is a 1008, a type the room does not relay (the server's own, or an unknown one) included.
  return "close 1008";
}

/** A hostile frame as sent to a live server: what the documentation says happens, and what did. */
interface Probe {
  readonly kind: string;
  readonly documented: string;
  readonly observed: string;
}

/**
 * Logs in like MDN's client with the id the server sent, then sends one
 * hostile frame with every `"id":1` made this connection's id (so that a
 * frame is judged on its hostility, not on a wrong id), and reports what
 * the server did within `quiet` ms.
 */
async function probe(url: string, { kind, frame }: HostileFrame, quiet: number): Promise<Probe> {
  const { socket, id } = await joinAsMdnClient(url, (id) => `h${id}`);
  const closed = new Promise<string>((resolve) => (socket.onclose = (event) => resolve(`close ${event.code}`)));
  const sent = typeof frame === "string" ? frame.replaceAll('"id":1,', `"id":${id},`) : frame;
  socket.send(sent);
  const observed = await Promise.race([closed, sleep(quiet).then(() => "served")]);
  socket.close();
  return { kind, documented: documentedReaction(sent, id), observed };
}

/** How the live server fuzz runs. */
export interface ServerFuzzOptions {
  /** Hostile frames, one connection each. */
  readonly frames: number;
  /** Connections probing at once. */
  readonly concurrency: number;
  /** Well-behaved sessions chatting meanwhile. */
  readonly sessions: number;
  readonly seed: number;
}

/** What the live server fuzz measured. */
export interface ServerFuzzFigures {
  readonly frames: number;
  readonly byKind: Record<string, number>;
  /** Observed reactions, by reaction. */
  readonly reactions: Record<string, number>;
  /** Frames whose reaction differed from the documented one (kind, documented, observed). */
  readonly mismatches: readonly Probe[];
  readonly sessions: number;
  /** Lines the well-behaved sessions said, and deliveries they were owed and got. */
  readonly lines: number;
  readonly expected: number;
  readonly delivered: number;
  readonly sessionsDropped: number;
  readonly seconds: number;
  readonly checks: readonly Check[];
}

/**
 * Sends hostile frames to a live reference server (in this process), one
 * connection each, `concurrency` at a time, while `sessions` well-behaved
 * chat sessions say a line every 100 ms each.
 *
 * @returns The figures, with checks.
 */
export async function fuzzServer(options: ServerFuzzOptions): Promise<ServerFuzzFigures> {
  const refusals: Refusal[] = [];
  const server = await startReferenceServer({ port: 0, page: false, room: { onRefusal: (r) => refusals.push(r) } });
  const started = performance.now();
  let sessions: ChatSession[] = [];
  let dropped = 0;
  let delivered = 0;
  try {
    sessions = await joinSessions(server.socketUrl, Array.from({ length: options.sessions }, (_, i) => `good${i}`));
    for (const session of sessions) {
      session.client.onEvent("close", () => dropped++);
      session.onLine((line) => line.text.startsWith("good ") && delivered++);
    }
    let lines = 0;
    const chatter = setInterval(() => {
      for (const session of sessions) {
        session.say(`good ${lines++}`);
      }
    }, 100);
    const frames = fc.sample(hostileFrames(), { numRuns: options.frames, seed: options.seed });
    const probes: Probe[] = [];
    let next = 0;
    const worker = async () => {
      while (next < frames.length) {
        const frame = frames[next++] as HostileFrame;
        probes.push(await probe(server.socketUrl, frame, 150));
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    clearInterval(chatter);
    const expected = lines * sessions.length;
    await until(() => delivered >= expected || dropped > 0, 10_000);
    const tally = (key: (p: Probe) => string) =>
      probes.reduce<Record<string, number>>((out, p) => ((out[key(p)] = (out[key(p)] ?? 0) + 1), out), {});
    const mismatches = probes.filter((p) => p.documented !== p.observed);
    return {
      frames: probes.length,
      byKind: tally((p) => p.kind),
      reactions: tally((p) => p.observed),
      mismatches: mismatches.slice(0, 20),
      sessions: sessions.length,
      lines,
      expected,
      delivered,
      sessionsDropped: dropped,
      seconds: (performance.now() - started) / 1_000,
      checks: checks([
        ["every hostile frame got its documented reaction", mismatches.length === 0],
        ["the well-behaved sessions received every line", delivered === expected],
        ["no well-behaved session was disconnected", dropped === 0],
      ]),
    };
  } finally {
    await closeAll(sessions);
    await server.stop();
  }
}
