/**
 * Loads the generated module `--protocol` names and picks its protocol descriptor. Deno and Bun import `.ts`
 * modules themselves; on Node.js, a `.ts` module loads through `node_ts_hooks.ts` (the `typescript` package,
 * a dependency of typewire-gen, transpiles it as it loads), and a compiled `.js` module loads as it is.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { register } from "node:module";
import { resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { UsageError } from "../usage.ts";
import { type PickedProtocol, pickProtocol } from "./pick_protocol.ts";

/**
 * Whether this is Node.js itself (Deno and Bun have a `process.versions.node` too).
 *
 * @returns `true` under Node.js.
 * @example
 * ```ts
 * import { isNodeJs } from "./load_protocol.ts";
 * console.log(isNodeJs()); // false under Deno
 * ```
 */
export function isNodeJs(): boolean {
  const global = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: unknown } } };
  return global.Deno === undefined && global.Bun === undefined && typeof global.process?.versions?.node === "string";
}

let hooked = false;

/** On Node.js, lets `import()` load `.ts` files, once. */
function loadTypeScriptOnNode(path: string): void {
  if (hooked) return;
  if (typeof register !== "function") {
    throw new UsageError(
      `${path}: this Node.js (${process.version}) cannot load a .ts module: use Node.js 20.6 or later, compile the ` +
        "module to .js, or run typewire with deno or bun",
    );
  }
  // Beside this file: node_ts_hooks.js in the built package.
  register(new URL(import.meta.url.endsWith(".ts") ? "./node_ts_hooks.ts" : "./node_ts_hooks.js", import.meta.url));
  hooked = true;
}

/**
 * Imports a generated protocol module and picks its descriptor (see `pickProtocol`).
 *
 * @param path The module's path, relative to the working directory: `.ts` (Deno, Bun, Node.js 20.6+) or `.js`.
 * @param exportName The export to use, when the module has several protocols.
 * @returns The descriptor and where it came from.
 * @throws {UsageError} When the file is missing, fails to load, or has no single protocol.
 * @example
 * ```ts
 * import { loadProtocol } from "./load_protocol.ts";
 *
 * const { exportName, protocol } = await loadProtocol("src/generated/chat.ts");
 * console.log(exportName, protocol.discriminator); // chatProtocol type
 * ```
 */
export async function loadProtocol(path: string, exportName?: string): Promise<PickedProtocol> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`no such file: ${path}`);
  if (isNodeJs() && /\.m?ts$/.test(file)) loadTypeScriptOnNode(path);
  let module: object;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new UsageError(`cannot load ${path}: ${(error as Error).message ?? error}`);
  }
  return pickProtocol(module, exportName, path);
}
