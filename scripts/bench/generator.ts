/**
 * The generator's scaling: synthetic protocols of K message types, written as
 * TypeScript and run through the whole pipeline (TypeScript -> JSON Schema ->
 * model -> module), timed, with the size of what comes out.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../gen/config.ts";
import { generateProtocol } from "../../gen/generate.ts";
import { summarize, type Summary } from "./stats.ts";

/** A schema file with `types` message types, half each way, each with a few typical fields. */
function syntheticSchema(types: number): string {
  const parts = [
    "/**\n * An id.\n *\n * @asType integer\n * @minimum 0\n */\nexport type Id = number;",
  ];
  const names: string[] = [];
  for (let i = 0; i < types; i++) {
    const name = `Message${i}`;
    names.push(name);
    parts.push(
      `/** Message number ${i}. */\nexport interface ${name} {\n  type: "m${i}";\n  id: Id;\n  /** @maxLength 64 */\n  name: string;\n` +
        `  /** @maxItems 100 */\n  tags: string[];\n  note?: string | null;\n}`,
    );
  }
  const half = Math.ceil(types / 2);
  parts.push(`export type ServerMessage = ${names.slice(0, half).join(" | ")};`);
  parts.push(
    `export type ClientMessage = ${(names.slice(half).length ? names.slice(half) : names.slice(0, 1)).join(" | ")};`,
  );
  return parts.join("\n\n") + "\n";
}

/** One size's figures. */
export interface GeneratorFigures {
  readonly types: number;
  readonly milliseconds: Summary;
  readonly moduleBytes: number;
  readonly schemaBytes: number;
}

/**
 * Times the generator on synthetic protocols.
 *
 * @param sizes Message type counts, e.g. [10, 100, 500].
 * @param runs Repetitions per size.
 * @returns The first, untimed-in-the-table run of a one-type protocol (milliseconds), and one entry per size.
 */
export async function runGenerator(
  sizes: readonly number[],
  runs: number,
): Promise<{ firstRun: number; figures: GeneratorFigures[] }> {
  const dir = mkdtempSync(join(tmpdir(), "typewire-scaling-"));
  const figures: GeneratorFigures[] = [];
  const protocolOf = (types: number) => {
    const schema = join(dir, `p${types}.ts`);
    writeFileSync(schema, syntheticSchema(types));
    return parseConfig({ protocols: [{ schema, output: join(dir, `p${types}.gen.ts`) }] }, "bench").protocols[0]!;
  };
  // The first run in a process pays for loading the TypeScript compiler; a user's first run does too, but
  // it is a fixed cost, not part of how generation grows. It is reported separately.
  const loading = performance.now();
  await generateProtocol(protocolOf(1));
  const firstRun = performance.now() - loading;
  for (const types of sizes) {
    const protocol = protocolOf(types);
    const times: number[] = [];
    let sizesOut = { moduleBytes: 0, schemaBytes: 0 };
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const files = await generateProtocol(protocol);
      times.push(performance.now() - started);
      sizesOut = {
        schemaBytes: files[0]?.text.length ?? 0,
        moduleBytes: files[1]?.text.length ?? 0,
      };
    }
    figures.push({ types, milliseconds: summarize(times), ...sizesOut });
  }
  return { firstRun, figures };
}
