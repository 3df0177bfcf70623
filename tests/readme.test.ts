/**
 * README's quick start runs as written: its schema, configuration and demo
 * are taken from README.md, generated and run in a scratch folder, and the
 * demo prints what README says it prints.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = join(ROOT, "node_modules", ".bin", "deno");

function quickStartBlocks(): { schema: string; config: string; demo: string } {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("## Quick start"),
    readme.indexOf("## What a generated module gives you"),
  );
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] as string }));
  const [schema, config, demo] = blocks;
  assert.equal(schema?.lang, "ts");
  assert.equal(config?.lang, "json");
  assert.equal(demo?.lang, "ts");
  return { schema: schema.code, config: config.code, demo: demo.code };
}

test("README's quick start generates and runs as written, printing what README says", () => {
  const { schema, config, demo } = quickStartBlocks();
  const dir = mkdtempSync(join(tmpdir(), "typewire-readme-"));
  mkdirSync(join(dir, "schema"));
  writeFileSync(join(dir, "schema", "ping.ts"), schema);
  // README's runtime path is the in-repository one; the scratch folder points at this checkout's runtime instead.
  const settings = JSON.parse(config);
  settings.protocols[0].runtime = pathToFileURL(join(ROOT, "src/runtime/mod.ts")).href;
  writeFileSync(join(dir, "typewire.config.json"), JSON.stringify(settings));
  const gen = spawnSync(DENO, ["run", "-A", join(ROOT, "gen/cli.ts")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  assert.equal(gen.status, 0, gen.stderr);
  assert.match(gen.stdout, /wrote schema\/ping\.schema\.json/);
  assert.match(gen.stdout, /wrote src\/generated\/ping\.ts/);

  writeFileSync(join(dir, "ping_demo.ts"), demo);
  const run = spawnSync(DENO, ["run", "ping_demo.ts"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const printed = run.stdout.trimEnd().split("\n");
  const promised = [...demo.matchAll(/\/\/ (send .*|pong .*|invalid .*|not-json .*)$/gm)].map((m) => m[1] as string);
  assert.equal(printed.length, promised.length, run.stdout);
  promised.forEach((line, i) => {
    if (line.endsWith("...")) assert.ok(printed[i]?.startsWith(line.slice(0, -3)), `${printed[i]} starts like ${line}`);
    else assert.equal(printed[i], line);
  });
});
