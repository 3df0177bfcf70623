/// <reference lib="dom" />
/**
 * Bundled by tests/runtimes.test.ts for a page in Chromium: typewire's client
 * module alone (no chat page, no chat layer) logs in to the chat server that
 * served the page, says a line and reads it back, then publishes the outcome
 * on `window.typewireResult`.
 */
import { connect, nextMessage } from "../../src/client/mod.ts";
import { chatClientProtocol } from "../../src/generated/chat.ts";

const client = connect(chatClientProtocol, new URL("/", location.href), { reconnect: false });
const result: Record<string, unknown> = {};
try {
  const { id } = await nextMessage(client, "id", { timeout: 10_000 });
  client.send({ type: "username", id, name: "chromium", date: Date.now() });
  const login = await nextMessage(client, "username", { filter: (m) => m.id === id, timeout: 10_000 });
  const line = nextMessage(client, "message", { filter: (m) => m.id === id, timeout: 10_000 });
  client.send({ type: "message", id, text: "hello from <i>Chromium</i>", date: Date.now() });
  Object.assign(result, { name: login.name, text: (await line).text, protocol: client.protocol });
} catch (error) {
  result.error = String(error);
}
await client.close();
(window as unknown as { typewireResult: unknown }).typewireResult = result;
