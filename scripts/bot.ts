/**
 * The chat bot, on its own: joins any chat-protocol server (ours or another
 * implementation, `ws:` or `wss:`), answers `!help`, `!echo <text>`, `!time`,
 * `!users`, and logs in again after the server restarts.
 *
 * Usage: bot.ts --url ws://127.0.0.1:6502 --name typewire-bot
 */
import process from "node:process";
import { commandLine, option } from "./args.ts";
import { startBot } from "./chat/bot.ts";
import { closeCodeName } from "../src/client/close_codes.ts";

const USAGE = "usage: bot.ts [--url ws://127.0.0.1:6502] [--name typewire-bot]";

const options = commandLine(USAGE);
const url = option(options, "url", "ws://127.0.0.1:6502");
const bot = startBot(url, { name: option(options, "name", "typewire-bot") });
bot.client.onEvent("open", () => console.log(`logged in to ${url} as ${bot.name}`));
bot.client.onEvent("close", (event) => {
  const next = event.willReconnect ? "; reconnecting" : "";
  console.log(
    `disconnected: ${event.code} ${closeCodeName(event.code)}${event.reason ? ` (${event.reason})` : ""}${next}`,
  );
});
bot.client.onEvent("error", (event) => console.error(`error: ${event.error.message}`));
process.on("SIGINT", async () => {
  await bot.close();
  process.exit(0);
});
