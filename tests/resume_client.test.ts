/**
 * The client's side of resumable topics, against a raw WebSocket server
 * written here (`Bun.serve` under `bun test`, `Deno.serve` under `deno test`)
 * that stamps `pos` tokens, drops connections and sends resume notices, so
 * that every frame and every URL is the test's own: the tokens the client
 * keeps and puts in the URL of each reconnection, its `resumed` events, and
 * the frames it refuses as notices.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type ClientOptions,
  connect,
  nextMessage,
  type ResumedEventInfo,
  type TypewireClient,
  type UrlSource,
} from "../src/client/mod.ts";
import {
  encodeResumed,
  formatToken,
  MAX_RESUMABLE_TOPIC_LENGTH,
  MAX_RESUME_PARAM_LENGTH,
  MAX_RESUME_TOPICS,
  MAX_RESUME_URL_LENGTH,
  parseResumed,
  parseResumeParam,
  parseToken,
  RESUME_PARAM,
  RESUMED_TYPE,
} from "../src/runtime/resume_tokens.ts";
import {
  type FeedClientMessage,
  feedClientProtocol,
  feedProtocol,
  type FeedServerMessage,
} from "./fixtures/generated/feed.ts";
import { echoProtocol } from "./fixtures/generated/echo.ts";

/** One connection, as the raw server sees it. */
interface Peer {
  /** The URL the client dialed. */
  readonly url: URL;
  send(frame: string): void;
  close(code: number, reason: string): void;
}

/** A raw WebSocket server on 127.0.0.1: it accepts every upgrade (selecting the first subprotocol offered). */
class RawServer {
  readonly peers: Peer[] = [];
  #waiting: (() => void)[] = [];
  #open = new Set<Peer>();

  /** Where it listens, e.g. `ws://127.0.0.1:41234/`. */
  url = "";
  #shutdown: () => Promise<void> = () => Promise.resolve();

  /** Called once the runtime's server listens. */
  listening(url: string, shutdown: () => Promise<void>): this {
    this.url = url;
    this.#shutdown = shutdown;
    return this;
  }

  /** Called by the runtime's server when a connection opens. */
  added(peer: Peer): void {
    this.peers.push(peer);
    this.#open.add(peer);
    for (const wake of this.#waiting.splice(0)) wake();
  }

  removed(peer: Peer): void {
    this.#open.delete(peer);
  }

  /** The `count`-th connection (1 for the first), once it is open. */
  async opened(count: number, timeout = 5_000): Promise<Peer> {
    const deadline = Date.now() + timeout;
    while (this.peers.length < count) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve, reject) => {
        this.#waiting.push(resolve);
        timer = setTimeout(
          () => reject(new Error(`no connection ${count} within ${timeout} ms`)),
          Math.max(0, deadline - Date.now()),
        );
      }).finally(() => clearTimeout(timer));
    }
    return this.peers[count - 1]!;
  }

  async stop(): Promise<void> {
    for (const peer of this.#open) peer.close(1001, "server stopping");
    await this.#shutdown();
  }
}

/** What this file uses of `Bun.serve`. */
interface BunServe {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: { upgrade(request: Request, options: object): boolean }): Response | undefined;
    websocket: {
      open(ws: BunSocket): void;
      message(ws: BunSocket, data: unknown): void;
      close(ws: BunSocket): void;
    };
  }): { readonly port: number; stop(force: boolean): Promise<void> | void };
}
interface BunSocket {
  readonly data: { url: string; peer?: Peer };
  send(frame: string): void;
  close(code: number, reason: string): void;
}

/** What this file uses of `Deno.serve`. */
interface DenoServe {
  serve(
    options: { hostname: string; port: number; onListen(address: { port: number }): void },
    handler: (request: Request) => Response,
  ): { shutdown(): Promise<void> };
  upgradeWebSocket(request: Request, options: { protocol?: string }): { socket: WebSocket; response: Response };
}

/** The subprotocol the client offered first: what the server selects. */
function firstOffered(request: Request): string | undefined {
  return request.headers.get("sec-websocket-protocol")?.split(",")[0]?.trim() || undefined;
}

/** Starts a raw server on this runtime. */
async function startRawServer(): Promise<RawServer> {
  const runtimes = globalThis as unknown as { Bun?: BunServe; Deno?: DenoServe };
  if (runtimes.Bun !== undefined) {
    const server = new RawServer();
    const bun = runtimes.Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request, upgrader) {
        const protocol = firstOffered(request);
        const headers = protocol === undefined ? {} : { "Sec-WebSocket-Protocol": protocol };
        if (upgrader.upgrade(request, { data: { url: request.url }, headers })) return undefined;
        return new Response("a WebSocket server", { status: 426 });
      },
      websocket: {
        open(ws) {
          const peer: Peer = {
            url: new URL(ws.data.url),
            send: (frame) => ws.send(frame),
            close: (code, reason) => ws.close(code, reason),
          };
          ws.data.peer = peer;
          server.added(peer);
        },
        message() {},
        close(ws) {
          if (ws.data.peer !== undefined) server.removed(ws.data.peer);
        },
      },
    });
    return server.listening(`ws://127.0.0.1:${bun.port}/`, async () => void await bun.stop(true));
  }
  const deno = runtimes.Deno;
  if (deno === undefined) throw new Error("these tests run on Bun or Deno");
  const server = new RawServer();
  const listening = Promise.withResolvers<{ port: number }>();
  const running = deno.serve({ hostname: "127.0.0.1", port: 0, onListen: listening.resolve }, (request) => {
    const protocol = firstOffered(request);
    const { socket, response } = deno.upgradeWebSocket(request, protocol === undefined ? {} : { protocol });
    const peer: Peer = {
      url: new URL(request.url),
      send: (frame) => socket.send(frame),
      close: (code, reason) => socket.readyState === WebSocket.OPEN && socket.close(code, reason),
    };
    socket.onopen = () => server.added(peer);
    socket.onclose = () => server.removed(peer);
    return response;
  });
  const { port } = await listening.promise;
  return server.listening(`ws://127.0.0.1:${port}/`, () => running.shutdown());
}

type FeedClient = TypewireClient<FeedServerMessage, FeedClientMessage, "type">;

/** A feed client that reconnects at once, recording what a test checks. */
function feedClient(url: UrlSource, options: ClientOptions<FeedServerMessage, FeedClientMessage, "type"> = {}) {
  const dialed: string[] = [];
  const log: string[] = [];
  const resumed: ResumedEventInfo[] = [];
  const unknown: string[] = [];
  /** Records every URL the client dials. */
  const Recording = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      dialed.push(String(url));
      super(url, protocols);
    }
  };
  const client: FeedClient = connect(feedClientProtocol, url, {
    WebSocket: Recording,
    reconnect: { minDelay: 0, random: () => 0 },
    ...options,
  });
  client.onEvent("resumed", (event) => {
    resumed.push(event);
    log.push(`resumed ${event.topic}`);
  });
  client.onEvent("unknown", (event) => unknown.push(event.frame));
  client.onEvent("open", () => log.push("open"));
  return { client, dialed, log, resumed, unknown };
}

/** An entry of `topic`, stamped with `position` (as the server would: `formatToken`), or with `pos` as given. */
function entry(topic: string, n: number, position?: string, pos?: unknown): string {
  const stamped = position === undefined ? pos : formatToken(position, topic);
  return JSON.stringify({
    type: "entry",
    topic: "t",
    n,
    text: `entry ${n}`,
    ...(stamped !== undefined && { pos: stamped }),
  });
}

/** Sends frames, then a `joined` marker, and resolves once the client has handled them all (frames keep order). */
async function deliver(client: FeedClient, peer: Peer, frames: readonly string[]): Promise<void> {
  const marker = `sync-${Math.random().toString(36).slice(2, 10)}`;
  const handled = nextMessage(client, "joined", { filter: (m) => m.topic === marker, timeout: 5_000 });
  for (const frame of frames) peer.send(frame);
  peer.send(JSON.stringify({ type: "joined", topic: marker }));
  await handled;
}

/** Resolves once the client is open (at once when it is). */
async function opened(client: FeedClient): Promise<void> {
  if (client.readyState === 1) return;
  await new Promise<void>((resolve) => client.onEvent("open", () => resolve(), { once: true }));
}

/** The tokens in a URL's parameter, in order; `undefined` when it has none. */
function tokensIn(url: URL | string): string[] | undefined {
  const value = new URL(url).searchParams.get(RESUME_PARAM);
  return value === null ? undefined : JSON.parse(value);
}

/** A resume notice as the server writes it, with the fields as given. */
function notice(fields: Record<string, unknown>): string {
  return JSON.stringify({ type: "typewire:resumed", ...fields });
}

test("a reconnection's URL carries exactly the last token of each topic, newest first", async () => {
  const server = await startRawServer();
  const { client, dialed } = feedClient(`${server.url}feed`);
  try {
    const first = await server.opened(1);
    assert.equal(first.url.searchParams.get(RESUME_PARAM), null, "nothing to resume on the first connection");
    await deliver(client, first, [
      entry("news", 1, "1"),
      entry("news", 2, "2"),
      entry("room:lobby", 3, "17"),
      entry("news", 4, "3"),
      entry("sport", 5, "1"),
      entry("sport", 6, undefined, "no-colon"), // not a token: the topic keeps its last one
      entry("sport", 7, undefined, ":no-position"),
      entry("sport", 8, undefined, `${"9".repeat(65)}:too-long-a-position`),
      entry("other", 9), // no position at all
      JSON.stringify({ type: "joined", topic: "x", pos: "5:joined-is-not-resumable" }),
    ]);
    first.close(4000, "dropped by the test");
    const second = await server.opened(2);
    assert.deepEqual(tokensIn(second.url), ["1:sport", "3:news", "17:room:lobby"]);
    assert.deepEqual(
      parseResumeParam(second.url.searchParams.get(RESUME_PARAM)),
      new Map([["sport", "1"], ["news", "3"], ["room:lobby", "17"]]),
    );
    assert.equal(second.url.pathname, "/feed");
    assert.equal(dialed[1], second.url.href.replace(/^http/, "ws"), "the URL dialed is the URL the server sees");
  } finally {
    await client.close();
    await server.stop();
  }
});

test("the server's notices are typed resumed events, of both kinds, and never unknown events", async () => {
  const server = await startRawServer();
  const { client, resumed, unknown } = feedClient(server.url, { strict: true });
  const handled: string[] = [];
  client.on("entry", (m) => void handled.push(m.pos ?? "none"));
  try {
    const first = await server.opened(1);
    await deliver(client, first, [entry("news", 1, "4"), entry("sport", 2, "9")]);
    first.close(4000, "dropped by the test");
    const second = await server.opened(2);
    assert.deepEqual(tokensIn(second.url), ["9:sport", "4:news"]);
    await deliver(client, second, [
      notice({ topic: "news", resumed: true, replayed: 2 }),
      entry("news", 3, "5"),
      entry("news", 4, "6"),
      notice({ topic: "sport", resumed: false, reason: "gone", message: "beyond the recovery window" }),
      notice({ topic: "a", resumed: false, reason: "invalid", message: "" }),
      notice({ topic: "b", resumed: false, reason: "unreachable", message: "the log did not answer" }),
      notice({ topic: "c", resumed: false, reason: "too-many-topics", message: "64 at most" }),
    ]);
    assert.deepEqual(resumed, [
      { type: "resumed", topic: "news", resumed: true, replayed: 2 },
      { type: "resumed", topic: "sport", resumed: false, reason: "gone", message: "beyond the recovery window" },
      { type: "resumed", topic: "a", resumed: false, reason: "invalid", message: "" },
      { type: "resumed", topic: "b", resumed: false, reason: "unreachable", message: "the log did not answer" },
      { type: "resumed", topic: "c", resumed: false, reason: "too-many-topics", message: "64 at most" },
    ]);
    assert.deepEqual(unknown, []);
    assert.deepEqual(handled, ["4:news", "9:sport", "5:news", "6:news"], "notices reach no handler");
    const narrowed = resumed.map((e) => e.resumed ? `${e.topic} +${e.replayed}` : `${e.topic} ${e.reason}`);
    assert.deepEqual(narrowed, ["news +2", "sport gone", "a invalid", "b unreachable", "c too-many-topics"]);

    second.close(4000, "dropped again");
    const third = await server.opened(3);
    assert.deepEqual(tokensIn(third.url), ["6:news", "9:sport"], "a topic that was not resumed keeps its token");
  } finally {
    await client.close();
    await server.stop();
  }
});

test("a malformed notice is an unknown event, whatever it holds, and never throws", async () => {
  const server = await startRawServer();
  const { client, resumed, unknown } = feedClient(server.url);
  const huge = "x".repeat(100_000);
  const malformed = [
    notice({ topic: "news", resumed: true }),
    notice({ resumed: true, replayed: 1 }),
    notice({ topic: "news", replayed: 1 }),
    notice({ topic: "news", resumed: true, replayed: -1 }),
    notice({ topic: "news", resumed: true, replayed: 1.5 }),
    notice({ topic: "news", resumed: true, replayed: "2" }),
    notice({ topic: "news", resumed: true, replayed: 2 ** 53 }),
    notice({ topic: "news", resumed: "true", replayed: 1 }),
    notice({ topic: "news", resumed: 1, replayed: 1 }),
    notice({ topic: 7, resumed: true, replayed: 1 }),
    notice({ topic: null, resumed: true, replayed: 1 }),
    notice({ topic: "news", resumed: true, replayed: 1, extra: true }),
    notice({ topic: "news", resumed: true, replayed: 1, reason: "gone" }),
    notice({ topic: "news", resumed: false, reason: "gone" }),
    notice({ topic: "news", resumed: false, message: "no reason" }),
    notice({ topic: "news", resumed: false, reason: "lost", message: "an unknown reason" }),
    notice({ topic: "news", resumed: false, reason: ["gone"], message: "" }),
    notice({ topic: "news", resumed: false, reason: "gone", message: 404 }),
    notice({ topic: "news", resumed: false, reason: "gone", message: "", replayed: 0 }),
    notice({ topic: huge, resumed: true, replayed: 1 }),
    notice({ topic: "news", resumed: false, reason: "gone", message: huge }),
    notice({ topic: { toString: "news" }, resumed: true, replayed: 1 }),
    '{"type":"typewire:resumed","topic":"news","resumed":true,"replayed":1,"__proto__":{"x":1}}',
    '{"type":"typewire:resumed","type":"typewire:resumed","topic":"news","resumed":true,"replayed":1,"constructor":1}',
  ];
  try {
    const first = await server.opened(1);
    await deliver(client, first, malformed);
    assert.deepEqual(resumed, []);
    assert.deepEqual(unknown, malformed);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("the client keeps the tokens of 64 topics, the most recently updated; the others are reported when it dials", async () => {
  const server = await startRawServer();
  const { client, log, resumed } = feedClient(server.url);
  const topics = Array.from({ length: MAX_RESUME_TOPICS + 6 }, (_, i) => `t${i}`); // t0 ... t69
  try {
    const first = await server.opened(1);
    await deliver(client, first, [...topics.map((topic) => entry(topic, 1, "1")), entry("t5", 2, "2")]);
    first.close(4000, "dropped by the test");
    const second = await server.opened(2);
    const expected = ["2:t5", ...topics.slice(7).reverse().map((topic) => `1:${topic}`)];
    assert.equal(expected.length, MAX_RESUME_TOPICS);
    assert.deepEqual(tokensIn(second.url), expected);
    await opened(client);
    const pushedOut = ["t0", "t1", "t2", "t3", "t4", "t6"];
    assert.deepEqual(resumed.map((e) => e.topic), pushedOut);
    for (const event of resumed) {
      assert.ok(!event.resumed && event.reason === "too-many-topics", JSON.stringify(event));
      assert.match(event.message, /more than 64 topics/);
    }
    assert.deepEqual(log, ["open", ...pushedOut.map((topic) => `resumed ${topic}`), "open"], "at once, on dialling");

    second.close(4000, "dropped again");
    const third = await server.opened(3);
    assert.deepEqual(tokensIn(third.url), expected, "the same tokens, and no new report");
    assert.equal(resumed.length, pushedOut.length);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("the tokens stay within a URL of 8 KiB; those left out are reported at once; other parameters are kept", async () => {
  const server = await startRawServer();
  const base = `${server.url}feed?room=1&${RESUME_PARAM}=stale&sig=a%2Fb~c'd`;
  const { client, dialed, log, resumed } = feedClient(base);
  // Topics of 900 characters, some that URLs must escape (and one `'`, which the URL parser escapes itself).
  const topics = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, "0")} é&#'${"x".repeat(893)}`);
  try {
    const first = await server.opened(1);
    assert.equal(first.url.searchParams.get(RESUME_PARAM), "stale", "before any token, the URL is as given");
    await deliver(client, first, topics.map((topic, i) => entry(topic, i, String(1000 + i))));
    first.close(4000, "dropped by the test");
    const second = await server.opened(2);
    const sent = tokensIn(second.url)!;
    assert.ok(dialed[1]!.length <= MAX_RESUME_URL_LENGTH, `${dialed[1]!.length} characters`);
    const kept = topics.slice(-sent.length).reverse();
    assert.deepEqual(sent, kept.map((topic) => formatToken(String(1000 + topics.indexOf(topic)), topic)));
    assert.ok(sent.length >= 6 && sent.length < topics.length, `${sent.length} tokens fit`);
    const leftOut = topics.slice(0, topics.length - sent.length).reverse();
    assert.deepEqual(resumed.map((e) => e.topic), leftOut);
    for (const event of resumed) {
      assert.ok(!event.resumed && event.reason === "too-many-topics");
      assert.match(event.message, /do not fit in a URL of 8192 characters/);
    }
    await opened(client);
    assert.deepEqual(log, ["open", ...leftOut.map((topic) => `resumed ${topic}`), "open"]);
    assert.equal(second.url.searchParams.get("room"), "1");
    assert.equal(second.url.searchParams.getAll(RESUME_PARAM).length, 1, "the stale parameter is replaced");
    assert.ok(dialed[1]!.includes("&sig=a%2Fb~c%27d&"), "other parameters keep their bytes");
    const next = topics[topics.length - sent.length - 1]!;
    const oneMore = encodeURIComponent(`,${JSON.stringify(formatToken("1000", next))}`).replaceAll("'", "%27");
    assert.ok(
      dialed[1]!.length + oneMore.length > MAX_RESUME_URL_LENGTH,
      "the budget is used up: one more token would not fit",
    );
  } finally {
    await client.close();
    await server.stop();
  }
});

for (const source of ["a list of URLs", "a provider function"] as const) {
  test(`tokens survive several reconnections, across servers, with ${source}`, async () => {
    const servers = [await startRawServer(), await startRawServer()] as const;
    const urls = servers.map((s) => s.url);
    let turn = 0;
    const url: UrlSource = source === "a list of URLs" ? urls : () => Promise.resolve(urls[turn++ % 2]!);
    const { client, resumed } = feedClient(url);
    const [a, b] = servers;
    try {
      const first = await a.opened(1);
      await deliver(client, first, [entry("news", 1, "1"), entry("sport", 1, "1")]);
      first.close(4000, "dropped by the test");

      const second = await b.opened(1);
      assert.deepEqual(tokensIn(second.url), ["1:sport", "1:news"]);
      await deliver(client, second, [
        notice({ topic: "news", resumed: true, replayed: 0 }),
        notice({ topic: "sport", resumed: false, reason: "gone", message: "lost" }),
        entry("news", 2, "2"),
      ]);
      second.close(4000, "dropped by the test");

      const third = await a.opened(2);
      assert.deepEqual(tokensIn(third.url), ["2:news", "1:sport"]);
      third.close(4000, "dropped with nothing new");

      const fourth = await b.opened(2);
      assert.deepEqual(tokensIn(fourth.url), ["2:news", "1:sport"]);
      assert.deepEqual(resumed.map((e) => `${e.topic} ${e.resumed}`), ["news true", "sport false"]);
    } finally {
      await client.close();
      await Promise.all(servers.map((s) => s.stop()));
    }
  });
}

test("a protocol without resume never adds the parameter, and a notice is an unknown message to it", async () => {
  assert.equal(echoProtocol.resumeEngine, undefined);
  assert.equal(feedProtocol.resumeEngine !== undefined, true);
  const server = await startRawServer();
  const dialed: string[] = [];
  const Recording = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      dialed.push(String(url));
      super(url, protocols);
    }
  };
  const client = connect(echoProtocol, `${server.url}echo?x=1`, {
    WebSocket: Recording,
    reconnect: { minDelay: 0, random: () => 0 },
  });
  const unknown: string[] = [];
  const resumed: unknown[] = [];
  client.onEvent("unknown", (event) => unknown.push(event.frame));
  client.onEvent("resumed", (event) => resumed.push(event));
  const frames = [
    JSON.stringify({ type: "echo", seq: 1, text: "a", pos: "1:news" }),
    notice({ topic: "news", resumed: true, replayed: 1 }),
  ];
  try {
    const first = await server.opened(1);
    const pong = nextMessage(client, "pong", { timeout: 5_000 });
    for (const frame of frames) first.send(frame);
    first.send(JSON.stringify({ type: "pong", seq: 1 }));
    await pong;
    assert.deepEqual(unknown, [frames[1]]);
    assert.deepEqual(resumed, []);
    first.close(4000, "dropped by the test");
    const second = await server.opened(2);
    assert.equal(second.url.searchParams.get(RESUME_PARAM), null);
    assert.deepEqual(dialed, [`${server.url}echo?x=1`, `${server.url}echo?x=1`]);
  } finally {
    await client.close();
    await server.stop();
  }
});

test("the wire format: tokens, the URL parameter and the notice, read strictly and without throwing", () => {
  assert.equal(formatToken("17", "room:lobby"), "17:room:lobby");
  assert.deepEqual(parseToken("17:room:lobby"), { position: "17", topic: "room:lobby" });
  assert.deepEqual(parseToken("1:"), { position: "1", topic: "" });
  const longest = formatToken("p".repeat(64), "t".repeat(MAX_RESUMABLE_TOPIC_LENGTH));
  assert.equal(longest.length, 1024);
  assert.deepEqual(parseToken(longest), { position: "p".repeat(64), topic: "t".repeat(959) });
  for (const bad of ["", "no-colon", ":topic", `${"p".repeat(65)}:t`, `${longest}x`, 42, null, ["1:a"]]) {
    assert.equal(parseToken(bad), undefined, JSON.stringify(bad));
  }
  for (const [position, topic] of [["", "t"], ["a:b", "t"], ["p".repeat(65), "t"], ["p", "t".repeat(1023)]]) {
    assert.throws(() => formatToken(position!, topic!), RangeError);
  }

  const list = (tokens: unknown) => parseResumeParam(JSON.stringify(tokens));
  assert.deepEqual(list(["7:news", "3:a:b"]), new Map([["news", "7"], ["a:b", "3"]]));
  assert.deepEqual(list(Array.from({ length: 64 }, (_, i) => `1:t${i}`)).size, 64);
  const refused: unknown[] = [
    Array.from({ length: 65 }, (_, i) => `1:t${i}`),
    ["7:news", 7],
    ["7:news", "bad"],
    ["7:news", "8:news"],
    { "7": "news" },
    "7:news",
    [["7:news"]],
  ];
  for (const value of refused) assert.equal(list(value).size, 0, JSON.stringify(value).slice(0, 60));
  assert.equal(parseResumeParam(null).size, 0);
  assert.equal(parseResumeParam("[").size, 0);
  assert.equal(parseResumeParam(`["1:${"t".repeat(MAX_RESUME_PARAM_LENGTH)}"]`).size, 0);
  const param = (length: number) =>
    JSON.stringify(Array.from({ length: 64 }, (_, i) => `1:${String(i).padStart(2, "0")}${"t".repeat(length)}`));
  assert.ok(param(240).length <= MAX_RESUME_PARAM_LENGTH && param(260).length > MAX_RESUME_PARAM_LENGTH);
  assert.equal(parseResumeParam(param(240)).size, 64, "within 16 KiB");
  assert.equal(parseResumeParam(param(260)).size, 0, "over 16 KiB");

  const kept = { topic: "news", resumed: true, replayed: 3 } as const;
  const lost = { topic: "a:b", resumed: false, reason: "gone", message: "beyond the window" } as const;
  assert.equal(encodeResumed("type", kept), `{"type":"${RESUMED_TYPE}","topic":"news","resumed":true,"replayed":3}`);
  assert.equal(
    encodeResumed("kind", lost),
    `{"kind":"${RESUMED_TYPE}","topic":"a:b","resumed":false,"reason":"gone","message":"beyond the window"}`,
  );
  for (const one of [kept, lost]) {
    assert.deepEqual(parseResumed(encodeResumed("op", one), "op"), one);
    assert.equal(parseResumed(encodeResumed("op", one), "type"), undefined, "another discriminator");
  }
  for (const frame of ["", "[]", "null", '"typewire:resumed"', "{", '{"type":"typewire:resumed"}']) {
    assert.equal(parseResumed(frame, "type"), undefined, frame);
  }
});
