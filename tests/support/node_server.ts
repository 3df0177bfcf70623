/**
 * A server on real Node.js for tests that run under Deno or Bun: a TypeScript
 * entry file bundled with esbuild (everything in it, `ws` included) into a
 * temporary `.mjs`, run by `node`, which prints `listening <url>` once it
 * listens.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeBundle } from "../../scripts/bench/node_bundle.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url).href);

/** A Node.js server started by `startNodeServer`. */
export interface NodeServer {
  /** The URL it printed, e.g. `ws://127.0.0.1:40123/`. */
  readonly url: string;
  readonly port: number;
  /** Ends it: SIGTERM, then SIGKILL after 2 s. */
  stop(): Promise<void>;
  /** Everything it printed so far, standard output and error. */
  output(): string;
}

const bundles = new Map<string, Promise<string>>();

/** Resolves once the child has exited, sending SIGKILL if SIGTERM did not end it within 2 s. */
function ended(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 2_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts a TypeScript entry file on Node.js and waits for its `listening <url>` line.
 *
 * @param entry The entry file, relative to the project.
 * @param args Its command-line arguments.
 * @param timeout How long it may take to print the line, in milliseconds.
 * @returns The URL it listens on, a way to stop it, and its output.
 * @example
 * ```ts
 * const server = await startNodeServer("tests/node/echo_server.ts");
 * await server.stop();
 * ```
 */
export async function startNodeServer(entry: string, args: string[] = [], timeout = 10_000): Promise<NodeServer> {
  // One bundle per entry for the whole test file: esbuild runs once.
  let bundled = bundles.get(entry);
  if (bundled === undefined) bundles.set(entry, bundled = nodeBundle(entry));
  const code = await bundled;
  const folder = mkdtempSync(join(tmpdir(), "typewire-node-"));
  const file = join(folder, "server.mjs");
  writeFileSync(file, code);
  const child = spawn("node", [file, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const cleanUp = async () => {
    await ended(child);
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        reject(new Error(`node ${entry} ${args.join(" ")}: ${why}; its output:\n${output}`));
      };
      const timer = setTimeout(() => fail(`no "listening <url>" line within ${timeout} ms`), timeout);
      const read = (chunk: string) => {
        output += chunk;
        const match = /^listening (\S+)$/m.exec(output);
        if (match === null) return;
        clearTimeout(timer);
        resolve(match[1] as string);
      };
      child.stdout?.setEncoding("utf8").on("data", read);
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.once("error", (error) => fail(error.message));
      child.once("exit", (status, signal) => fail(`exited (${signal ?? status}) before listening`));
    });
    return { url, port: Number(new URL(url).port), stop: cleanUp, output: () => output };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
