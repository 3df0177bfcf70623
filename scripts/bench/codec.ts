/**
 * The codec benchmark on Deno and on Bun. Each runtime runs every candidate
 * in one process (codec_run.ts); this collects the rounds, compares each
 * candidate with the baseline of the same round, and writes the report's
 * codec section, with a plain verdict per target.
 */
import { describeMachine } from "./machine.ts";
import { command, runJson } from "./processes.ts";
import { ratios, summarize, type Summary } from "./stats.ts";
import { CORPUS_MIX } from "./chat_corpus.ts";

/** Decode + validate + dispatch may take at most this many times `JSON.parse` + `switch`. */
const DECODE_TARGET = 1.05;
/** The validated encoder must be at least this many times faster than `JSON.stringify` on the chat mix... */
const ENCODE_TARGET = 1.3;
/** ...and at least this fast at every point of the sweep. */
const SWEEP_TARGET = 1;

const DECODE_BASELINE = "baseline: JSON.parse + switch";
const DECODE_TYPEWIRE = "typewire: decode + validate + dispatch";
const ENCODE_BASELINE = "baseline: JSON.stringify";
const ENCODE_TYPEWIRE = "typewire: validate + encode";

interface RunResult {
  runtime: { name: string; version: string };
  corpus: { frames: number; meanBytes: number; medianBytes: number; maxBytes: number };
  rounds: number;
  passesPerRound: number;
  sweepRounds: number;
  sweepRoundMs: number;
  decode: Record<string, number[]>;
  encode: Record<string, number[]>;
  encodeByType: Record<string, Record<string, number[]>>;
  sweep: Record<string, Record<string, number[]>>;
}

const RUNTIMES = [
  {
    name: "Deno",
    runtime: (quick: boolean) => command("deno", "scripts/bench/codec_run.ts", quick ? ["--quick"] : []),
  },
  { name: "Bun", runtime: (quick: boolean) => command("bun", "scripts/bench/codec_run.ts", quick ? ["--quick"] : []) },
];

const ns = (s: Summary) => `${s.median.toFixed(0)} (${s.p25.toFixed(0)}–${s.p75.toFixed(0)})`;
const x = (s: Summary) => `${s.median.toFixed(2)}x (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

/** Per round, how many times faster `candidate` ran than `baseline` (over every run's rounds). */
function speedups(samples: readonly Record<string, number[]>[], baseline: string, candidate: string): number[] {
  return samples.flatMap((s) => ratios(s[baseline] as number[], s[candidate] as number[]));
}

/**
 * Runs the codec benchmark and writes its section of the report.
 *
 * @param quick Fewer rounds, for a check that it runs.
 * @param runs Processes per runtime.
 * @returns The section's Markdown.
 */
export async function codecReport(quick: boolean, runs: number): Promise<string> {
  const sections: string[] = [];
  const verdicts: string[] = [];
  const sweeps: { runtime: string; results: RunResult[] }[] = [];
  let corpus: RunResult["corpus"] | undefined;
  let first: RunResult | undefined;
  for (const { name: runtimeName, runtime } of RUNTIMES) {
    const results: RunResult[] = [];
    for (let run = 0; run < runs; run++) results.push(await runJson<RunResult>(runtime(quick)));
    const head = results[0] as RunResult;
    first ??= head;
    corpus ??= head.corpus;
    const table = (
      kind: "decode" | "encode",
      baselineName: string,
      targetCell: (name: string, r: Summary) => string,
    ) =>
      Object.keys(head[kind]).map((name) => {
        const perRound = results.flatMap((r) => r[kind][name] as number[]);
        const ratio = summarize(
          results.flatMap((r) => ratios(r[kind][name] as number[], r[kind][baselineName] as number[])),
        );
        const runMedians = results.map((r) =>
          summarize(ratios(r[kind][name] as number[], r[kind][baselineName] as number[])).median.toFixed(2)
        );
        const spread = runs > 1 ? ` [runs: ${runMedians.join(", ")}]` : "";
        return `| ${name} | ${ns(summarize(perRound))} | ${x(ratio)}${spread} | ${targetCell(name, ratio)} |`;
      }).join("\n");
    const decodeTarget = (name: string, r: Summary) => {
      if (name !== DECODE_TYPEWIRE) return "";
      const met = r.median <= DECODE_TARGET;
      verdicts.push(
        `${runtimeName}: decode + validate + dispatch at ${r.median.toFixed(2)}x \`JSON.parse\` + \`switch\` ` +
          `(${r.min.toFixed(2)}–${r.max.toFixed(2)} over rounds; target ≤ ${DECODE_TARGET}x): ${
            met ? "met" : "NOT met"
          }`,
      );
      return `≤ ${DECODE_TARGET}x: **${met ? "met" : "not met"}**`;
    };
    const encodeTarget = (name: string, r: Summary) => {
      if (name !== ENCODE_TYPEWIRE) return "";
      // A speed-up is the inverse of a time ratio, so its median is the inverse of the ratio's median.
      const speedup = 1 / r.median;
      const met = speedup >= ENCODE_TARGET;
      verdicts.push(
        `${runtimeName}: validated encode ${speedup.toFixed(2)}x as fast as \`JSON.stringify\` on the chat mix ` +
          `(${(1 / r.max).toFixed(2)}–${(1 / r.min).toFixed(2)} over rounds; target ≥ ${ENCODE_TARGET}x): ${
            met ? "met" : "NOT met"
          }`,
      );
      return `≥ ${ENCODE_TARGET}x as fast: **${met ? "met" : "not met"}** (${speedup.toFixed(2)}x)`;
    };
    const byType = Object.keys(head.encodeByType).map((type) => {
      const all = speedups(
        results.map((r) => r.encodeByType[type] as Record<string, number[]>),
        ENCODE_BASELINE,
        ENCODE_TYPEWIRE,
      );
      return `| ${type} | ${x(summarize(all))} |`;
    });
    sections.push(
      [
        `### ${runtimeName} ${head.runtime.version}`,
        "",
        "Decoding a frame a client receives (ns per message: median (p25–p75) over rounds; ratio to the baseline of the same round: median (min–max)):",
        "",
        "| candidate | ns/msg | time vs baseline | target |",
        "| --- | --- | --- | --- |",
        table("decode", DECODE_BASELINE, decodeTarget),
        "",
        "Encoding a message to a frame, and writing the frame as UTF-8 into a send buffer:",
        "",
        "| candidate | ns/msg | time vs baseline | target |",
        "| --- | --- | --- | --- |",
        table("encode", ENCODE_BASELINE, encodeTarget),
        "",
        "Validated encode, speed-up over JSON.stringify by message type (median (min–max) over rounds):",
        "",
        "| type | speed-up |",
        "| --- | --- |",
        ...byType,
      ].join("\n"),
    );
    sweeps.push({ runtime: runtimeName, results });
    const worst = worstPoint(results);
    verdicts.push(
      `${runtimeName}: every shape of the sweep at least as fast as \`JSON.stringify\` (target ≥ ${
        SWEEP_TARGET.toFixed(2)
      }x ` +
        `at every point): ${worst.speedup.median >= SWEEP_TARGET ? "met" : "NOT met"}; slowest point ${worst.label}, ` +
        `${worst.speedup.median.toFixed(2)}x (${worst.speedup.min.toFixed(2)}–${worst.speedup.max.toFixed(2)})`,
    );
  }

  const c = corpus as RunResult["corpus"];
  const f = first as RunResult;
  const method = [
    `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench${
      quick ? " -- --quick" : ""
    }\` on ${describeMachine()}.`,
    `Corpus: ${c.frames} chat frames as a client receives them, seeded, the same on both runtimes: ${CORPUS_MIX}.`,
    `Frames are ${c.meanBytes} bytes on average (median ${c.medianBytes}, largest ${c.maxBytes}). Per runtime:`,
    `${runs} process(es), each running every candidate over the corpus ${f.passesPerRound} times per`,
    `round, ${f.rounds} rounds after warm-up, candidates interleaved round by round (the order rotating); a ratio compares a`,
    "candidate with the baseline of the same round and process, and figures are medians with their spread.",
    "Both encoders' frames go through `TextEncoder.encodeInto` into one reused buffer, as a sender writes a frame to",
    "its socket: that needs the whole string, so an encoder that returned a lazily concatenated string (a rope)",
    "would pay for flattening it here, as `WebSocket.send` makes it pay, instead of looking faster by deferring work.",
  ].join("\n");
  const sweepLabels = Object.keys(f.sweep);
  const sweepTable = [
    "### Encoder sweep: one message shape at a time",
    "",
    `Chat lines (\`message\`) of 1 to 4,096 characters in each alphabet, and user lists (\`userlist\`) of 1 to 10,000`,
    `names; 8 lines or 4 lists per point, ${f.sweepRounds} interleaved rounds of about ${f.sweepRoundMs} ms per candidate, frames consumed`,
    "as above. Speed-up of the validated encoder over `JSON.stringify`, median (min–max) over rounds; below 1.00x is",
    "slower.",
    "",
    `| message | ${sweeps.map((s) => s.runtime).join(" | ")} |`,
    `| --- | ${sweeps.map(() => "---").join(" | ")} |`,
    ...sweepLabels.map((label) => `| ${label} | ${sweeps.map((s) => x(pointSpeedup(s.results, label))).join(" | ")} |`),
  ].join("\n");

  return [
    "## Codec: decode + validate + dispatch, and encode",
    "",
    method,
    "",
    ...sections.flatMap((s) => [s, ""]),
    sweepTable,
    "",
    "Verdict:",
    "",
    ...verdicts.map((v) => `- ${v}`),
  ].join("\n");
}

/** The validated encoder's speed-up over `JSON.stringify` at one point of the sweep, over every run's rounds. */
function pointSpeedup(results: readonly RunResult[], label: string): Summary {
  return summarize(
    speedups(results.map((r) => r.sweep[label] as Record<string, number[]>), ENCODE_BASELINE, ENCODE_TYPEWIRE),
  );
}

/** The sweep point where the validated encoder gains least over `JSON.stringify`. */
function worstPoint(results: readonly RunResult[]): { label: string; speedup: Summary } {
  const points = Object.keys((results[0] as RunResult).sweep).map((label) => ({
    label,
    speedup: pointSpeedup(results, label),
  }));
  return points.reduce((a, b) => (b.speedup.median < a.speedup.median ? b : a));
}
