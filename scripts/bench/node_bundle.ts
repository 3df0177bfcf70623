/**
 * TypeScript for Node.js 20, which cannot run it: an entry file bundled with
 * esbuild (its npm imports included) into one `.mjs` file, for the
 * benchmarks' servers on Node and the tests' (tests/support/node_server.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { ROOT } from "./processes.ts";

/**
 * Bundles an entry file for Node.js: ESM, with a `require` for the CommonJS
 * inside (ws asks for `events`, `net`... and, in a try, its optional native helpers).
 *
 * @param entry The entry file, relative to the project.
 * @returns The bundle's code.
 */
export async function nodeBundle(entry: string): Promise<string> {
  try {
    const result = await esbuild.build({
      entryPoints: [join(ROOT, entry)],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      logLevel: "silent",
      banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
    });
    return result.outputFiles[0]?.text ?? "";
  } finally {
    // Deno's test runner counts esbuild's running service as a leak.
    await esbuild.stop();
  }
}

/**
 * Bundles an entry file for Node.js into a file of its own.
 *
 * @param entry The entry file, relative to the project.
 * @returns The path of the bundle, in a fresh temporary folder.
 */
export async function bundleForNode(entry: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "typewire-bench-")), "server.mjs");
  writeFileSync(file, await nodeBundle(entry));
  return file;
}
