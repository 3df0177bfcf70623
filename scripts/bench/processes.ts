/**
 * Running the benchmark's programs: each runtime's command line, servers that
 * print "listening <port>", and one-shot programs that print one line of JSON.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url).href);
const BIN = join(ROOT, "node_modules", ".bin");

/** A runtime the benchmarks run on, and how to run a TypeScript file with it. */
export type Runtime = "bun" | "deno";

/**
 * The command that runs a script on a runtime.
 *
 * @param runtime Bun or Deno.
 * @param script A path relative to the project.
 * @param args The script's arguments.
 * @returns The program and its arguments.
 */
export function command(runtime: Runtime | "node", script: string, args: readonly string[] = []): [string, string[]] {
  if (runtime === "node") return ["node", [script, ...args]];
  if (runtime === "bun") return [join(BIN, "bun"), [script, ...args]];
  return [join(BIN, "deno"), ["run", "-A", "--v8-flags=--expose-gc", script, ...args]];
}

/**
 * The versions of the runtimes the benchmarks start, asked of the binaries themselves (Deno's own
 * `process.versions.node` is the Node.js it is compatible with, not the one installed).
 *
 * @returns E.g. `{ bun: "1.4.5", deno: "2.9.6", node: "20.20.2" }`.
 */
export function runtimeVersions(): Record<Runtime | "node", string> {
  const ask = (program: string) =>
    spawnSync(program, ["--version"], { encoding: "utf8" }).stdout.match(/\d+\.\d+\.\d+/)?.[0] ?? "unknown";
  return { bun: ask(join(BIN, "bun")), deno: ask(join(BIN, "deno")), node: ask("node") };
}

/** A server running in a child process. */
export interface ServerProcess {
  readonly port: number;
  /** Its process id. */
  readonly pid: number;
  /** The CPU time (user + system) the server has used so far, in seconds; NaN where /proc is not available. */
  cpuSeconds(): number;
  /** The server's resident memory now, in bytes; NaN where /proc is not available. */
  rssBytes(): number;
  /** Whether the process is still running. */
  running(): boolean;
  /** Everything it printed to standard output so far. */
  output(): string;
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL): no goodbye to anyone, as when a machine dies. */
  kill(): Promise<void>;
  /** Stops it without ending it (SIGSTOP), as a stalled process or a paused VM; `resume` lets it run again. */
  pause(): void;
  resume(): void;
}

const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** A process's resident memory from Linux's /proc/<pid>/status. */
function rssBytesOf(pid: number | undefined): number {
  try {
    const kib = /VmRSS:\s*(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kib === undefined ? NaN : Number(kib) * 1024;
  } catch {
    return NaN;
  }
}

/** A process's CPU seconds from Linux's /proc/<pid>/stat (utime and stime, fields 14 and 15). */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * Starts a server program and waits for its "listening <port>" line.
 *
 * @returns The port, and a way to stop it.
 */
export function startServer([program, args]: [string, string[]], timeout = 30_000): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${program} ${args.join(" ")} did not start within ${timeout} ms`));
    }, timeout);
    let output = "";
    const ended = (signal: "SIGTERM" | "SIGKILL") =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once("exit", () => done());
        child.kill(signal);
        setTimeout(() => child.kill("SIGKILL"), 5_000);
      });
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      resolve({
        port: Number(match[1]),
        pid: child.pid ?? 0,
        cpuSeconds: () => cpuSecondsOf(child.pid),
        rssBytes: () => rssBytesOf(child.pid),
        running: () => child.exitCode === null && child.signalCode === null,
        output: () => output,
        stop: () => ended("SIGTERM"),
        kill: () => ended("SIGKILL"),
        // Through kill(1): Deno's child_process does not send SIGCONT.
        pause: () => void spawnSync("kill", ["-STOP", String(child.pid)]),
        resume: () => void spawnSync("kill", ["-CONT", String(child.pid)]),
      });
    });
    child.on("exit", (code) => reject(new Error(`${program} exited (${code}) before listening`)));
  });
}

/** What a finished program printed, and how it ended. */
export interface ProgramResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program to its end without blocking this process (a server under test may live here too); it is killed
 * after `timeout` ms.
 *
 * @returns Its exit status and everything it printed.
 */
export function runProgram(program: string, args: readonly string[], timeout = 10 * 60_000): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/**
 * Runs a program that prints one line of JSON as its last line.
 *
 * @returns That JSON, parsed.
 */
export async function runJson<T>([program, args]: [string, string[]], timeout = 10 * 60_000): Promise<T> {
  const { status, stdout, stderr } = await runProgram(program, args, timeout);
  try {
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "");
  } catch {
    throw new Error(`${program} ${args.join(" ")} exited ${status} without JSON:\n${stdout}\n${stderr}`);
  }
}

/**
 * Waits for a service just spawned to answer on its port, every 100 ms for 10 s; kills it if it does not.
 *
 * @param child The service's process.
 * @param port Its port.
 * @param answers Whether it answers there now.
 * @param what Its name, for the error.
 * @throws {Error} When it exited or did not answer in time.
 */
export async function untilAnswering(
  child: ChildProcess,
  port: number,
  answers: (port: number) => Promise<boolean>,
  what: string,
): Promise<void> {
  for (let attempt = 0; attempt < 100 && child.exitCode === null; attempt++) {
    if (await answers(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`${what} on port ${port} did not answer within 10 s (exit code ${child.exitCode})`);
}

/** Stops a service with SIGTERM; resolves once it exited (at once if it is not running). */
export function stopChild(child: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
