// Socket.IO's server for the request/reply benchmark, on Node.js as Socket.IO users run it: each "list-members"
// event is answered through its acknowledgement with a members object, the same as typewire's typed server replies
// (`./typed_requests.ts`).
// Usage: node scripts/bench/servers/socketio_requests.mjs   (prints "listening <port>")
import { createServer } from "node:http";
import { Server } from "socket.io";

const MEMBERS = ["ada", "grace", "linus"];
const http = createServer();
const io = new Server(http, { transports: ["websocket"], serveClient: false });
io.on("connection", (socket) => {
  socket.on("list-members", (_message, ack) => ack({ type: "members", names: [...MEMBERS] }));
});
http.listen(0, "127.0.0.1", () => console.log(`listening ${http.address().port}`));
process.on("SIGTERM", () => process.exit(0));
