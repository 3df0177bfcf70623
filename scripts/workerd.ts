/**
 * A Worker of this repository in Cloudflare's workerd, through Miniflare,
 * listening on 127.0.0.1: bundled with esbuild from its TypeScript entry
 * (`typewire/...` imports resolved to this repository's sources), its
 * Durable Object classes and bindings as the caller says.
 */
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);

/** The package's entry points (`typewire/server`...), as paths of their sources. */
function packageEntries(): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    exports: Record<string, { default: string }>;
  };
  const entries = new Map<string, string>();
  for (const [subpath, { default: built }] of Object.entries(manifest.exports)) {
    const source = built.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts");
    entries.set(`typewire${subpath.slice(1)}`, join(ROOT, source));
  }
  return entries;
}

/** Resolves `typewire` and its subpaths to this repository's sources, as an installed package would be. */
const thisPackage: esbuild.Plugin = {
  name: "typewire-sources",
  setup(build) {
    const entries = packageEntries();
    build.onResolve({ filter: /^typewire(\/.*)?$/ }, (args) => {
      const path = entries.get(args.path);
      return path === undefined ? { errors: [{ text: `typewire has no entry point ${args.path}` }] } : { path };
    });
  },
};

/** The bundles made so far, by entry: one esbuild run per entry and process. */
const bundles = new Map<string, Promise<string>>();

/** Bundles an entry, a Worker's or a page's script (a path from the repository's root, or an absolute one), into one ES module. */
export function bundleWorker(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = esbuild.build({
      entryPoints: [isAbsolute(entry) ? entry : join(ROOT, entry)],
      bundle: true,
      format: "esm",
      target: "es2022",
      write: false,
      logLevel: "silent",
      plugins: [thisPackage],
    }).then((result) => result.outputFiles[0]?.text ?? "").finally(() => esbuild.stop());
    bundles.set(entry, bundle);
  }
  return bundle;
}

/** A Worker running in workerd. */
export interface RunningWorker {
  readonly miniflare: Miniflare;
  /** `http://127.0.0.1:<port>/` */
  readonly http: string;
  /** `ws://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  /** Evicts a Durable Object from memory as hibernation does: its WebSockets stay connected. */
  hibernate(className: string, name: string): Promise<void>;
  stop(): Promise<void>;
}

/** How to run a Worker. */
export interface WorkerOptions {
  /** Its entry module, from the repository's root (or an absolute path). */
  readonly entry: string;
  /** Binding name to exported Durable Object class name. */
  readonly durableObjects: Record<string, string>;
  /** Plain bindings (`env.NAME`). */
  readonly bindings?: Record<string, string>;
  /** Bindings whose `fetch` this process answers (`env.ASSETS`). */
  readonly services?: Record<string, (request: Request) => Response | Promise<Response>>;
  /** @default a free one */
  readonly port?: number;
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** @default "2025-09-01" */
  readonly compatibilityDate?: string;
}

/**
 * Starts a Worker.
 *
 * @param options The entry, its bindings, where to listen.
 * @returns The running Worker.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const script = await bundleWorker(options.entry);
  const miniflare = new Miniflare({
    // Listed, not scanned: the typed server's bundle keeps a dynamic import (the adapter of Bun, Deno or Node) that a
    // Durable Object never calls.
    modules: [{ type: "ESModule", path: "worker.mjs", contents: script }],
    compatibilityDate: options.compatibilityDate ?? "2025-09-01",
    durableObjects: options.durableObjects,
    bindings: options.bindings ?? {},
    ...(options.services && {
      serviceBindings: Object.fromEntries(
        Object.entries(options.services).map(([name, answer]) => [name, (request: Request) => answer(request)]),
      ),
    }),
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
  });
  const http = String(await miniflare.ready);
  const port = Number(new URL(http).port);
  return {
    miniflare,
    http,
    url: http.replace(/^http/, "ws"),
    port,
    hibernate: (className, name) =>
      miniflare.unsafeEvictDurableObject("", className, { name, webSockets: "hibernate" }),
    stop: () => miniflare.dispose(),
  };
}
