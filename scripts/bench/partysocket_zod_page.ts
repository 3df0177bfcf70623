/**
 * What a user would ship instead of typewire, for `npm run size`: the chat
 * protocol for clients written with zod/mini schemas, on partysocket's
 * reconnecting WebSocket, with the same jobs as typewire's page bundle:
 * validate and route what the server sends, validate what the client sends.
 */
import { WebSocket as ReconnectingWebSocket } from "partysocket";
import * as z from "zod/mini";

const Id = z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));
const Name = z.string().check(z.minLength(1), z.maxLength(96));
const Timestamp = z.int().check(z.minimum(0), z.maximum(8_640_000_000_000_000));

const ServerMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("id"), id: Id }),
  z.object({ type: z.literal("rejectusername"), id: Id, name: Name }),
  z.object({ type: z.literal("userlist"), users: z.array(z.nullable(Name)).check(z.maxLength(10_000)) }),
  z.object({ type: z.literal("username"), id: Id, name: Name, date: Timestamp }),
  z.object({
    type: z.literal("message"),
    id: Id,
    name: Name,
    text: z.string().check(z.maxLength(4096)),
    date: Timestamp,
  }),
]);
const ClientMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("username"),
    id: Id,
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    date: Timestamp,
  }),
  z.object({ type: z.literal("message"), id: Id, text: z.string().check(z.maxLength(4096)), date: Timestamp }),
]);

type Server = z.infer<typeof ServerMessage>;
type Handlers = { [T in Server["type"]]?: (message: Extract<Server, { type: T }>) => void };

/** Connects, routes each valid server message to its handler, and sends validated client messages. */
export function connectChat(url: string, handlers: Handlers) {
  const socket = new ReconnectingWebSocket(url, "json");
  socket.onmessage = (event) => {
    const result = ServerMessage.safeParse(JSON.parse(event.data));
    if (result.success) (handlers[result.data.type] as ((message: Server) => void) | undefined)?.(result.data);
  };
  return {
    send: (message: z.infer<typeof ClientMessage>) => socket.send(JSON.stringify(ClientMessage.parse(message))),
    close: () => socket.close(),
  };
}
