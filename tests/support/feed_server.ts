/**
 * The feed protocol's typed server (tests/fixtures/feed.ts): clients join and
 * leave topics, and post entries that the server publishes to the topic,
 * resumable. Used in one process by the cluster tests, and as a process of
 * its own by the fault runs (`scripts/bench/feed_server.ts`).
 */
import { createServer } from "../../src/server/typed_server.ts";
import type { TypedServer } from "../../src/server/server_options.ts";
import type { Cluster } from "../../src/backplane/cluster.ts";
import type { Limits } from "../../src/server/policy.ts";
import { feedProtocol, type FeedServerMessage } from "../fixtures/generated/feed.ts";

/** How a feed server is built. */
export interface FeedServerOptions {
  readonly cluster: Cluster;
  /** Announce subscriptions to the cluster, labelled with the `user` query parameter. @default false */
  readonly presence?: boolean;
  readonly limits?: Limits;
}

/**
 * A feed server on a cluster: `join` subscribes and answers `joined`, `leave` unsubscribes, `post` publishes an
 * entry to its topic (resumable), `shout` a note (plain: at most once).
 *
 * @param options The cluster, presence.
 * @returns The typed server, not listening yet.
 */
export function feedServer(options: FeedServerOptions): TypedServer<FeedServerMessage, { user: string }> {
  const server: TypedServer<FeedServerMessage, { user: string }> = createServer(feedProtocol, {
    cluster: options.cluster,
    ...(options.limits && { limits: options.limits }),
    ...(options.presence && { presence: (conn) => conn.data.user }),
    upgrade: (request) => ({ user: new URL(request.url).searchParams.get("user") ?? "anonymous" }),
    handlers: {
      // `joined` once the subscription is in place on the engine: a post after it, on any instance, reaches it.
      join: async ({ topic }, conn) => {
        await conn.subscribe(topic);
        conn.send({ type: "joined", topic });
      },
      leave: ({ topic }, conn) => conn.unsubscribe(topic),
      post: ({ topic, n, text }) => server.publish(topic, { type: "entry", topic, n, text }),
      shout: ({ topic, n }) => server.publish(topic, { type: "note", topic, n }),
    },
  });
  return server;
}
