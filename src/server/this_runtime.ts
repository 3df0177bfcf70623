/**
 * The adapter for the runtime this code runs on, found behind a `typeof`
 * guard and loaded by path, so each runtime's type check sees only its own
 * adapter.
 *
 * @module
 */
import type { Serve } from "./contract.ts";

/** The runtime running this code, as far as serving is concerned. */
export type ServerRuntime = "bun" | "deno" | "node";

/**
 * Names the runtime.
 *
 * @returns `"bun"` under Bun, `"deno"` under Deno, `"node"` under Node.js (checked last: Bun and Deno have a
 * `process.versions.node` too).
 * @throws {Error} On any other runtime: there is no adapter for it.
 * @example
 * ```ts
 * import { serverRuntime } from "./this_runtime.ts";
 * console.log(serverRuntime());
 * ```
 */
export function serverRuntime(): ServerRuntime {
  if (typeof (globalThis as { Bun?: unknown }).Bun !== "undefined") return "bun";
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") return "deno";
  if (typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string") {
    return "node";
  }
  throw new Error(
    "typewire's servers run on Bun (Bun.serve), Deno (Deno.serve) or Node.js (node:http with ws); this runtime is none of them",
  );
}

/**
 * Loads the `serve()` of this runtime's adapter.
 *
 * @returns `serve` from `./bun/mod.ts`, `./deno/mod.ts` or `./node/mod.ts` (which needs the `ws` package).
 * @throws {Error} On Node.js without the `ws` package, saying to install it.
 * @example
 * ```ts
 * import { loadServe } from "./this_runtime.ts";
 * const serve = await loadServe();
 * const server = await serve({ port: 0 }, { message: (socket, frame) => socket.send(String(frame)) });
 * await server.stop();
 * ```
 */
export async function loadServe(): Promise<Serve> {
  // Joined at run time so that no type checker follows the import into the other runtime's adapter; the
  // extension is this module's own (.ts from source, .js in the npm package's build).
  const extension = import.meta.url.endsWith(".js") ? ".js" : ".ts";
  const runtime = serverRuntime();
  const specifier = ["./", runtime, "/mod", extension].join("");
  try {
    const adapter = await import(specifier);
    return adapter.serve as Serve;
  } catch (error) {
    if (runtime === "node" && /\bws\b/.test(String((error as Error).message))) {
      throw new Error("typewire serves on Node.js with the ws package, which is not installed: npm install ws", {
        cause: error,
      });
    }
    throw error;
  }
}
