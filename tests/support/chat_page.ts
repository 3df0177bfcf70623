/// <reference lib="dom" />
/**
 * The web chat page in Chromium, as a test drives it: open it, log in, say a
 * line, read the log as the user reads it; script errors and CSP violations
 * are collected.
 */
import type { Browser, Page } from "playwright-core";

/** A page, and the problems its console reported. */
export interface Watched {
  readonly page: Page;
  readonly problems: string[];
}

export async function open(browser: Browser, url: string): Promise<Watched> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url);
  return { page, problems };
}

export async function logIn({ page }: Watched, name: string): Promise<void> {
  await page.fill("#name", name);
  await page.click("#login button");
  await page.waitForSelector("#text:enabled");
}

export async function say({ page }: Watched, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.press("#text", "Enter");
}

/** The log's lines, as the user reads them. */
export function logLines({ page }: Watched): Promise<string[]> {
  return page.$$eval("#log li", (items) => items.map((item) => item.textContent ?? ""));
}

export async function waitForLine(
  watched: Watched,
  predicate: (line: string) => boolean,
  what: string,
): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const line = (await logLines(watched)).find(predicate);
    if (line !== undefined) return line;
    await watched.page.waitForTimeout(50);
  }
  throw new Error(`no log line ${what}; the log: ${JSON.stringify(await logLines(watched))}`);
}
