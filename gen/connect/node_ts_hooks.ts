/**
 * Node.js module hooks that load TypeScript modules: registered by `typewire connect` on Node.js, which cannot
 * import `.ts` files itself (before 22.6, and without flags before 23.6), so that `--protocol` can name a
 * generated `.ts` module. Each `.ts` or `.mts` file (the module and the `.ts` files it imports) is transpiled
 * alone by the `typescript` package (types removed, nothing checked) as it loads; imports keep their specifiers,
 * so they resolve from the user's project as written. Deno and Bun never load this file.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** What Node.js passes a `load` hook (the fields used here). */
export interface LoadContext {
  readonly format?: string | null | undefined;
}

/** What a `load` hook returns. */
export interface LoadResult {
  readonly format: string | null | undefined;
  readonly source?: string | ArrayBuffer | Uint8Array | null | undefined;
  readonly shortCircuit?: boolean;
}

/** The next hook in Node.js's chain (ultimately its own loader). */
export type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

/**
 * Node.js's `load` hook: transpiles `file:` URLs ending in `.ts` or `.mts` to JavaScript modules and passes
 * every other URL on.
 *
 * @param url The module's URL.
 * @param context What Node.js knows of it.
 * @param nextLoad The next hook.
 * @returns The module's format and source.
 * @example
 * ```ts
 * import { load } from "./node_ts_hooks.ts";
 *
 * const url = new URL("../../src/generated/chat.ts", import.meta.url).href;
 * const loaded = await load(url, {}, () => Promise.reject(new Error("not reached")));
 * console.log(loaded.format); // "module"
 * ```
 */
export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (!url.startsWith("file:") || !/\.m?ts$/.test(new URL(url).pathname)) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, "utf8"), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      // Keeps imports as written: a `.ts` specifier loads through this hook again.
      verbatimModuleSyntax: false,
      inlineSourceMap: true,
    },
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
