/**
 * The chat protocol of MDN's WebSocket chat sample, as TypeScript types.
 *
 * This file is the generator's input: `npm run gen` compiles it to
 * `schema/chat.schema.json` and `src/generated/chat.ts`. Messages are split by
 * direction: {@link ServerMessage} is what a server sends, {@link ClientMessage}
 * what a client sends. Every message is one JSON object in one text frame,
 * routed by its `type`.
 *
 * @module
 */

/**
 * A client id, assigned by the server when the connection opens. The MDN
 * sample seeds ids from the clock, so they exceed 2^31 but stay below 2^53.
 *
 * @asType integer
 * @minimum 0
 * @maximum 9007199254740991
 */
export type ClientId = number;

/**
 * A point in time, in milliseconds since the Unix epoch (`Date.now()`).
 *
 * @asType integer
 * @minimum 0
 * @maximum 8640000000000000
 */
export type Timestamp = number;

/**
 * A user name as a client asks for it.
 *
 * @minLength 1
 * @maxLength 64
 */
export type RequestedName = string;

/**
 * A user name as the server assigned it: the requested name, with digits
 * appended by the server when it was taken.
 *
 * @minLength 1
 * @maxLength 96
 */
export type AssignedName = string;

/**
 * The text of one chat line.
 *
 * @maxLength 4096
 */
export type ChatText = string;

/** The first frame after the connection opens: the id the server gave this client. */
export interface IdMessage {
  type: "id";
  /** The id of the client this frame was sent to; the client quotes it in every message it sends. */
  id: ClientId;
}

/**
 * Sent only to a client whose requested name was taken (or cleaned up: spaces trimmed, NFC), with the name it was
 * given instead.
 */
export interface RejectUsernameMessage {
  type: "rejectusername";
  /** The id of the client whose name was changed. */
  id: ClientId;
  /** The unique name the server assigned in place of the requested one. */
  name: AssignedName;
}

/** The names of everyone connected, sent to every client whenever someone logs in or leaves. */
export interface UserListMessage {
  type: "userlist";
  /**
   * The names of the connected users. The MDN sample server lists a client
   * that has not logged in yet as `null`.
   *
   * @maxItems 10000
   */
  users: (AssignedName | null)[];
}

/** Broadcast to every client, the sender too, after a login or rename: the "signed in" notice. */
export interface UsernameMessage {
  type: "username";
  /** The id of the client that logged in. */
  id: ClientId;
  /** The final, unique name of that client. */
  name: AssignedName;
  /** When the client asked for the name. */
  date: Timestamp;
}

/** A chat line, broadcast to every client, the sender too. */
export interface ChatLineMessage {
  type: "message";
  /** The id of the client that wrote the line. */
  id: ClientId;
  /** The sender's current name, set by the server. */
  name: AssignedName;
  /** The line, with every HTML tag removed by the server. */
  text: ChatText;
  /** When the sender wrote the line. */
  date: Timestamp;
}

/** Every message a chat server sends to a client. */
export type ServerMessage =
  | IdMessage
  | RejectUsernameMessage
  | UserListMessage
  | UsernameMessage
  | ChatLineMessage;

/** Logs in, or changes the name of a client that is logged in already. */
export interface LoginMessage {
  type: "username";
  /** The id the server sent in its `id` message. */
  id: ClientId;
  /** The name the client asks for; the server may append digits to make it unique. */
  name: RequestedName;
  /** When the client asked for the name. */
  date: Timestamp;
}

/** A chat line for everyone. */
export interface SayMessage {
  type: "message";
  /** The id the server sent in its `id` message. */
  id: ClientId;
  /** The line; the server removes HTML tags before broadcasting it. */
  text: ChatText;
  /** When the line was written. */
  date: Timestamp;
}

/** Every message a chat client sends to the server. */
export type ClientMessage = LoginMessage | SayMessage;
