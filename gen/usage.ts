/**
 * Usage errors of the `typewire` commands: a command line a command cannot run, told in one line that says what to
 * fix and where the help is, with exit status 2. `gen`, `diff` and `connect` all report them this way.
 *
 * @module
 */
import process from "node:process";

/** A command line a command cannot run: the message says what to fix (exit status 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Reports a usage error on stderr: `typewire <command>: <message>`, then where the help is.
 *
 * @param command The command, e.g. `"gen"`.
 * @param error The error; its message says what to fix.
 * @returns The exit status of a usage error, 2.
 * @example
 * ```ts
 * import { reportUsageError, UsageError } from "./usage.ts";
 * process.exitCode = reportUsageError("gen", new UsageError('unknown option "--chek" (did you mean "--check"?)'));
 * // typewire gen: unknown option "--chek" (did you mean "--check"?)
 * // See typewire gen --help.
 * ```
 */
export function reportUsageError(command: string, error: Error): number {
  process.stderr.write(`typewire ${command}: ${error.message}\nSee typewire ${command} --help.\n`);
  return 2;
}

/**
 * Spells every `--name=value` argument as `--name value`, the form the commands' parsers read: every command accepts
 * both.
 *
 * @param args The arguments.
 * @returns The arguments with each `--name=value` split in two.
 * @example
 * ```ts
 * import { splitOptionValues } from "./usage.ts";
 * splitOptionValues(["a.ts", "--out=gen", "--check"]); // ["a.ts", "--out", "gen", "--check"]
 * ```
 */
export function splitOptionValues(args: readonly string[]): string[] {
  return args.flatMap((arg) => {
    const equals = arg.indexOf("=");
    return arg.startsWith("--") && equals > 2 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg];
  });
}

/**
 * The value of an option, the argument after it: refused when missing, blank, or another option.
 *
 * @param args The arguments.
 * @param index Where the value should be.
 * @param option The option, for the message.
 * @returns The value.
 * @throws {UsageError} `<option> needs a value`.
 * @example
 * ```ts
 * import { optionValue } from "./usage.ts";
 * optionValue(["--out", "gen"], 1, "--out"); // "gen"
 * ```
 */
export function optionValue(args: readonly string[], index: number, option: string): string {
  const value = args[index];
  if (value === undefined || value.startsWith("--") || value.trim() === "") {
    throw new UsageError(`${option} needs a value`);
  }
  return value;
}
