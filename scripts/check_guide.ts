/**
 * Follows docs/bring-your-own-protocol.md as a new user would: runs its shell
 * blocks, in order, in one scratch folder beside a link to this clone,
 * writes each file block (a ts block whose info string says file=...)
 * where the shell has gone, and compares what the client prints with the
 * guide's text block, once with Bun and once with Deno. `npm test` runs it;
 * exits 1 on the first step that fails, printing that step's output.
 *
 * Usage: deno run -A scripts/check_guide.ts
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { VERSION } from "../gen/version.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const GUIDE = join(ROOT, "docs", "bring-your-own-protocol.md");

interface Block {
  readonly lang: string;
  readonly file: string | undefined;
  readonly text: string;
}

const blocks: Block[] = [...readFileSync(GUIDE, "utf8").matchAll(/```(\w+)(?: file=(\S+))?\n([\s\S]*?)```/g)].map((
  [, lang, file, text],
) => ({ lang: lang as string, file, text: text as string }));

const scratch = mkdtempSync(join(tmpdir(), "typewire-guide-"));
symlinkSync(ROOT, join(scratch, "typewire"));
/** The shell's state between blocks: its folder and its variables, carried by a file the shell rewrites. */
const state = join(scratch, ".state");
writeFileSync(state, `cd ${JSON.stringify(scratch)}\n`);
const env = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules", ".bin")}:${process.env.PATH}`,
  // The registry's packages are in npm's cache after the clone's own install.
  npm_config_prefer_offline: "true",
  npm_config_fund: "false",
  npm_config_audit: "false",
  NO_COLOR: "1",
};

/** The folder the shell is in after the last block. */
function shellFolder(): string {
  return /^cd "(.*)"$/m.exec(readFileSync(state, "utf8"))?.[1] ?? scratch;
}

function shell(script: string, label: string): string {
  const wrapped = `set -ea\n. ${JSON.stringify(state)}\n${script}\nstatus=$?\n` +
    `{ echo "cd \\"$PWD\\""; export -p; } > ${JSON.stringify(state)}\n` +
    // A server the block started in the background is stopped, if the block did not stop it itself (`|| true`: under
    // `set -e`, killing one that is already gone would fail the block).
    `{ [ -n "$!" ] && kill "$!" 2>/dev/null; } || true; exit $status\n`;
  const run = spawnSync("bash", ["-c", wrapped], { env, encoding: "utf8", timeout: 5 * 60_000 });
  if (run.status !== 0) {
    console.error(`FAIL ${label}:\n${script}\n--- output ---\n${run.stdout}${run.stderr}`);
    cleanUp();
    process.exit(1);
  }
  console.log(`ok   ${label}`);
  return run.stdout;
}

function cleanUp(): void {
  // The tarballs the guide's `npm pack` leaves in the clone.
  for (const name of ["typewire", "typewire-gen"]) rmSync(join(ROOT, `${name}-${VERSION}.tgz`), { force: true });
  rmSync(scratch, { recursive: true, force: true });
}

/** The clone's uncommitted changes, to check that following the guide leaves the clone as it was. */
const gitStatus = () => spawnSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).stdout;
const statusBefore = gitStatus();
const expected = blocks.find((b) => b.lang === "text")?.text ?? "";
let runs = 0;
const firstShell = blocks.findIndex((b) => b.lang === "sh");
for (const [index, block] of blocks.entries()) {
  if (block.file !== undefined) {
    const folder = shellFolder();
    // The user's project is never the clone: a guide step that stays in it would write into this repository.
    if (!folder.startsWith(scratch) || folder.startsWith(join(scratch, "typewire"))) {
      console.error(`FAIL the guide would write ${block.file} in ${folder}, not in a project of its own`);
      cleanUp();
      process.exit(1);
    }
    writeFileSync(join(folder, block.file), block.text);
    console.log(`ok   wrote ${block.file}`);
  } else if (block.lang === "sh") {
    if (index > firstShell && shellFolder().startsWith(join(scratch, "typewire"))) {
      console.error(
        `FAIL step ${index + 1} would run inside the clone (${shellFolder()}), not in a project of its own`,
      );
      cleanUp();
      process.exit(1);
    }
    if (/&\n/.test(block.text) && runs === 0) {
      // What the guide says the editor knows: the project's files type-check against the installed package.
      const written = blocks.filter((b) => b.file?.endsWith(".ts")).map((b) => b.file as string);
      shell(`deno check ${written.join(" ")}`, `the guide's files type-check (deno check ${written.join(" ")})`);
    }
    const output = shell(block.text, `step ${index + 1}: ${block.text.split("\n")[0]}`);
    if (/&\n/.test(block.text)) {
      runs++;
      const printed = output.split("\n").filter((line) => !line.startsWith("ticker server on")).join("\n");
      if (printed.trim() !== expected.trim()) {
        console.error(`FAIL the client printed:\n${printed}\nthe guide says:\n${expected}`);
        cleanUp();
        process.exit(1);
      }
    }
  }
}
cleanUp();
if (gitStatus() !== statusBefore) {
  console.error("FAIL following the guide changed files in the clone:\n" + gitStatus());
  process.exit(1);
}
if (runs !== 2) {
  console.error(`FAIL expected a run with Bun and one with Deno, found ${runs}`);
  process.exit(1);
}
console.log("the guide works as written, with Bun and with Deno");
