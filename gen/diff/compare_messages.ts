/**
 * The messages of both directions compared: types added and removed (by
 * discriminator value), and the shape of each message kept.
 *
 * @module
 */
import type { DirectionModel, ProtocolModel } from "../model.ts";
import { compareShapes } from "./compare_shapes.ts";
import type { Finding } from "./finding.ts";
import type { Side } from "./rules.ts";

/**
 * A finding about one message: which side sends it, and its discriminator value.
 *
 * @example
 * ```ts
 * import type { MessageFinding } from "./compare_messages.ts";
 * const finding: MessageFinding = { side: "client", message: "username", rule: "message-removed", pointer: "", detail: "removed" };
 * ```
 */
export interface MessageFinding extends Finding {
  readonly side: Side;
  readonly message: string;
}

/**
 * Compares the messages of both directions of two versions of a protocol.
 *
 * @param old The old protocol.
 * @param next The new protocol.
 * @returns The findings, server messages first, each direction in the new version's order, then what was removed.
 * @example
 * ```ts
 * import { compareMessages } from "./compare_messages.ts";
 * import { parseConfig } from "../config.ts";
 * import { readProtocol } from "../generate.ts";
 * const [chat] = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline").protocols;
 * const { model } = await readProtocol(chat!);
 * compareMessages(model, model); // []
 * ```
 */
export function compareMessages(old: ProtocolModel, next: ProtocolModel): MessageFinding[] {
  return [
    ...compareDirection(old.server, next.server, old, next),
    ...compareDirection(old.client, next.client, old, next),
  ];
}

function compareDirection(
  old: DirectionModel,
  next: DirectionModel,
  oldProtocol: ProtocolModel,
  newProtocol: ProtocolModel,
): MessageFinding[] {
  const side = next.side;
  const findings: MessageFinding[] = [];
  const context = { oldDefinitions: oldProtocol.definitions, newDefinitions: newProtocol.definitions };
  const ignore = [...new Set([oldProtocol.discriminator, newProtocol.discriminator])];
  const sameShape = (before: string, after: string) =>
    compareShapes({ kind: "ref", name: before }, { kind: "ref", name: after }, context, "", ignore).length === 0;
  const added = next.variants.filter((variant) => !old.variants.some((v) => v.tag === variant.tag));
  const removed = old.variants.filter((variant) => !next.variants.some((v) => v.tag === variant.tag));
  /**
   * A removed message and an added one of the same shape, and no other of that shape on either side: most likely a
   * rename, which is still a removal. Two of one shape on a side could be paired either way, so none is named.
   */
  const renamed = new Map<string, string>();
  for (const gone of removed) {
    const twins = added.filter((v) => sameShape(gone.definition, v.definition));
    const [twin] = twins;
    if (twin === undefined || twins.length > 1) continue;
    if (removed.filter((v) => sameShape(v.definition, twin.definition)).length === 1) renamed.set(gone.tag, twin.tag);
  }
  const renamedFrom = new Map([...renamed].map(([from, to]) => [to, from]));
  for (const variant of next.variants) {
    const before = old.variants.find((v) => v.tag === variant.tag);
    if (before === undefined) {
      const from = renamedFrom.get(variant.tag);
      findings.push({
        side,
        message: variant.tag,
        rule: "message-added",
        pointer: "",
        detail: from === undefined
          ? "message type added"
          : `message type added (renamed from ${JSON.stringify(from)}? the same shape was removed)`,
        example: `a ${JSON.stringify(variant.tag)} message`,
      });
      continue;
    }
    if (before.definition !== variant.definition) {
      findings.push({
        side,
        message: variant.tag,
        rule: "message-type-renamed",
        pointer: "",
        detail: `type ${before.definition} -> ${variant.definition}`,
      });
    }
    const shapes = compareShapes(
      { kind: "ref", name: before.definition },
      { kind: "ref", name: variant.definition },
      context,
      "",
      ignore,
    );
    findings.push(...shapes.map((finding) => ({ ...finding, side, message: variant.tag })));
  }
  for (const variant of removed) {
    const to = renamed.get(variant.tag);
    findings.push({
      side,
      message: variant.tag,
      rule: "message-removed",
      pointer: "",
      detail: to === undefined
        ? "message type removed"
        : `message type removed (renamed to ${JSON.stringify(to)}? the same shape was added)`,
      example: `a ${JSON.stringify(variant.tag)} message`,
    });
  }
  return findings;
}
