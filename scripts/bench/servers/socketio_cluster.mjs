// Socket.IO's side of the cluster fan-out benchmark, on Node.js as Socket.IO users run it: one instance of a
// cluster. Subscribers (`?role=sub` in the handshake) join one room; each "publish" event `{ topic, n }` from the
// publisher is emitted to the room as a "message" event carrying `{ type: "note", topic, n }`, the object typewire's
// feed server publishes for a `shout`. With `--redis <url>`, instances share the room through
// `@socket.io/redis-adapter` (pub/sub on two node-redis connections, as its README sets it up); without, the
// default in-memory adapter. `--key` names the adapter's channels, so that clusters on one Redis stay apart.
// Usage: node scripts/bench/servers/socketio_cluster.mjs [--redis <url> --key <name>]   (prints "listening <port>")
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const { values } = parseArgs({ options: { redis: { type: "string" }, key: { type: "string", default: "socket.io" } } });
const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
if (values.redis !== undefined) {
  const pub = createClient({ url: values.redis });
  const sub = pub.duplicate();
  pub.on("error", (error) => console.error(`socketio_cluster: redis: ${error.message}`));
  sub.on("error", (error) => console.error(`socketio_cluster: redis: ${error.message}`));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub, { key: values.key }));
}
io.on("connection", (socket) => {
  if (socket.handshake.query.role === "sub") socket.join("room");
  socket.on("publish", ({ topic, n }) => io.to("room").emit("message", { type: "note", topic, n }));
});
http.listen(0, "127.0.0.1", () => console.log(`listening ${http.address().port}`));
process.on("SIGTERM", () => process.exit(0));
