/**
 * Command-line options for the scripts: `--name value`, `--name=value`, flags.
 */
import process from "node:process";

/** Parsed options: each name to its values, in order (a flag has the value `"true"`). */
export type Options = ReadonlyMap<string, readonly string[]>;

/**
 * Parses `--name value`, `--name=value` and `--flag`; refuses anything else.
 *
 * @param args The arguments after the script's name.
 * @param flags The names that take no value.
 * @returns The options.
 * @throws {Error} For an argument that is not an option, or an option missing its value.
 */
export function parseOptions(args: readonly string[], flags: readonly string[] = []): Options {
  const options = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1] as string;
    let value = match[2];
    if (value === undefined) {
      if (flags.includes(name)) value = "true";
      else if (args[i + 1] === undefined || args[i + 1]?.startsWith("--")) throw new Error(`--${name} needs a value`);
      else value = args[++i] as string;
    }
    options.set(name, [...(options.get(name) ?? []), value]);
  }
  return options;
}

/**
 * The last value of an option, or a default.
 *
 * @param options Parsed options.
 * @param name The option's name.
 * @param fallback Used when the option is absent.
 * @returns The value.
 */
export function option(options: Options, name: string, fallback: string): string {
  return options.get(name)?.at(-1) ?? fallback;
}

/**
 * Reads a script's command line: prints `usage` and exits for `--help` (0) or a bad argument (2).
 *
 * @param usage The one-line usage text.
 * @param flags The names that take no value (`help` is always one).
 * @returns The options.
 */
export function commandLine(usage: string, flags: readonly string[] = []): Options {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2), ["help", ...flags]);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (options.has("help")) {
    console.log(usage);
    process.exit(0);
  }
  return options;
}
