/**
 * The raw baseline on Deno for the server benchmarks: `Deno.serve` and
 * `Deno.upgradeWebSocket`; every frame from the publisher is sent as it is,
 * already encoded, in a loop over the subscribed sockets: no parsing, no
 * validation, no encoding. Prints "listening <port>".
 */
import { answerHttp, exitOnTerm, roleOf } from "../common.ts";

const subscribers = new Set<WebSocket>();
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`listening ${port}`),
}, (request) => {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return answerHttp(request);
  const role = roleOf(request.url);
  const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 30 });
  // What a minimal application sets on every socket: who joins the topic, who publishes, and leaving.
  socket.onopen = () => role === "sub" && subscribers.add(socket);
  socket.onclose = () => subscribers.delete(socket);
  socket.onmessage = (event: MessageEvent<string>) => {
    if (role !== "pub") return;
    for (const subscriber of subscribers) if (subscriber.readyState === WebSocket.OPEN) subscriber.send(event.data);
  };
  return response;
});
exitOnTerm();
