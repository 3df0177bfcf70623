/**
 * Runs a command's `main` in this process, capturing what it writes to
 * standard output and standard error: how the CLI tests call `typewire gen`
 * and `typewire diff` without a child process.
 *
 * @module
 */
import process from "node:process";

/** What a command returned and wrote. */
export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs a command, capturing its output.
 *
 * @param run Calls the command's `main`, giving its exit code.
 * @returns The exit code and what was written.
 * @example
 * ```ts
 * import { captured } from "./captured.ts";
 * const { code, out } = await captured(async () => (console.log("hi"), 0));
 * ```
 */
export async function captured(run: () => Promise<number>): Promise<Captured> {
  let out = "";
  let err = "";
  const [write, writeErr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await run(), out, err };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}
