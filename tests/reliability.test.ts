/**
 * Reliability at CI size, on the runtime running the test: faults (server
 * restarts, half-open connections), load (many sessions, a client that stops
 * reading), and hostile input (every decoder fuzzed, a live server probed,
 * script in a page). `npm run soak` runs the same scenarios at full size and
 * writes RELIABILITY.md.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runHalfOpen, runRestarts } from "./reliability/faults.ts";
import { fuzzCodecs, fuzzServer } from "./reliability/fuzz.ts";
import { runLoad, runSlowReader } from "./reliability/load.ts";
import { runAttacks } from "./reliability/attacks.ts";
import { runPageScripts } from "./reliability/page.ts";
import { SIZES } from "./reliability/sizes.ts";
import type { Check } from "./reliability/verdict.ts";

const size = SIZES.ci;

/** Every check of a scenario held; on failure, the message names the checks and shows the figures. */
function assertHeld(figures: { checks: readonly Check[] }): void {
  const failed = figures.checks.filter((c) => !c.held).map((c) => c.name);
  assert.deepEqual(failed, [], JSON.stringify(figures, null, 1));
}

test("server restarts: lines said while down arrive once and in order; every line lost in flight is reported", async () => {
  const figures = await runRestarts(size.restarts);
  assertHeld(figures);
  assert.ok(figures.saidWhileDown > 0, "some lines were said while the server was down");
  assert.ok(figures.reconnects >= size.restarts.restarts);
});

test("half-open connections are found within the idle timeout, and nothing said while down is lost", async () => {
  const figures = await runHalfOpen(size.halfOpen);
  assertHeld(figures);
  assert.equal(figures.detection?.n, size.halfOpen.cuts);
});

test("many sessions chatting: every line reaches every session, and the server serves on", async () => {
  assertHeld(await runLoad(size.load));
});

test("a client that stops reading is cut off at its limit while the others keep their pace", async () => {
  assertHeld(await runSlowReader(size.slowReader));
});

test("attacks on the room (spoofs, big relays, storms, lines of <, look-alikes, a full room) harm no one", async () => {
  assertHeld(await runAttacks(size.attacks));
});

test(`${size.codecFrames.toLocaleString("en")} hostile frames through every decoder: no throw, no hang, no pollution`, () => {
  assertHeld(fuzzCodecs(size.codecFrames, 1));
});

test("hostile frames at a live server each get their documented reaction; chatting sessions lose nothing", async () => {
  assertHeld(await fuzzServer({ ...size.serverFuzz, seed: 1 }));
});

test("script in names, lines and relayed frames runs nothing in the chat page (Chromium)", async () => {
  assertHeld(await runPageScripts());
});
