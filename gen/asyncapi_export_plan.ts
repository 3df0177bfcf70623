/**
 * How the AsyncAPI export (`./asyncapi_export.ts`) is read back by `./asyncapi.ts`: the message `name`s that make
 * the reader give each type the model's name, and the order of operations that makes it list both unions, and the
 * definitions, in the model's order.
 *
 * @module
 */
import { componentKey, type ComponentSchemas, readerTypeName } from "./asyncapi_export_schemas.ts";
import type { DirectionModel, MessageVariant, ProtocolModel, RequestModel } from "./model.ts";

/** How a message type is written: its key in the channel, its `name`, and whether its payload is inline. */
export interface PlannedMessage {
  readonly key: string;
  /** The `name`, from which the reader names the message's type (`readerTypeName`) unless it says `x-type`. */
  readonly name: string;
  /** Inline payload: the reader names the type exactly as the model does. Else a `$ref` to the component. */
  readonly inline: boolean;
  /** The model's definition the reader recreates from this message (a bare alias such as `SubmitMessage`). */
  readonly recreates?: string;
}

/**
 * Chooses, per message type, the `name` that makes the reader give back the model's type: a message type that is
 * unreferenced and named `...Message` is written inline and read back under its own name; any other is a component
 * schema that the message names with `x-type`, read back as the message's type itself (or, where the model has an
 * alias such as `type CreateRoomMessage = CreateRoom` that the union lists, the message recreates that alias).
 *
 * @param model The protocol.
 * @param components Its definitions as component schemas.
 * @returns Per message type (definition name), in definition order, how to write it.
 * @example
 * ```ts
 * import { planMessages } from "./asyncapi_export_plan.ts";
 * import { componentSchemas } from "./asyncapi_export_schemas.ts";
 * import { parseConfig } from "./config.ts";
 * import { readProtocol } from "./generate.ts";
 * const [chat] = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline").protocols;
 * const { model, document } = await readProtocol(chat!);
 * planMessages(model, componentSchemas(model, document)).get("IdMessage"); // { key: "IdMessage", name: "id", inline: true }
 * ```
 */
export function planMessages(model: ProtocolModel, components: ComponentSchemas): Map<string, PlannedMessage> {
  const variants = [...model.server.variants, ...model.client.variants];
  const isVariant = (name: string) => variants.some((v) => v.definition === name);
  const aliases = new Map<string, string>();
  for (const [name, { shape }] of model.definitions) {
    if (shape.kind !== "ref" || !isVariant(shape.name) || isVariant(name)) continue;
    if (components.referenced.has(name) || !components.bareReferences.has(name)) continue;
    if (!aliases.has(shape.name)) aliases.set(shape.name, name);
  }
  const plan = new Map<string, PlannedMessage>();
  for (const definition of model.definitions.keys()) {
    const variant = variants.find((v) => v.definition === definition);
    if (variant === undefined) continue;
    const key = componentKey(definition);
    const named = (wanted: string, candidates: string[]) => candidates.find((n) => readerTypeName(n) === wanted);
    const alias = aliases.get(definition);
    const aliasName = alias === undefined ? undefined : named(alias, [variant.tag, definition, alias]);
    const inlineName = components.referenced.has(definition) ? undefined : named(definition, [variant.tag, definition]);
    if (alias !== undefined && aliasName !== undefined) {
      plan.set(definition, { key, name: aliasName, inline: false, recreates: alias });
    } else if (inlineName !== undefined) {
      plan.set(definition, { key, name: inlineName, inline: true });
    } else {
      // Its `x-type` names the type: the `name` is only the message's.
      plan.set(definition, { key, name: definition, inline: false });
    }
  }
  return plan;
}

/**
 * The order of the operations, one per message and direction. The reader lists each direction's messages, and names
 * their types, as it meets them, operation by operation, a request's answers right after the request: this order
 * keeps both unions' order and, as far as it can, the definitions' order. Both unions are merged by definition
 * order; a request waits until its answers not yet met are the next ones of the other union.
 *
 * @param model The protocol.
 * @param requests Its requests.
 * @returns Each message of each direction once, in operation order.
 * @example
 * ```ts
 * import { operationOrder } from "./asyncapi_export_plan.ts";
 * declare const model: import("./model.ts").ProtocolModel;
 * operationOrder(model, model.requests ?? []).map(({ variant }) => variant.tag); // e.g. ["id", "username", ...]
 * ```
 */
export function operationOrder(
  model: ProtocolModel,
  requests: readonly RequestModel[],
): { variant: MessageVariant; direction: DirectionModel }[] {
  const order = [...model.definitions.keys()];
  const queues = [model.server, model.client].map((direction) => ({ direction, next: 0, met: new Set<string>() }));
  const out: { variant: MessageVariant; direction: DirectionModel }[] = [];
  const ready = (q: (typeof queues)[number]) => {
    const variant = q.direction.variants[q.next]!;
    const request = requests.find((r) => r.side === q.direction.side && r.tag === variant.tag);
    if (request === undefined) return true;
    const other = queues.find((o) => o !== q)!;
    const pending = [...request.replies, ...request.errors].filter((tag) => !other.met.has(tag));
    const upcoming = other.direction.variants.filter((v) => !other.met.has(v.tag)).slice(0, pending.length);
    return upcoming.every((v) => pending.includes(v.tag));
  };
  for (;;) {
    const open = queues.filter((q) => q.next < q.direction.variants.length);
    if (open.length === 0) return out;
    const rank = (q: (typeof queues)[number]) =>
      (ready(q) ? 0 : order.length) + order.indexOf(q.direction.variants[q.next]!.definition);
    const q = open.reduce((best, candidate) => rank(candidate) < rank(best) ? candidate : best);
    const variant = q.direction.variants[q.next++]!;
    out.push({ variant, direction: q.direction });
    q.met.add(variant.tag);
    const request = requests.find((r) => r.side === q.direction.side && r.tag === variant.tag);
    const other = queues.find((o) => o !== q)!;
    for (const tag of [...request?.replies ?? [], ...request?.errors ?? []]) other.met.add(tag);
  }
}
