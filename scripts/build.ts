/**
 * `npm run build`: the npm package's dist/, ESM JavaScript and .d.ts built by
 * tsc from src/ and gen/ (tsconfig.build.json). dist/ is rebuilt from scratch
 * and is not committed.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
rmSync(join(ROOT, "dist"), { recursive: true, force: true });
const tsc = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
  cwd: ROOT,
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
chmodSync(join(ROOT, "dist", "gen", "bin.js"), 0o755);
console.log("built dist/");
