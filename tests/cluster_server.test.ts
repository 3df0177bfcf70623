/**
 * Typed servers sharing topics through a cluster, several instances in this
 * process, on every engine (memory, and the real Redis and NATS the tests
 * start): fan-out across instances, presence that heals when an instance
 * leaves or dies, and resumable topics that give a reconnecting client, on
 * another instance, every message it missed exactly once and in order, or
 * tell it honestly that they are beyond the window.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cluster, type PresenceChange } from "../src/backplane/cluster.ts";
import type { Backplane, BackplaneEvents, RecoveryWindow } from "../src/backplane/backplane.ts";
import { MemoryHub } from "../src/backplane/memory.ts";
import type { ListeningServer, TypedServer } from "../src/server/server_options.ts";
import { connect, nextMessage, type ResumedEventInfo, type TypewireClient } from "../src/client/mod.ts";
import type { UrlSource } from "../src/client/options.ts";
import { type FeedClientMessage, feedProtocol, type FeedServerMessage } from "./fixtures/generated/feed.ts";
import { feedServer } from "./support/feed_server.ts";
import { ENGINES } from "./support/backplanes.ts";
import { until } from "./reliability/verdict.ts";
import { nextEvent } from "./support/test_server.ts";
import { RESUME_PARAM } from "../src/runtime/resume_tokens.ts";

type Feed = TypewireClient<FeedServerMessage, FeedClientMessage>;

const LIVENESS = { heartbeatMs: 100, instanceTtlMs: 400 };

interface Instance {
  readonly server: TypedServer<FeedServerMessage, { user: string }>;
  readonly listening: ListeningServer;
  readonly cluster: Cluster;
}

/** Starts `count` feed servers on one engine; `stop` stops what is left of them, then the engine. */
async function cluster(
  engine: (typeof ENGINES)[number],
  count: number,
  options: { presence?: boolean; window?: Partial<RecoveryWindow> } = {},
) {
  const running = await engine.start();
  const instances: Instance[] = [];
  const clients: Feed[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const cluster = new Cluster(running.make(options.window), { ...LIVENESS, onStatus: () => {} });
      const server = feedServer({ cluster, ...(options.presence && { presence: true }) });
      instances.push({ server, cluster, listening: await server.listen({ port: 0 }) });
    }
  } catch (error) {
    await Promise.allSettled(instances.map(async (i) => (await i.listening.stop(), await i.cluster.close())));
    await running.stop();
    throw error;
  }
  const join = (urls: UrlSource, topic: string, user = "someone") => {
    const source = typeof urls === "string" ? `${urls}?user=${user}` : urls;
    const client: Feed = connect(feedProtocol, source, { reconnect: { minDelay: 50, maxDelay: 200 } });
    clients.push(client);
    client.onEvent("open", () => client.send({ type: "join", topic }));
    return client;
  };
  const stop = async () => {
    for (const client of clients) client.close();
    await Promise.allSettled(instances.map(async (i) => (await i.listening.stop(), await i.cluster.close())));
    await running.stop();
  };
  return { instances, url: (i: number) => (instances[i] as Instance).listening.url, join, stop };
}

/** The `n` of every entry a client receives, in order. */
function entries(client: Feed): number[] {
  const seen: number[] = [];
  client.on("entry", (entry) => seen.push(entry.n));
  return seen;
}

const inOrder = (seen: readonly number[], count: number) => seen.length === count && seen.every((n, i) => n === i);

for (const engine of ENGINES) {
  test(`${engine.name}: a message published on one instance reaches every instance's subscribers once, in order`, async () => {
    const { instances, url, join, stop } = await cluster(engine, 3);
    try {
      const clients = [0, 1, 2].map((i) => join(url(i), "news"));
      const seen = clients.map(entries);
      await Promise.all(clients.map((client) => nextMessage(client, "joined", { timeout: 5_000 })));
      for (let n = 0; n < 100; n++) {
        instances[n % 3]!.server.publish("news", { type: "entry", topic: "news", n, text: "x" });
      }
      assert.ok(
        await until(() => seen.every((s) => s.length >= 100), 10_000),
        `all got 100: ${seen.map((s) => s.length)}`,
      );
      // Published from three instances: one order, the log's, on every client.
      assert.deepEqual(seen[1], seen[0]);
      assert.deepEqual(seen[2], seen[0]);
      assert.equal(new Set(seen[0]).size, 100, "no duplicates");
    } finally {
      await stop();
    }
  });

  test(`${engine.name}: presence shows every instance's members, and heals when one leaves or dies`, async () => {
    const { instances, url, join, stop } = await cluster(engine, 3, { presence: true });
    try {
      const changes: PresenceChange[] = [];
      instances[0]!.cluster.onPresence((change) => changes.push(change));
      const users = ["ann", "bob", "cat"].map((user, i) => join(url(i), "room", user));
      await Promise.all(users.map((client) => nextMessage(client, "joined", { timeout: 5_000 })));
      const labels = (i: number) => instances[i]!.server.members("room").map((m) => m.label).sort().join();
      assert.ok(await until(() => [0, 1, 2].every((i) => labels(i) === "ann,bob,cat"), 5_000), labels(0));

      users[1]!.close();
      assert.ok(await until(() => labels(0) === "ann,cat" && labels(2) === "ann,cat", 5_000), labels(0));
      assert.ok(changes.some((c) => c.member.label === "bob" && !c.joined && c.reason === "closed"));

      // Instance 2 dies without a word: its connection to the engine goes, its heartbeats stop.
      const dead = instances[2]!;
      const started = Date.now();
      await dead.cluster.backplane.close();
      assert.ok(await until(() => labels(0) === "ann" && labels(1) === "ann", 5_000), labels(0));
      const took = Date.now() - started;
      assert.ok(took <= instances[0]!.cluster.presenceBound + 500, `healed in ${took} ms`);
      assert.ok(changes.some((c) => c.member.label === "cat" && c.reason === "instance-dead"));
    } finally {
      await stop();
    }
  });

  test(`${engine.name}: a client that fails over to another instance gets what it missed, once, in order`, async () => {
    const { instances, url, join, stop } = await cluster(engine, 3);
    try {
      const client = join([url(0), url(1)], "prices");
      const seen = entries(client);
      const resumed: ResumedEventInfo[] = [];
      client.onEvent("resumed", (event) => resumed.push(event));
      await nextMessage(client, "joined", { timeout: 5_000 });
      const publisher = instances[2]!.server;
      let n = 0;
      const publish = (count: number) => {
        for (const end = n + count; n < end;) {
          publisher.publish("prices", { type: "entry", topic: "prices", n: n++, text: "p" });
        }
      };
      publish(50);
      assert.ok(await until(() => seen.length === 50, 5_000), `got ${seen.length} of the first 50`);
      // Instance 0 stops; while the client fails over to instance 1, the stream goes on.
      const stopping = instances[0]!.listening.stop().then(() => instances[0]!.cluster.close());
      publish(50);
      await stopping;
      const timer = setInterval(() => publish(5), 5);
      assert.ok(await until(() => resumed.length > 0, 10_000), "a resumed event");
      clearInterval(timer);
      publish(10);
      const missing = () => Array.from({ length: n }, (_, i) => i).filter((i) => !seen.includes(i));
      assert.ok(await until(() => seen.length === n, 10_000), `got ${seen.length} of ${n}: missing ${missing()}`);
      assert.ok(inOrder(seen, n), "every message once, in order");
      assert.ok(resumed[0]?.resumed === true && resumed[0].replayed > 0, JSON.stringify(resumed[0]));
      assert.equal(resumed[0]?.topic, "prices");
    } finally {
      await stop();
    }
  });

  test(`${engine.name}: beyond the window, the client is told it did not resume, then gets the live stream`, async () => {
    const { instances, url, join, stop } = await cluster(engine, 2, { window: { maxMessages: 5 } });
    try {
      // The client fails over to instance 1 only once the test lets it: after the log has moved past the window.
      let letThrough = () => {};
      const gate = new Promise<void>((resolve) => (letThrough = resolve));
      let dials = 0;
      const client = join(async () => dials++ === 0 ? url(0) : (await gate, url(1)), "scores");
      const seen = entries(client);
      await nextMessage(client, "joined", { timeout: 5_000 });
      const publish = (n: number) =>
        instances[1]!.server.publish("scores", { type: "entry", topic: "scores", n, text: "s" });
      publish(0);
      assert.ok(await until(() => seen.length === 1, 5_000));
      await instances[0]!.listening.stop();
      await instances[0]!.cluster.close();
      for (let n = 1; n <= 20; n++) publish(n);
      assert.ok(await until(() => instances[1]!.cluster.outbox === 0, 5_000), "the 20 are stored");
      letThrough();
      const notice = await nextEvent<ResumedEventInfo>(client, "resumed", 10_000);
      assert.equal(notice.resumed, false);
      assert.equal(notice.resumed === false && notice.reason, "gone");
      publish(21);
      assert.ok(await until(() => seen.at(-1) === 21, 5_000), `live again: ${seen}`);
    } finally {
      await stop();
    }
  });
}

/** A standard WebSocket with a hand-made resume parameter: what a hostile or broken client can send. */
function rawClient(url: string, resume: string | undefined) {
  const query = resume === undefined ? "" : `?${RESUME_PARAM}=${encodeURIComponent(resume)}`;
  const socket = new WebSocket(`${url}${query}`, "feed.v1");
  const frames: Record<string, unknown>[] = [];
  socket.onmessage = (event) => frames.push(JSON.parse(String(event.data)));
  const opened = new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`could not connect to ${url} with a query of ${query.length} characters`));
  });
  return { socket, frames, opened };
}

/** A raw client (no resume parameter) joined to `topic`; its socket is added to `sockets` for the test to close. */
async function joinedRaw(url: string, topic: string, sockets: WebSocket[]) {
  const client = rawClient(url, undefined);
  sockets.push(client.socket);
  await client.opened;
  client.socket.send(JSON.stringify({ type: "join", topic }));
  assert.ok(await until(() => client.frames.some((f) => f.type === "joined"), 5_000), `joined ${topic}`);
  return client;
}

test("memory: plain messages reach every instance's subscribers once, in order, without a position", async () => {
  const { url, join, stop } = await cluster(ENGINES[0]!, 3);
  try {
    const clients = [0, 1, 2].map((i) => join(url(i), "chatter"));
    const notes = clients.map(() => [] as number[]);
    clients.forEach((client, i) =>
      client.on("note", (note) => {
        assert.equal("pos" in note, false, "a plain message carries no position");
        notes[i]!.push(note.n);
      })
    );
    await Promise.all(clients.map((client) => nextMessage(client, "joined", { timeout: 5_000 })));
    for (let n = 0; n < 50; n++) clients[n % 3]!.send({ type: "shout", topic: "chatter", n });
    assert.ok(await until(() => notes.every((n) => n.length === 50), 5_000), `${notes.map((n) => n.length)}`);
    // Each client's own shouts arrive in the order it sent them, on every instance.
    for (const seen of notes) {
      for (let sender = 0; sender < 3; sender++) {
        const from = seen.filter((n) => n % 3 === sender);
        assert.deepEqual(from, [...from].sort((a, b) => a - b));
      }
    }
  } finally {
    await stop();
  }
});

test("memory: a hostile resume parameter is ignored, or answered for the topics the server subscribes, never more", async () => {
  const { instances, url, stop } = await cluster(ENGINES[0]!, 1);
  const sockets: WebSocket[] = [];
  try {
    const server = instances[0]!.server;
    // A first client makes the topics' logs exist.
    const first = await joinedRaw(url(0), "open", sockets);
    for (let n = 0; n < 3; n++) {
      server.publish("open", { type: "entry", topic: "open", n, text: "o" });
      server.publish("secret", { type: "entry", topic: "secret", n, text: "s" });
    }
    assert.ok(await until(() => first.frames.filter((f) => f.type === "entry").length === 3, 5_000));

    const cases: [string, string | undefined][] = [
      ["not JSON", "{"],
      ["not an array", '"1:open"'],
      ["too many tokens", JSON.stringify(Array.from({ length: 65 }, (_, i) => `1:t${i}`))],
      ["a token without a position", JSON.stringify([":open"])],
      // Past 16 KiB, whatever its form; the runtime may refuse so long a URL itself (Bun: over 16 KiB of headers).
      ["a huge parameter", JSON.stringify(["1:" + "x".repeat(12_000), "2:" + "y".repeat(4_500)])],
    ];
    for (const [what, param] of cases) {
      const client = rawClient(url(0), param);
      sockets.push(client.socket);
      if (!await client.opened.then(() => true, () => false)) {
        assert.equal(what, "a huge parameter", `${what}: refused at the upgrade`);
        continue;
      }
      client.socket.send(JSON.stringify({ type: "join", topic: "open" }));
      assert.ok(await until(() => client.frames.some((f) => f.type === "joined"), 5_000), `${what}: joined`);
      server.publish("open", { type: "entry", topic: "open", n: 100, text: "live" });
      assert.ok(await until(() => client.frames.some((f) => f.n === 100), 5_000), `${what}: live entries flow`);
      assert.ok(!client.frames.some((f) => f.type === "typewire:resumed"), `${what}: no notice`);
      assert.ok(!client.frames.some((f) => f.type === "entry" && f.n !== 100), `${what}: nothing replayed`);
      server.publish("open", { type: "entry", topic: "open", n: 101, text: "live" });
    }

    // Positions for a topic the server never subscribes this connection to: nothing of it is sent.
    const snoop = rawClient(url(0), JSON.stringify(["1:secret", "999999:open"]));
    sockets.push(snoop.socket);
    await snoop.opened;
    snoop.socket.send(JSON.stringify({ type: "join", topic: "open" }));
    assert.ok(await until(() => snoop.frames.some((f) => f.type === "typewire:resumed"), 5_000), "a notice");
    const notice = snoop.frames.find((f) => f.type === "typewire:resumed");
    assert.equal(notice?.topic, "open");
    assert.equal(notice?.resumed, false);
    assert.equal(notice?.reason, "invalid", "a position this topic never had");
    server.publish("secret", { type: "entry", topic: "secret", n: 9, text: "s" });
    server.publish("open", { type: "entry", topic: "open", n: 200, text: "live" });
    assert.ok(await until(() => snoop.frames.some((f) => f.n === 200), 5_000));
    assert.ok(!snoop.frames.some((f) => f.topic === "secret"), "no entry of a topic it was not subscribed to");
  } finally {
    for (const socket of sockets) socket.close();
    await stop();
  }
});

test("memory: when an instance missed entries of a topic (a long outage), its subscribers are told, not left with a gap", async () => {
  const inner = new MemoryHub().backplane();
  let events: BackplaneEvents | undefined;
  // The memory engine, and the report of a gap a real engine makes after an outage longer than the window.
  const backplane: Backplane = {
    engine: inner.engine,
    window: inner.window,
    start: (heard) => (events = heard, inner.start(heard)),
    publish: (topic, frame) => inner.publish(topic, frame),
    subscribe: (topic) => inner.subscribe(topic),
    unsubscribe: (topic) => inner.unsubscribe(topic),
    append: (topic, frame, id) => inner.append(topic, frame, id),
    follow: (topic) => inner.follow(topic),
    unfollow: (topic) => inner.unfollow(topic),
    read: (topic, position) => inner.read(topic, position),
    compare: (a, b) => inner.compare(a, b),
    announce: (payload) => inner.announce(payload),
    close: () => inner.close(),
  };
  const cluster = new Cluster(backplane, { onStatus: () => {} });
  const server = feedServer({ cluster });
  const listening = await server.listen({ port: 0 });
  const client: Feed = connect(feedProtocol, listening.url, { reconnect: false });
  try {
    client.send({ type: "join", topic: "quotes" });
    await nextMessage(client, "joined", { timeout: 5_000 });
    const notice = nextEvent<ResumedEventInfo>(client, "resumed", 5_000);
    events?.gap("quotes", "entries after 7 were trimmed from the log before they were read");
    const told = await notice;
    assert.equal(told.topic, "quotes");
    assert.ok(!told.resumed && told.reason === "gone" && told.message.includes("trimmed"), JSON.stringify(told));
  } finally {
    client.close();
    await listening.stop();
    await cluster.close();
  }
});

test("memory: a resumed topic the server does not subscribe again within 5 s is told `not-subscribed`", async () => {
  const { instances, url, stop } = await cluster(ENGINES[0]!, 1);
  const sockets: WebSocket[] = [];
  try {
    const server = instances[0]!.server;
    const first = await joinedRaw(url(0), "weather", sockets);
    server.publish("weather", { type: "entry", topic: "weather", n: 1, text: "rain", pos: "made-up" });
    assert.ok(await until(() => first.frames.some((f) => f.type === "entry"), 5_000));
    const token = first.frames.find((f) => f.type === "entry")?.pos as string;
    assert.notEqual(token, "made-up", "the cluster writes the position, not the publisher");

    // The client comes back with its token, and the application forgets to join again.
    const started = Date.now();
    const back = rawClient(url(0), JSON.stringify([token]));
    sockets.push(back.socket);
    await back.opened;
    assert.ok(await until(() => back.frames.some((f) => f.type === "typewire:resumed"), 8_000), "a notice");
    const notice = back.frames.find((f) => f.type === "typewire:resumed");
    assert.equal(notice?.reason, "not-subscribed", JSON.stringify(notice));
    assert.ok(Date.now() - started >= 4_500, "after the grace period");
  } finally {
    for (const socket of sockets) socket.close();
    await stop();
  }
});

test("publishing before the server listens (or its cluster starts) says so", async () => {
  const cluster = new Cluster(new MemoryHub().backplane());
  const server = feedServer({ cluster });
  assert.throws(
    () => server.publish("t", { type: "note", topic: "t", n: 1 }),
    /not listening \(a process that only publishes: cluster\.start\(\)\)/,
  );
  await cluster.start();
  server.publish("t", { type: "note", topic: "t", n: 1 });
  assert.throws(
    () => server.publish("x".repeat(2_000), { type: "entry", topic: "t", n: 1, text: "" }),
    /at most 959 characters/,
  );
  assert.throws(() => server.members("t"), /presence is off/);
  await cluster.close();
});
