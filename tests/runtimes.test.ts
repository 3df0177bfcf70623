/**
 * The runtime matrix beyond Deno and Bun: typewire's client, with the
 * generated chat codecs, exchanging typed messages with a chat server started
 * here on 127.0.0.1, in headless Chromium (the client module alone, in a page
 * under a strict CSP), in Cloudflare's workerd (through Miniflare), and on
 * Node.js 20 from the built package, with its experimental global WebSocket
 * and with the `ws` package injected.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { launchChromium } from "./support/chromium.ts";
import { ChatRoom } from "../src/chat/server/room.ts";
import type { ListenOptions } from "../src/server/typed_server.ts";
import { runProgram } from "../scripts/bench/processes.ts";
import { bundleWorker } from "../scripts/workerd.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);

/** A chat room on this runtime's adapter, with whatever HTTP the test needs beside it. */
async function startChat(fetch?: ListenOptions["fetch"]) {
  const room = new ChatRoom({ onRefusal: (r) => console.error("refused", r) });
  return await room.listen({ ...(fetch && { fetch }) });
}

test("Chromium: the client module alone, bundled into a page under a strict CSP, logs in and chats", async () => {
  const script = await bundleWorker("tests/matrix/page_client.ts");
  const html =
    '<!doctype html><meta charset="utf-8"><title>typewire client</title><script type="module" src="/client.js"></script>';
  const server = await startChat((request) => {
    const url = new URL(request.url);
    const csp = `default-src 'none'; script-src 'self'; connect-src 'self' ws://${url.host}`;
    if (url.pathname === "/") {
      return new Response(html, { headers: { "content-type": "text/html", "content-security-policy": csp } });
    }
    if (url.pathname === "/client.js") return new Response(script, { headers: { "content-type": "text/javascript" } });
    return new Response("Not Found", { status: 404 });
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && !m.text().includes("favicon") && problems.push(m.text()));
    await page.goto(server.url.replace("ws:", "http:"));
    await page.waitForFunction(() => "typewireResult" in window, null, { timeout: 20_000 });
    const result = await page.evaluate(() => (window as unknown as { typewireResult: unknown }).typewireResult);
    assert.deepEqual(result, { name: "chromium", text: "hello from Chromium", protocol: "json" });
    assert.deepEqual(problems.filter((p) => !p.includes("404")), []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test("workerd (Miniflare): a Worker opens the standard WebSocket, logs in and chats, where eval is refused", async () => {
  const script = await bundleWorker("tests/matrix/worker.ts");
  const server = await startChat();
  const worker = new Miniflare({ modules: true, script, compatibilityDate: "2025-09-01" });
  try {
    const response = await worker.dispatchFetch(`http://worker/?url=${encodeURIComponent(server.url)}`);
    const result = await response.json();
    assert.deepEqual(result, { name: "workerd", text: "hello from workerd", evalRefused: true, protocol: "json" });
  } finally {
    await worker.dispose();
    await server.stop();
  }
});

for (
  const [label, args, globalWebSocket] of [
    ["with --experimental-websocket (its global WebSocket)", ["--experimental-websocket"], "function"],
    ["without a global WebSocket, with the ws package injected", [], "undefined"],
  ] as const
) {
  test(`Node.js 20, the built package, ${label}`, async () => {
    assert.ok(existsSync(join(ROOT, "dist/src/chat/mod.js")), "the package is not built: run npm run build");
    const server = await startChat();
    try {
      const mode = globalWebSocket === "undefined" ? ["--inject-ws"] : [];
      const node = await runProgram("node", [...args, "tests/node/chat_client.mjs", server.url, ...mode], 60_000);
      assert.equal(node.status, 0, node.stderr);
      const result = JSON.parse(node.stdout.trim());
      assert.match(result.name, /^node-v\d+/);
      assert.match(result.text, /^hello from Node\.js v\d+/);
      assert.equal(result.protocol, "json");
      assert.equal(result.globalWebSocket, globalWebSocket);
    } finally {
      await server.stop();
    }
  });
}

test("Node.js 20 with --experimental-websocket: a refused attempt ends, and the client retries until a server answers", async () => {
  // Node.js 20's WebSocket reports a refused connection with an error and no close event; the client closes the
  // attempt itself, or it would wait forever (found by using typewire connect on Node.js 20).
  assert.ok(existsSync(join(ROOT, "dist/src/mod.js")), "the package is not built: run npm run build");
  const port = await freePort();
  const client = spawn("node", [
    "--experimental-websocket",
    "tests/node/reconnect_client.mjs",
    `ws://127.0.0.1:${port}`,
  ], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  client.stdout.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => client.on("exit", resolve));
  let room: Awaited<ReturnType<typeof startChatOn>> | undefined;
  try {
    await until(() => (output.match(/^close 1006$/gm) ?? []).length >= 2, 15_000, () => output);
    room = await startChatOn(port);
    assert.equal(await exited, 0, output);
    assert.match(output, /^open$/m);
  } finally {
    client.kill();
    await room?.stop();
  }
});

/** A port of 127.0.0.1 nothing listens on. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A chat room listening on the given port of 127.0.0.1. */
function startChatOn(port: number) {
  return new ChatRoom({ onRefusal: (r) => console.error("refused", r) }).listen({ port, hostname: "127.0.0.1" });
}

/** Waits, polling, until `check` holds; fails with `detail()` after `timeout` ms. */
async function until(check: () => boolean, timeout: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; so far: ${detail()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
