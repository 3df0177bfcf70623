/**
 * The sizes the reliability scenarios run at: `ci` in the test suite (a few
 * minutes on both runtimes together), `full` in `npm run soak`.
 */
import type { HalfOpenOptions, RestartOptions } from "./faults.ts";
import type { LoadOptions, SlowReaderOptions } from "./load.ts";
import type { ServerFuzzOptions } from "./fuzz.ts";
import type { AttackOptions } from "./attacks.ts";

/** One size of every scenario. */
export interface Sizes {
  readonly restarts: RestartOptions;
  readonly halfOpen: HalfOpenOptions;
  readonly load: LoadOptions;
  readonly slowReader: SlowReaderOptions;
  /** Frames through every decoder. */
  readonly codecFrames: number;
  readonly serverFuzz: Omit<ServerFuzzOptions, "seed">;
  readonly attacks: AttackOptions;
}

export const SIZES: Record<"ci" | "full", Sizes> = {
  ci: {
    restarts: { restarts: 3, up: 400, down: 300, lineEvery: 5 },
    halfOpen: { cuts: 2, up: 400, idleTimeout: 600, lineEvery: 5 },
    load: { clients: 200, joinPerSecond: 200, linesPerClient: 2, linesPerSecond: 200 },
    slowReader: { listeners: 20, lines: 200, lineBytes: 16 * 1024, maxUnsentBytes: 256 * 1024 },
    codecFrames: 25_000,
    serverFuzz: { frames: 300, concurrency: 8, sessions: 4 },
    attacks: {
      observers: 10,
      spoofs: 60,
      oversizeRelays: 5,
      closeStorm: 300,
      churn: 300,
      tagAttackers: 5,
      tagSeconds: 2,
      roomSize: 30,
      settle: 1_000,
    },
  },
  full: {
    restarts: { restarts: 20, up: 1_000, down: 500, lineEvery: 5 },
    halfOpen: { cuts: 10, up: 1_000, idleTimeout: 2_000, lineEvery: 5 },
    load: { clients: 1_000, joinPerSecond: 50, linesPerClient: 3, linesPerSecond: 100 },
    slowReader: { listeners: 50, lines: 500, lineBytes: 16 * 1024, maxUnsentBytes: 1024 * 1024 },
    codecFrames: 300_000,
    serverFuzz: { frames: 5_000, concurrency: 16, sessions: 8 },
    attacks: {
      observers: 50,
      spoofs: 600,
      oversizeRelays: 20,
      closeStorm: 2_000,
      churn: 5_000,
      tagAttackers: 20,
      tagSeconds: 10,
      roomSize: 1_000,
      settle: 20_000,
    },
  },
};
