/**
 * The chat room on Cloudflare, run here: the example in
 * docs/examples/chat-durable-object (its Worker, its Durable Object, its
 * wrangler.json) in workerd through Miniflare, with the web page answered
 * for its `ASSETS` binding.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type RunningWorker, startWorker } from "../workerd.ts";
import { buildPage, pageHandler } from "./page.ts";

/** The example's folder, from the repository's root. */
export const EXAMPLE = "docs/examples/chat-durable-object";

/** The parts of wrangler.json the local run reads. */
interface WranglerConfig {
  readonly main: string;
  readonly compatibility_date: string;
  readonly durable_objects: { readonly bindings: readonly { readonly name: string; readonly class_name: string }[] };
  readonly assets?: { readonly binding?: string };
}

/** The example's configuration. */
export function exampleConfig(): WranglerConfig {
  const path = fileURLToPath(new URL(`../../${EXAMPLE}/wrangler.json`, import.meta.url).href);
  return JSON.parse(readFileSync(path, "utf8")) as WranglerConfig;
}

/** The example running in workerd, and the class of its rooms. */
export interface CloudflareChat {
  readonly worker: RunningWorker;
  /** The page: `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The lobby's WebSocket: `ws://127.0.0.1:<port>/`. */
  readonly socketUrl: string;
  /** Evicts a room's object as hibernation does. */
  hibernate(room: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the example as its wrangler.json describes it.
 *
 * @param options Where to listen (@default 6502, MDN's port), and whether to answer for the page.
 * @returns The running chat.
 */
export async function startCloudflareChat(
  options: { readonly port?: number; readonly page?: boolean } = {},
): Promise<CloudflareChat> {
  const config = exampleConfig();
  const rooms = config.durable_objects.bindings[0];
  if (rooms === undefined) throw new Error(`${EXAMPLE}/wrangler.json binds no Durable Object`);
  const assets = options.page === false || config.assets?.binding === undefined ? undefined : await buildPage();
  const worker = await startWorker({
    entry: `${EXAMPLE}/${config.main}`,
    compatibilityDate: config.compatibility_date,
    durableObjects: Object.fromEntries(config.durable_objects.bindings.map((b) => [b.name, b.class_name])),
    ...(assets && config.assets?.binding && { services: { [config.assets.binding]: pageHandler(assets) } }),
    port: options.port ?? 6502,
  });
  return {
    worker,
    url: worker.http,
    socketUrl: worker.url,
    hibernate: (room) => worker.hibernate(rooms.class_name, room),
    stop: () => worker.stop(),
  };
}
