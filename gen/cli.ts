/**
 * `typewire gen`: compiles schemas named on the command line, or every
 * protocol listed in a configuration file; `--check` fails naming each stale
 * file, `--watch` generates again whenever an input changes.
 *
 * @example
 * ```sh
 * npx typewire gen api/ticker.schema.json --out src/generated   # one schema
 * deno run -A gen/cli.ts                                         # every protocol in typewire.config.json
 * deno run -A gen/cli.ts --check                                 # exit 1 if any file is stale
 * npx typewire gen api/ticker.schema.json --out src/generated --asyncapi api/ticker.asyncapi.yaml
 * ```
 *
 * @module
 */
import { watch } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import process from "node:process";
import { type Config, parseConfig, readConfigFile, withSettings } from "./config.ts";
import { SchemaError } from "./errors.ts";
import { type GeneratedFile, generateProtocol } from "./generate.ts";
import { VERSION } from "./version.ts";
import { didYouMean } from "./closest.ts";
import { optionValue, reportUsageError, splitOptionValues, UsageError } from "./usage.ts";

const HELP = `Usage:
  typewire gen <schema>... --out <dir> [options]   one module per schema, <dir>/<name>.ts
  typewire gen [--config <file>] [options]          every protocol in the configuration

Compiles message schemas to typed, validated, eval-free TypeScript modules: codecs,
dispatch tables and types for both directions of a WebSocket protocol.

A schema is one of:
  <name>.ts                  TypeScript types; the two directions are exported unions
                             (ServerMessage and ClientMessage, or --server and --client)
  <name>.json .yaml .yml     a JSON Schema document (draft-07 or 2020-12) with those
                             unions under $defs or definitions; or an AsyncAPI 3 document
                             (it has an "asyncapi" field), whose send and receive
                             operations give the directions and message payloads the types
TypeScript and AsyncAPI inputs also get the JSON Schema written beside them (<name>.schema.json).

Options:
  --out <dir>                where modules of schemas named on the command line go
  --config <file>            the configuration listing protocols (default: typewire.config.json)
  --discriminator <property> the property naming each message's type (default: the AsyncAPI
                             payloads' "discriminator", else "type"); e.g. kind, op, event
  --server <type>            the union of what a server sends (default: ServerMessage)
  --client <type>            the union of what a client sends (default: ClientMessage)
  --describes server|client  the side an AsyncAPI document describes: its send operations are
                             what that side sends (default: server)
  --subprotocol <name>       a WebSocket subprotocol clients offer (repeat for several)
  --runtime <specifier>      where generated modules import typewire's runtime from
                             (default: typewire/runtime)
  --resume <property>        make the server messages that declare this optional string
                             property resumable: the server fills it in, a reconnecting
                             client asks for what it missed (default: none)
  --asyncapi <file|dir>      also write each protocol's AsyncAPI 3.0.0 document, derived from its
                             schema and describing the --describes side: to <file> (.json, .yaml
                             or .yml) for a single protocol; for several, into <dir> as
                             <name>.asyncapi.json (default: the configuration's "asyncapi", if any)
  --protocol-version <v>     the protocol's version, the AsyncAPI document's info.version
                             (default: 0.0.0)
  --address <path>           the URL path clients connect to, the AsyncAPI channel's address
                             (default: none stated)
  --check                    generate in memory; exit 1 naming each stale or missing file
  --watch                    generate, then again whenever an input changes, until Ctrl-C
  --version                  typewire's version
  --help                     this text

Exit status: 0 done, 1 stale files under --check, 2 a usage or schema error (or a file it cannot write).
`;

/** Options that take a value, and the configuration field each sets. */
const VALUE_OPTIONS: Readonly<Record<string, string>> = {
  "--discriminator": "discriminator",
  "--server": "server",
  "--client": "client",
  "--describes": "describes",
  "--runtime": "runtime",
  "--resume": "resume",
  "--protocol-version": "protocolVersion",
  "--address": "address",
};

/** What the command line asked for. */
interface Invocation {
  readonly schemas: readonly string[];
  readonly out: string | undefined;
  readonly configPath: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly subprotocols: readonly string[];
  /** `--asyncapi`: a file (for one protocol) or a directory (for any number). */
  readonly asyncapi: string | undefined;
  readonly check: boolean;
  readonly watch: boolean;
}

/** The options besides those that set a protocol's setting (`VALUE_OPTIONS`). */
const FLAGS = ["--check", "--watch", "--help", "--version", "--out", "--config", "--subprotocol", "--asyncapi"];

function parseArgs(given: readonly string[]): Invocation | "help" | "version" {
  const args = splitOptionValues(given);
  const schemas: string[] = [];
  const settings: Record<string, string> = {};
  const subprotocols: string[] = [];
  let out: string | undefined;
  let configPath: string | undefined;
  let asyncapi: string | undefined;
  let check = false;
  let watching = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => optionValue(args, ++i, arg);
    if (arg === "--help" || arg === "-h") return "help";
    else if (arg === "--version" || arg === "-V") return "version";
    else if (arg === "--check") check = true;
    else if (arg === "--watch") watching = true;
    else if (arg === "--out") out = value();
    else if (arg === "--config") configPath = value();
    else if (arg === "--subprotocol") subprotocols.push(value());
    else if (arg === "--asyncapi") asyncapi = value();
    else if (arg in VALUE_OPTIONS) settings[VALUE_OPTIONS[arg] as string] = value();
    else if (arg.startsWith("-")) {
      throw new UsageError(
        `unknown option ${JSON.stringify(arg)}${didYouMean(arg, [...FLAGS, ...Object.keys(VALUE_OPTIONS)])}`,
      );
    } else schemas.push(arg);
  }
  if (check && watching) throw new UsageError("--check and --watch do not go together");
  if (schemas.length > 0 && out === undefined) throw new UsageError("schemas on the command line need --out <dir>");
  if (schemas.length === 0 && out !== undefined) throw new UsageError("--out needs schemas on the command line");
  if (schemas.length > 0 && configPath !== undefined) {
    throw new UsageError("give schemas on the command line or --config, not both");
  }
  if (asyncapi !== undefined && !isAsyncApiFile(asyncapi) && /\.[^/.]+$/.test(basename(asyncapi))) {
    throw new UsageError(
      `--asyncapi ${asyncapi}: name a .json, .yaml or .yml file for the document, or a directory (without an extension)`,
    );
  }
  if (schemas.length > 1 && asyncapi !== undefined && isAsyncApiFile(asyncapi)) {
    throw new UsageError(`--asyncapi ${asyncapi} names one file for ${schemas.length} schemas: name a directory`);
  }
  return {
    schemas,
    out,
    configPath: configPath ?? "typewire.config.json",
    settings,
    subprotocols,
    asyncapi,
    check,
    watch: watching,
  };
}

/** The configuration the invocation describes: from its schemas and options, or from the file. */
async function configOf(invocation: Invocation): Promise<Config> {
  const overrides = {
    ...invocation.settings,
    ...(invocation.subprotocols.length > 0 && { subprotocols: invocation.subprotocols }),
  };
  if (invocation.schemas.length > 0) {
    const protocols = invocation.schemas.map((schema) => {
      const name = basename(schema).replace(/\..*$/, "");
      const asyncapi = invocation.asyncapi === undefined ? {} : { asyncapi: asyncApiPath(invocation.asyncapi, name) };
      return { schema, output: join(invocation.out as string, `${name}.ts`), ...overrides, ...asyncapi };
    });
    return parseConfig({ protocols }, "the command line");
  }
  const raw = withSettings(
    await readConfigFile(
      invocation.configPath,
      "write one (README's quick start shows it), name another with --config <file>, or name the schemas: " +
        "typewire gen <schema>... --out <dir>",
    ),
    overrides,
  );
  const config = parseConfig(raw, invocation.configPath);
  const option = invocation.asyncapi;
  if (option === undefined) return config;
  if (option !== undefined && isAsyncApiFile(option) && config.protocols.length > 1) {
    throw new SchemaError(
      invocation.configPath,
      "--asyncapi",
      `${option} names one file for ${config.protocols.length} protocols: name a directory`,
    );
  }
  return parseConfig(
    {
      protocols: (raw as { protocols: Record<string, unknown>[] }).protocols.map((p, i) => ({
        ...p,
        asyncapi: asyncApiPath(option, config.protocols[i]!.name),
      })),
    },
    invocation.configPath,
  );
}

/** Whether `--asyncapi` names a file (by its extension) rather than a directory. */
function isAsyncApiFile(path: string): boolean {
  return /\.(json|ya?ml)$/.test(path);
}

/** Where `--asyncapi` puts a protocol's document: the file it names, or `<dir>/<name>.asyncapi.json`. */
function asyncApiPath(option: string, name: string): string {
  return isAsyncApiFile(option) ? option : join(option, `${name}.asyncapi.json`);
}

/** Says so when a protocol states its version or address but no AsyncAPI document, the only place they go, is written. */
function noteUnwrittenAsyncApiSettings(protocol: Config["protocols"][number]): void {
  if (protocol.asyncapi !== undefined) return;
  const set = (["protocolVersion", "address"] as const).filter((key) => protocol[key] !== undefined);
  if (set.length === 0) return;
  process.stderr.write(
    `typewire gen: note: protocol "${protocol.name}": ${set.join(" and ")} ${set.length > 1 ? "go" : "goes"} only ` +
      `into the AsyncAPI document, and ` +
      `none is written for it (set "asyncapi", or --asyncapi)\n`,
  );
}

/** Generates once; a schema error is reported in one line, never with a stack trace. */
async function generateAll(invocation: Invocation): Promise<{ files: GeneratedFile[]; config: Config } | undefined> {
  try {
    const config = await configOf(invocation);
    for (const protocol of config.protocols) noteUnwrittenAsyncApiSettings(protocol);
    return { files: (await Promise.all(config.protocols.map(generateProtocol))).flat(), config };
  } catch (error) {
    const known = error instanceof SchemaError || error instanceof SyntaxError ||
      (error as { code?: string }).code === "ENOENT";
    const text = known ? (error as Error).message : `${(error as Error).message} (a bug in typewire: please report it)`;
    process.stderr.write(`typewire gen: ${text}\n`);
    return undefined;
  }
}

/**
 * Runs the generator with command-line arguments.
 *
 * @param args The arguments after the command name.
 * @param signal With `--watch`, stops watching (Ctrl-C does too).
 * @returns The exit code: 0 done, 1 stale files under `--check`, 2 a usage or schema error.
 */
export async function main(args: readonly string[], signal?: AbortSignal): Promise<number> {
  let invocation: Invocation | "help" | "version";
  try {
    invocation = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return reportUsageError("gen", error);
  }
  if (invocation === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  if (invocation === "version") {
    process.stdout.write(`typewire ${VERSION}\n`);
    return 0;
  }
  const generated = await generateAll(invocation);
  if (invocation.watch) return await watchInputs(invocation, generated, signal);
  if (generated === undefined) return 2;
  return invocation.check ? await reportStale(generated.files) : await writeChanged(generated.files);
}

/**
 * Watches the folders of every input (and the configuration), writes what was
 * generated, and generates again after each change, until stopped.
 */
async function watchInputs(
  invocation: Invocation,
  first: { files: GeneratedFile[]; config: Config } | undefined,
  signal: AbortSignal | undefined,
): Promise<number> {
  const outputs = new Set((first?.files ?? []).map((f) => resolve(f.path)));
  const inputs = [
    ...(first?.config.protocols.map((p) => p.schema) ?? invocation.schemas),
    ...(invocation.schemas.length === 0 ? [invocation.configPath] : []),
  ];
  const folders = [...new Set(inputs.map((path) => dirname(resolve(path))))];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const again = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const generated = await generateAll(invocation);
      if (generated === undefined) return;
      for (const file of generated.files) outputs.add(resolve(file.path));
      await writeChanged(generated.files);
    }, 100);
  };
  const watchers = folders.map((folder) =>
    watch(folder, (_event, file) => {
      const path = file === null ? undefined : join(folder, String(file));
      if (path !== undefined && !outputs.has(path) && /\.(ts|json|ya?ml)$/.test(path)) again();
    })
  );
  // Written once the watchers are in place: an edit made as soon as the first output appears is not missed.
  if (first !== undefined) await writeChanged(first.files);
  process.stdout.write(`typewire gen: watching ${folders.join(", ")} (Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    signal?.addEventListener("abort", () => done(), { once: true });
    process.once("SIGINT", () => done());
  });
  clearTimeout(timer);
  for (const watcher of watchers) watcher.close();
  return 0;
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
    try {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.text);
    } catch (error) {
      process.stderr.write(`typewire gen: cannot write ${file.path}: ${(error as Error).message}\n`);
      return 2;
    }
    process.stdout.write(`wrote ${file.path}\n`);
  }
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
