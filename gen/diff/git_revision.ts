/**
 * Files as they were at a git revision, for `typewire diff --against`: the
 * folders of the schemas are written out whole into a temporary folder, so
 * that a TypeScript schema that imports its siblings compiles as it did.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * A revision or repository git cannot read: a usage error, in git's own words.
 *
 * @example
 * ```ts
 * import { GitError, snapshotAt } from "./git_revision.ts";
 * await snapshotAt("no-such-revision", ["schema/chat.ts"]).catch((error) => error instanceof GitError); // true
 * ```
 */
export class GitError extends Error {
  override name = "GitError";
}

/** Runs git in a folder; its failure is a `GitError` with git's own words. */
function git(cwd: string, args: readonly string[], input?: string): Buffer {
  try {
    return execFileSync("git", args, {
      cwd,
      maxBuffer: 1 << 30,
      stdio: ["pipe", "pipe", "pipe"],
      ...(input !== undefined && { input }),
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? "").trim();
    throw new GitError(`git ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

/**
 * Files of one revision, written out under a temporary folder.
 *
 * @example
 * ```ts
 * import { snapshotAt } from "./git_revision.ts";
 * const snapshot = await snapshotAt("HEAD", ["schema/chat.ts"]);
 * snapshot.has("schema/chat.ts"); // true, in this repository
 * await snapshot.remove();
 * ```
 */
export interface Snapshot {
  /** The revision, as given. */
  readonly revision: string;
  /** The temporary folder, the repository's root as it was. */
  readonly root: string;
  /**
   * Where a file of the working tree was at the revision.
   *
   * @param file A path relative to the working directory (or absolute).
   * @returns Its path under the snapshot's folder.
   */
  path(file: string): string;
  /** Whether the revision had the file. */
  has(file: string): boolean;
  /** Removes the temporary folder. */
  remove(): Promise<void>;
}

/**
 * Writes out the folders that hold some files, as they were at a revision.
 *
 * @param revision A commit, tag or branch, e.g. `v1.2.0` or `HEAD~1`.
 * @param files Files of the working tree (relative to `cwd`) whose folders to take, recursively.
 * @param cwd The working directory, inside the repository.
 * @returns The snapshot; call `remove()` when done.
 * @throws {GitError} Outside a repository, or for a revision git does not know.
 * @example
 * ```ts
 * import { snapshotAt } from "./git_revision.ts";
 * const old = await snapshotAt("HEAD", ["schema/chat.ts"]);
 * try {
 *   console.log(old.path("schema/chat.ts")); // /tmp/typewire-diff-.../schema/chat.ts
 * } finally {
 *   await old.remove();
 * }
 * ```
 */
export async function snapshotAt(revision: string, files: readonly string[], cwd = "."): Promise<Snapshot> {
  const top = git(cwd, ["rev-parse", "--show-toplevel"]).toString("utf8").trim();
  try {
    git(cwd, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`]);
  } catch {
    throw new GitError(
      `unknown revision ${JSON.stringify(revision)}: name a commit, tag or branch (git tag lists tags)`,
    );
  }
  const inRepository = (file: string) => relative(top, resolve(cwd, file)).split(sep).join("/");
  const folders = [...new Set(files.map((file) => inRepository(dirname(file)) || "."))];
  const listing = git(top, ["ls-tree", "-r", "-z", "--end-of-options", revision, "--", ...folders]).toString("utf8");
  const blobs = listing.split("\0").filter(Boolean).map((line) => {
    const [meta, path] = line.split("\t") as [string, string];
    const [, type, object] = meta.split(" ");
    return { type, object: object as string, path };
  }).filter((entry) => entry.type === "blob");
  const root = await mkdtemp(join(tmpdir(), "typewire-diff-"));
  try {
    const contents = readBlobs(top, blobs.map((b) => b.object));
    for (const [i, blob] of blobs.entries()) {
      const target = join(root, ...blob.path.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, contents[i] as Buffer);
    }
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const present = new Set(blobs.map((b) => b.path));
  return {
    revision,
    root,
    path: (file) => join(root, ...inRepository(file).split("/")),
    has: (file) => present.has(inRepository(file)),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** The contents of blobs, read by one `git cat-file --batch`. */
function readBlobs(cwd: string, objects: readonly string[]): Buffer[] {
  if (objects.length === 0) return [];
  const out = git(cwd, ["cat-file", "--batch"], objects.join("\n") + "\n");
  const contents: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < objects.length; i++) {
    const end = out.indexOf(0x0a, at);
    const header = out.subarray(at, end).toString("utf8").split(" ");
    const size = Number(header[2]);
    contents.push(out.subarray(end + 1, end + 1 + size));
    at = end + 1 + size + 1;
  }
  return contents;
}

/**
 * A file's text at a revision, or `undefined` when the revision did not have it.
 *
 * @param revision The revision.
 * @param file A path relative to the working directory.
 * @param cwd The working directory.
 * @returns The text.
 * @example
 * ```ts
 * import { textAt } from "./git_revision.ts";
 * const config = textAt("HEAD", "typewire.config.json"); // the configuration as committed
 * ```
 */
export function textAt(revision: string, file: string, cwd = "."): string | undefined {
  try {
    return git(cwd, ["show", `${revision}:./${file.split(sep).join("/")}`]).toString("utf8");
  } catch {
    return undefined;
  }
}
