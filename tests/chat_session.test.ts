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
import { startTcpProxy } from "./reliability/proxy.ts";

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

test("lines written to a connection that dies before their echo are reported unconfirmed; queued lines are not", async () => {
  const server = await startChatServer();
  const proxy = await startTcpProxy(server.port);
  const bot = new ChatSession(`ws://127.0.0.1:${proxy.port}/`, {
    name: "bot",
    reconnect: { minDelay: 20, maxDelay: 100 },
  });
  try {
    await bot.loggedIn();
    const echoed = nextMessage(bot.client, "message", { filter: (m) => m.text === "confirmed", timeout: 5_000 });
    bot.say("confirmed");
    await echoed;
    assert.deepEqual(bot.lines, { said: 1, confirmed: 1, unconfirmed: 0 });

    const reported: string[][] = [];
    bot.onUnconfirmed((lines) => reported.push([...lines]));
    proxy.sever();
    assert.equal(bot.say("into the void 1"), "sent");
    assert.equal(bot.say("into the void 2"), "sent");
    const dropped = nextEvent(bot.client, "close");
    bot.client.reconnect(4000, "the test cut the path");
    await dropped;
    assert.deepEqual(reported, [["into the void 1", "into the void 2"]]);
    assert.equal(bot.say("said while reconnecting"), "queued");
    const arrived = nextMessage(bot.client, "message", {
      filter: (m) => m.text === "said while reconnecting",
      timeout: 10_000,
    });
    await arrived;
    assert.deepEqual(bot.lines, { said: 4, confirmed: 2, unconfirmed: 2 });
    assert.equal(reported.length, 1, "a line that waited in the queue is never reported unconfirmed");
  } finally {
    await bot.close();
    await proxy.close();
    await server.stop();
  }
});
