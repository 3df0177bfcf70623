/// <reference lib="dom" />
/**
 * The web chat page end to end in headless Chromium (Debian's, driven by
 * playwright-core): pages and the bot chat with each other under the page's
 * Content-Security-Policy; names and lines carrying HTML render as text and
 * run nothing; the page reconnects by itself. A screenshot is saved.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./support/chromium.ts";
import { startBot } from "../scripts/chat/bot.ts";
import { type ReferenceServer, startReferenceServer } from "../scripts/chat/server.ts";
import { serverRuntime } from "../src/server/this_runtime.ts";

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url).href);
const EVIL_NAME = '<img src=x onerror="window.__pwned=1">';

interface Watched {
  readonly page: Page;
  readonly problems: string[];
}

async function open(browser: Browser, url: string): Promise<Watched> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url);
  return { page, problems };
}

async function logIn({ page }: Watched, name: string): Promise<void> {
  await page.fill("#name", name);
  await page.click("#login button");
  await page.waitForSelector("#text:enabled");
}

async function say({ page }: Watched, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

/** The log's lines, as the user reads them. */
function logLines({ page }: Watched): Promise<string[]> {
  return page.$$eval("#log li", (items) => items.map((item) => item.textContent ?? ""));
}

async function waitForLine(watched: Watched, predicate: (line: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const line = (await logLines(watched)).find(predicate);
    if (line !== undefined) return line;
    await watched.page.waitForTimeout(50);
  }
  throw new Error(`no log line ${what}; the log: ${JSON.stringify(await logLines(watched))}`);
}

test("pages and the bot chat in Chromium under a strict CSP; HTML in names and lines renders as text", async () => {
  let server: ReferenceServer = await startReferenceServer({ port: 0 });
  const bot = startBot(server.socketUrl, { name: "bot", reconnect: { minDelay: 50, maxDelay: 200 } });
  const browser = await launchChromium();
  try {
    await bot.loggedIn();
    const alice = await open(browser, server.url);
    const response = await alice.page.request.get(server.url);
    const policy = response.headers()["content-security-policy"] ?? "";
    assert.match(policy, /script-src 'self'/);
    assert.doesNotMatch(policy, /unsafe-eval|unsafe-inline/);

    await logIn(alice, "alice");
    const eve = await open(browser, server.url);
    await logIn(eve, EVIL_NAME);
    const copycat = await open(browser, server.url);
    await logIn(copycat, "alice");

    await waitForLine(copycat, (l) => l === "That name is taken: you are alice1.", "telling copycat its new name");
    await waitForLine(alice, (l) => l.endsWith(`${EVIL_NAME} signed in`), "showing eve's name as text");
    const users = await alice.page.$$eval("#users li", (items) => items.map((item) => item.textContent));
    assert.deepEqual([...users].sort(), ["alice", "alice1", "bot", EVIL_NAME].sort());

    await say(alice, "!echo hello <b>there</b>");
    await waitForLine(eve, (l) => l.endsWith("bot:hello there"), "with the bot's answer");
    await say(eve, '<script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">hi');
    const evil = await waitForLine(alice, (l) => l.includes(`${EVIL_NAME}:`), "with eve's line");
    assert.ok(evil.endsWith(`${EVIL_NAME}:window.__pwned=2hi`), evil);

    for (const watched of [alice, eve, copycat]) {
      const state = await watched.page.evaluate(() => ({
        pwned: (window as { __pwned?: unknown }).__pwned,
        images: document.querySelectorAll("img, script:not([src])").length,
      }));
      assert.deepEqual(state, { pwned: undefined, images: 0 }, "nothing that arrived ran or became an element");
    }

    // Only alice stays for the restart, so that nobody else can take her name when they all log in again.
    await Promise.all([eve.page.close(), copycat.page.close()]);
    const port = server.port;
    await server.stop();
    await alice.page.waitForFunction(() => !document.querySelector("#status")?.textContent?.startsWith("online"));
    server = await startReferenceServer({ port });
    await alice.page.waitForFunction(() => document.querySelector("#status")?.textContent === "online as alice", null, {
      timeout: 15_000,
    });
    // The bot reconnects on its own schedule: a command said before it is back in the room goes unanswered.
    await bot.loggedIn();
    await say(alice, "!echo back again");
    await waitForLine(alice, (l) => l.endsWith("bot:back again"), "after the page and the bot reconnected");

    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = join(ARTIFACTS, `chat-page-${serverRuntime()}.png`);
    await alice.page.screenshot({ path: screenshot, fullPage: true });
    console.log(`screenshot: ${screenshot}`);
    for (const watched of [alice, eve, copycat]) {
      const unexpected = watched.problems.filter((p) => !/WebSocket|ERR_CONNECTION_REFUSED/.test(p));
      assert.deepEqual(unexpected, [], "no script errors and no CSP violations");
    }
  } finally {
    await browser.close();
    await bot.close();
    await server.stop();
  }
});
