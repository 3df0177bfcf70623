/**
 * The main job: the reference chat server with its web page, and a bot that
 * joins it. `npm start` runs it on Deno, `bun run chat` on Bun.
 *
 * Usage: chat.ts [--port 6502] [--host 127.0.0.1] [--origin https://example.com ...] [--bot-name typewire-bot]
 *                [--redis redis://127.0.0.1:6379] [--per-address 100]
 * The port can also come from the PORT environment variable, Redis from REDIS_URL: with Redis, this instance shares
 * its room with every other instance on the same Redis. `--per-address` is how many connections one address may hold
 * at once (raise it behind a reverse proxy, where every client has the proxy's address). Ctrl-C stops it.
 */
import process from "node:process";
import { commandLine, option } from "./args.ts";
import { startBot } from "./chat/bot.ts";
import { startReferenceServer } from "./chat/server.ts";
import { Cluster } from "../src/backplane/cluster.ts";
import { RedisBackplane } from "../src/backplane/redis.ts";
import { RedisNames } from "../src/chat/server/redis_names.ts";
import { CHAT_LIMITS } from "../src/chat/server/room.ts";

const USAGE =
  "usage: chat.ts [--port 6502] [--host 127.0.0.1] [--origin <allowed origin> ...] [--bot-name <name>] [--redis <url>]" +
  " [--per-address <connections>]";

const options = commandLine(USAGE);
const port = Number(option(options, "port", process.env.PORT ?? "6502"));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`not a port: ${option(options, "port", process.env.PORT ?? "")}\n${USAGE}`);
  process.exit(2);
}
const hostname = option(options, "host", "127.0.0.1");
const perAddress = Number(option(options, "per-address", String(CHAT_LIMITS.maxConnectionsPerAddress)));
if (!Number.isInteger(perAddress) || perAddress < 1) {
  console.error(`not a number of connections: ${option(options, "per-address", "")}\n${USAGE}`);
  process.exit(2);
}

const origins = options.get("origin");
const redis = options.get("redis")?.at(-1) ?? process.env.REDIS_URL;
const shared = redis === undefined || redis === ""
  ? undefined
  : { cluster: new Cluster(new RedisBackplane(redis)), names: await RedisNames.connect(redis) };
const server = await startReferenceServer({
  hostname,
  port,
  room: {
    limits: { ...CHAT_LIMITS, maxConnectionsPerAddress: perAddress },
    ...(origins !== undefined && { origins }),
    ...shared,
  },
});
const botUrl = server.socketUrl.replace(/\/\/(0\.0\.0\.0|\[::\])/, "//127.0.0.1");
const bot = startBot(botUrl, { name: option(options, "bot-name", "typewire-bot") });
await bot.loggedIn();
console.log(
  `typewire chat is up: open ${server.url} in a browser (the bot "${bot.name}" is in the room; Ctrl-C stops)`,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping: saying goodbye to every client");
  await bot.close();
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
