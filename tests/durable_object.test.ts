/**
 * The typed server as a Cloudflare Durable Object with WebSocket hibernation,
 * in workerd through Miniflare (tests/cloudflare/feed_worker.ts), with
 * typewire's client on Deno and Bun: the Worker decides each upgrade, the
 * object is evicted mid-session as hibernation does, and the conversation
 * carries on with each connection's data and topics; the attachment and tag
 * limits give their errors. The policy table's rows on a Durable Object are
 * in tests/typed_server.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, nextMessage, type TypewireClient } from "../src/client/mod.ts";
import { type FeedClientMessage, feedProtocol, type FeedServerMessage } from "./fixtures/generated/feed.ts";
import { closeFrame, RawClient, rawUpgraded } from "./support/raw_client.ts";
import type { Scenario, ScenarioEvent } from "./support/typed_scenario.ts";
import { type RunningWorker, startWorker } from "../scripts/workerd.ts";
import { createServer } from "../src/server/typed_server.ts";
import type { ServerSocket, SocketHandlers } from "../src/server/contract.ts";
import { echoProtocol } from "./fixtures/generated/echo.ts";
import WS from "ws";

type Feed = TypewireClient<FeedServerMessage, FeedClientMessage>;

/** Polls until `check` holds, at most `timeout` ms. */
async function until(check: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeout} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Stats {
  readonly built: number;
  readonly restored: number;
  readonly opened: number;
  readonly echoBuilt: number;
  readonly errors: readonly string[];
  readonly evalRefused: boolean;
}

async function withWorker(body: (worker: RunningWorker, stats: () => Promise<Stats>) => Promise<void>) {
  const worker = await startWorker({
    entry: "tests/cloudflare/feed_worker.ts",
    durableObjects: { FEEDS: "FeedObject", ECHOES: "EchoObject" },
  });
  try {
    await body(worker, async () => (await fetch(`${worker.http}stats`)).json());
  } finally {
    await worker.stop();
  }
}

/** A typed feed client in `room` as `user`, joined to `topic` once open; it does not reconnect. */
async function member(worker: RunningWorker, user: string, room: string, topic: string): Promise<Feed> {
  const client: Feed = connect(feedProtocol, `${worker.url}?user=${user}&room=${room}`, { reconnect: false });
  const joined = nextMessage(client, "joined", { filter: (m) => m.topic === topic, timeout: 10_000 });
  client.onEvent("open", () => client.send({ type: "join", topic }));
  await joined;
  return client;
}

/** What `client` receives of one type, in order. */
function received<T extends FeedServerMessage["type"]>(client: Feed, type: T) {
  const seen: Extract<FeedServerMessage, { type: T }>[] = [];
  client.on(type, (message) => void seen.push(message as Extract<FeedServerMessage, { type: T }>));
  return seen;
}

test("typed clients chat through a Durable Object that hibernates mid-session: data and topics carry on", async () => {
  await withWorker(async (worker, stats) => {
    const ann = await member(worker, "ann", "den", "news");
    const bob = await member(worker, "bob", "den", "news");
    const annEntries = received(ann, "entry");
    const bobNotes = received(bob, "note");
    ann.send({ type: "post", topic: "news", n: 0, text: "before" });
    await until(() => annEntries.length === 1, "the first entry");
    assert.equal(annEntries[0]?.n, 1);
    assert.match(annEntries[0]?.text ?? "", /^ann#1: before \[news room:den\]$/);
    const before = await stats();
    assert.deepEqual([before.built, before.opened, before.restored], [1, 2, 0]);

    await worker.hibernate("FeedObject", "den");

    // The object comes back for the next message, a fresh instance with both connections restored.
    ann.send({ type: "post", topic: "news", n: 0, text: "after" });
    await until(() => annEntries.length === 2, "the entry after hibernation");
    assert.equal(annEntries[1]?.n, 2, "conn.data.posts, changed by a handler, survived");
    assert.match(annEntries[1]?.text ?? "", /^ann#1: after \[news room:den\]$/, "data, id and topics survived");
    const after = await stats();
    assert.deepEqual([after.built, after.opened, after.restored], [2, 2, 2], "restored, not opened again");
    // The route's topic (a tag) and the joined one (in the attachment) both reach bob.
    bob.send({ type: "shout", topic: "room:den", n: 7 });
    bob.send({ type: "shout", topic: "news", n: 8 });
    await until(() => bobNotes.length === 2, "both notes");
    assert.deepEqual(bobNotes.map((note) => note.n), [7, 8]);
    // A newcomer after the wake gets a number no one else has.
    const cid = await member(worker, "cid", "den", "news");
    const cidEntries = received(cid, "entry");
    cid.send({ type: "post", topic: "news", n: 0, text: "hi" });
    await until(() => cidEntries.length === 1, "cid's entry");
    assert.match(cidEntries[0]?.text ?? "", /^cid#3: hi/);
    for (const client of [ann, bob, cid]) client.close();
    assert.deepEqual((await stats()).errors, []);
    assert.equal((await stats()).evalRefused, true, "workerd refuses eval where the typed server runs");
  });
});

test("an unsubscribed tag and an unsubscribed topic stay unsubscribed through hibernation", async () => {
  await withWorker(async (worker) => {
    const ann = await member(worker, "ann", "den", "news");
    const bob = await member(worker, "bob", "den", "news");
    const annNotes = received(ann, "note");
    ann.send({ type: "leave", topic: "room:den" });
    ann.send({ type: "leave", topic: "news" });
    ann.send({ type: "join", topic: "quiet" });
    await nextMessage(ann, "joined", { filter: (m) => m.topic === "quiet", timeout: 10_000 });
    await worker.hibernate("FeedObject", "den");
    bob.send({ type: "shout", topic: "room:den", n: 1 });
    bob.send({ type: "shout", topic: "news", n: 2 });
    bob.send({ type: "shout", topic: "quiet", n: 3 });
    await until(() => annNotes.length >= 1, "the note on the topic ann kept");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(annNotes.map((note) => note.n), [3]);
    for (const client of [ann, bob]) client.close();
  });
});

test("the Worker refuses at the upgrade: 401, refuseAfterUpgrade's 4403, and data that is not JSON (500)", async () => {
  await withWorker(async (worker, stats) => {
    await assert.rejects(RawClient.open(worker.url, ["feed.v1"]), /could not connect/);
    const banned = await RawClient.open(`${worker.url}?user=mallory`, ["feed.v1"]);
    assert.deepEqual(await banned.closed, { code: 4403, reason: "banned" });
    await assert.rejects(RawClient.open(`${worker.url}?user=ann&date=1`, ["feed.v1"]), /could not connect/);
    assert.equal((await stats()).built, 0, "no object woke for a refused client");
  });
});

test("topics past workerd's tag limits are the server's error (500), named in the log", async () => {
  await withWorker(async (worker) => {
    const upgrade = (query: string) =>
      worker.miniflare.dispatchFetch(`${worker.http}?user=ann&${query}`, {
        headers: {
          upgrade: "websocket",
          connection: "Upgrade",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          "sec-websocket-version": "13",
        },
      });
    const nine = await upgrade("tags=9");
    assert.equal(nine.status, 101, "ten topics fit");
    nine.webSocket?.accept();
    nine.webSocket?.close();
    assert.equal((await upgrade("tags=10")).status, 500, "eleven do not");
    assert.equal((await upgrade("long=1")).status, 500, "nor a topic of 257 characters");
  });
});

test("conn.data over the 16 KiB attachment: 1011 and an onError that says so, at the upgrade and in a handler", async () => {
  await withWorker(async (worker, stats) => {
    const big = await rawUpgraded(worker.port, "/?user=ann&pad=17000", "feed.v1");
    assert.equal((await closeFrame(big)).code, 1011);
    big.destroy();
    const fits = await RawClient.open(`${worker.url}?user=bob&pad=15000`, ["feed.v1"]);
    fits.send({ type: "join", topic: "news" });
    await fits.next((m) => m.type === "joined");
    fits.send({ type: "post", topic: "news", n: 0, text: "grow" });
    assert.equal((await fits.closed).code, 1011);
    const errors = (await stats()).errors;
    assert.equal(errors.length, 2, errors.join("\n"));
    for (const error of errors) {
      assert.match(error, /conn\.data and its topics take \d+ bytes, over the 16384 a Durable Object keeps/);
    }
  });
});

test("the protocol's ping is answered without waking the object; any other frame wakes it", async () => {
  await withWorker(async (worker, stats) => {
    const client = await RawClient.open(`${worker.url}echo`, ["echo.v1"]);
    client.send({ type: "say", seq: 1, text: "hi" });
    await client.next((m) => m.type === "echo");
    await worker.hibernate("EchoObject", "echo");
    const built = (await stats()).echoBuilt;
    client.send('{"type":"ping","seq":0}');
    assert.equal((await client.next((m) => m.type === "pong")).text, '{"type":"pong","seq":0}');
    assert.equal((await stats()).echoBuilt, built, "the object stayed asleep");
    client.send({ type: "ping", seq: 5 });
    assert.equal((await client.next((m) => m.type === "pong")).json.seq, 6, "answered by the handler");
    assert.equal((await stats()).echoBuilt, built + 1, "woken");
    client.close();
  });
});

test("on a host that hibernates, the typed server keeps no timer once every connection has spoken", async () => {
  const live = new Set<unknown>();
  const realSet = globalThis.setInterval;
  const realClear = globalThis.clearInterval;
  globalThis.setInterval = ((handler: () => void, ms?: number) => {
    const timer = realSet(handler, ms);
    live.add(timer);
    return timer;
  }) as typeof setInterval;
  globalThis.clearInterval = ((timer: ReturnType<typeof setInterval>) => {
    live.delete(timer);
    realClear(timer);
  }) as typeof clearInterval;
  try {
    const server = createServer(echoProtocol, {
      handlers: { say: () => {}, ping: ({ seq }, conn) => conn.send({ type: "pong", seq }) },
    });
    let handlers: SocketHandlers | undefined;
    const listening = await server.listen({}, (_options, given) => {
      handlers = given;
      return { hostname: "", port: 0, url: "", connections: 0, hibernates: true, publish() {}, stop: async () => {} };
    });
    assert.equal(live.size, 0, "no timer before any connection (the server's own cluster has no heartbeat)");
    const sent: string[] = [];
    const socket: ServerSocket = {
      protocol: "",
      origin: undefined,
      remoteAddress: "127.0.0.1",
      data: undefined,
      bufferedAmount: 0,
      send: (frame) => (sent.push(frame), true),
      close() {},
      subscribe() {},
      unsubscribe() {},
    };
    handlers?.open?.(socket);
    assert.equal(live.size, 1, "the first-message deadline runs while a connection has not spoken");
    handlers?.message(socket, '{"type":"ping","seq":1}');
    assert.deepEqual(sent, ['{"type":"pong","seq":1}']);
    await until(() => live.size === 0, "the clock stopped");
    await listening.stop();
  } finally {
    globalThis.setInterval = realSet;
    globalThis.clearInterval = realClear;
  }
});

test("a client cannot forge what the Worker tells the object: its data, address and topics are the Worker's", async () => {
  await withWorker(async (worker) => {
    const forged = new WS(`${worker.url}?user=eve&room=den`, ["feed.v1"], {
      headers: {
        "x-typewire-data": encodeURIComponent(JSON.stringify({ user: "admin", posts: 100 })),
        "x-typewire-topics": JSON.stringify(["room:secret"]),
        "x-typewire-address": "10.0.0.1",
      },
    });
    const frames: string[] = [];
    forged.on("message", (data) => frames.push(String(data)));
    await new Promise((resolve, reject) => (forged.once("open", resolve), forged.once("error", reject)));
    forged.send(JSON.stringify({ type: "join", topic: "news" }));
    forged.send(JSON.stringify({ type: "post", topic: "news", n: 0, text: "who am i" }));
    await until(() => frames.some((f) => f.includes('"entry"')), "eve's entry");
    const entry = JSON.parse(frames.find((f) => f.includes('"entry"')) as string);
    assert.equal(entry.n, 1, "its own count, not the forged one");
    assert.match(entry.text, /^eve#1: who am i \[news room:den\]$/);
    forged.close();
  });
});

test("the strikes of the policy survive hibernation: invalid, hibernate, invalid is the last strike", async () => {
  await withWorker(async (worker) => {
    const client = await RawClient.open(`${worker.url}?user=ann`, ["feed.v1"]);
    client.send({ type: "join", topic: "UPPER" });
    client.send({ type: "join", topic: "news" });
    await client.next((m) => m.type === "joined");
    await worker.hibernate("FeedObject", "lobby");
    client.send({ type: "join", topic: "ALSO UPPER" });
    const closed = await Promise.race([
      client.closed,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("not closed: the strike was forgotten")), 3_000)
      ),
    ]);
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /^invalid "join" message at \/topic/);
  });
});

/** The scenario server of tests/support/typed_scenario.ts as a Durable Object, and what its hooks saw. */
async function withScenario(
  scenario: Scenario,
  body: (worker: RunningWorker, events: () => Promise<ScenarioEvent[]>) => Promise<void>,
) {
  const worker = await startWorker({
    entry: "tests/cloudflare/scenario_worker.ts",
    durableObjects: { SCENARIOS: "ScenarioObject" },
    bindings: { SCENARIO: JSON.stringify(scenario) },
  });
  try {
    await body(worker, async () => (await fetch(`${worker.http}events`)).json());
  } finally {
    await worker.stop();
  }
}

test("the rate limit's bucket survives hibernation: a wake gives no frames back", async () => {
  await withScenario({ limits: { framesPerSecond: 0.1, burst: 3 } }, async (worker, events) => {
    const client = await RawClient.open(worker.url, ["echo.v1"]);
    await client.next((m) => m.type === "hello");
    for (let seq = 1; seq <= 3; seq++) client.send({ type: "ping", seq });
    await client.next((m) => m.type === "pong" && m.seq === 3);
    await worker.hibernate("ScenarioObject", "scenario");
    client.send({ type: "ping", seq: 4 });
    assert.deepEqual(await client.closed, { code: 1008, reason: "rate limit: more than 0.1 frames a second" });
    assert.ok((await events()).some((e) => e.kind === "refusal" && e.code === 1008));
  });
});

test("a peer that never answers the close frame is forgotten after closeTimeout: its close hook runs", async () => {
  await withScenario({ limits: { firstMessageTimeout: 300, closeTimeout: 500 } }, async (worker, events) => {
    const silent = await rawUpgraded(worker.port);
    silent.pause();
    const deadline = Date.now() + 5_000;
    let seen: ScenarioEvent[] = [];
    while (!seen.some((e) => e.kind === "close") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await events();
    }
    const close = seen.find((e) => e.kind === "close");
    assert.deepEqual(close && [close.kind, "code" in close && close.code], ["close", 1008], JSON.stringify(seen));
    silent.destroy();
  });
});

test("resumable topics on a Durable Object: resumed within the object's life, told `gone` after it hibernated", async () => {
  await withWorker(async (worker) => {
    const reader: Feed = connect(feedProtocol, `${worker.url}?user=ann&room=den`, {
      reconnect: { minDelay: 10, maxDelay: 50 },
    });
    reader.onEvent("open", () => reader.send({ type: "join", topic: "news" }));
    const seen = received(reader, "entry");
    const notices: { resumed: boolean; reason?: string }[] = [];
    reader.onEvent("resumed", (notice) => void notices.push(notice));
    await nextMessage(reader, "joined", { timeout: 10_000 });
    const writer = await member(worker, "bob", "den", "other");
    const post = (text: string) => writer.send({ type: "post", topic: "news", n: 0, text });
    post("one");
    await until(() => seen.length === 1, "the first entry");
    reader.reconnect();
    post("two");
    await until(() => notices.length === 1 && seen.length === 2, "resumed, with the entry missed meanwhile");
    assert.equal(notices[0]?.resumed, true);
    await worker.hibernate("FeedObject", "den");
    reader.reconnect();
    await until(() => notices.length === 2, "the second notice");
    assert.deepEqual([notices[1]?.resumed, notices[1]?.reason], [false, "gone"]);
    for (const client of [reader, writer]) client.close();
  });
});
