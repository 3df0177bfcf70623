/**
 * The chat room as a Cloudflare Durable Object (docs/examples/chat-durable-object,
 * run by scripts/chat/cloudflare.ts in workerd through Miniflare), frame by
 * frame as MDN's client sees it, and typewire's bot: the room's rules, one
 * object per room, and a room that hibernates between two lines and carries
 * on with every name. The page is in tests/browser.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RawClient } from "./support/raw_client.ts";
import { type CloudflareChat, startCloudflareChat } from "../scripts/chat/cloudflare.ts";
import { startBot } from "../scripts/chat/bot.ts";

async function withChat(body: (chat: CloudflareChat) => Promise<void>): Promise<void> {
  const chat = await startCloudflareChat({ port: 0, page: false });
  try {
    await body(chat);
  } finally {
    await chat.stop();
  }
}

/** Connects like MDN's client: reads the id, logs in with its fields in MDN's order. */
async function join(url: string, name: string): Promise<{ client: RawClient; id: number; users: string[] }> {
  const client = await RawClient.open(url);
  const { json } = await client.next();
  assert.equal(json.type, "id");
  client.send(`{"name":${JSON.stringify(name)},"date":${Date.now()},"id":${json.id},"type":"username"}`);
  const frames = await client.loggedIn(json.id);
  return { client, id: json.id, users: frames.find((f) => f.json?.type === "userlist")?.json.users };
}

function say(client: RawClient, id: number, text: string): void {
  client.send(`{"text":${JSON.stringify(text)},"type":"message","id":${id},"date":${Date.now()}}`);
}

test("MDN's client on the room's Durable Object: ids, a taken name, lines with tags stripped, a leave", async () => {
  await withChat(async (chat) => {
    const ada = await join(chat.socketUrl, "ada");
    assert.equal(ada.client.socket.protocol, "json");
    const copy = await RawClient.open(chat.socketUrl);
    const { json: id } = await copy.next();
    assert.ok(Number.isInteger(id.id) && id.id > ada.id, "a fresh integer id, counting up");
    copy.send(`{"name":"ada","date":1,"id":${id.id},"type":"username"}`);
    assert.deepEqual((await copy.next()).json, { type: "rejectusername", id: id.id, name: "ada1" });
    assert.deepEqual((await copy.next()).json, { type: "userlist", users: ["ada", "ada1"] });
    say(ada.client, ada.id, "<b>bold</b> move");
    const line = (await copy.next((m) => m.type === "message")).json;
    assert.deepEqual([line.name, line.text, line.id], ["ada", "bold move", ada.id]);
    copy.send(`{"type":"message","id":${ada.id},"text":"as ada","date":2}`);
    const refused = await copy.closed;
    assert.equal(refused.code, 1008, "a line in another's name is refused");
    const after = await ada.client.next((m) => m.type === "userlist" && m.users.length === 1);
    assert.deepEqual(after.json.users, ["ada"], "the refused client left the list");
    ada.client.close();
  });
});

test("rooms are objects: /rooms/<name> is a room of its own", async () => {
  await withChat(async (chat) => {
    const lobby = await join(chat.socketUrl, "ada");
    const other = await join(`${chat.socketUrl}rooms/den`, "ada");
    assert.deepEqual(other.users, ["ada"], "the den's ada is the den's only user, under her own name");
    say(other.client, other.id, "in the den");
    await other.client.next((m) => m.type === "message");
    say(lobby.client, lobby.id, "in the lobby");
    await lobby.client.next((m) => m.type === "message" && m.text === "in the lobby");
    assert.ok(!lobby.client.frames.some((f) => f.json?.text === "in the den"), "the lobby hears nothing of the den");
    for (const c of [lobby, other]) c.client.close();
  });
});

test("a room that hibernates carries on: names, ids and the bot, and a newcomer meets the names in use", async () => {
  await withChat(async (chat) => {
    const bot = startBot(chat.socketUrl, { name: "bot", reconnect: false });
    try {
      await bot.loggedIn();
      const ada = await join(chat.socketUrl, "ada");
      say(ada.client, ada.id, "!echo before");
      assert.equal((await ada.client.next((m) => m.type === "message" && m.name === "bot")).json.text, "before");

      await chat.hibernate("lobby");

      say(ada.client, ada.id, "!echo after");
      const seen = await ada.client.next((m) => m.type === "message" && m.text === "!echo after");
      assert.deepEqual([seen.json.name, seen.json.id], ["ada", ada.id], "her name and id, from her attachment");
      assert.equal((await ada.client.next((m) => m.type === "message" && m.name === "bot")).json.text, "after");
      const late = await RawClient.open(chat.socketUrl);
      const { json } = await late.next();
      assert.ok(json.id > ada.id && json.id !== bot.id, "a new id, given to no one before");
      late.send(`{"name":"ada","date":3,"id":${json.id},"type":"username"}`);
      assert.equal((await late.next()).json.name, "ada1", "the name in use is still taken");
      assert.deepEqual((await late.next()).json.users, ["bot", "ada", "ada1"], "in login order");
      for (const client of [ada.client, late]) client.close();
    } finally {
      await bot.close();
    }
  });
});
