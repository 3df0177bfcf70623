/**
 * Typed Durable Objects for tests/durable_object.test.ts under Miniflare: a
 * feed server (tests/fixtures/feed.ts) per room, whose connections carry
 * data from the upgrade (`?user=`) that their handlers change, topics from
 * the route (`room:<room>`, a tag) and from `join`; and an echo server whose
 * pings the runtime answers without waking it. `GET /stats` answers what the
 * objects' hooks counted (in the Worker's isolate, which outlives an
 * object's hibernation under Miniflare).
 */
import { durableObject, type DurableObjectNamespace, pingPong, worker } from "../../src/server/cloudflare/mod.ts";
import { createServer } from "../../src/server/typed_server.ts";
import { refuseAfterUpgrade } from "../../src/server/refuse_after_upgrade.ts";
import type { TypedServer } from "../../src/server/server_options.ts";
import { feedProtocol, type FeedServerMessage } from "../fixtures/generated/feed.ts";
import { echoProtocol } from "../fixtures/generated/echo.ts";

interface Env {
  readonly FEEDS: DurableObjectNamespace;
  readonly ECHOES: DurableObjectNamespace;
}

/** A feed connection's data: its user, the posts it made, and what a test pads it with. */
interface Member {
  readonly user: string;
  posts: number;
  pad?: string;
}

const stats = { built: 0, restored: 0, opened: 0, echoBuilt: 0, errors: [] as string[], evalRefused: false };

/** Whether workerd refuses code generation here, as it does in production. */
function evalRefused(): boolean {
  try {
    (0, eval)("1");
    return false;
  } catch {
    return true;
  }
}

function feed(): TypedServer<FeedServerMessage, Member> {
  const server: TypedServer<FeedServerMessage, Member> = createServer(feedProtocol, {
    limits: { invalidStrikes: 2 },
    upgrade(request) {
      const query = new URL(request.url).searchParams;
      const user = query.get("user");
      if (user === null) return new Response("who are you?", { status: 401 });
      if (user === "mallory") return refuseAfterUpgrade(4403, "banned");
      if (query.has("date")) return { user, posts: 0, since: new Date() } as Member;
      return { user, posts: 0, ...(query.has("pad") && { pad: "x".repeat(Number(query.get("pad"))) }) };
    },
    open: () => void stats.opened++,
    restored: () => void stats.restored++,
    onError: (error) => void stats.errors.push(String((error as Error).message)),
    handlers: {
      join: async ({ topic }, conn) => {
        await conn.subscribe(topic);
        conn.send({ type: "joined", topic });
      },
      leave: ({ topic }, conn) => conn.unsubscribe(topic),
      post: ({ topic, text }, conn) => {
        conn.data.posts++;
        if (text === "grow") conn.data.pad = "x".repeat(20_000);
        const mine = `${conn.data.user}#${conn.id}: ${text} [${[...conn.topics].sort().join(" ")}]`;
        server.publish(topic, { type: "entry", topic, n: conn.data.posts, text: mine });
      },
      shout: ({ topic, n }) => server.publish(topic, { type: "note", topic, n }),
    },
  });
  return server;
}

export const FeedObject = durableObject<Env>({
  server: () => {
    stats.built++;
    stats.evalRefused = evalRefused();
    return feed();
  },
});

const echo = () =>
  createServer(echoProtocol, {
    handlers: {
      say: ({ seq, text }, conn) => conn.send({ type: "echo", seq, text }),
      ping: ({ seq }, conn) => conn.send({ type: "pong", seq: seq + 1 }),
    },
  });

export const EchoObject = durableObject<Env>({
  server: () => (stats.echoBuilt++, echo()),
  autoResponse: pingPong(echoProtocol, { type: "ping", seq: 0 }, { type: "pong", seq: 0 }),
});

const feeds = worker({
  server: feed,
  namespace: (env: Env) => env.FEEDS,
  route(request) {
    const query = new URL(request.url).searchParams;
    const room = query.get("room") ?? "lobby";
    const extra = Number(query.get("tags") ?? 0);
    const topics = [`room:${room}`, ...Array.from({ length: extra }, (_, i) => `t${i}`)];
    if (query.has("long")) topics.push("x".repeat(257));
    return { object: room, topics };
  },
  fetch: (request) =>
    new URL(request.url).pathname === "/stats" ? Response.json(stats) : new Response("Not Found", { status: 404 }),
});

const echoes = worker({ server: echo, namespace: (env: Env) => env.ECHOES, route: () => ({ object: "echo" }) });

export default {
  fetch: (request: Request, env: Env) =>
    new URL(request.url).pathname === "/echo" ? echoes.fetch(request, env) : feeds.fetch(request, env),
};
