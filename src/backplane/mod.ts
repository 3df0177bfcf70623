/**
 * typewire's cluster layer: typed servers in several processes sharing
 * topics, presence and resumable logs through a backplane. `Cluster` is what
 * a server takes (`createServer(protocol, { cluster })`); the engines are
 * `MemoryHub` here, `RedisBackplane` in `typewire/backplane/redis` (needs the
 * `redis` package) and `NatsBackplane` in `typewire/backplane/nats` (needs
 * `@nats-io/transport-node` and `@nats-io/jetstream`).
 *
 * @example Two servers in one process sharing topics (tests do this; production runs one per process on Redis or NATS)
 * ```ts
 * import { Cluster, MemoryHub } from "./mod.ts";
 * const hub = new MemoryHub({ maxMessages: 1000, maxAgeMs: 120_000 });
 * const first = new Cluster(hub.backplane());
 * const second = new Cluster(hub.backplane());
 * // createServer(protocol, { cluster: first, ... }), createServer(protocol, { cluster: second, ... })
 * ```
 *
 * @module
 */
export {
  Cluster,
  type ClusterOptions,
  type ClusterStats,
  type ClusterStatus,
  type InstanceChange,
  type PresenceChange,
  type PresenceMember,
  type PresenceReason,
} from "./cluster.ts";
export type { LivenessOptions } from "./presence.ts";
export { MemoryBackplane, MemoryHub } from "./memory.ts";
export {
  type Backplane,
  type BackplaneEvents,
  DEFAULT_RECOVERY_WINDOW,
  type LogEntry,
  type ReadResult,
  type RecoveryWindow,
} from "./backplane.ts";
