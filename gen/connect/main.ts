/**
 * `typewire connect <url> --protocol <module>`: a typed terminal client, on Deno, Bun and Node.js.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import process from "node:process";
import { CONNECT_USAGE, parseConnectArgs, type ParsedArgs } from "./args.ts";
import { reportUsageError, UsageError } from "../usage.ts";
import { ndjsonLine, prettyFormatter } from "./format.ts";
import { isNodeJs, loadProtocol } from "./load_protocol.ts";
import { EXIT, runSession } from "./session.ts";

/** Set in the environment of the Node.js process that runs again with `--experimental-websocket`. */
const RERUN = "TYPEWIRE_CONNECT_WEBSOCKET_FLAG";

/**
 * Runs `typewire connect` with the arguments after `connect`, on this process's stdin, stdout and stderr.
 * Output is NDJSON when stdout is not a terminal (or with `--json`), readable lines when it is (or with
 * `--pretty`); a terminal on both stdin and stdout gets a prompt and line editing.
 *
 * @param argv The arguments after `connect`.
 * @returns The exit status: 0, 1 (connection lost for good), 2 (usage), 130/143 (a signal).
 * @example
 * ```ts
 * import { connectMain } from "./main.ts";
 * import process from "node:process";
 *
 * process.exitCode = await connectMain(["ws://127.0.0.1:6502", "--protocol", "src/generated/chat.ts"]);
 * ```
 */
export async function connectMain(argv: readonly string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseConnectArgs(argv);
  } catch (error) {
    return usageError(error);
  }
  if (args.help) {
    process.stdout.write(CONNECT_USAGE);
    return EXIT.ok;
  }
  const rerun = await rerunWithWebSocket();
  if (rerun !== undefined) return rerun;
  let status: number;
  try {
    const picked = await loadProtocol(args.protocol, args.exportName);
    const json = args.output === "json" || (args.output === "auto" && !process.stdout.isTTY);
    const prompt = !json && process.stdin.isTTY === true && process.stdout.isTTY === true;
    const colour = !json && process.stdout.isTTY === true && !process.env.NO_COLOR;
    status = await runSession({
      url: args.url,
      picked,
      subprotocols: args.subprotocols,
      reconnect: args.reconnect,
      strict: args.strict,
      wait: args.wait,
      format: json
        ? ndjsonLine
        : prettyFormatter({ discriminator: picked.protocol.discriminator, colour, echoSent: !prompt }),
      input: process.stdin,
      output: process.stdout,
      prompt,
    });
  } catch (error) {
    return usageError(error);
  }
  // Everything printed reaches the reader before the process ends.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  return status;
}

function usageError(error: unknown): number {
  if (!(error instanceof UsageError) && !(error instanceof SyntaxError)) throw error;
  return reportUsageError("connect", error);
}

/**
 * Node.js 20 and 21 have a `WebSocket` only behind `--experimental-websocket` (22 has it by default): there, the
 * command runs itself again with the flag, on the same stdin, stdout and stderr, and returns its exit status.
 *
 * @returns The exit status of the run with the flag, or `undefined` when this process has a `WebSocket`.
 */
async function rerunWithWebSocket(): Promise<number | undefined> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "function" || !isNodeJs()) return undefined;
  const script = process.argv[1];
  if (
    process.env[RERUN] || script === undefined || !process.allowedNodeEnvironmentFlags.has("--experimental-websocket")
  ) {
    throw new UsageError(
      `this Node.js (${process.version}) has no WebSocket: use Node.js 22 or later, or run typewire with deno or bun`,
    );
  }
  const child = spawn(
    process.execPath,
    [...process.execArgv, "--experimental-websocket", script, ...process.argv.slice(2)],
    { stdio: "inherit", env: { ...process.env, [RERUN]: "1" } },
  );
  // A terminal's Ctrl-C reaches both processes (one process group): the child closes, this one waits for it. A
  // signal sent to this process alone (kill, a test's timeout) is passed on.
  const forward = (signal: NodeJS.Signals) => () => {
    if (signal !== "SIGINT" || !process.stdin.isTTY) child.kill(signal);
  };
  const [onInt, onTerm] = [forward("SIGINT"), forward("SIGTERM")];
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 1)));
    });
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}
