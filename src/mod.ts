/**
 * typewire: typed WebSocket messaging generated from TypeScript types.
 *
 * This entry point is the client, built only on the standard `WebSocket`:
 * connect with a generated protocol descriptor, send typed messages, route
 * what arrives by type. Other entry points: `typewire/chat` (the chat layer
 * and the chat protocol), `typewire/signaling`, `typewire/runtime` (what
 * generated modules import), `typewire/server`, `typewire/server/bun`,
 * `typewire/server/deno`. The generator is a package of its own on npm,
 * `typewire-gen` (`./gen` in JSR's package).
 *
 * @example Connect, route by type, send
 * ```ts
 * import { connect } from "./mod.ts";
 * import { chatClientProtocol } from "./generated/chat.ts";
 *
 * const client = connect(chatClientProtocol, "ws://127.0.0.1:6502");
 * client.on("id", ({ id }) => client.send({ type: "username", id, name: "ada", date: Date.now() }));
 * client.on("message", (line) => console.log(`${line.name}: ${line.text}`));
 * ```
 *
 * @module
 */
export * from "./client/mod.ts";
