/**
 * `typewire diff`: the breaking-change check of a protocol. Compares two
 * versions of a schema (two files, or the working tree against a git
 * revision) and prints each change with whom it breaks: old clients (a new
 * server meets them), old servers (a new client meets them), or nobody.
 *
 * @example
 * ```sh
 * npx typewire diff old/chat.ts schema/chat.ts          # two files
 * npx typewire diff --against main                      # every protocol of typewire.config.json, against main
 * npx typewire diff --against v1.0.0 --protocol chat --allow-breaking-for servers
 * ```
 *
 * @module
 */
import process from "node:process";
import { didYouMean } from "../closest.ts";
import { type Config, parseConfig, type ProtocolConfig, readConfigFile, withSettings } from "../config.ts";
import { SchemaError } from "../errors.ts";
import { existsSync } from "node:fs";
import { readProtocol } from "../generate.ts";
import { type Change, diffProtocols } from "./diff.ts";
import { GitError, type Snapshot, snapshotAt, textAt } from "./git_revision.ts";
import { type Allowance, formatChange, summaryLine, tally } from "./report.ts";
import { optionValue, reportUsageError, splitOptionValues, UsageError } from "../usage.ts";

const HELP = `Usage:
  typewire diff <old-schema> <new-schema> [options]
  typewire diff --against <revision> [<schema>...] [options]
  typewire diff --against <revision> [--config <file>] [--protocol <name>]... [options]

Compares two versions of a protocol and prints every change with whom it breaks:
  old clients   a new server meets a client generated from the old schema
  old servers   a new client meets a server generated from the old schema
A change breaks a pair when the receiver refuses something the sender may send, under the
default decoding: unknown message types are refused, unknown properties are kept.

Inputs (TypeScript, JSON Schema or AsyncAPI 3, as for typewire gen):
  <old-schema> <new-schema>   two files
  --against <revision>        the working tree against a git revision (commit, tag, branch):
                              the schemas named, or every protocol of the configuration; the
                              schemas' folders are read as they were at the revision

Options:
  --config <file>             the configuration with --against (default: typewire.config.json)
  --protocol <name>           with --against, only this protocol of the configuration (repeat)
  --discriminator <property>  as for typewire gen, for both versions
  --server <type>             as for typewire gen, for both versions
  --client <type>             as for typewire gen, for both versions
  --describes server|client   as for typewire gen, for both versions
  --resume <property>         as for typewire gen, for both versions
  --subprotocol <name>        as for typewire gen, for both versions (repeat)
  --strict                    judge as if clients and servers decoded strictly (their strict
                              option): a property a closed object does not name is refused
  --allow-breaking            exit 0 even with breaking changes (they are still printed)
  --allow-breaking-for clients|servers
                              exit 0 for changes that break only old clients (or old servers)
  --json                      print the changes and the summary as JSON
  --help                      this text

Every rule is listed in docs/diff.md, with whom it breaks and why.

Exit status: 0 no breaking change (or all accepted), 1 breaking changes, 2 a usage or schema error.
`;

/** Options that set a protocol's setting, for both versions, as `typewire gen` takes them. */
const VALUE_OPTIONS: Readonly<Record<string, string>> = {
  "--discriminator": "discriminator",
  "--server": "server",
  "--client": "client",
  "--describes": "describes",
  "--resume": "resume",
};

const FLAGS = [
  "--against",
  "--config",
  "--protocol",
  "--subprotocol",
  "--strict",
  "--allow-breaking",
  "--allow-breaking-for",
  "--json",
  "--help",
];

/** What the command line asked for. */
interface Invocation {
  readonly schemas: readonly string[];
  readonly against: string | undefined;
  readonly configPath: string | undefined;
  readonly protocols: readonly string[];
  readonly settings: Readonly<Record<string, unknown>>;
  readonly strict: boolean;
  readonly allow: Allowance;
  readonly json: boolean;
}

function parseArgs(given: readonly string[]): Invocation | "help" {
  const args = splitOptionValues(given);
  const schemas: string[] = [];
  const settings: Record<string, unknown> = {};
  const subprotocols: string[] = [];
  const protocols: string[] = [];
  let against: string | undefined;
  let configPath: string | undefined;
  let strict = false;
  let json = false;
  const allow = { clients: false, servers: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => optionValue(args, ++i, arg);
    if (arg === "--help" || arg === "-h") return "help";
    else if (arg === "--against") against = value();
    else if (arg === "--config") configPath = value();
    else if (arg === "--protocol") protocols.push(value());
    else if (arg === "--subprotocol") subprotocols.push(value());
    else if (arg === "--strict") strict = true;
    else if (arg === "--json") json = true;
    else if (arg === "--allow-breaking") allow.clients = allow.servers = true;
    else if (arg === "--allow-breaking-for") {
      const who = value();
      if (who !== "clients" && who !== "servers") {
        throw new UsageError(`--allow-breaking-for takes clients or servers, not ${JSON.stringify(who)}`);
      }
      allow[who] = true;
    } else if (arg in VALUE_OPTIONS) settings[VALUE_OPTIONS[arg] as string] = value();
    else if (arg.startsWith("-")) {
      throw new UsageError(
        `unknown option ${JSON.stringify(arg)}${didYouMean(arg, [...FLAGS, ...Object.keys(VALUE_OPTIONS)])}`,
      );
    } else schemas.push(arg);
  }
  if (subprotocols.length > 0) settings.subprotocols = subprotocols;
  if (against === undefined) {
    if (schemas.length !== 2) {
      throw new UsageError(
        `name two schemas, the old and the new (${schemas.length} given), or compare with a revision: --against <rev>`,
      );
    }
    if (configPath !== undefined || protocols.length > 0) {
      throw new UsageError("--config and --protocol go with --against; two schemas are compared as they are");
    }
  } else if (schemas.length > 0 && (configPath !== undefined || protocols.length > 0)) {
    throw new UsageError("with --against, name schemas or use the configuration (--config, --protocol), not both");
  }
  return { schemas, against, configPath, protocols, settings, strict, allow, json };
}

/** A protocol's two versions, to read and compare. */
interface Pair {
  readonly old: ProtocolConfig;
  readonly new: ProtocolConfig;
}

/** The configuration of schemas named on the command line; `output` is not used by the comparison. */
function configOfSchemas(schemas: readonly string[], settings: Invocation["settings"], label: string): Config {
  return parseConfig({ protocols: schemas.map((schema) => ({ schema, output: "unused.ts", ...settings })) }, label);
}

/** The protocols of a parsed configuration, the command line's settings laid over theirs. */
function protocolsOf(raw: unknown, settings: Invocation["settings"], label: string): readonly ProtocolConfig[] {
  return parseConfig(withSettings(raw, settings), label).protocols;
}

/** The pairs of the `--against` form, and the snapshot of the revision (removed by the caller). */
async function pairsAgainst(
  invocation: Invocation,
  revision: string,
  notes: string[],
): Promise<{ pairs: Pair[]; snapshot: Snapshot }> {
  if (invocation.schemas.length > 0) {
    const current = configOfSchemas(invocation.schemas, invocation.settings, "the command line").protocols;
    const snapshot = await snapshotAt(revision, current.map((p) => p.schema));
    for (const protocol of current) {
      if (!snapshot.has(protocol.schema)) {
        await snapshot.remove();
        throw new SchemaError(protocol.schema, "(file)", `not in git at ${revision}: there is nothing to compare with`);
      }
    }
    return { snapshot, pairs: current.map((p) => ({ old: { ...p, schema: snapshot.path(p.schema) }, new: p })) };
  }
  const configPath = invocation.configPath ?? "typewire.config.json";
  const raw = await readConfigFile(
    configPath,
    "name another with --config <file>, or name the schemas: typewire diff --against <revision> <schema>...",
  );
  let current = protocolsOf(raw, invocation.settings, configPath);
  if (invocation.protocols.length > 0) {
    const known = current.map((p) => p.name);
    for (const name of invocation.protocols) {
      if (!known.includes(name)) {
        throw new UsageError(
          `no protocol ${JSON.stringify(name)} in ${configPath}${didYouMean(name, known)}; it has ${known.join(", ")}`,
        );
      }
    }
    current = current.filter((p) => invocation.protocols.includes(p.name));
  }
  // The settings as they were (subprotocols, resume, discriminator), where the configuration was committed.
  const oldText = textAt(revision, configPath);
  let before: readonly ProtocolConfig[] = [];
  if (oldText !== undefined) {
    try {
      before = protocolsOf(JSON.parse(oldText), invocation.settings, `${revision}:${configPath}`);
    } catch (error) {
      notes.push(
        `${revision}:${configPath} is not usable (${(error as Error).message}); its settings are taken as now`,
      );
    }
  }
  const olds = current.map((p) => before.find((b) => b.name === p.name) ?? p);
  const snapshot = await snapshotAt(revision, [...olds, ...current].map((p) => p.schema));
  const pairs: Pair[] = [];
  for (const [i, protocol] of current.entries()) {
    const old = olds[i] as ProtocolConfig;
    if (!snapshot.has(old.schema)) {
      notes.push(`${protocol.name}: ${old.schema} is not in git at ${revision}: a new protocol, nothing to compare`);
      continue;
    }
    pairs.push({ old: { ...old, schema: snapshot.path(old.schema) }, new: protocol });
  }
  return { pairs, snapshot };
}

/** Reads both versions of each pair and compares them. */
async function compareAll(pairs: readonly Pair[], strict: boolean): Promise<Change[]> {
  const changes: Change[] = [];
  for (const pair of pairs) {
    for (const { schema } of [pair.old, pair.new]) {
      if (!existsSync(schema)) throw new SchemaError(schema, "(file)", "no such file");
    }
    const { model: old } = await readProtocol(pair.old);
    const { model: next } = await readProtocol(pair.new);
    changes.push(...diffProtocols(old, next, { strict }));
  }
  return changes;
}

/**
 * Runs `typewire diff` with command-line arguments.
 *
 * @param args The arguments after `diff`.
 * @returns The exit code: 0 no breaking change (or all accepted), 1 breaking changes, 2 a usage or schema error.
 * @example
 * ```ts
 * import { main } from "./cli.ts";
 * const code = await main(["schema/chat.ts", "schema/chat.ts"]); // prints "typewire diff: no changes", returns 0
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let invocation: Invocation | "help";
  try {
    invocation = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return reportUsageError("diff", error);
  }
  if (invocation === "help") {
    process.stdout.write(HELP);
    return 0;
  }
  const notes: string[] = [];
  let snapshot: Snapshot | undefined;
  let changes: Change[];
  try {
    let pairs: Pair[];
    if (invocation.against === undefined) {
      const [old, next] = configOfSchemas(invocation.schemas, invocation.settings, "the command line").protocols;
      pairs = [{ old: { ...old!, name: next!.name }, new: next! }];
    } else {
      ({ pairs, snapshot } = await pairsAgainst(invocation, invocation.against, notes));
    }
    changes = await compareAll(pairs, invocation.strict);
  } catch (error) {
    const known = error instanceof SchemaError || error instanceof SyntaxError || error instanceof GitError ||
      error instanceof UsageError || (error as { code?: string }).code === "ENOENT";
    let text = known ? (error as Error).message : `${(error as Error).message} (a bug in typewire: please report it)`;
    if (snapshot !== undefined) text = text.replaceAll(snapshot.root + "/", `${snapshot.revision}:`);
    process.stderr.write(`typewire diff: ${text}\n`);
    return 2;
  } finally {
    await snapshot?.remove();
  }
  for (const note of notes) process.stderr.write(`typewire diff: ${note}\n`);
  const counts = tally(changes, invocation.allow);
  const code = counts.refused > 0 ? 1 : 0;
  if (invocation.json) {
    process.stdout.write(JSON.stringify({ changes, summary: counts, exitCode: code }, null, 2) + "\n");
  } else {
    for (const change of changes) process.stdout.write(formatChange(change) + "\n");
    process.stdout.write(summaryLine(counts) + "\n");
  }
  return code;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
