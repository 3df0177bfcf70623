/**
 * `typewire gen`: regenerates every protocol listed in the configuration, or
 * with `--check` regenerates in memory and fails naming each stale file.
 *
 * @example
 * ```sh
 * deno run -A gen/cli.ts            # write the generated files
 * deno run -A gen/cli.ts --check    # exit 1 if any is stale
 * ```
 *
 * @module
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import process from "node:process";
import { parseConfig } from "./config.ts";
import { SchemaError } from "./errors.ts";
import { type GeneratedFile, generateProtocol } from "./generate.ts";

const HELP = `Usage: typewire gen [--config <file>] [--check]

Compiles each protocol's schema to a typed, validated, eval-free TypeScript module.

  --config <file>  the configuration listing the protocols (default: typewire.config.json)
  --check          regenerate in memory; exit 1 naming each file that is stale or missing
  --help           show this text
`;

/**
 * Runs the generator with command-line arguments.
 *
 * @param args The arguments after the command name.
 * @returns The exit code: 0 done, 1 stale files under `--check`, 2 a usage or schema error.
 */
export async function main(args: readonly string[]): Promise<number> {
  let configPath = "typewire.config.json";
  let check = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(HELP);
      return 0;
    } else if (arg === "--check") {
      check = true;
    } else if (arg === "--config" && args[i + 1] !== undefined) {
      configPath = args[++i] as string;
    } else {
      process.stderr.write(`typewire gen: unknown argument ${JSON.stringify(arg)}\n\n${HELP}`);
      return 2;
    }
  }
  let files: GeneratedFile[];
  try {
    const config = parseConfig(JSON.parse(await readFile(configPath, "utf8")), configPath);
    files = (await Promise.all(config.protocols.map(generateProtocol))).flat();
  } catch (error) {
    const text =
      error instanceof SchemaError || error instanceof SyntaxError || (error as { code?: string }).code === "ENOENT"
        ? (error as Error).message
        : `${(error as Error).message} (this is a bug in typewire; please report it)`;
    process.stderr.write(`typewire gen: ${text}\n`);
    return 2;
  }
  return check ? await reportStale(files) : await writeChanged(files);
}

async function current(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

async function reportStale(files: readonly GeneratedFile[]): Promise<number> {
  let stale = 0;
  for (const file of files) {
    const text = await current(file.path);
    if (text !== file.text) {
      stale++;
      process.stderr.write(`stale: ${file.path}${text === undefined ? " (missing)" : ""}\n`);
    }
  }
  if (stale > 0) {
    process.stderr.write(
      `typewire gen --check: ${stale} of ${files.length} generated files are stale; run the generator\n`,
    );
    return 1;
  }
  process.stdout.write(`typewire gen --check: all ${files.length} generated files are up to date\n`);
  return 0;
}

async function writeChanged(files: readonly GeneratedFile[]): Promise<number> {
  for (const file of files) {
    if ((await current(file.path)) === file.text) {
      process.stdout.write(`unchanged ${file.path}\n`);
      continue;
    }
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.text);
    process.stdout.write(`wrote ${file.path}\n`);
  }
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
