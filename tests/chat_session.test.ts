/**
 * The chat layer on a real server (Bun.serve or Deno.serve): login, renames,
 * the user list, chat lines, and a new login after the server restarts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChatSession } from "../src/chat/mod.ts";
import { nextMessage } from "../src/client/mod.ts";
import type { ChatLineMessage } from "../src/generated/chat.ts";
import { type ReferenceServer, startReferenceServer } from "../scripts/chat/server.ts";
import { nextEvent } from "./support/test_server.ts";

function startChatServer(port = 0): Promise<ReferenceServer> {
  return startReferenceServer({ port, page: false });
}

test("a session logs in with its name, sees the user list and its own line", async () => {
  const server = await startChatServer();
  const ada = new ChatSession(server.url, { name: "ada", reconnect: false });
  try {
    await ada.loggedIn();
    assert.equal(ada.name, "ada");
    assert.equal(typeof ada.id, "number");
    assert.deepEqual(ada.users, ["ada"]);
    const line = new Promise<ChatLineMessage>((resolve) => ada.onLine(resolve));
    assert.equal(ada.say("hello <b>all</b>"), "sent");
    const received = await line;
    assert.deepEqual([received.name, received.text, received.id], ["ada", "hello all", ada.id]);
  } finally {
    await ada.close();
    await server.stop();
  }
});

test("a name in use is changed by the server, and the session adopts the new name", async () => {
  const server = await startChatServer();
  const first = new ChatSession(server.url, { name: "bot", reconnect: false });
  await first.loggedIn();
  const signIns: string[] = [];
  first.onSignIn((user) => signIns.push(user.name));
  const seenByFirst = nextMessage(first.client, "username", { filter: (u) => u.name === "bot1", timeout: 5_000 });
  const second = new ChatSession(server.url, { name: "bot", reconnect: false });
  try {
    await second.loggedIn();
    assert.equal(second.name, "bot1");
    assert.deepEqual([...second.users].sort(), ["bot", "bot1"]);
    await seenByFirst;
    assert.deepEqual(signIns, ["bot1"]);
    second.rename("ada");
    await nextMessage(second.client, "username", { filter: (u) => u.id === second.id, timeout: 5_000 });
    assert.equal(second.name, "ada");
  } finally {
    await Promise.all([first.close(), second.close()]);
    await server.stop();
  }
});

test("after the server restarts, the session logs in again and lines said while down go out with the new id", async () => {
  let server = await startChatServer();
  const bot = new ChatSession(server.url, { name: "bot", reconnect: { minDelay: 20, maxDelay: 100 } });
  try {
    await bot.loggedIn();
    const firstId = bot.id;
    const dropped = nextEvent(bot.client, "close");
    await server.stop();
    await dropped;
    assert.equal(bot.say("said while the server was down"), "queued");
    const lines: ChatLineMessage[] = [];
    bot.onLine((line) => lines.push(line));
    const relogged = nextEvent(bot.client, "reconnected", 10_000);
    server = await startChatServer(server.port);
    await relogged;
    assert.notEqual(bot.id, firstId);
    assert.equal(bot.name, "bot");
    const line = lines[0] ?? await nextMessage(bot.client, "message", { timeout: 5_000 });
    assert.equal(line.text, "said while the server was down");
    assert.equal(line.id, bot.id, "the queued line carries the new connection's id");
  } finally {
    await bot.close();
    await server.stop();
  }
});
