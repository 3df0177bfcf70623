/**
 * typewire: typed WebSocket messaging generated from TypeScript types.
 *
 * Generated protocol modules (see `typewire gen`) give typed decoders,
 * encoders, guards and dispatch; this entry point re-exports the runtime
 * those modules are built on.
 *
 * @example Decode and dispatch a chat frame
 * ```ts
 * import { chatProtocol } from "./generated/chat.ts";
 *
 * const result = chatProtocol.server.decode('{"type":"id","id":7}');
 * if (result.ok) {
 *   chatProtocol.server.dispatch({ id: (m) => console.log("my id is", m.id) }, result.value);
 * }
 * ```
 *
 * @module
 */
export * from "./runtime/mod.ts";
