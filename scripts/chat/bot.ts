/**
 * The chat bot's behaviour: it joins any server of the chat protocol and
 * answers a few commands.
 */
import { ChatSession, type ChatSessionOptions } from "../../src/chat/mod.ts";
import type { UrlSource } from "../../src/client/mod.ts";

/** What the bot says to `!help`. No angle brackets: the server strips anything that looks like an HTML tag. */
export const HELP = "commands: !help, !echo TEXT (says TEXT back), !time, !users";

/**
 * The bot's answer to a chat line, if it is a command.
 *
 * @param text The line, as the server broadcast it.
 * @param users The current user list.
 * @param now The time to tell.
 * @returns What to say, or `undefined` when the line is no command.
 */
export function answer(text: string, users: readonly string[], now: Date): string | undefined {
  if (text.startsWith("!echo ")) {
    const echoed = text.slice("!echo ".length);
    return echoed === "" ? undefined : echoed;
  }
  switch (text.trim()) {
    case "!help":
      return HELP;
    case "!time":
      return `it is ${now.toISOString()}`;
    case "!users":
      return `online: ${users.join(", ")}`;
    default:
      return undefined;
  }
}

/**
 * Starts a bot: it logs in, answers commands from others, and logs in again after the server restarts.
 *
 * @param url The chat server (`ws:` or `wss:`).
 * @param options Its name, and any client option.
 * @returns The bot's chat session.
 */
export function startBot(url: UrlSource, options: ChatSessionOptions): ChatSession {
  const bot = new ChatSession(url, options);
  bot.onLine((line) => {
    if (line.id === bot.id) return;
    const reply = answer(line.text, bot.users, new Date());
    if (reply !== undefined) bot.say(reply);
  });
  return bot;
}
