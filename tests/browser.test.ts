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
import { launchChromium } from "./support/chromium.ts";
import { logIn, open, say, waitForLine } from "./support/chat_page.ts";
import { startCloudflareChat } from "../scripts/chat/cloudflare.ts";
import { startBot } from "../scripts/chat/bot.ts";
import { type ReferenceServer, startReferenceServer } from "../scripts/chat/server.ts";
import { serverRuntime } from "../src/server/this_runtime.ts";

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url).href);
const EVIL_NAME = '<img src=x onerror="window.__pwned=1">';

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

test("the page and the bot chat through the room's Durable Object (workerd), before and after it hibernates", async () => {
  const chat = await startCloudflareChat({ port: 0 });
  const bot = startBot(chat.socketUrl, { name: "bot", reconnect: false });
  const browser = await launchChromium();
  try {
    await bot.loggedIn();
    const alice = await open(browser, chat.url);
    await logIn(alice, "alice");
    const copycat = await open(browser, chat.url);
    await logIn(copycat, "alice");
    await waitForLine(copycat, (l) => l === "That name is taken: you are alice1.", "telling copycat its new name");
    await say(alice, "!echo hello <b>there</b>");
    await waitForLine(copycat, (l) => l.endsWith("bot:hello there"), "with the bot's answer");

    await chat.hibernate("lobby");
    await say(copycat, "!echo after the nap");
    await waitForLine(alice, (l) => l.endsWith("alice1:!echo after the nap"), "copycat's line, under its name");
    await waitForLine(alice, (l) => l.endsWith("bot:after the nap"), "the bot's answer after hibernation");
    const users = await alice.page.$$eval("#users li", (items) => items.map((item) => item.textContent));
    assert.deepEqual([...users].sort(), ["alice", "alice1", "bot"]);
    for (const watched of [alice, copycat]) {
      assert.deepEqual(watched.problems, [], "no script errors, no CSP violations");
    }
  } finally {
    await browser.close();
    await bot.close();
    await chat.stop();
  }
});
