// Socket.IO's server for the server fan-out benchmark, on Node.js as Socket.IO users run it: subscribers
// (`?role=sub` in the handshake) join one room; each "publish" event from the publisher is emitted to the room
// as a "message" event carrying the echo message object (Socket.IO encodes the packet once for the room).
// Usage: node scripts/bench/servers/socketio.mjs   (prints "listening <port>")
import { createServer } from "node:http";
import { Server } from "socket.io";

const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.on("connection", (socket) => {
  if (socket.handshake.query.role === "sub") socket.join("room");
  socket.on("publish", ({ seq, text }) => io.to("room").emit("message", { type: "echo", seq, text }));
});
http.listen(0, "127.0.0.1", () => console.log(`listening ${http.address().port}`));
process.on("SIGTERM", () => process.exit(0));
