/**
 * `npm run build`: the two npm packages, ESM JavaScript and .d.ts built by tsc.
 *
 * - `typewire`, the runtime (package.json at the root of the repository):
 *   `dist/src/`, from src/ (tsconfig.build.json). No dependencies.
 * - `typewire-gen`, the generator and its `typewire` command:
 *   `dist/typewire-gen/`, from gen/ (tsconfig.build.gen.json), with a
 *   package.json written here. Its dependencies are the compilers, at the
 *   ranges the repository develops with (its devDependencies).
 *
 * `npm pack . ./dist/typewire-gen` makes both tarballs. dist/ is rebuilt
 * from scratch and is not committed.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const GEN = join(ROOT, "dist", "typewire-gen");
/** What the generator imports from npm: only those who generate install them. */
const GENERATOR_DEPENDENCIES = ["ajv", "ts-json-schema-generator", "typescript", "yaml"] as const;

rmSync(join(ROOT, "dist"), { recursive: true, force: true });
for (const config of ["tsconfig.build.json", "tsconfig.build.gen.json"]) {
  const tsc = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", config], { cwd: ROOT, stdio: "inherit" });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

const runtime = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const generator = {
  name: "typewire-gen",
  version: runtime.version,
  description:
    "typewire's generator: TypeScript, JSON Schema or AsyncAPI 3 messages to typed, eval-free WebSocket codecs.",
  license: runtime.license,
  type: "module",
  keywords: runtime.keywords,
  exports: { ".": { types: "./gen/mod.d.ts", default: "./gen/mod.js" } },
  bin: { typewire: "./gen/bin.js" },
  files: ["gen/", "src/", "README.md", "LICENSE"],
  engines: runtime.engines,
  dependencies: Object.fromEntries(GENERATOR_DEPENDENCIES.map((name) => [name, runtime.devDependencies[name]])),
  // What it generates imports typewire/runtime: the runtime of the same version. The generator itself does not.
  peerDependencies: { typewire: runtime.version },
  peerDependenciesMeta: { typewire: { optional: true } },
};
writeFileSync(join(GEN, "package.json"), JSON.stringify(generator, null, 2) + "\n");
for (const file of ["README.md", "LICENSE"]) copyFileSync(join(ROOT, file), join(GEN, file));
chmodSync(join(GEN, "gen", "bin.js"), 0o755);
console.log("built dist/src/ (typewire) and dist/typewire-gen/ (typewire-gen)");
