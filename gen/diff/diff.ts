/**
 * Two versions of a protocol compared, each change judged: whom it breaks
 * (old clients, which a new server meets; old servers, which a new client
 * meets; both; none) and why. See `rules.ts` for the rules.
 *
 * @module
 */
import type { ProtocolModel } from "../model.ts";
import { compareMessages } from "./compare_messages.ts";
import { compareProtocol } from "./compare_protocol.ts";
import { compareRequests } from "./compare_requests.ts";
import type { Finding } from "./finding.ts";
import { type Breaks, breaksOf, type Refusal, type Rule, ruleById, type Side } from "./rules.ts";

/**
 * One change between two versions of a protocol.
 *
 * @example
 * ```ts
 * import type { Change } from "./diff.ts";
 * const change: Change = {
 *   rule: "message-added",
 *   protocol: "chat",
 *   side: "server",
 *   message: "bye",
 *   pointer: "",
 *   breaks: "clients",
 *   detail: "message type added",
 *   why: "a new server may send a \"bye\" message, which an old client refuses",
 * };
 * ```
 */
export interface Change {
  /** The rule's id, e.g. `max-length-lowered`. */
  readonly rule: string;
  /** The protocol's name. */
  readonly protocol: string;
  /** Whose messages changed (`server`, `client`), or the `handshake` (subprotocols), or the whole `protocol`. */
  readonly side: Side | "handshake" | "protocol";
  /** The message's discriminator value, for a change to one message. */
  readonly message?: string;
  /** The JSON Pointer into the message, e.g. `/users/0`; `""` for the message itself or outside messages. */
  readonly pointer: string;
  /** Whom it breaks. */
  readonly breaks: Breaks;
  /** What changed, e.g. `maxLength 96 -> 10`. */
  readonly detail: string;
  /** Why it breaks, or why it is safe. */
  readonly why: string;
}

/**
 * How changes are judged.
 *
 * @example
 * ```ts
 * import type { DiffOptions } from "./diff.ts";
 * const options: DiffOptions = { strict: true };
 * ```
 */
export interface DiffOptions {
  /**
   * Judge as if clients and servers decoded strictly (their `strict` option): a closed object's receiver refuses
   * properties it does not name.
   * @default false
   */
  readonly strict?: boolean;
}

/**
 * Compares two versions of a protocol.
 *
 * @param old The version deployed (what old clients and servers were generated from).
 * @param next The new version.
 * @param options How to judge.
 * @returns Every change, judged; empty when the two say the same on the wire and in their documentation.
 * @example
 * ```ts
 * import { diffProtocols } from "./diff.ts";
 * import { parseConfig } from "../config.ts";
 * import { readProtocol } from "../generate.ts";
 * const [chat] = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline").protocols;
 * const { model } = await readProtocol(chat!);
 * const changes = diffProtocols(model, { ...model, server: { ...model.server, variants: model.server.variants.slice(1) } });
 * changes[0]?.rule; // "message-removed"
 * changes[0]?.breaks; // "servers": an old server still sends it, and a new client refuses it
 * ```
 */
export function diffProtocols(old: ProtocolModel, next: ProtocolModel, options: DiffOptions = {}): Change[] {
  const judge = (finding: Finding, side: Change["side"], message?: string): Change => {
    const rule = ruleById(finding.rule);
    const refusal: Refusal = options.strict
      ? finding.strictRefuses ?? rule.strictRefuses ?? rule.refuses
      : rule.refuses;
    const sender: Side | undefined = side === "handshake" ? "client" : side === "protocol" ? undefined : side;
    const breaks: Breaks = sender === undefined ? (refusal === "both" ? "both" : "none") : breaksOf(refusal, sender);
    return {
      rule: rule.id,
      protocol: next.name,
      side,
      ...(message !== undefined && { message }),
      pointer: finding.pointer,
      breaks,
      detail: finding.detail,
      why: finding.why ?? explain(rule, refusal, sender, finding.example),
    };
  };
  return [
    ...compareProtocol(old, next).map((f) => judge(f, f.area, f.message)),
    ...[...compareMessages(old, next), ...compareRequests(old, next)]
      .sort((a, b) => Number(a.side === "client") - Number(b.side === "client"))
      .map((f) => judge(f, f.side, f.message)),
  ];
}

/** What the receiver does with a frame it refuses, under the default options. */
function consequence(receiver: Side, rule: Rule): string {
  if (receiver === "client") {
    const event = rule.id === "message-added" || rule.id === "message-removed" ? "unknown" : "invalid";
    return `: it drops the frame (an \`${event}\` event)`;
  }
  return ": it counts an invalid frame and, under the default limits, closes the connection (1008)";
}

/** Why a change breaks, from who is refused and what: `a new server may send X, which an old client refuses ...`. */
function explain(rule: Rule, refusal: Refusal, sender: Side | undefined, example: string | undefined): string {
  if (refusal === "none" || example === undefined || sender === undefined) return rule.why;
  const receiver: Side = sender === "server" ? "client" : "server";
  if (refusal === "both") return `${rule.why}: e.g. ${example}`;
  return refusal === "new-sender"
    ? `a new ${sender} may send ${example}, which an old ${receiver} refuses${consequence(receiver, rule)}`
    : `an old ${sender} may send ${example}, which a new ${receiver} refuses${consequence(receiver, rule)}`;
}
