/**
 * The chat room on Cloudflare, locally: the Durable Object example
 * (docs/examples/chat-durable-object) in workerd through Miniflare, its page,
 * and a bot in the lobby. `npm run chat:cloudflare`.
 *
 * Usage: chat_cloudflare.ts [--port 6502] [--bot-name typewire-bot]
 * Ctrl-C stops it.
 */
import process from "node:process";
import { commandLine, option } from "./args.ts";
import { startBot } from "./chat/bot.ts";
import { startCloudflareChat } from "./chat/cloudflare.ts";

const USAGE = "usage: chat_cloudflare.ts [--port 6502] [--bot-name <name>]";

const options = commandLine(USAGE);
const port = Number(option(options, "port", process.env.PORT ?? "6502"));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`not a port: ${option(options, "port", process.env.PORT ?? "")}\n${USAGE}`);
  process.exit(2);
}

const chat = await startCloudflareChat({ port });
const bot = startBot(chat.socketUrl, { name: option(options, "bot-name", "typewire-bot") });
await bot.loggedIn();
console.log(
  `typewire chat on a Durable Object (workerd) is up: open ${chat.url} in a browser (the bot "${bot.name}" is in the ` +
    "lobby; /rooms/<name> is another room; Ctrl-C stops)",
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nstopping");
  await bot.close();
  await chat.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
