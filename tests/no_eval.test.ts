/**
 * Generated modules and the runtime compile no code at run time: they load
 * and work under V8's `--disallow-code-generation-from-strings` (as workerd
 * and strict-CSP pages demand), and their sources contain no eval, no
 * `new Function` and no `require(`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const DENO = join(ROOT, "node_modules", ".bin", "deno");

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourcesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

test("generated modules load and work under Deno with code generation from strings disallowed", () => {
  const run = spawnSync(
    DENO,
    [
      "run",
      "--no-lock",
      "--v8-flags=--disallow-code-generation-from-strings",
      join(ROOT, "tests/support/no_eval_probe.ts"),
    ],
    { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } },
  );
  assert.equal(run.status, 0, run.stderr);
  const results = JSON.parse(run.stdout.trim());
  assert.equal(results.evalRefused, true, "the flag is in force: eval is refused");
  assert.equal(results.functionRefused, true, "the flag is in force: new Function is refused");
  assert.equal(results.decoded, true);
  assert.equal(results.invalidPointer, "/users/0");
  assert.equal(results.strictRefusesExtra, true);
  assert.equal(
    results.encoded,
    '{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":null}}',
  );
  assert.equal(results.shapes, true);
  assert.equal(results.dispatched, "ada,");
});

test("runtime and generated sources contain no eval, new Function or require(", () => {
  const forbidden = /\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(|\brequire\s*\(/;
  const offenders: string[] = [];
  for (const file of [...sourcesUnder(join(ROOT, "src")), join(ROOT, "tests/fixtures/generated/shapes.ts")]) {
    readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "").replace(/^\s*\*.*$/, "");
      if (forbidden.test(code)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test("generated modules import nothing but typewire's runtime", () => {
  for (const file of sourcesUnder(join(ROOT, "src/generated"))) {
    const imports = [...readFileSync(file, "utf8").matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
    assert.ok(imports.length > 0);
    for (const specifier of imports) assert.equal(specifier, "../runtime/mod.ts", `${file} imports ${specifier}`);
  }
});
