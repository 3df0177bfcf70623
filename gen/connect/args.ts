/**
 * The command line of `typewire connect`: its options, their parsing, and its help.
 *
 * @module
 */
import { didYouMean } from "../closest.ts";
import { UsageError } from "../usage.ts";

/** How incoming messages and events are written: decided by stdout's TTY-ness unless forced. */
export type OutputMode = "auto" | "json" | "pretty";

/** What `typewire connect` was asked to do. */
export interface ConnectArgs {
  /** The server's URL, `ws:` or `wss:` (`http:`/`https:` are mapped to them). */
  readonly url: string;
  /** The path of the generated protocol module. */
  readonly protocol: string;
  /** Which export of the module is the protocol, when it exports several. */
  readonly exportName?: string;
  /** The subprotocols to offer instead of the protocol's own; empty: the protocol's own. */
  readonly subprotocols: readonly string[];
  /** @default "auto" */
  readonly output: OutputMode;
  /** Reconnect after a drop, with the client's backoff. @default true */
  readonly reconnect: boolean;
  /** Refuse incoming messages with properties the schema does not name. @default false */
  readonly strict: boolean;
  /** After stdin ends (and queued messages went out), how long to keep listening, in milliseconds. @default 0 */
  readonly wait: number;
}

/** What the command line asks: help, or a connection. */
export type ParsedArgs = { readonly help: true } | ({ readonly help: false } & ConnectArgs);

/** The help of `typewire connect`. */
export const CONNECT_USAGE = `Usage: typewire connect <url> --protocol <module> [options]

A typed terminal client: prints what the server sends, sends what you type.

Options:
  -p, --protocol <module>   the generated protocol module (.ts or .js); required
      --export <name>       the module's export to use, when it exports several protocols
      --subprotocol <name>  offer this subprotocol instead of the protocol's own (repeatable)
      --json                NDJSON output (the default when stdout is not a terminal)
      --pretty              readable output (the default when stdout is a terminal)
      --no-reconnect        exit when the connection closes, instead of reconnecting
      --strict              refuse incoming messages with properties the schema does not name
      --wait <seconds>      after stdin ends, keep listening this long before closing (default 0);
                            a close from the server meanwhile ends the session, without reconnecting
  -h, --help                this help

Input, one message a line: JSON ({"type":"message","text":"hi"}) or the short form
<tag> field=value ... (message text="hello world" id=3 meta.flag=true). Each message is
validated by the protocol's encoder; an invalid one is shown with its JSON Pointer, not sent.

Exit status: 0 after stdin ends (the server closing with 1000 then, or under --no-reconnect,
ends it too), 1 when the connection is lost for good (refused, closed with another code, gave up),
2 for a usage error (options, URL, module), 130 after Ctrl-C.
`;

/** Options that take a value, and their short names. */
const VALUED = ["--protocol", "--export", "--subprotocol", "--wait"] as const;
const FLAGS = ["--json", "--pretty", "--no-reconnect", "--strict", "--help"] as const;
const SHORT: Readonly<Record<string, string>> = { "-p": "--protocol", "-h": "--help" };

/**
 * Parses the arguments after `typewire connect`.
 *
 * @param argv The arguments, e.g. `["ws://127.0.0.1:8080", "--protocol", "src/generated/chat.ts"]`.
 * @returns Help, or what to connect to and how.
 * @throws {UsageError} For an unknown option (with the closest known one), a missing value or URL, or a
 *   URL that is not a WebSocket URL.
 * @example
 * ```ts
 * import { parseConnectArgs } from "./args.ts";
 *
 * const args = parseConnectArgs(["ws://127.0.0.1:8080", "-p", "src/generated/chat.ts", "--no-reconnect"]);
 * if (!args.help) console.log(args.url, args.protocol, args.reconnect); // ws://127.0.0.1:8080 src/generated/chat.ts false
 * ```
 */
export function parseConnectArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const equals = arg.indexOf("=");
    const written = equals > 0 ? arg.slice(0, equals) : arg;
    const name = SHORT[written] ?? written;
    if ((VALUED as readonly string[]).includes(name)) {
      const value = equals > 0 ? arg.slice(equals + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${written} needs a value`);
      values.set(name, [...values.get(name) ?? [], value]);
    } else if ((FLAGS as readonly string[]).includes(name) && equals < 0) {
      flags.add(name);
    } else {
      throw new UsageError(`unknown option ${JSON.stringify(arg)}${didYouMean(written, [...VALUED, ...FLAGS])}`);
    }
  }
  if (flags.has("--help")) return { help: true };
  if (flags.has("--json") && flags.has("--pretty")) throw new UsageError("--json and --pretty exclude each other");
  const [url, ...extra] = positional;
  if (url === undefined) throw new UsageError("no URL: typewire connect <url> --protocol <module>");
  if (extra.length) throw new UsageError(`one URL only; also given: ${extra.join(" ")}`);
  checkUrl(url);
  const protocol = single(values, "--protocol");
  if (protocol === undefined) {
    throw new UsageError("--protocol <module> is required: the generated module of the server's protocol");
  }
  const exportName = single(values, "--export");
  const waitText = single(values, "--wait") ?? "0";
  const wait = Number(waitText);
  if (waitText.trim() === "" || !Number.isFinite(wait) || wait < 0) {
    throw new UsageError(`--wait takes a number of seconds, not ${JSON.stringify(waitText)}`);
  }
  return {
    help: false,
    url,
    protocol,
    ...(exportName === undefined ? {} : { exportName }),
    subprotocols: values.get("--subprotocol") ?? [],
    output: flags.has("--json") ? "json" : flags.has("--pretty") ? "pretty" : "auto",
    reconnect: !flags.has("--no-reconnect"),
    strict: flags.has("--strict"),
    wait: Math.round(wait * 1000),
  };
}

function single(values: ReadonlyMap<string, string[]>, name: string): string | undefined {
  const given = values.get(name) ?? [];
  if (given.length > 1) throw new UsageError(`${name} is given ${given.length} times`);
  return given[0];
}

const SCHEMES = ["ws:", "wss:", "http:", "https:"];

function checkUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Below: with the scheme it most likely lacks.
  }
  if (parsed && SCHEMES.includes(parsed.protocol)) return;
  const guess = `ws://${url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")}`;
  throw new UsageError(`not a WebSocket URL: ${JSON.stringify(url)} (did you mean ${JSON.stringify(guess)}?)`);
}
