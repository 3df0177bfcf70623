/**
 * The JetStream stream that holds every resumable topic's log under one
 * prefix: made (or brought to this instance's window) at start, and again
 * when the server lost it.
 *
 * @module
 */
import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import type { RecoveryWindow } from "./backplane.ts";
import type { NatsSubjects } from "./nats_subjects.ts";

/**
 * How long the stream keeps entries: the window's age and as long again, at least a minute more. Entries out of the
 * window still tell what came before the next one, which `read` and `gap` rely on.
 *
 * @example
 * ```ts
 * import { keptMs } from "./nats_stream.ts";
 * console.log(keptMs(120_000)); // 240000
 * ```
 */
export function keptMs(maxAgeMs: number): number {
  return maxAgeMs + Math.max(maxAgeMs, 60_000);
}

/**
 * Whether JetStream refused a request with this error code.
 *
 * @example
 * ```ts
 * import { JetStreamApiCodes } from "@nats-io/jetstream";
 * import { isApiError } from "./nats_stream.ts";
 * console.log(isApiError(new Error("x"), JetStreamApiCodes.StreamNotFound)); // false
 * ```
 */
export function isApiError(error: unknown, code: number): error is JetStreamApiError {
  return error instanceof JetStreamApiError && error.code === code;
}

/**
 * The stream's creation time in ms, as a position carries it.
 *
 * @throws {Error} When the server's creation time is not a date.
 *
 * @example
 * ```ts
 * import type { StreamInfo } from "@nats-io/jetstream";
 * import { epochOf } from "./nats_stream.ts";
 * const info = { created: "2026-11-30T12:00:00Z" } as StreamInfo;
 * console.log(epochOf(info)); // "1796040000000"
 * ```
 */
export function epochOf(info: StreamInfo): string {
  const ms = Date.parse(info.created);
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new Error(`the stream's creation time is not a date: ${info.created}`);
  }
  return String(ms);
}

/**
 * Creates the stream, or updates it to this window; refuses one with other subjects. It keeps `maxMessages` entries
 * per topic for `keptMs(maxAgeMs)`, recognises a retried append by its id for as long, and republishes each entry
 * as it stores it.
 *
 * @returns The stream's info, as made or found.
 * @throws {Error} When JetStream did not answer, or the stream stores other subjects (another prefix maps to its name).
 *
 * @example At start
 * ```ts
 * import { connect } from "@nats-io/transport-node";
 * import { jetstreamManager } from "@nats-io/jetstream";
 * import { NatsSubjects } from "./nats_subjects.ts";
 * import { ensureStream } from "./nats_stream.ts";
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
 * const info = await ensureStream(await jetstreamManager(nc), new NatsSubjects("typewire"), {
 *   maxMessages: 1000,
 *   maxAgeMs: 120_000,
 * });
 * console.log(info.config.name); // "TYPEWIRE"
 * ```
 */
export async function ensureStream(
  jsm: JetStreamManager,
  subjects: NatsSubjects,
  window: RecoveryWindow,
): Promise<StreamInfo> {
  const name = subjects.stream;
  const keptNs = keptMs(window.maxAgeMs) * 1_000_000;
  const wanted = {
    subjects: [subjects.allStored],
    max_msgs_per_subject: window.maxMessages,
    max_age: keptNs,
    duplicate_window: keptNs,
    allow_direct: true,
    republish: { src: subjects.allStored, dest: subjects.allRepublished },
    discard: DiscardPolicy.Old,
  } satisfies Partial<StreamConfig>;
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(name);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    try {
      return await jsm.streams.add({
        name,
        ...wanted,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        num_replicas: 1,
      });
    } catch (raced) {
      // Another instance created it meanwhile: checked as below.
      info = await jsm.streams.info(name).catch(() => Promise.reject(raced));
    }
  }
  const { config } = info;
  if (config.subjects?.length !== 1 || config.subjects[0] !== wanted.subjects[0]) {
    throw new Error(
      `the stream ${name} stores ${JSON.stringify(config.subjects)}, not ${JSON.stringify(wanted.subjects)}` +
        ": another prefix maps to the same stream name",
    );
  }
  const same = config.max_msgs_per_subject === wanted.max_msgs_per_subject && config.max_age === wanted.max_age &&
    config.duplicate_window === wanted.duplicate_window && config.allow_direct === true &&
    config.republish?.src === wanted.republish.src && config.republish?.dest === wanted.republish.dest &&
    !config.republish?.headers_only && config.discard === wanted.discard;
  return same ? info : await jsm.streams.update(name, wanted);
}
