/**
 * Compile-time tests: every `@ts-expect-error` below must be an error, or the
 * type check (`deno check tests/`) fails. This file is type-checked, never run.
 */
import {
  chatProtocol,
  type ClientMessage,
  dispatchServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  type ServerMessageHandlers,
} from "../../src/generated/chat.ts";
import { connect } from "../../src/client/mod.ts";
import { tickerProtocol } from "../fixtures/generated/ticker.ts";
import { jobsProtocol } from "../fixtures/generated/jobs.ts";
import { echoProtocol } from "../fixtures/generated/echo.ts";
import { createServer } from "../../src/server/typed_server.ts";
import { roomsProtocol } from "../fixtures/generated/rooms.ts";
import { feedClientProtocol } from "../fixtures/generated/feed.ts";
import { durableObject, type DurableObjectContext, pingPong, worker } from "../../src/server/cloudflare/mod.ts";

// A client's chat line has no name (the server sets it), so it is no server message.
// (A login is: the server's "username" broadcast has the same shape.)
const line: ClientMessage = { type: "message", id: 1, text: "hi", date: 0 };

// A wrong field type.
// @ts-expect-error id is a number
encodeClientMessage({ type: "message", id: "1", text: "hi", date: 0 });

// A missing field.
// @ts-expect-error date is required
encodeClientMessage({ type: "message", id: 1, text: "hi" });

// An unknown type.
// @ts-expect-error "shout" is no client message
encodeClientMessage({ type: "shout", id: 1, text: "hi", date: 0 });

// A field of another message type.
// @ts-expect-error a client's chat line has no name: the server sets it
encodeClientMessage({ type: "message", id: 1, name: "ada", text: "hi", date: 0 });

// A client message passed to the server encoder.
// @ts-expect-error a client's chat line is not something a server sends
encodeServerMessage(line);

// The same through the protocol descriptor.
// @ts-expect-error the server direction encodes server messages only
chatProtocol.server.encode(line);

// A missing handler in an exhaustive table.
// @ts-expect-error the "message" handler is missing
const missing: ServerMessageHandlers = { id() {}, rejectusername() {}, userlist() {}, username() {} };

// A handler for a type the direction does not have.
// @ts-expect-error "video-offer" is not a chat server message
dispatchServerMessage({ "video-offer": () => {} }, { type: "id", id: 1 });

// Handlers receive the message of their own type.
const typed: ServerMessageHandlers = {
  id: (m) => m.id.toFixed(),
  rejectusername: (m) => m.name.toUpperCase(),
  userlist: (m) => m.users.length,
  username: (m) => m.date,
  // @ts-expect-error a chat line has no users
  message: (m) => m.users,
};

// A decoded message narrows by type.
const decoded = chatProtocol.server.decode("{}");
if (decoded.ok && decoded.value.type === "userlist") {
  decoded.value.users satisfies (string | null)[];
  // @ts-expect-error a user list has no text
  decoded.value.text;
}

export { missing, typed };

// Protocols from JSON Schema and AsyncAPI are typed the same way, on their own discriminators.
const ticker = connect(tickerProtocol, "ws://127.0.0.1:1");
ticker.send({ op: "subscribe", symbols: ["ACME"] });
// @ts-expect-error the ticker's messages are told apart by op, not type
ticker.send({ type: "subscribe", symbols: ["ACME"] });
// @ts-expect-error a tick is something the server sends
ticker.send({ op: "tick", symbol: "ACME", price: 1, size: 1, time: 0 });
ticker.on("tick", (tick) => tick.price.toFixed(2));
// @ts-expect-error a tick has no text
ticker.on("tick", (tick) => tick.text);
// @ts-expect-error "trade" is no ticker message
ticker.on("trade", () => {});

const jobs = connect(jobsProtocol, "ws://127.0.0.1:1", {
  // @ts-expect-error the handler table must cover every message the server sends (failed is missing)
  handlers: { accepted: () => {}, progress: () => {}, done: () => {} },
});
// @ts-expect-error task is one of the AsyncAPI document's enum values
jobs.send({ kind: "submit", job: "a", task: "paint", input: "" });

// The typed server: handlers, connection data and sending are typed by the protocol and the upgrade hook.
createServer(echoProtocol, {
  async upgrade(request) {
    const known = await Promise.resolve(request.headers.has("authorization"));
    return known ? { user: "ann" } : new Response(null, { status: 401 });
  },
  handlers: {
    say(message, conn) {
      const user: string = conn.data.user;
      // @ts-expect-error the upgrade hook's data has no `role`
      conn.data.role;
      // @ts-expect-error a "say" is something a client sends, not the server
      conn.send({ type: "say", seq: 1, text: user });
      conn.send({ type: "echo", seq: message.seq, text: message.text });
    },
    ping: (message, conn) => conn.send({ type: "pong", seq: message.seq }),
  },
});

createServer(echoProtocol, {
  handlers: {
    // @ts-expect-error a wrong handler parameter: the "say" handler receives a "say" message
    say: (message: { type: "ping"; seq: number }) => message.seq,
    ping: () => {},
  },
});

// @ts-expect-error the exhaustive form misses the "ping" handler
createServer(echoProtocol, { handlers: { say: () => {} } });

// The partial form may leave types out, but not name one the protocol lacks.
createServer(echoProtocol, { partialHandlers: { say: () => {} } });
// @ts-expect-error "shout" is no client message
createServer(echoProtocol, { partialHandlers: { shout: () => {} } });

// Without an upgrade hook, the connection's data is undefined.
createServer(echoProtocol, {
  partialHandlers: {
    say(_message, conn) {
      const none: undefined = conn.data;
      console.log(none);
    },
  },
});

// A publish takes only server messages.
const echoServer = createServer(echoProtocol, { partialHandlers: {} });
echoServer.publish("t", { type: "pong", seq: 1 });
// @ts-expect-error a "ping" is a client message
echoServer.publish("t", { type: "ping", seq: 1 });

// Lifecycle events and message types live apart: neither subscribe method takes the other's names.
const lifecycle = connect(echoProtocol, "ws://127.0.0.1:1/");
lifecycle.onEvent("close", (event) => event.gaveUp satisfies boolean);
// @ts-expect-error "echo" is a message type, not a lifecycle event: messages go to on()
lifecycle.onEvent("echo", () => {});
// @ts-expect-error "close" is a lifecycle event, not a message type: events go to onEvent()
lifecycle.on("close", () => {});
// @ts-expect-error a close event has no `seq`: the listener's event is typed by its name
lifecycle.onEvent("close", (event) => event.seq);

// Requests: `request()` takes only requests, without their correlation property, and resolves with their own replies.
const rooms = connect(roomsProtocol, "ws://127.0.0.1:1/");
async function requestTypes(): Promise<void> {
  const created = await rooms.request({ type: "create-room", name: "lobby" });
  created.id satisfies number;
  // @ts-expect-error a "create-room" request is answered by "room-created", which has no `names`
  created.names;
  const members = await rooms.request({ type: "list-members", room: "lobby" });
  members.names satisfies string[];
  // @ts-expect-error "say" is a plain message: there is no reply to wait for
  await rooms.request({ type: "say", room: "lobby", text: "hi" });
  // @ts-expect-error typewire fills in the correlation property
  await rooms.request({ type: "create-room", name: "lobby", request: 7 });
  // @ts-expect-error a request's own fields are still checked
  await rooms.request({ type: "create-room", room: "lobby" });
  // @ts-expect-error the echo protocol declares no requests
  await lifecycle.request({ type: "ping", seq: 1 });
  try {
    await rooms.request({ type: "create-room", name: "lobby" });
  } catch (error) {
    // The guard types the error reply of that request.
    if (rooms.isRequestError(error, "create-room") && error.kind === "error-reply") error.reply.reason satisfies string;
    // @ts-expect-error "say" is no request
    rooms.isRequestError(error, "say");
  }
}
console.log(requestTypes);

// A request's handler must return one of its answers, without the correlation property.
createServer(roomsProtocol, {
  handlers: {
    "create-room": ({ name }) => ({ type: "room-created", room: name, id: 1 }),
    "list-members": () => Promise.resolve({ type: "refused", reason: "no such room" }),
    say: () => {},
  },
});
createServer(roomsProtocol, {
  handlers: {
    // @ts-expect-error "members" answers "list-members", not "create-room"
    "create-room": () => ({ type: "members", names: [] }),
    "list-members": () => ({ type: "members", names: [] }),
    say: () => {},
  },
});
createServer(roomsProtocol, {
  handlers: {
    // @ts-expect-error a request's handler must answer it
    "create-room": () => {},
    "list-members": () => ({ type: "members", names: [] }),
    say: () => {},
  },
});
// The handler of an answer to the server's own request ("here") is optional; a plain message's is not.
createServer(roomsProtocol, {
  // @ts-expect-error the "say" handler is missing
  handlers: {
    "create-room": () => ({ type: "refused", reason: "no" }),
    "list-members": () => ({ type: "refused", reason: "no" }),
  },
});

// The server's requests are typed on the connection; a client's handler answers them with their reply.
createServer(roomsProtocol, {
  partialHandlers: {
    async say(_message, conn) {
      const here = await conn.request({ type: "here?" });
      here.type satisfies "here";
      // @ts-expect-error "said" is not a request the server sends
      await conn.request({ type: "said", room: "r", text: "t" });
    },
  },
});
rooms.on("here?", () => ({ type: "here" }));
// @ts-expect-error "refused" does not answer "here?"
rooms.on("here?", () => ({ type: "refused", reason: "no" }));

// `errorReply` turns a thrown error into an error reply: literal types are kept, anything else is refused.
createServer(roomsProtocol, {
  errorReply: (error) => error instanceof TypeError ? undefined : { type: "refused", reason: String(error) },
  partialHandlers: {},
});
createServer(roomsProtocol, {
  // @ts-expect-error "members" is no error reply
  errorReply: () => ({ type: "members", names: [] }),
  partialHandlers: {},
});

// A `resumed` event narrows on `resumed`: `replayed` when the topic was resumed, `reason` and `message` when not.
const feed = connect(feedClientProtocol, "ws://127.0.0.1:1");
feed.onEvent("resumed", (e) => {
  e.topic satisfies string;
  if (e.resumed) {
    e.replayed satisfies number;
    // @ts-expect-error a resumed topic has no reason
    e.reason;
  } else {
    e.reason satisfies "gone" | "invalid" | "unreachable" | "too-many-topics" | "not-subscribed";
    e.message satisfies string;
    // @ts-expect-error a topic that was not resumed replayed nothing
    e.replayed;
  }
});
// @ts-expect-error "lost" is no reason a resumed event gives
feed.onEvent("resumed", (e) => !e.resumed && e.reason === "lost");
// A position is the server's to fill in: an entry the client decodes may carry one, as a string.
feed.on("entry", (m) => m.pos?.length);

// A Durable Object's builder may take the runtime's full state (DurableObjectState, with its storage), or none.
interface FullState extends DurableObjectContext {
  readonly storage: { get(key: string): Promise<unknown> };
}
durableObject<{ readonly KEY: string }>({
  server: (ctx: FullState, env) => (void ctx.storage.get(env.KEY), createServer(echoProtocol, { partialHandlers: {} })),
});
// The ping a runtime answers is a message the client sends; the pong one the server sends.
// @ts-expect-error "pong" is not a client message
pingPong(echoProtocol, { type: "pong", seq: 0 }, { type: "pong", seq: 0 });
const unrouted = {
  server: () => createServer(echoProtocol, { partialHandlers: {} }),
  namespace: () => undefined as never,
  route: () => ({ topics: [] }),
};
// @ts-expect-error a Worker's route names its object
worker(unrouted);
