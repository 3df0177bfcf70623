/// <reference lib="dom" />
/**
 * The web chat page: typewire's client, bundled for the browser, on the chat
 * server that serves this page. Everything it shows is set as text, never as
 * HTML, whatever arrives.
 */
import { closeCodeName } from "../src/client/close_codes.ts";
import { ChatSession } from "../src/chat/mod.ts";

function element<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

const status = element<HTMLParagraphElement>("status");
const login = element<HTMLFormElement>("login");
const nameInput = element<HTMLInputElement>("name");
const users = element<HTMLUListElement>("users");
const log = element<HTMLOListElement>("log");
const say = element<HTMLFormElement>("say");
const text = element<HTMLInputElement>("text");
const send = element<HTMLButtonElement>("send");

let session: ChatSession | undefined;
const names = new Map<number, string>();

/** Appends one line to the log; each part is a text node in a span of its own class. */
function show(parts: readonly (readonly [className: string, content: string])[]): void {
  const item = document.createElement("li");
  for (const [className, content] of parts) {
    const span = document.createElement("span");
    span.className = className;
    span.textContent = content;
    item.append(span);
  }
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  log.append(item);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function time(date: number): string {
  return new Date(date).toLocaleTimeString();
}

function online(on: boolean): void {
  text.disabled = !on;
  send.disabled = !on;
}

function join(name: string): void {
  void session?.close();
  names.clear();
  const chat = new ChatSession(new URL("/", location.href), { name });
  session = chat;
  chat.client.onEvent("open", () => {
    status.textContent = `online as ${chat.name}`;
    online(true);
  });
  chat.client.onEvent("close", (event) => {
    online(false);
    status.textContent = event.willReconnect
      ? "connection lost"
      : `disconnected: ${event.code} ${closeCodeName(event.code)}`;
  });
  chat.client.onEvent("reconnecting", (event) => {
    status.textContent = `reconnecting in ${Math.ceil(event.delay / 1000)} s (attempt ${event.attempt})`;
  });
  chat.onUsers((list) => {
    users.replaceChildren(...list.map((user) => Object.assign(document.createElement("li"), { textContent: user })));
  });
  chat.onSignIn((user) => {
    const before = names.get(user.id);
    names.set(user.id, user.name);
    const what = before === undefined ? `${user.name} signed in` : `${before} is now ${user.name}`;
    show([["time", time(user.date)], ["notice", what]]);
    if (user.id === chat.id) status.textContent = `online as ${chat.name}`;
  });
  chat.client.on("rejectusername", (message) => {
    show([["notice", `That name is taken: you are ${message.name}.`]]);
  });
  chat.onLine((line) => show([["time", time(line.date)], ["name", `${line.name}:`], ["text", line.text]]));
}

login.addEventListener("submit", (event) => {
  event.preventDefault();
  const name = nameInput.value.trim();
  if (name !== "") join(name);
});

say.addEventListener("submit", (event) => {
  event.preventDefault();
  if (session === undefined || text.value === "") return;
  session.say(text.value);
  text.value = "";
});
