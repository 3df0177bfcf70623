/**
 * Requests and replies end to end: typewire's client (in the test's runtime)
 * against typed servers in the test's own runtime (Bun.serve under `bun
 * test`, Deno.serve under `deno test`) and on Node.js, for the three fixture
 * protocols (rooms from TypeScript, counters from JSON Schema, jobs from
 * AsyncAPI). Every rejection kind, 10,000 requests answered out of order,
 * timeouts, drops and the repeat rule, the server's own requests, and the
 * pending limits on both sides.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type RequestScenario, startRequestServer } from "./support/request_servers.ts";
import { startNodeServer } from "./support/node_server.ts";
import { RawClient } from "./support/raw_client.ts";
import { serverRuntime } from "../src/server/this_runtime.ts";
import { type ClientOptions, connect, nextMessage, QueueFullError, TypewireClient } from "../src/client/mod.ts";
import { RequestError } from "../src/runtime/request_errors.ts";
import {
  type ClientMessage,
  roomsProtocol,
  type RoomsRequests,
  type ServerMessage,
} from "./fixtures/generated/rooms.ts";
import { countersProtocol } from "./fixtures/generated/counters.ts";
import { jobsProtocol } from "./fixtures/generated/jobs.ts";

interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

interface Host {
  readonly name: string;
  start(scenario: RequestScenario): Promise<Running>;
}

const here: Host = {
  name: serverRuntime(),
  async start(scenario) {
    const listening = await startRequestServer(scenario);
    return { url: listening.url, stop: () => listening.stop() };
  },
};

const node: Host = {
  name: "node",
  async start(scenario) {
    const server = await startNodeServer("tests/node/request_server.ts", [JSON.stringify(scenario)]);
    return { url: server.url, stop: () => server.stop() };
  },
};

type Rooms = TypewireClient<ServerMessage, ClientMessage, "type", RoomsRequests>;

/** A rooms server and a client on it, closed after `body`. */
async function withRooms(
  host: Host,
  body: (client: Rooms, server: Running) => Promise<void>,
  scenario: Omit<RequestScenario, "protocol"> = {},
  options: ClientOptions<ServerMessage, ClientMessage, "type", RoomsRequests> = {},
): Promise<void> {
  const server = await host.start({ protocol: "rooms", ...scenario });
  const client = connect(roomsProtocol, server.url, { reconnect: false, ...options });
  try {
    await body(client, server);
  } finally {
    await client.close();
    await server.stop();
  }
}

/** Resolves once the client's connection is open. */
function opened(client: Rooms): Promise<void> {
  if (client.readyState === TypewireClient.OPEN) return Promise.resolve();
  return new Promise((resolve) => client.onEvent("open", () => resolve(), { once: true }));
}

/** The request error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<RequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RequestError) return error;
    throw error;
  }
  throw new Error("the request did not fail");
}

for (const host of [here, node]) {
  const on = `(server on ${host.name})`;

  test(`a request resolves with its own typed reply; typewire fills in the correlation, counting up ${on}`, async () => {
    await withRooms(host, async (client) => {
      const created = await client.request({ type: "create-room", name: "lobby" });
      assert.equal(created.type, "room-created");
      assert.equal(created.room, "lobby");
      const members = await client.request({ type: "list-members", room: "hall" });
      assert.deepEqual(members.names, ["hall", "2"]);
      assert.equal(created.request, 1);
    });
  });

  test(`10,000 concurrent requests answered out of order each get their own reply ${on}`, async () => {
    await withRooms(
      host,
      async (client) => {
        await opened(client);
        const count = 10_000;
        const delays = Array.from({ length: count }, (_, i) => (i * 7919) % 23);
        const order: number[] = [];
        const replies = await Promise.all(
          delays.map((delay, i) =>
            client.request({ type: "list-members", room: `d-${delay}-${i}` }).then((reply) => {
              order.push(i);
              return reply;
            })
          ),
        );
        replies.forEach((reply, i) => assert.equal(reply.names[0], `d-${delays[i]}-${i}`));
        const correlations = new Set(replies.map((reply) => reply.request));
        assert.equal(correlations.size, count, "every request had its own correlation value");
        const inOrder = order.every((value, i) => i === 0 || value > (order[i - 1] as number));
        assert.equal(inOrder, false, "the replies came out of order");
      },
      { limits: { maxPendingRequests: 10_000, maxQueuedMessages: 10_000 } },
      { maxPendingRequests: 10_000 },
    );
  });

  test(`the declared error reply rejects with error-reply and its typed payload, returned or thrown ${on}`, async () => {
    await withRooms(host, async (client) => {
      for (const name of ["taken", "thrown"]) {
        const error = await failure(client.request({ type: "create-room", name }));
        assert.ok(client.isRequestError(error, "create-room"));
        assert.equal(error.kind, "error-reply");
        if (error.kind === "error-reply") assert.equal(error.reply.type, "refused");
        assert.equal(
          (error.reply as { reason: string }).reason,
          name === "taken" ? "that name is taken" : "thrown refusal",
        );
      }
      assert.equal((await client.request({ type: "create-room", name: "after" })).room, "after");
    });
  });

  test(`a thrown Error becomes the error reply through errorReply, and the connection stays ${on}`, async () => {
    await withRooms(host, async (client) => {
      const error = await failure(client.request({ type: "create-room", name: "crash" }));
      assert.equal(error.kind, "error-reply");
      assert.equal((error.reply as { reason: string }).reason, "failed: the database is down");
      assert.equal((await client.request({ type: "create-room", name: "next" })).room, "next");
    }, { errorReply: true });
  });

  test(`without errorReply a thrown Error follows the error policy: 1011, and the request rejects closed ${on}`, async () => {
    await withRooms(host, async (client) => {
      const closed = new Promise<number>((resolve) => client.onEvent("close", (event) => resolve(event.code)));
      const error = await failure(client.request({ type: "create-room", name: "crash" }));
      assert.equal(error.kind, "closed");
      assert.equal(await closed, 1011);
    });
  });

  test(`an invalid reply, or a reply of another request's type, rejects with invalid-reply ${on}`, async () => {
    await withRooms(host, async (client) => {
      const invalid = await failure(client.request({ type: "create-room", name: "bad-reply" }));
      assert.equal(invalid.kind, "invalid-reply");
      assert.match(invalid.message, /\/id/);
      const wrong = await failure(client.request({ type: "create-room", name: "wrong-reply" }));
      assert.equal(wrong.kind, "invalid-reply");
      assert.match(wrong.message, /"members"/);
    });
  });

  test(`timeouts: per request, and the client's default ${on}`, async () => {
    await withRooms(
      host,
      async (client) => {
        const started = Date.now();
        const error = await failure(client.request({ type: "create-room", name: "slow-1000-a" }, { timeout: 100 }));
        assert.equal(error.kind, "timeout");
        assert.ok(Date.now() - started < 900);
        const byDefault = await failure(client.request({ type: "create-room", name: "slow-1000-b" }));
        assert.equal(byDefault.kind, "timeout");
        assert.match(byDefault.message, /150 ms/);
      },
      {},
      { requestTimeout: 150 },
    );
  });

  test(`aborting rejects with aborted; a request aborted while queued is never sent ${on}`, async () => {
    await withRooms(host, async (client) => {
      const queued = new AbortController();
      const never = client.request({ type: "create-room", name: "aborted-queued" }, { signal: queued.signal });
      queued.abort(new Error("changed my mind"));
      assert.equal((await failure(never)).kind, "aborted");
      await opened(client);
      const inFlight = new AbortController();
      const slow = client.request({ type: "create-room", name: "slow-300-c" }, { signal: inFlight.signal });
      setTimeout(() => inFlight.abort(), 20);
      assert.equal((await failure(slow)).kind, "aborted");
      const seen = await client.request({ type: "list-members", room: "seen" });
      assert.deepEqual(seen.names, ["slow-300-c"]);
    });
  });

  test(`requests made before the connection opens wait in the queue and are answered ${on}`, async () => {
    await withRooms(host, async (client) => {
      assert.equal(client.readyState, TypewireClient.CONNECTING);
      const replies = await Promise.all(
        ["q1", "q2", "q3"].map((name) => client.request({ type: "create-room", name })),
      );
      assert.deepEqual(replies.map((reply) => reply.room), ["q1", "q2", "q3"]);
    });
  });

  test(`a drop mid-request rejects with closed; one marked repeat is sent again after reconnecting ${on}`, async () => {
    const server = await host.start({ protocol: "rooms" });
    const client = connect(roomsProtocol, server.url, { reconnect: { minDelay: 10, maxDelay: 50 } });
    try {
      const dropped = await failure(client.request({ type: "create-room", name: "drop" }));
      assert.equal(dropped.kind, "closed");
      assert.match(dropped.message, /4000/);
      const once = await failure(client.request({ type: "create-room", name: "flaky-1" }));
      assert.equal(once.kind, "closed");
      const repeated = await client.request({ type: "create-room", name: "flaky-2" }, { repeat: true });
      assert.equal(repeated.room, "flaky-2");
      assert.ok(client.stats.reconnects >= 2);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  test(`closing the client rejects what waits with closed ${on}`, async () => {
    const server = await host.start({ protocol: "rooms" });
    const client = connect(roomsProtocol, server.url, { reconnect: false });
    try {
      await client.request({ type: "create-room", name: "first" });
      const waiting = client.request({ type: "create-room", name: "slow-2000-d" });
      await client.close();
      assert.equal((await failure(waiting)).kind, "closed");
      await assert.rejects(client.request({ type: "create-room", name: "late" }), { name: "ClientClosedError" });
    } finally {
      await server.stop();
    }
  });

  test(`the client's pending limit: one request too many rejects at once, unsent ${on}`, async () => {
    await withRooms(
      host,
      async (client) => {
        const slow = [1, 2, 3].map((i) => client.request({ type: "create-room", name: `slow-200-p${i}` }));
        const error = await failure(client.request({ type: "create-room", name: "one-too-many" }));
        assert.equal(error.kind, "too-many-pending");
        await Promise.all(slow);
        const seen = await client.request({ type: "list-members", room: "seen" });
        assert.equal(seen.names.includes("one-too-many"), false);
      },
      {},
      { maxPendingRequests: 3 },
    );
  });

  test(`a full send queue: dropped requests reject with dropped, refused ones with QueueFullError ${on}`, async () => {
    const server = await host.start({ protocol: "rooms" });
    const dropping = connect(roomsProtocol, server.url, {
      reconnect: false,
      queue: { maxMessages: 1, overflow: "drop-oldest" },
    });
    const refusing = connect(roomsProtocol, server.url, { reconnect: false, queue: { maxMessages: 1 } });
    try {
      const kept = refusing.request({ type: "create-room", name: "kept" });
      await assert.rejects(refusing.request({ type: "create-room", name: "refused" }), QueueFullError);
      const first = dropping.request({ type: "create-room", name: "first" });
      const second = dropping.request({ type: "create-room", name: "second" });
      assert.equal((await failure(first)).kind, "dropped");
      assert.equal((await second).room, "second");
      assert.equal((await kept).room, "kept");
    } finally {
      await dropping.close();
      await refusing.close();
      await server.stop();
    }
  });

  test(`the server asks the client; the client's handler answers; unanswered ones time out ${on}`, async () => {
    await withRooms(host, async (client) => {
      client.on("here?", () => ({ type: "here" }));
      client.send({ type: "say", room: "r", text: "ask:3:1000" });
      assert.equal((await nextMessage(client, "said", { timeout: 5_000 })).text, "ok=3");
    });
    await withRooms(host, async (client) => {
      client.send({ type: "say", room: "r", text: "ask:2:100" });
      assert.equal((await nextMessage(client, "said", { timeout: 5_000 })).text, "timeout=2");
    });
  });

  test(`answers to the server's requests cost nothing against the rate limit ${on}`, async () => {
    await withRooms(host, async (client) => {
      client.on("here?", () => ({ type: "here" }));
      client.send({ type: "say", room: "r", text: "ask:40:2000" });
      assert.equal((await nextMessage(client, "said", { timeout: 5_000 })).text, "ok=40");
      assert.equal((await client.request({ type: "create-room", name: "still-open" })).room, "still-open");
    }, { limits: { framesPerSecond: 5, burst: 5 } });
  });

  test(`the client's answering limit: requests past maxPendingRequests go unanswered, reported ${on}`, async () => {
    const errors: string[] = [];
    await withRooms(
      host,
      async (client) => {
        client.onEvent("error", (event) => errors.push(event.error.message));
        client.send({ type: "say", room: "r", text: "ask:5:1000" });
        assert.equal((await nextMessage(client, "said", { timeout: 5_000 })).text, "ok=2 timeout=3");
        assert.equal(errors.length, 3);
        assert.match(errors[0] as string, /"here\?" request left unanswered: 2 wait for answers already/);
      },
      {},
      {
        maxPendingRequests: 2,
        handlers: {
          async "here?"() {
            await new Promise((resolve) => setTimeout(resolve, 200));
            return { type: "here" };
          },
          said: () => {},
        },
      },
    );
  });

  test(`the server's pending limit: requests past maxPendingRequests reject with too-many-pending ${on}`, async () => {
    await withRooms(host, async (client) => {
      client.on("here?", async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { type: "here" };
      });
      client.send({ type: "say", room: "r", text: "ask:8:2000" });
      assert.equal((await nextMessage(client, "said", { timeout: 5_000 })).text, "ok=5 too-many-pending=3");
    }, { limits: { maxPendingRequests: 5 } });
  });

  test(`requests past the server's pending limit wait (not refused); past the queue limit: 1008 ${on}`, async () => {
    await withRooms(host, async (client) => {
      const started = Date.now();
      const replies = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((i) => client.request({ type: "create-room", name: `slow-150-w${i}` })),
      );
      assert.equal(replies.length, 6);
      assert.ok(Date.now() - started >= 400, "three rounds of two");
    }, { limits: { maxPendingRequests: 2 } });
    await withRooms(host, async (client) => {
      const closed = new Promise<{ code: number; reason: string }>((resolve) => client.onEvent("close", resolve));
      const all = Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => client.request({ type: "create-room", name: `slow-500-x${i}` })),
      );
      const { code, reason } = await closed;
      // Deno's server may reset a connection it closes while frames still arrive (README's policy table says so).
      if (host.name === "deno" && code === 1006) assert.equal(reason, "");
      else {
        assert.equal(code, 1008);
        assert.match(reason, /more than 3 messages waiting/);
      }
      const outcomes = await all;
      assert.ok(outcomes.every((o) => o.status === "rejected" && (o.reason as RequestError).kind === "closed"));
    }, { limits: { maxPendingRequests: 2, maxQueuedMessages: 3 } });
  });

  test(`requests being answered count toward maxQueuedBytes: padded slow requests get 1008 ${on}`, async () => {
    const server = await host.start({ protocol: "rooms", limits: { maxQueuedBytes: 2_000 } });
    try {
      const raw = await RawClient.open(server.url, ["rooms.v1"]);
      const pad = "p".repeat(900);
      for (let i = 0; i < 3; i++) raw.send({ type: "create-room", request: i, name: `slow-3000-${i}`, pad });
      const closed = await raw.closed;
      if (!(host.name === "deno" && closed.code === 1006)) {
        assert.deepEqual([closed.code, closed.reason], [1008, "more than 2000 bytes waiting"]);
      }
    } finally {
      await server.stop();
    }
  });

  test(`hostile peers: an unsolicited answer is ignored, an invalid answer to the server's request is 1008 ${on}`, async () => {
    const server = await host.start({ protocol: "rooms", requestTimeout: 2_000 });
    try {
      const raw = await RawClient.open(server.url, ["rooms.v1"]);
      raw.send({ type: "here", request: 12345 });
      raw.send({ type: "create-room", request: 1, name: "still-here" });
      assert.equal((await raw.next((m) => m?.type === "room-created")).json.room, "still-here");
      raw.send({ type: "say", room: "r", text: "ask:1:2000" });
      const asked = await raw.next((m) => m?.type === "here?");
      // Taken at once, though the handler that asked is still busy: its request fails now, not at its timeout.
      raw.send({ type: "here", request: String(asked.json.request) });
      assert.equal((await raw.next((m) => m?.type === "said", 1_500)).json.text, "invalid-reply=1");
      assert.equal((await raw.closed).code, 1008);
    } finally {
      await server.stop();
    }
  });

  test(`a JSON Schema protocol (string correlation) runs requests end to end ${on}`, async () => {
    const server = await host.start({ protocol: "counters" });
    const client = connect(countersProtocol, server.url, { reconnect: false });
    try {
      const bumped = await client.request({ op: "bump", name: "visits", by: 2 });
      assert.deepEqual([bumped.op, bumped.value, bumped.id], ["value", 2, "1"]);
      const missing = await failure(client.request({ op: "get", name: "nothing" }));
      assert.ok(client.isRequestError(missing, "get"));
      assert.equal(missing.kind === "error-reply" && missing.reply.op, "no-such-counter");
    } finally {
      await client.close();
      await server.stop();
    }
  });

  test(`an AsyncAPI protocol (operation reply) runs requests end to end ${on}`, async () => {
    const server = await host.start({ protocol: "jobs" });
    const client = connect(jobsProtocol, server.url, { reconnect: false });
    try {
      client.send({ kind: "submit", job: "j1", task: "resize", input: "a.png" });
      const report = await client.request({ kind: "status", job: "j1" });
      assert.deepEqual([report.kind, report.state], ["report", "queued"]);
      const unknown = await failure(client.request({ kind: "status", job: "j2" }));
      assert.equal(unknown.kind, "error-reply");
    } finally {
      await client.close();
      await server.stop();
    }
  });
}

test("timeouts of different lengths each fire on time, whatever the order they were made in", async () => {
  await withRooms(here, async (client) => {
    await opened(client);
    const started = Date.now();
    const ended: [number, number][] = [];
    await Promise.all(
      [300, 100, 200].map((timeout) =>
        failure(client.request({ type: "create-room", name: `slow-2000-t${timeout}` }, { timeout })).then((error) => {
          assert.equal(error.kind, "timeout");
          ended.push([timeout, Date.now() - started]);
        })
      ),
    );
    assert.deepEqual(ended.map(([timeout]) => timeout), [100, 200, 300]);
    for (const [timeout, took] of ended) assert.ok(took >= timeout && took < timeout + 150, `${timeout}: ${took} ms`);
  }, { limits: { maxPendingRequests: 10 } });
});

test("a timeout that is not a number of milliseconds is refused, unsent", async () => {
  await withRooms(here, async (client) => {
    for (const timeout of [Number.NaN, -1]) {
      await assert.rejects(client.request({ type: "create-room", name: "never" }, { timeout }), RangeError);
    }
    assert.deepEqual((await client.request({ type: "list-members", room: "seen" })).names, []);
  });
});
