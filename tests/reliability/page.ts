/// <reference lib="dom" />
/**
 * Markup and script in names, chat lines and relayed frames, sent by hostile
 * clients to the reference server while its web page is open in Chromium:
 * nothing may run, nothing may become an element, and the page stays online.
 */
import type { Page } from "playwright-core";
import { startReferenceServer } from "../../scripts/chat/server.ts";
import { launchChromium } from "../support/chromium.ts";
import { SCRIPT_PAYLOADS } from "./hostile_frames.ts";
import { joinAsMdnClient } from "./sessions.ts";
import { type Check, checks, sleep } from "./verdict.ts";

/** What the page check saw. */
export interface PageFigures {
  readonly payloads: number;
  readonly framesSent: number;
  /** Payloads whose chat line the page showed. */
  readonly linesShown: number;
  /** What a payload would have set, had it run. */
  readonly pwned: unknown;
  /** Elements of dangerous kinds inside the log and the user list. */
  readonly elements: number;
  /** Script errors and Content-Security-Policy violations the page reported. */
  readonly problems: readonly string[];
  readonly status: string;
  readonly checks: readonly Check[];
}

/**
 * Opens the chat page, then has one hostile client per payload log in with
 * it as a name and send it as a chat line and inside a relayed frame (the
 * room's `relayUnknown` is on, so frames of unknown types reach the page).
 *
 * @returns What the page showed and did.
 */
export async function runPageScripts(): Promise<PageFigures> {
  const server = await startReferenceServer({ port: 0, room: { relayUnknown: true } });
  const browser = await launchChromium();
  const sockets: WebSocket[] = [];
  try {
    const page: Page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && !/WebSocket/.test(message.text())) problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(server.url);
    await page.fill("#name", "watcher");
    await page.click("#login button");
    await page.waitForSelector("#text:enabled");
    let framesSent = 0;
    for (const [index, payload] of SCRIPT_PAYLOADS.entries()) {
      const frames = (id: number) => [
        JSON.stringify({ type: "message", id, text: `${index}:${payload}`, date: Date.now() }),
        JSON.stringify({ type: payload, text: payload, name: payload }),
        JSON.stringify({ type: "message-html", html: payload, target: "" }),
      ];
      const { socket, id } = await joinAsMdnClient(server.socketUrl, () => payload.slice(0, 64));
      for (const frame of frames(id)) socket.send(frame);
      sockets.push(socket);
      framesSent += 4;
    }
    // A hostile chat line shows as "name:index:text"; count the payloads whose line is in the log.
    const shown = () =>
      page.$$eval("#log li", (items, count) => {
        const texts = items.map((item) => item.textContent ?? "");
        return Array.from({ length: count }, (_, i) => `:${i}:`).filter((m) => texts.some((t) => t.includes(m))).length;
      }, SCRIPT_PAYLOADS.length);
    const deadline = Date.now() + 15_000;
    while ((await shown()) < SCRIPT_PAYLOADS.length && Date.now() < deadline) await sleep(100);
    // Give anything that would run (an onerror after a failed image load, a toggle) time to run.
    await sleep(500);
    const state = await page.evaluate(() => ({
      pwned: (window as { __pwned?: unknown }).__pwned,
      elements: document.querySelectorAll(
        "#log *:not(li):not(span), #users *:not(li), script:not([src]), iframe, svg, img, details, math",
      ).length,
      status: document.querySelector("#status")?.textContent ?? "",
    }));
    const linesShown = await shown();
    return {
      payloads: SCRIPT_PAYLOADS.length,
      framesSent,
      linesShown,
      ...state,
      problems,
      checks: checks([
        ["the page showed every hostile line, as text", linesShown >= SCRIPT_PAYLOADS.length],
        ["no payload ran", state.pwned === undefined],
        ["no payload became an element", state.elements === 0],
        ["no script error and no CSP violation", problems.length === 0],
        ["the page stayed online", state.status === "online as watcher"],
      ]),
    };
  } finally {
    for (const socket of sockets) socket.close();
    await browser.close();
    await server.stop();
  }
}
