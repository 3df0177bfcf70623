/**
 * Debian's Chromium, headless, driven by playwright-core, with the flags this
 * machine's closed network needs. Never a downloaded browser.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import process from "node:process";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches Chromium, or fails saying where it was looked for. */
export function launchChromium(): Promise<Browser> {
  assert.ok(
    existsSync(CHROMIUM),
    `this test needs Chromium at ${CHROMIUM} (npm test installs Debian's chromium package)`,
  );
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}
