/**
 * The chat bot: its commands, and its behaviour on a real server, a restart included.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChatSession } from "../src/chat/mod.ts";
import { nextMessage } from "../src/client/mod.ts";
import { answer, HELP, startBot } from "../scripts/chat/bot.ts";
import { startReferenceServer } from "../scripts/chat/server.ts";
import { nextEvent } from "./support/test_server.ts";

test("the bot's commands", () => {
  const now = new Date("2026-11-25T12:00:00.000Z");
  assert.equal(answer("!help", [], now), HELP);
  assert.equal(answer("!echo  two  spaces, 😀 & <kept> ", [], now), " two  spaces, 😀 & <kept> ", "exactly the text");
  assert.equal(answer("!echo ", [], now), undefined, "nothing to echo");
  assert.equal(answer("!time", [], now), "it is 2026-11-25T12:00:00.000Z");
  assert.equal(answer("!users", ["ada", "bob"], now), "online: ada, bob");
  assert.equal(answer("hello !help", [], now), undefined);
  assert.equal(answer("!unknown", [], now), undefined);
});

test("the bot answers others on a real server, ignores itself, and logs in again after the server restarts", async () => {
  let server = await startReferenceServer({ port: 0, page: false });
  const bot = startBot(server.socketUrl, { name: "bot", reconnect: { minDelay: 20, maxDelay: 100 } });
  const user = new ChatSession(server.socketUrl, { name: "user", reconnect: { minDelay: 20, maxDelay: 100 } });
  try {
    await Promise.all([bot.loggedIn(), user.loggedIn()]);
    const fromBot = (text: string) =>
      nextMessage(user.client, "message", { filter: (m) => m.name === "bot" && m.text === text, timeout: 5_000 });
    let reply = fromBot(HELP);
    user.say("!help");
    await reply;
    const users = nextMessage(user.client, "message", {
      filter: (m) => m.name === "bot" && m.text.startsWith("online: "),
      timeout: 5_000,
    });
    user.say("!users");
    assert.deepEqual((await users).text.slice("online: ".length).split(", ").sort(), ["bot", "user"]);
    reply = fromBot("say it back");
    user.say("!echo say it back");
    await reply;
    const lines = user.client.stats.received;
    bot.say("!echo not to myself");
    await nextMessage(user.client, "message", { filter: (m) => m.text === "!echo not to myself", timeout: 5_000 });
    user.say("!time");
    await nextMessage(user.client, "message", {
      filter: (m) => m.name === "bot" && m.text.startsWith("it is "),
      timeout: 5_000,
    });
    assert.ok(user.client.stats.received > lines);

    const botBack = nextEvent(bot.client, "reconnected", 10_000);
    const userBack = nextEvent(user.client, "reconnected", 10_000);
    const port = server.port;
    await server.stop();
    server = await startReferenceServer({ port, page: false });
    await Promise.all([botBack, userBack]);
    reply = fromBot("after the restart");
    user.say("!echo after the restart");
    await reply;
  } finally {
    await Promise.all([bot.close(), user.close()]);
    await server.stop();
  }
});
