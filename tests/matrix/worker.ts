/**
 * A Cloudflare Worker, bundled by tests/runtimes.test.ts and run in workerd
 * through Miniflare: on each request it opens the standard WebSocket to the
 * chat server named in `?url=`, logs in, says a line, reads it back, and
 * answers with the outcome as JSON. workerd forbids code generation from
 * strings, so it also reports that `eval` is refused there.
 */
import { nextMessage } from "../../src/client/wait.ts";
import { ChatSession } from "../../src/chat/session.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url).searchParams.get("url") ?? "";
    let evalRefused = false;
    try {
      (0, eval)("1");
    } catch {
      evalRefused = true;
    }
    const chat = new ChatSession(url, { name: "workerd", reconnect: false });
    try {
      await chat.loggedIn();
      const line = nextMessage(chat.client, "message", { filter: (m) => m.id === chat.id, timeout: 10_000 });
      chat.say("hello from workerd");
      const echoed = await line;
      return Response.json({ name: chat.name, text: echoed.text, evalRefused, protocol: chat.client.protocol });
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 });
    } finally {
      await chat.close();
    }
  },
};
