/**
 * `npm start`, for now: regenerates the protocols, then round-trips one chat
 * conversation through the generated chat module (encode, decode, dispatch)
 * and shows a refused frame, so a newcomer sees the whole pipeline work.
 */
import process from "node:process";
import { main as generate } from "../gen/cli.ts";
import {
  chatProtocol,
  type ClientMessage,
  decodeServerMessage,
  dispatchServerMessage,
  encodeServerMessage,
  type ServerMessage,
  type ServerMessageHandlers,
} from "../src/generated/chat.ts";

const status = await generate([]);
if (status !== 0) process.exit(status);

const now = Date.now();
const conversation: ServerMessage[] = [
  { type: "id", id: now },
  { type: "userlist", users: ["ada", "bob"] },
  { type: "username", id: now, name: "ada", date: now },
  { type: "rejectusername", id: now + 1, name: "ada1" },
  { type: "message", id: now, name: "ada", text: "hello, <b>world</b> 👋", date: now },
];
const show: ServerMessageHandlers = {
  id: (m) => console.log(`  id             -> my id is ${m.id}`),
  userlist: (m) => console.log(`  userlist       -> online: ${m.users.join(", ")}`),
  username: (m) => console.log(`  username       -> ${m.name} signed in`),
  rejectusername: (m) => console.log(`  rejectusername -> name taken, now ${m.name}`),
  message: (m) => console.log(`  message        -> ${m.name}: ${m.text}`),
};

console.log("\nRound-tripping a chat conversation through src/generated/chat.ts:");
for (const message of conversation) {
  const encoded = encodeServerMessage(message);
  if (!encoded.ok) throw new Error(encoded.error.message);
  const decoded = decodeServerMessage(encoded.frame);
  if (!decoded.ok) throw new Error(decoded.error.message);
  console.log(`frame ${encoded.frame}`);
  dispatchServerMessage(show, decoded.value);
}

const login: ClientMessage = { type: "username", id: now, name: "ada", date: now };
console.log(`\nA client's login encodes to ${JSON.stringify(chatProtocol.client.encode(login))}`);
const bad = decodeServerMessage('{"type":"message","id":1,"name":"","text":"hi","date":0}');
console.log(`A bad frame is refused: ${bad.ok ? "accepted?!" : bad.error.message}`);
