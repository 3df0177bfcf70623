/**
 * What every server of the server fan-out and server memory benchmarks shares:
 * the topic, who a connection is (from its URL's `role`), and the resident
 * memory after garbage collection that `GET /rss` answers with.
 */
import process from "node:process";

/** The one topic every subscriber joins. */
export const TOPIC = "room";

/** `sub`: joins the topic; `pub`: sends what is to be published; `idle`: only holds its connection. */
export type Role = "sub" | "pub" | "idle";

/**
 * The role a connection asked for in its URL (`?role=sub`).
 *
 * @param url The upgrade request's URL.
 * @returns The role; `idle` for anything else.
 */
export function roleOf(url: string): Role {
  const role = new URL(url).searchParams.get("role");
  return role === "sub" || role === "pub" ? role : "idle";
}

/**
 * Collects garbage (Bun's `Bun.gc`, V8's `gc` under `--expose-gc`) three times, a little apart, then reads this
 * process's resident memory.
 *
 * @param pause Milliseconds between collections.
 * @returns Resident bytes.
 */
export async function residentAfterGc(pause: number): Promise<number> {
  const runtime = globalThis as { Bun?: { gc(force: boolean): void }; gc?: () => void };
  for (let i = 0; i < 3; i++) {
    runtime.Bun?.gc(true);
    runtime.gc?.();
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return process.memoryUsage().rss;
}

/**
 * Plain HTTP for the benchmark servers: `GET /rss?pause=<ms>` answers the resident memory after garbage collection.
 *
 * @param request Any plain request.
 * @returns The answer; 404 but for `/rss`.
 */
export async function answerHttp(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname !== "/rss") return new Response("Not Found", { status: 404 });
  return new Response(String(await residentAfterGc(Number(url.searchParams.get("pause") ?? 300))));
}

/** Ends the process on SIGTERM (the benchmark's way to stop a server). */
export function exitOnTerm(): void {
  process.on("SIGTERM", () => process.exit(0));
}
