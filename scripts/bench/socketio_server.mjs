// The Socket.IO side of the fan-out benchmark, on Node.js as Socket.IO users run it: every chat
// line a client emits goes to every client, the sender too, like the chat protocol's broadcast.
// Usage: node scripts/bench/socketio_server.mjs   (prints "listening <port>")
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.on("connection", (socket) => {
  socket.on("message", (line) => io.emit("message", line));
});
http.listen(0, "127.0.0.1", () => console.log(`listening ${http.address().port}`));
process.on("SIGTERM", () => {
  io.close();
  process.exit(0);
});
