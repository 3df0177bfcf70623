/**
 * README's quick start runs as written: its schema, configuration and demo
 * are taken from README.md, generated and run in a scratch folder, and the
 * demo prints what README says it prints.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ChildProcess, spawn } from "node:child_process";
import { ChatSession } from "../src/chat/mod.ts";
import { startReferenceServer } from "../scripts/chat/server.ts";
import { RawClient } from "./support/raw_client.ts";
import { startRedis } from "../scripts/bench/redis_server.ts";
import { startWorker } from "../scripts/workerd.ts";
import { connect, nextMessage, type TypewireClient } from "../src/client/mod.ts";
import { type FeedClientMessage, feedProtocol, type FeedServerMessage } from "./fixtures/generated/feed.ts";

async function until(check: () => boolean, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(check(), "not within the time allowed");
}

const ROOT = fileURLToPath(new URL("..", import.meta.url).href);
const DENO = join(ROOT, "node_modules", ".bin", "deno");
const BUN = join(ROOT, "node_modules", ".bin", "bun");

function readmeBlock(heading: string, next: string, index: number): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(heading), readme.indexOf(next));
  const block = [...section.matchAll(/```ts\n([\s\S]*?)```/g)][index]?.[1];
  assert.ok(block !== undefined, `README has no ts block ${index} under ${heading}`);
  return block;
}

/** The URL a server process prints (`listening <url>`); everything it prints goes to `printed.output`. */
function listeningUrl(server: ChildProcess, printed: { output: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${printed.output}`)), 30_000);
    server.stderr?.on("data", (chunk) => (printed.output += chunk));
    server.stdout?.on("data", (chunk) => {
      printed.output += chunk;
      const match = /listening (\S+)/.exec(printed.output);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[1] as string);
    });
  });
}

function quickStartBlocks(): { schema: string; config: string; demo: string } {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(
    readme.indexOf("## Quick start"),
    readme.indexOf("## What a generated module gives you"),
  );
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] as string }));
  const [schema, config, demo] = blocks;
  assert.equal(schema?.lang, "ts");
  assert.equal(config?.lang, "json");
  assert.equal(demo?.lang, "ts");
  return { schema: schema.code, config: config.code, demo: demo.code };
}

/**
 * Generates README's ping protocol in a scratch folder, as the quick start says.
 *
 * @param runtime How the generated module imports typewire's runtime: this checkout's, as a file URL (for Deno and
 * Bun) or as a path (for esbuild).
 */
function generatePing(runtime: "url" | "path" = "url"): string {
  const { schema, config } = quickStartBlocks();
  const dir = mkdtempSync(join(tmpdir(), "typewire-readme-"));
  mkdirSync(join(dir, "schema"));
  writeFileSync(join(dir, "schema", "ping.ts"), schema);
  // README's runtime path is the in-repository one; the scratch folder points at this checkout's runtime instead.
  const settings = JSON.parse(config);
  const checkout = join(ROOT, "src/runtime/mod.ts");
  settings.protocols[0].runtime = runtime === "url" ? pathToFileURL(checkout).href : checkout;
  writeFileSync(join(dir, "typewire.config.json"), JSON.stringify(settings));
  const gen = spawnSync(DENO, ["run", "-A", join(ROOT, "gen/cli.ts")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  assert.equal(gen.status, 0, gen.stderr);
  assert.match(gen.stdout, /wrote schema\/ping\.schema\.json/);
  assert.match(gen.stdout, /wrote src\/generated\/ping\.ts/);
  return dir;
}

test("README's quick start generates and runs as written, printing what README says", () => {
  const { demo } = quickStartBlocks();
  const dir = generatePing();
  writeFileSync(join(dir, "ping_demo.ts"), demo);
  const run = spawnSync(DENO, ["run", "ping_demo.ts"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const printed = run.stdout.trimEnd().split("\n");
  const promised = [...demo.matchAll(/\/\/ (send .*|pong .*|invalid .*|not-json .*)$/gm)].map((m) => m[1] as string);
  assert.equal(printed.length, promised.length, run.stdout);
  promised.forEach((line, i) => {
    if (line.endsWith("...")) assert.ok(printed[i]?.startsWith(line.slice(0, -3)), `${printed[i]} starts like ${line}`);
    else assert.equal(printed[i], line);
  });
});

for (const [runtime, command] of [["Deno", [DENO, "run", "-A"]], ["Bun", [BUN]]] as const) {
  test(`README's typed server runs as written on ${runtime}: auth at the upgrade, a typed answer`, async () => {
    const dir = generatePing();
    const code = readmeBlock("## Your own server", "## The client", 0).replace(
      '"typewire/server"',
      JSON.stringify(pathToFileURL(join(ROOT, "src/server/mod.ts")).href),
    );
    writeFileSync(join(dir, "ping_server.ts"), code.replace("{ port: 8081 }", "{ port: 0 }"));
    const check = spawnSync(DENO, ["check", "ping_server.ts"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    assert.equal(check.status, 0, `README's server does not type-check: ${check.stdout}${check.stderr}`);
    const [program, ...args] = command;
    const server = spawn(program, [...args, join(dir, "ping_server.ts")], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const printed = { output: "" };
    try {
      const url = await listeningUrl(server, printed);
      const refused = await RawClient.open(url, []);
      assert.deepEqual(await refused.closed, { code: 4401, reason: "who are you?" }, "no token: closed with 4401");
      const client = await RawClient.open(`${url}?token=let-me-in`, []);
      client.send({ type: "ping", seq: 7 });
      assert.deepEqual((await client.next()).json, { type: "pong", seq: 7 });
      client.close();
      await until(() => printed.output.includes("ann pinged 7"));
    } finally {
      server.kill();
    }
  });

  test(`README's servers on a cluster run as written on ${runtime}: two instances, one Redis, one topic`, async () => {
    const redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), "typewire-cluster-"));
    const href = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
    const code = readmeBlock("## Many instances of your own server", "## The client", 0)
      .replace('"typewire/server"', href("src/server/mod.ts"))
      .replace('"typewire/backplane"', href("src/backplane/mod.ts"))
      .replace('"typewire/backplane/redis"', href("src/backplane/redis.ts"))
      .replace('"./generated/feed.ts"', href("tests/fixtures/generated/feed.ts"))
      .replace('"redis://127.0.0.1:6379"', JSON.stringify(redis.url))
      .replace("{ port: 8080 });", "{ port: 0 });\nconsole.log(`listening ${listening.url}`);");
    writeFileSync(join(dir, "feed_server.ts"), code);
    // The repository's configuration, for the `redis` package in its node_modules.
    const config = ["--config", join(ROOT, "deno.json")];
    const check = spawnSync(DENO, ["check", ...config, "feed_server.ts"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(check.status, 0, `README's cluster server does not type-check: ${check.stdout}${check.stderr}`);
    const [program, ...args] = runtime === "Deno" ? [...command, ...config] : command;
    const servers = [0, 1].map(() =>
      spawn(program, [...args, join(dir, "feed_server.ts")], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] })
    );
    const clients: TypewireClient<FeedServerMessage, FeedClientMessage>[] = [];
    try {
      const urls = await Promise.all(servers.map((server) => listeningUrl(server, { output: "" })));
      for (const url of urls) clients.push(connect(feedProtocol, url, { reconnect: false }));
      for (const client of clients) client.send({ type: "join", topic: "readme" });
      // Joined on both instances once a post from either reaches both.
      const heard = clients.map(() => [] as number[]);
      clients.forEach((client, i) => client.on("entry", (entry) => heard[i]!.push(entry.n)));
      let n = 0;
      await until(() => {
        clients[n % 2]!.send({ type: "post", topic: "readme", n: n++, text: "hello" });
        return heard.every((h) => h.length > 0);
      }, 10_000);
      // Each client hears the topic from when its join took effect: where both heard, in one order.
      const [first, second] = heard.map((h, i) => h.filter((n) => heard[1 - i]!.includes(n)));
      assert.deepEqual(second, first, "one order on both instances");
    } finally {
      for (const client of clients) client.close();
      for (const server of servers) server.kill();
      await redis.stop();
    }
  });

  test(`README's bot runs as written on ${runtime} and answers !echo`, async () => {
    const code = readmeBlock("## The client", "## Layout", 0).replace(
      '"./src/chat/mod.ts"',
      JSON.stringify(pathToFileURL(join(ROOT, "src/chat/mod.ts")).href),
    );
    const dir = mkdtempSync(join(tmpdir(), "typewire-bot-"));
    writeFileSync(join(dir, "bot.ts"), code);
    const server = await startReferenceServer({ port: 0, page: false });
    const [program, ...args] = command;
    const bot = spawn(program, [...args, join(dir, "bot.ts"), server.socketUrl], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const user = new ChatSession(server.url, { name: "user", reconnect: false });
    try {
      let output = "";
      bot.stderr.on("data", (chunk) => (output += chunk));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the bot did not log in: ${output}`)), 30_000);
        bot.stdout.on("data", (chunk) => {
          output += chunk;
          if (output.includes("logged in as echobot")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await user.loggedIn();
      const answer = nextMessage(user.client, "message", { filter: (m) => m.name === "echobot", timeout: 10_000 });
      user.say("!echo hello from the README");
      assert.equal((await answer).text, "hello from the README");
    } finally {
      bot.kill();
      await user.close();
      await server.stop();
    }
  });
}

test("README's typed server on Cloudflare runs as written in workerd: refused at the Worker, typed through hibernation", async () => {
  const dir = generatePing("path");
  const code = readmeBlock("## Your own server on Cloudflare", "## The client", 0);
  writeFileSync(join(dir, "worker.ts"), code);
  const href = (path: string) => JSON.stringify(pathToFileURL(join(ROOT, path)).href);
  writeFileSync(
    join(dir, "checked.ts"),
    code.replace('"typewire/server"', href("src/server/mod.ts"))
      .replace('"typewire/server/cloudflare"', href("src/server/cloudflare/mod.ts")),
  );
  const check = spawnSync(DENO, ["check", "checked.ts"], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  assert.equal(check.status, 0, `README's Durable Object does not type-check: ${check.stdout}${check.stderr}`);
  const worker = await startWorker({ entry: join(dir, "worker.ts"), durableObjects: { ROOMS: "PingRoom" } });
  try {
    const refused = await RawClient.open(worker.url, []);
    assert.deepEqual(await refused.closed, { code: 4401, reason: "who are you?" }, "no token: closed with 4401");
    const client = await RawClient.open(`${worker.url}den?token=let-me-in`, []);
    client.send({ type: "ping", seq: 7 });
    assert.deepEqual((await client.next()).json, { type: "pong", seq: 7 });
    await worker.hibernate("PingRoom", "den");
    client.send({ type: "ping", seq: 8 });
    assert.deepEqual((await client.next()).json, { type: "pong", seq: 8 });
    client.close();
  } finally {
    await worker.stop();
  }
});

test("README's typewire diff example prints what README shows, and exits 1", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("**`typewire diff`: what a change breaks"));
  const shown = /```text\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(shown !== undefined, "README shows the output");
  const dir = mkdtempSync(join(tmpdir(), "typewire-readme-diff-"));
  mkdirSync(join(dir, "next"));
  const chat = readFileSync(join(ROOT, "schema", "chat.ts"), "utf8");
  assert.match(chat, /@maxLength 4096/);
  writeFileSync(join(dir, "next", "chat.ts"), chat.replace("@maxLength 4096", "@maxLength 1000"));
  const run = spawnSync(DENO, [
    "run",
    "-A",
    join(ROOT, "gen", "bin.ts"),
    "diff",
    "schema/chat.ts",
    join(dir, "next", "chat.ts"),
  ], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(run.status, 1, run.stderr);
  assert.equal(run.stdout, shown);
});
