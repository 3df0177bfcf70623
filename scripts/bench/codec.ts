/**
 * The codec benchmark on Deno and on Bun. Each runtime runs every candidate
 * in one process (codec_run.ts); this collects the rounds, compares each
 * candidate with the baseline of the same round, and writes the report's
 * codec section.
 */
import { describeMachine } from "./machine.ts";
import { command, runJson } from "./processes.ts";
import { ratios, summarize, type Summary } from "./stats.ts";

const DECODE_TARGET = 1.15;
const ENCODE_TARGET = 1.5;

interface RunResult {
  runtime: { name: string; version: string };
  corpus: { frames: number; meanBytes: number };
  rounds: number;
  passesPerRound: number;
  decode: Record<string, number[]>;
  encode: Record<string, number[]>;
  encodeByType: Record<string, Record<string, number[]>>;
  components: Record<string, Record<string, number[]>>;
}

const RUNTIMES = [
  {
    name: "Deno",
    runtime: (quick: boolean) => command("deno", "scripts/bench/codec_run.ts", quick ? ["--quick"] : []),
  },
  { name: "Bun", runtime: (quick: boolean) => command("bun", "scripts/bench/codec_run.ts", quick ? ["--quick"] : []) },
];

/**
 * Runs the codec benchmark and writes its section of the report.
 *
 * @param quick Fewer rounds, for a check that it runs.
 * @param runs Processes per runtime.
 * @returns The section's Markdown.
 */
export async function codecReport(quick: boolean, runs: number): Promise<string> {
  const ns = (s: Summary) => `${s.median.toFixed(0)} (${s.p25.toFixed(0)}–${s.p75.toFixed(0)})`;
  const x = (s: Summary) => `${s.median.toFixed(2)}x (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;

  const sections: string[] = [];
  const verdicts: string[] = [];
  for (const { name: runtimeName, runtime } of RUNTIMES) {
    const results: RunResult[] = [];
    for (let run = 0; run < runs; run++) results.push(await runJson<RunResult>(runtime(quick)));
    const first = results[0] as RunResult;
    const table = (
      kind: "decode" | "encode",
      baselineName: string,
      targetLine: (name: string, r: Summary) => string,
    ) => {
      const rows: string[] = [];
      for (const name of Object.keys(first[kind])) {
        const perRound = results.flatMap((r) => r[kind][name] as number[]);
        const ratioPerRound = results.flatMap((r) =>
          ratios(r[kind][name] as number[], r[kind][baselineName] as number[])
        );
        const runMedians = results.map((r) =>
          summarize(ratios(r[kind][name] as number[], r[kind][baselineName] as number[])).median
        );
        const ratio = summarize(ratioPerRound);
        const spread = runs > 1 ? ` [runs: ${runMedians.map((m) => m.toFixed(2)).join(", ")}]` : "";
        rows.push(`| ${name} | ${ns(summarize(perRound))} | ${x(ratio)}${spread} | ${targetLine(name, ratio)} |`);
      }
      return rows.join("\n");
    };
    const decodeTarget = (name: string, r: Summary) => {
      if (!name.startsWith("typewire")) return "";
      const met = r.median <= DECODE_TARGET;
      verdicts.push(
        `${runtimeName}: decode + validate + dispatch at ${
          r.median.toFixed(2)
        }x baseline (target ≤ ${DECODE_TARGET}x): ${met ? "met" : "NOT met"}`,
      );
      return `≤ ${DECODE_TARGET}x: **${met ? "met" : "not met"}**`;
    };
    const encodeTarget = (name: string, r: Summary) => {
      if (!name.startsWith("typewire")) return "";
      const speedup = 1 / r.median;
      const met = speedup >= ENCODE_TARGET;
      verdicts.push(
        `${runtimeName}: validated encode ${
          speedup.toFixed(2)
        }x faster than JSON.stringify (target ≥ ${ENCODE_TARGET}x): ${met ? "met" : "NOT met"}`,
      );
      return `≥ ${ENCODE_TARGET}x faster: **${met ? "met" : "not met"}** (${speedup.toFixed(2)}x)`;
    };
    const byType = Object.keys(first.encodeByType).map((type) => {
      const speedups = results.flatMap((r) => {
        const t = r.encodeByType[type] as Record<string, number[]>;
        return ratios(
          t["baseline: JSON.stringify"] as number[],
          t["typewire: validate + specialized encode"] as number[],
        );
      });
      return `| ${type} | ${x(summarize(speedups))} |`;
    });
    const pieces = Object.entries(first.components).flatMap(([what, candidates]) =>
      Object.keys(candidates).map((name) => {
        const perRound = results.flatMap((r) => r.components[what]?.[name] as number[]);
        return `| ${what} | ${name} | ${ns(summarize(perRound))} |`;
      })
    );
    sections.push(
      [
        `### ${runtimeName} ${first.runtime.version}`,
        "",
        "Decoding a frame a client receives (ns per message: median (p25–p75) over rounds; ratio to the baseline of the same round: median (min–max)):",
        "",
        "| candidate | ns/msg | time vs baseline | target |",
        "| --- | --- | --- | --- |",
        table("decode", "baseline: JSON.parse + switch", decodeTarget),
        "",
        "Encoding a message to a frame:",
        "",
        "| candidate | ns/msg | time vs baseline | target |",
        "| --- | --- | --- | --- |",
        table("encode", "baseline: JSON.stringify", encodeTarget),
        "",
        "Validated encode, speed-up over JSON.stringify by message type (median (min–max) over rounds):",
        "",
        "| type | speed-up |",
        "| --- | --- |",
        ...byType,
        "",
        "The pieces of a chat line that every encoder must write (ns per item, median (p25–p75)):",
        "",
        "| piece | how | ns/item |",
        "| --- | --- | --- |",
        ...pieces,
      ].join("\n"),
    );
    if (runtimeName === "Deno") {
      sections.unshift(
        [
          `Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench${
            quick ? " -- --quick" : ""
          }\` on ${describeMachine()}.`,
          `Corpus: ${first.corpus.frames} chat frames as a client receives them (85% chat lines, 6% sign-ins, 6% user lists,`,
          `2% ids, 1% renames; mean ${first.corpus.meanBytes} bytes), seeded, the same on both runtimes. Per runtime: ${runs} process(es),`,
          `each running every candidate over the corpus ${first.passesPerRound} times per round, ${first.rounds} rounds after warm-up,`,
          "candidates interleaved round by round. Ratios compare a candidate with the baseline of the same round and process.",
        ].join("\n"),
      );
    }
  }

  const body = [
    "## Codec: decode + validate + dispatch, and encode",
    "",
    ...sections.flatMap((s) => [s, ""]),
    "Verdict:",
    "",
    ...verdicts.map((v) => `- ${v}`),
  ].join("\n");
  return body;
}
