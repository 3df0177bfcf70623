/**
 * Packaging: two npm packages, as protobuf-es has. `typewire`, the runtime a
 * client or server imports, has no dependencies; `typewire-gen`, the
 * generator and its `typewire` command, brings the compilers. Each tarball
 * holds exactly what its users need and its entry points exist; installed
 * into new projects as the guide installs them, on this machine's Node.js
 * (20), the runtime comes alone and npm warns of no engine, and the
 * generator runs through `npx typewire` and writes modules that run on the
 * runtime. The built typed server serves on Bun, Deno and Node, a client
 * bundle pulls in no generator, ajv or server code, and JSR's manifest names
 * documented entry points.
 *
 * What it checks is npm's, Node.js's and the tarballs', the same whichever
 * runner runs this file (the Bun and Deno runs it makes are its own child
 * processes): `deno test` runs it, `bun test` leaves it to Deno.
 */
import { test as nodeTest } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { VERSION } from "../gen/version.ts";

/** This file's tests, registered under `deno test` only (see above). */
const test: typeof nodeTest = "Bun" in globalThis ? ((() => {}) as unknown as typeof nodeTest) : nodeTest;

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const denoManifest = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
/** The generator package's folder, package.json included, as `npm run build` writes it. */
const GEN = join(ROOT, "dist", "typewire-gen");
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const BUN = join(ROOT, "node_modules", ".bin", "bun");
const NODE_VERSION = spawnSync("node", ["--version"], { encoding: "utf8" }).stdout.trim();

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly exports: Record<string, { types: string; default: string }>;
  readonly bin?: Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function generatorManifest(): Manifest {
  assert.ok(existsSync(join(GEN, "package.json")), "the generator package is not built: run npm run build");
  return JSON.parse(readFileSync(join(GEN, "package.json"), "utf8"));
}

/**
 * npm as a user runs it, from the cache when it can; fails the test, with npm's output, when npm fails.
 * Returns what npm printed, warnings included; `stdout` alone for its --json.
 */
function npm(args: readonly string[], cwd: string): { output: string; stdout: string } {
  const run = spawnSync("npm", args, {
    cwd,
    encoding: "utf8",
    timeout: 5 * 60_000,
    env: {
      ...process.env,
      npm_config_prefer_offline: "true",
      npm_config_fund: "false",
      npm_config_audit: "false",
      npm_config_update_notifier: "false",
      NO_COLOR: "1",
    },
  });
  assert.equal(run.status, 0, `npm ${args.join(" ")}:\n${run.stdout}${run.stderr}`);
  return { output: `${run.stdout}${run.stderr}`, stdout: run.stdout };
}

interface Scratch {
  /** The scratch folder, removed at the end of the test. */
  readonly folder: string;
  /** The user's project in it. */
  readonly project: string;
  /** The two tarballs, beside the project. */
  readonly runtime: string;
  readonly generator: string;
}

/**
 * A scratch folder as the guide has it: both tarballs made by its `npm pack` (here with --pack-destination, so that
 * nothing is left in the clone), and a new project beside them, started as the guide starts one.
 */
function newProject(): Scratch {
  generatorManifest();
  const folder = mkdtempSync(join(tmpdir(), "typewire-project-"));
  const pack = ["pack", ".", "./dist/typewire-gen", "--json", "--ignore-scripts", "--pack-destination", folder];
  const made: { filename: string }[] = JSON.parse(npm(pack, ROOT).stdout);
  const [runtime, generator] = made.map((m) => join(folder, m.filename));
  assert.deepEqual(
    [runtime, generator],
    [`typewire-${manifest.version}.tgz`, `typewire-gen-${manifest.version}.tgz`].map((name) => join(folder, name)),
  );
  assert.ok(runtime !== undefined && generator !== undefined);
  const project = join(folder, "project");
  mkdirSync(project);
  npm(["init", "-y"], project);
  npm(["pkg", "set", "type=module"], project);
  return { folder, project, runtime, generator };
}

/** The packages in a project's node_modules, scoped ones as `@scope/name`. */
function installedPackages(project: string): string[] {
  const modules = join(project, "node_modules");
  return readdirSync(modules).filter((name) => !name.startsWith(".")).flatMap((name) =>
    name.startsWith("@") ? readdirSync(join(modules, name)).map((inner) => `${name}/${inner}`) : [name]
  ).sort();
}

test("package.json, deno.json and the generator agree on the version", () => {
  assert.equal(manifest.version, VERSION);
  assert.equal(denoManifest.version, VERSION);
});

test("npm pack makes two tarballs: the runtime (dist/src/) and the generator (gen/ and the runtime and client files it imports: typewire connect runs the client)", () => {
  assert.ok(existsSync(join(ROOT, "dist/src/mod.js")), "the package is not built: run npm run build");
  const generator = generatorManifest();
  const pack = spawnSync("npm", ["pack", ".", "./dist/typewire-gen", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(pack.status, 0, pack.stderr);
  const listed: { name: string; files: { path: string }[] }[] = JSON.parse(pack.stdout);
  assert.deepEqual(listed.map((p) => p.name), ["typewire", "typewire-gen"]);
  const [runtimeFiles, generatorFiles] = listed.map((p) => p.files.map((f) => f.path));
  const packages = [
    [manifest as Manifest, runtimeFiles as string[], /^dist\/src\/.+\.(js|d\.ts)$/],
    [generator, generatorFiles as string[], /^(gen|src\/(runtime|client))\/.+\.(js|d\.ts)$/],
  ] as const;
  for (const [{ name, exports, bin }, files, built] of packages) {
    const outside = files.filter((f) => !built.test(f) && !["README.md", "LICENSE", "package.json"].includes(f));
    assert.deepEqual(outside, [], `${name}: nothing but the built files, README.md, LICENSE and package.json`);
    const targets = [...Object.values(exports).flatMap((e) => [e.types, e.default]), ...Object.values(bin ?? {})]
      .map((t) => t.replace(/^\.\//, ""));
    for (const target of targets) assert.ok(files.includes(target), `${name}: ${target} is exported but not packed`);
  }
  assert.ok(!runtimeFiles?.some((f) => f.startsWith("dist/gen/")), "the runtime ships no generator");
  assert.ok(generatorFiles?.includes("gen/bin.js"), "the generator ships its command");
});

test("typewire has no dependencies; typewire-gen has the compilers, the typewire command and the runtime as a peer", () => {
  assert.equal(manifest.dependencies, undefined, "the runtime depends on nothing");
  assert.equal(manifest.optionalDependencies, undefined);
  assert.equal(manifest.bin, undefined, "the typewire command is the generator's");
  // Each optional, for one entry point: ws for typewire/server/node, the engines' clients for their backplanes.
  const engines = ["@nats-io/jetstream", "@nats-io/transport-node", "redis"];
  assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), [...engines, "ws"]);
  assert.equal(manifest.peerDependencies.ws, "^8.0.0");
  for (const name of [...engines, "ws"]) assert.equal(manifest.peerDependenciesMeta[name]?.optional, true, name);
  for (const name of engines) {
    assert.equal(manifest.peerDependencies[name], manifest.devDependencies[name], `${name}: the range tested with`);
  }
  const generator = generatorManifest();
  assert.equal(generator.name, "typewire-gen");
  assert.equal(generator.version, manifest.version);
  assert.deepEqual(Object.keys(generator.dependencies ?? {}).sort(), [
    "ajv",
    "ts-json-schema-generator",
    "typescript",
    "yaml",
  ]);
  for (const [name, range] of Object.entries(generator.dependencies ?? {})) {
    assert.equal(range, manifest.devDependencies[name], `${name}: the range the repository develops and tests with`);
  }
  assert.deepEqual(generator.bin, { typewire: "./gen/bin.js" });
  assert.deepEqual(generator.peerDependencies, { typewire: manifest.version }, "generated code imports this runtime");
  assert.equal(generator.peerDependenciesMeta?.typewire?.optional, true);
});

test("the built typed server serves on Bun, Deno and Node.js 20: loadServe finds each runtime's adapter in dist/", () => {
  const script = `
    const { createServer } = await import(${JSON.stringify(join(ROOT, manifest.exports["./server"].default))});
    const { chatProtocol } = await import(${JSON.stringify(join(ROOT, manifest.exports["./chat"].default))});
    const server = createServer(chatProtocol, {
      partialHandlers: {
        message: ({ id, text, date }, conn) => conn.send({ type: "message", id, name: conn.protocol, text, date }),
      },
    });
    const listening = await server.listen({ port: 0 });
    const ws = new WebSocket(listening.url, ["json"]);
    ws.onopen = () => ws.send(JSON.stringify({ type: "message", id: 1, text: "hi", date: 2 }));
    const reply = await new Promise((resolve) => (ws.onmessage = (event) => resolve(event.data)));
    ws.close();
    await listening.stop();
    console.log(reply);
    process.exit(0);
  `;
  const file = join(ROOT, "dist", "serve_probe.mjs");
  writeFileSync(file, `import process from "node:process";\n${script}`);
  const runs = [["bun", [file]], ["deno", ["run", "-A", file]], ["node", ["--experimental-websocket", file]]] as const;
  try {
    for (const [runtime, args] of runs) {
      const program = runtime === "node" ? "node" : join(ROOT, "node_modules", ".bin", runtime);
      const run = spawnSync(program, args, { encoding: "utf8", timeout: 30_000 });
      assert.equal(run.status, 0, `${runtime}: ${run.stderr}`);
      assert.equal(run.stdout.trim(), '{"type":"message","id":1,"name":"json","text":"hi","date":2}', runtime);
    }
  } finally {
    rmSync(file, { force: true });
  }
});

test("every npm entry point loads on Node.js 20", () => {
  const exported = manifest.exports as Record<string, { default: string }>;
  const entries = Object.entries(exported).map(([name, e]): [string, string] => [name, e.default]);
  const script = entries.map(([name, file]) =>
    `await import(${JSON.stringify(join(ROOT, file as string))}).then((m) => console.log(${
      JSON.stringify(name)
    }, Object.keys(m).length));`
  )
    .join("\n");
  const node = spawnSync("node", ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(node.status, 0, node.stderr);
  for (const [name] of entries) assert.match(node.stdout, new RegExp(`^${name.replace(".", "\\.")} [1-9]`, "m"));
});

test("the typewire bin runs the generator on Node.js", () => {
  const bin = join(GEN, generatorManifest().bin?.typewire ?? "");
  const run = spawnSync("node", [bin, "gen", "--check"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /all \d+ generated files are up to date/);
});

test(`a project that installs only typewire gets that one package, and no engine warning on Node.js ${NODE_VERSION}`, () => {
  const { folder, project, runtime } = newProject();
  try {
    const { output } = npm(["install", runtime], project);
    assert.doesNotMatch(output, /EBADENGINE/, output);
    assert.deepEqual(installedPackages(project), ["typewire"], "no dependency comes with it");
    assert.ok(!existsSync(join(project, "node_modules", "typewire", "node_modules")), "none nested either");
    const listed = npm(["ls", "--all", "--parseable"], project).stdout.trim().split("\n");
    assert.deepEqual(listed.slice(1).map((path) => path.replace(project, "")), ["/node_modules/typewire"]);
    // typewire/server/node needs ws, and the Redis and NATS backplanes their clients: optional peer dependencies a
    // project without them has not installed.
    const needPeers = ["./server/node", "./backplane/redis", "./backplane/nats"];
    const entries = Object.keys(manifest.exports).filter((name) => !needPeers.includes(name));
    const script = entries.map((name) => {
      const specifier = `typewire${name.slice(1)}`;
      return `console.log(${JSON.stringify(specifier)}, Object.keys(await import(${
        JSON.stringify(specifier)
      })).length);`;
    }).join("\n");
    const run = spawnSync("node", ["--input-type=module", "-e", script], { cwd: project, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    for (const name of entries) assert.match(run.stdout, new RegExp(`^typewire${name.slice(1)} [1-9]`, "m"));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test(`with typewire-gen too, npx typewire generates a module that runs on the runtime, no engine warning on Node.js ${NODE_VERSION}; diff and connect run there`, async () => {
  const { folder, project, runtime, generator } = newProject();
  try {
    const outputs = [
      npm(["install", runtime], project).output,
      npm(["install", "--save-dev", generator], project).output,
    ];
    for (const output of outputs) assert.doesNotMatch(output, /EBADENGINE/, output);
    const installed = installedPackages(project);
    for (const name of ["typewire", "typewire-gen", "typescript", "ts-json-schema-generator", "ajv", "yaml"]) {
      assert.ok(installed.includes(name), `${name} is installed`);
    }
    assert.ok(
      !existsSync(join(project, "node_modules", "typewire-gen", "node_modules", "typewire")),
      "the generator's peer is the project's own typewire",
    );
    // A TypeScript schema, so that the run goes through TypeScript and ts-json-schema-generator as installed.
    writeFileSync(
      join(project, "ping.ts"),
      [
        'export interface Ping {\n  type: "ping";\n  /** @asType integer */ seq: number;\n}',
        'export interface Pong {\n  type: "pong";\n  /** @asType integer */ seq: number;\n}',
        "export type ClientMessage = Ping;",
        "export type ServerMessage = Pong;",
        "",
      ].join("\n"),
    );
    const gen = spawnSync("npx", ["typewire", "gen", "ping.ts", "--out", "generated"], {
      cwd: project,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(gen.status, 0, `${gen.stdout}${gen.stderr}`);
    assert.match(gen.stdout, /wrote generated\/ping\.ts/);
    const module = readFileSync(join(project, "generated", "ping.ts"), "utf8");
    const imported = [...module.matchAll(/ from "([^"]+)";/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(imported)], ["typewire/runtime"], "generated code imports the runtime package only");
    writeFileSync(
      join(project, "ping_run.ts"),
      `import { connect, nextMessage } from "typewire";
import { createServer } from "typewire/server";
import { pingProtocol } from "./generated/ping.ts";

const server = createServer(pingProtocol, { handlers: { ping: ({ seq }, conn) => conn.send({ type: "pong", seq }) } });
const listening = await server.listen({ port: 0 });
const client = connect(pingProtocol, listening.url);
client.send({ type: "ping", seq: 7 });
console.log(\`pong \${(await nextMessage(client, "pong")).seq}\`);
await client.close();
await listening.stop();
`,
    );
    const check = spawnSync(DENO, ["check", "ping_run.ts"], { cwd: project, encoding: "utf8", timeout: 120_000 });
    assert.equal(check.status, 0, `the project does not type-check against the installed packages: ${check.stderr}`);
    for (const [program, args] of [[BUN, ["ping_run.ts"]], [DENO, ["run", "-A", "ping_run.ts"]]] as const) {
      const run = spawnSync(program, args, { cwd: project, encoding: "utf8", timeout: 60_000 });
      assert.equal(run.status, 0, `${program}: ${run.stderr}`);
      assert.equal(run.stdout.trim(), "pong 7", program);
    }
    // typewire diff and typewire connect as installed, on Node.js: a change judged; the generated .ts module loaded.
    writeFileSync(
      join(project, "ping_v2.ts"),
      readFileSync(join(project, "ping.ts"), "utf8").replace("seq: number;", "seq: number;\n  at: number;"),
    );
    const changed = spawnSync("npx", ["typewire", "diff", "ping.ts", "ping_v2.ts"], {
      cwd: project,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(changed.status, 1, `${changed.stdout}${changed.stderr}`);
    assert.match(changed.stdout, /^BREAKING for old clients: .*"ping" \/at: .*\[property-added-required\]$/m);
    writeFileSync(
      join(project, "ping_server.ts"),
      `import { createServer } from "typewire/server";
import { pingProtocol } from "./generated/ping.ts";
const server = createServer(pingProtocol, { handlers: { ping: ({ seq }, conn) => conn.send({ type: "pong", seq }) } });
console.log((await server.listen({ port: 0 })).url);
`,
    );
    const server = spawn(BUN, ["ping_server.ts"], { cwd: project, stdio: ["ignore", "pipe", "inherit"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.once("data", (chunk) => resolve(String(chunk).trim()));
        server.once("exit", (code) => reject(new Error(`the ping server exited (${code})`)));
      });
      const typed = spawnSync(
        "npx",
        ["typewire", "connect", url, "--protocol", "generated/ping.ts", "--wait", "1"],
        { cwd: project, encoding: "utf8", timeout: 120_000, input: "ping seq=7\nping seq=1.5\n" },
      );
      assert.equal(typed.status, 0, `${typed.stdout}${typed.stderr}`);
      const events = typed.stdout.trim().split("\n").map((line) => JSON.parse(line));
      assert.deepEqual(events.find((e) => e.event === "message")?.data, { type: "pong", seq: 7 });
      assert.equal(events.find((e) => e.event === "refused")?.pointer, "/seq", typed.stdout);
      assert.equal(events.filter((e) => e.event === "message").length, 1, "the invalid ping was not sent");
    } finally {
      server.kill();
    }
    // The generator as npm installed it here regenerates this repository's committed modules byte for byte.
    const bin = join(project, "node_modules", "typewire-gen", "gen", "bin.js");
    const regenerated = spawnSync("node", [bin, "gen", "--check"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    assert.equal(regenerated.status, 0, `${regenerated.stdout}${regenerated.stderr}`);
    const library = spawnSync("node", [
      "--input-type=module",
      "-e",
      'console.log(Object.keys(await import("typewire-gen")).sort().join(" "))',
    ], {
      cwd: project,
      encoding: "utf8",
    });
    assert.equal(library.status, 0, library.stderr);
    assert.match(library.stdout, /\bgenerateProtocol\b.*\bmain\b/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("a bundle of the client entry pulls in no generator, ajv, TypeScript or server code", async () => {
  try {
    for (const entry of [".", "./chat"]) {
      const file = join(ROOT, manifest.exports[entry].default);
      const result = await esbuild.build({
        entryPoints: [file],
        bundle: true,
        write: false,
        format: "esm",
        platform: "browser",
        metafile: true,
        logLevel: "silent",
      });
      const inputs = Object.keys(result.metafile.inputs);
      const leaks = inputs.filter((i) =>
        /dist\/gen\/|node_modules\/(ajv|typescript|ts-json-schema-generator)|\/server\/|\/chat\/server\//.test(i)
      );
      assert.deepEqual(leaks, [], `${entry} pulls in ${leaks.join(", ")}`);
    }
  } finally {
    await esbuild.stop();
  }
});

test("JSR's exports name existing, documented modules", () => {
  for (const [name, path] of Object.entries(denoManifest.exports as Record<string, string>)) {
    const file = join(ROOT, path);
    assert.ok(existsSync(file), `${name}: ${path} is missing`);
    assert.match(readFileSync(file, "utf8"), /@module/, `${name}: ${path} has no module documentation`);
  }
});
