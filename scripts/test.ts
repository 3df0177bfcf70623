/**
 * `npm test`: the whole suite. Checks that generated code is fresh, type
 * checks in Deno's and Bun's views, lint and format, packaging and size, the
 * guide followed as written, the benchmarks in their quick mode (beside the
 * static checks), then runs the test files under `deno test` and under
 * `bun test`, side by side. Ends with one line,
 * `N passed, N failed`, summed over every runtime (each check counts as one).
 *
 * Usage: deno run -A scripts/test.ts [--only deno|bun] [test files...]
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const BIN = join(ROOT, "node_modules", ".bin");
const args = process.argv.slice(2);
const onlyIndex = args.indexOf("--only");
const only = onlyIndex >= 0 ? args.splice(onlyIndex, 2)[1] : undefined;
const files = args.length > 0 ? args : ["tests/"];
const STEP_TIMEOUT = 15 * 60_000;

interface Outcome {
  readonly passed: number;
  readonly failed: number;
}

/** What a step did: its exit status, its output (stdout then stderr, without terminal colours) and its wall time. */
interface Ran {
  readonly status: number | null;
  readonly output: string;
  /** Printed after the step's outcome, so that slow steps show. */
  readonly took: string;
}

/** Runs one step in the background, so that steps can overlap (the benchmarks and the static checks, the runtimes). */
function run(command: string, commandArgs: readonly string[]): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(join(BIN, command), commandArgs, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n${command}: timed out after ${STEP_TIMEOUT} ms\n`;
      child.kill("SIGKILL");
    }, STEP_TIMEOUT);
    const done = (status: number | null) => {
      clearTimeout(timer);
      // deno-lint-ignore no-control-regex -- removes terminal colours, should a tool print them anyway
      const output = `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
      resolve({ status, output, took: `${((performance.now() - started) / 1000).toFixed(1)} s` });
    };
    child.on("close", done);
    child.on("error", (error) => (stderr += `\n${command}: ${error.message}\n`, done(null)));
  });
}

/** A check passes or fails as a whole; its output is shown only when it fails. */
async function check(label: string, command: string, commandArgs: readonly string[]): Promise<Outcome> {
  return told(label, await run(command, commandArgs));
}

/** Prints a step's outcome (its output only when it failed) and counts it. */
function told(label: string, { status, output, took }: Ran): Outcome {
  const ok = status === 0;
  console.log(`${ok ? "ok  " : "FAIL"} ${label} [${took}]`);
  if (!ok) console.log(output.trimEnd());
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
}

/** A test run reports its own counts; a run that crashes before reporting counts as one failure. */
function counted(
  label: string,
  { status, output, took }: Ran,
  parse: (output: string) => Outcome | undefined,
): Outcome {
  const reported = parse(output);
  const outcome = reported ?? { passed: 0, failed: 1 };
  const failed = outcome.failed > 0 || status !== 0;
  console.log(`${failed ? "FAIL" : "ok  "} ${label}: ${outcome.passed} passed, ${outcome.failed} failed [${took}]`);
  if (failed) console.log(output.trimEnd());
  return reported !== undefined && status !== 0 && outcome.failed === 0
    ? { passed: outcome.passed, failed: 1 }
    : outcome;
}

function parseDeno(output: string): Outcome | undefined {
  const match = /(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(output);
  return match ? { passed: Number(match[1]), failed: Number(match[2]) } : undefined;
}

function parseBun(output: string): Outcome | undefined {
  const passed = /^\s*(\d+) pass$/m.exec(output);
  const failed = /^\s*(\d+) fail$/m.exec(output);
  const errors = /^\s*(\d+) errors?$/m.exec(output);
  if (!passed || !failed) return undefined;
  return { passed: Number(passed[1]), failed: Number(failed[1]) + Number(errors?.[1] ?? 0) };
}

/**
 * The TypeScript files under some folders, leaving out folders named `skip`:
 * runtime-specific code lives in folders named after its runtime (`bun/`,
 * `deno/`), and each runtime's type check leaves the other's out.
 */
function sourcesOutside(skip: string, folders: readonly string[]): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return entry.name === skip || entry.name === "node_modules" ? [] : walk(path);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [relative(ROOT, path)] : [];
    });
  return folders.flatMap((folder) => walk(join(ROOT, folder)));
}

/**
 * The browser test drives Debian's Chromium, the cluster tests and benchmarks
 * Debian's redis-server and nats-server. On a machine without one, install it
 * when we can (root with apt); either way the outcome counts as a check.
 */
function ensureDebianProgram(what: string, path: string, debianPackage: string, variable: string): Outcome {
  if (existsSync(path)) {
    console.log(`ok   ${what} (${path})`);
    return { passed: 1, failed: 0 };
  }
  console.log(`${path} is missing: installing Debian's ${debianPackage} package`);
  const install = spawnSync("sh", [
    "-c",
    `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${debianPackage}`,
  ], {
    encoding: "utf8",
    timeout: STEP_TIMEOUT,
  });
  const ok = install.status === 0 && existsSync(path);
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) console.log(`${install.stdout ?? ""}${install.stderr ?? ""}(run as root, or set ${variable})`);
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
}

const SOURCES = ["src", "gen", "tests", "scripts", "web"];
const outcomes: Outcome[] = [];
const ENGINE_TESTS = ["scale_out", "backplane", "cluster", "readme"];
if (only === undefined || files.some((f) => f === "tests/" || ENGINE_TESTS.some((name) => f.includes(name)))) {
  const redis = process.env.REDIS_SERVER ?? "/usr/bin/redis-server";
  outcomes.push(ensureDebianProgram("redis-server for the clusters", redis, "redis-server", "REDIS_SERVER"));
  const nats = process.env.NATS_SERVER ?? "/usr/sbin/nats-server";
  outcomes.push(ensureDebianProgram("nats-server for the clusters", nats, "nats-server", "NATS_SERVER"));
}
// The benchmarks' quick run asserts no figure and touches no file the static checks write: it runs beside them, on
// the other core, rather than after them.
const benchmarks = only === undefined ? run("deno", ["run", "-A", "scripts/bench.ts", "--quick"]) : undefined;
if (only === undefined) {
  outcomes.push(
    await check("generated code is up to date (gen --check)", "deno", ["run", "-A", "gen/cli.ts", "--check"]),
  );
  outcomes.push(
    await check("the confusables table is up to date (scripts/confusables.ts --check)", "deno", [
      "run",
      "-A",
      "scripts/confusables.ts",
      "--check",
    ]),
  );
  outcomes.push(
    await check("type check, Deno's view (deno check --doc)", "deno", [
      "check",
      "--doc",
      ...sourcesOutside("bun", SOURCES),
    ]),
  );
  outcomes.push(await check("type check, Bun's view (tsc with bun-types)", "tsc", ["-p", "tsconfig.json"]));
  outcomes.push(await check("lint (deno lint)", "deno", ["lint"]));
  outcomes.push(await check("npm package built (npm run build)", "deno", ["run", "-A", "scripts/build.ts"]));
  outcomes.push(
    await check("size: client + chat protocol within the ceiling (npm run size)", "deno", [
      "run",
      "-A",
      "scripts/size.ts",
    ]),
  );
  outcomes.push(await check("JSR package (deno publish --dry-run)", "deno", ["publish", "--dry-run", "--allow-dirty"]));
  outcomes.push(await check("format (deno fmt --check)", "deno", ["fmt", "--check"]));
  outcomes.push(
    await check("no protocol breaks its last tagged version (typewire diff, scripts/check_compat.ts)", "deno", [
      "run",
      "-A",
      "scripts/check_compat.ts",
    ]),
  );
  outcomes.push(
    await check("the bring-your-own-protocol guide works as written (docs/)", "deno", [
      "run",
      "-A",
      "scripts/check_guide.ts",
    ]),
  );
}
if (benchmarks !== undefined) {
  outcomes.push(told("benchmarks run end to end, small and short (npm run bench -- --quick)", await benchmarks));
}
if (files.some((f) => f === "tests/" || f.includes("browser"))) {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  outcomes.push(ensureDebianProgram("Chromium for the browser test", path, "chromium", "CHROMIUM_PATH"));
}
if (files.some((f) => f === "tests/" || f.includes("connect"))) {
  outcomes.push(
    ensureDebianProgram("tmux, the terminal typewire connect is tested in", "/usr/bin/tmux", "tmux", "PATH"),
  );
}
// The two runtimes' test runs go side by side, one per core: most tests wait on sockets, timers and child
// processes, so together they take little more than the longer one alone. Each one's output is kept whole and shown,
// after its count, only if it failed.
const denoTests = only === undefined || only === "deno"
  ? run("deno", ["test", "-A", "--no-lock", ...files])
  : undefined;
const bunTests = only === undefined || only === "bun"
  ? run("bun", ["test", "--timeout", "120000", ...files])
  : undefined;
if (denoTests !== undefined) outcomes.push(counted("deno test", await denoTests, parseDeno));
if (bunTests !== undefined) outcomes.push(counted("bun test", await bunTests, parseBun));
const passed = outcomes.reduce((n, o) => n + o.passed, 0);
const failed = outcomes.reduce((n, o) => n + o.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
