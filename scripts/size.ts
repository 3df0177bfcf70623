/**
 * `npm run size`: what a browser user ships, bundled (esbuild), minified and
 * gzipped (level 9): the client plus the generated chat module, as a page
 * imports them. Fails above the ceiling; `--write` puts the figures in
 * README.md.
 *
 * The target is 4,000 bytes; it is not met yet (see README). The ceiling CI
 * enforces meanwhile is the measured size with a little room, so the bundle
 * cannot grow unnoticed. The last rows are what a user would pick instead,
 * bundled the same way: partysocket alone, and partysocket with zod/mini
 * schemas of the same chat protocol (`scripts/bench/partysocket_zod_page.ts`).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { replaceSection } from "./bench/stats.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
/** The size budget the project aims at, in bytes of min+gzip. */
export const TARGET = 4_000;
/**
 * The most CI accepts until the target is met: the measured size plus about 3%. Raised from 5,250 B when the client
 * learned requests: their engine comes only with a protocol that has requests, but the client's hooks for it (about
 * 260 B) are in every page.
 */
export const CEILING = 5_550;

const PAGE =
  'export { connect } from "./src/client/mod.ts"; export { chatClientProtocol } from "./src/generated/chat.ts";';
const BUNDLES: readonly [string, string][] = [
  ["client + chat protocol for clients (what a page ships)", PAGE],
  ["client + full chat protocol (both directions)", PAGE.replace("chatClientProtocol", "chatProtocol")],
  [
    "the page's bundle + nextMessage and messagesOf",
    `${PAGE} export { nextMessage, messagesOf } from "./src/client/wait.ts";`,
  ],
  ["the page's bundle + watchIdle", `${PAGE} export { watchIdle } from "./src/client/idle.ts";`],
  ["the page's bundle + drained", `${PAGE} export { drained } from "./src/client/drain.ts";`],
  ["client alone", 'export { connect } from "./src/client/mod.ts";'],
  ["chat protocol for clients alone", 'export { chatClientProtocol } from "./src/generated/chat.ts";'],
  ["instead: partysocket alone (reconnecting, untyped, unvalidated)", 'export { WebSocket } from "partysocket";'],
  [
    "instead: partysocket + zod/mini schemas of the chat protocol for clients",
    'export { connectChat } from "./scripts/bench/partysocket_zod_page.ts";',
  ],
];

async function measure(contents: string): Promise<{ minified: number; gzipped: number }> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  const text = result.outputFiles[0]?.text ?? "";
  return { minified: text.length, gzipped: gzipSync(text, { level: 9 }).length };
}

const rows: { label: string; minified: number; gzipped: number }[] = [];
try {
  for (const [label, contents] of BUNDLES) rows.push({ label, ...(await measure(contents)) });
} finally {
  await esbuild.stop();
}
const shipped = rows[0] as { minified: number; gzipped: number };
const table = [
  "| bundle | minified | min+gzip |",
  "| --- | ---: | ---: |",
  ...rows.map((r) => `| ${r.label} | ${r.minified.toLocaleString("en")} B | ${r.gzipped.toLocaleString("en")} B |`),
].join("\n");
console.log(table);
const verdict = shipped.gzipped <= TARGET
  ? `within the ${TARGET.toLocaleString("en")} B target`
  : `above the ${TARGET.toLocaleString("en")} B target (not met); CI's ceiling is ${CEILING.toLocaleString("en")} B`;
console.log(`\nwhat a page ships: ${shipped.gzipped.toLocaleString("en")} B min+gzip, ${verdict}`);

if (process.argv.includes("--write")) {
  const readme = join(ROOT, "README.md");
  const body = [
    `Measured by \`npm run size\` (esbuild, minified, gzip level 9, ES2022 for browsers). Target: ${
      TARGET.toLocaleString("en")
    } B;`,
    `CI fails above ${CEILING.toLocaleString("en")} B.`,
    "",
    table,
  ].join("\n");
  writeFileSync(readme, replaceSection(readFileSync(readme, "utf8"), "size", body));
  spawnSync(join(ROOT, "node_modules", ".bin", "deno"), ["fmt", "--quiet", readme]);
}
if (shipped.gzipped > CEILING) {
  console.error(`too big: ${shipped.gzipped} B > ${CEILING} B`);
  process.exitCode = 1;
}
