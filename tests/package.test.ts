/**
 * Packaging: the npm package holds exactly what a user needs, its entry points
 * exist and load on Node.js, its typed server serves on Bun, Deno and Node, a
 * client bundle pulls in no generator, ajv or server code, and JSR's
 * manifest names documented entry points.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { VERSION } from "../gen/version.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const denoManifest = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));

test("package.json, deno.json and the generator agree on the version", () => {
  assert.equal(manifest.version, VERSION);
  assert.equal(denoManifest.version, VERSION);
});

test("npm pack lists exactly the built package, README and LICENSE", () => {
  assert.ok(existsSync(join(ROOT, "dist/src/mod.js")), "the package is not built: run npm run build");
  const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(pack.status, 0, pack.stderr);
  const files: string[] = JSON.parse(pack.stdout)[0].files.map((f: { path: string }) => f.path);
  const outside = files.filter((f) =>
    !/^dist\/(src|gen)\/.+\.(js|d\.ts)$/.test(f) && !["README.md", "LICENSE", "package.json"].includes(f)
  );
  assert.deepEqual(outside, [], "nothing but dist/, README.md, LICENSE and package.json");
  const targets = [
    ...Object.values(manifest.exports as Record<string, { types: string; default: string }>).flatMap((
      e,
    ) => [e.types, e.default]),
    ...Object.values(manifest.bin as Record<string, string>),
  ].map((t) => t.replace(/^\.\//, ""));
  for (const target of targets) assert.ok(files.includes(target), `${target} is exported but not packed`);
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
  const bin = spawnSync("node", [join(ROOT, manifest.bin.typewire), "gen", "--check"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(bin.status, 0, bin.stderr);
  assert.match(bin.stdout, /all \d+ generated files are up to date/);
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
