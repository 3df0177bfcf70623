/**
 * Checks that no protocol breaks its peers in the field: runs `typewire diff`
 * for each protocol of `schema/releases.json`, the working tree against its
 * newest tagged version (the newest tag `<protocol>-v*`; in a clone made
 * without tags, the commit the file records for it). `npm test` runs it;
 * exits 1 on a breaking change, printing `typewire diff`'s lines.
 *
 * Usage: deno run -A scripts/check_compat.ts
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);

interface Release {
  readonly tag: string;
  readonly commit: string;
}

const git = (args: readonly string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });

/** The revision to compare with: the newest tag of the protocol, else the recorded release's commit. */
function releasedRevision(protocol: string, recorded: Release): string {
  const tags = git(["tag", "--list", `${protocol}-v*`, "--sort=-v:refname"]).stdout.split("\n").filter(Boolean);
  if (tags[0] !== undefined) return tags[0];
  if (git(["cat-file", "-e", `${recorded.commit}^{commit}`]).status === 0) return recorded.commit;
  throw new Error(
    `${protocol}: this clone has neither a tag ${protocol}-v* nor the commit ${recorded.commit} of ${recorded.tag}: ` +
      "fetch the history and tags (git fetch --tags --unshallow)",
  );
}

const releases = JSON.parse(readFileSync(join(ROOT, "schema", "releases.json"), "utf8")) as Record<string, unknown>;
let status = 0;
for (const [protocol, recorded] of Object.entries(releases)) {
  if (protocol.startsWith("//")) continue;
  const revision = releasedRevision(protocol, recorded as Release);
  const diff = spawnSync(
    process.execPath,
    ["run", "-A", join(ROOT, "gen", "bin.ts"), "diff", "--against", revision, "--protocol", protocol],
    { cwd: ROOT, encoding: "utf8" },
  );
  console.log(`${protocol} against ${revision}:\n${diff.stdout}${diff.stderr}`.trimEnd());
  if (diff.status !== 0) status = 1;
}
process.exitCode = status;
