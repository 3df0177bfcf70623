/**
 * The rules of `typewire diff`: every kind of change it reports, and whom it
 * breaks. A change is judged on what one side sends and the other receives:
 * does a message that a sender of one version may send get refused by a
 * receiver of the other version?
 *
 * Under the default decoding (neither the client's nor the server's `strict`
 * option), a receiver keeps properties its schema does not name and refuses a
 * message type it does not know (a client drops the frame with an `unknown`
 * event; a server counts an invalid frame, and under the default limits closes
 * the connection with 1008). Encoders write only the properties a schema
 * names. `--strict` judges as if receivers decoded strictly: a property their
 * closed object does not name is refused too.
 *
 * @module
 */

/**
 * Which side sends the thing that changed: server messages are sent by servers and received by clients.
 *
 * @example
 * ```ts
 * import type { Side } from "./rules.ts";
 * const sender: Side = "server"; // a server message: servers send it, clients decode it
 * ```
 */
export type Side = "server" | "client";

/**
 * Whom a change breaks: old clients (a new server meets them), old servers (a new client meets them), both, none.
 *
 * @example
 * ```ts
 * import type { Breaks } from "./rules.ts";
 * const verdict: Breaks = "clients"; // a new server sends what an old client refuses
 * ```
 */
export type Breaks = "clients" | "servers" | "both" | "none";

/**
 * Who gets refused: `new-sender`, what a new sender may send is refused by an old receiver; `old-sender`, what an old
 * sender may send is refused by a new receiver; `both`; `none`.
 *
 * @example
 * ```ts
 * import type { Refusal } from "./rules.ts";
 * const tightened: Refusal = "old-sender"; // a bound tightened: what an old sender sends may be refused
 * ```
 */
export type Refusal = "new-sender" | "old-sender" | "both" | "none";

/**
 * Where a rule applies: any message, only server messages, the opening handshake, the whole protocol.
 *
 * @example
 * ```ts
 * import type { Scope } from "./rules.ts";
 * const scope: Scope = "handshake"; // subprotocols
 * ```
 */
export type Scope = "message" | "server message" | "handshake" | "protocol";

/**
 * One kind of change.
 *
 * @example
 * ```ts
 * import { ruleById } from "./rules.ts";
 * const rule = ruleById("property-made-required");
 * rule.refuses; // "old-sender": an old sender may leave it out
 * ```
 */
export interface Rule {
  /** The stable id, printed after each change, e.g. `property-made-required`. */
  readonly id: string;
  /** What changed, in a few words. */
  readonly change: string;
  readonly scope: Scope;
  /** Who is refused under the default (lenient) decoding. */
  readonly refuses: Refusal;
  /** Who is refused with `--strict`, when it differs (for changes to a closed object's properties). */
  readonly strictRefuses?: Refusal;
  /** Why, in general; each reported change also says why in its own terms. */
  readonly why: string;
}

const rule = (
  id: string,
  scope: Scope,
  refuses: Refusal,
  change: string,
  why: string,
  strictRefuses?: Refusal,
): Rule => ({ id, change, scope, refuses, why, ...(strictRefuses !== undefined && { strictRefuses }) });

/**
 * Every rule, in the order the documentation (docs/diff.md) lists them.
 *
 * @example
 * ```ts
 * import { RULES } from "./rules.ts";
 * RULES.filter((rule) => rule.refuses === "none").map((rule) => rule.id); // the safe changes
 * ```
 */
export const RULES: readonly Rule[] = [
  rule(
    "discriminator-changed",
    "protocol",
    "both",
    "the discriminator property renamed",
    "each side looks for the message type in a property the other no longer writes: every message is refused",
  ),
  rule(
    "subprotocols-disjoint",
    "handshake",
    "both",
    "no subprotocol in common any more",
    "the server selects none of the names the client offers, and a browser's WebSocket (WHATWG) fails a connection " +
      "that offered subprotocols and got none",
  ),
  rule(
    "subprotocols-introduced",
    "handshake",
    "new-sender",
    "subprotocols declared where there were none",
    "a new client offers names an old server selects none of, and a browser's WebSocket fails the connection",
  ),
  rule(
    "subprotocols-all-removed",
    "handshake",
    "old-sender",
    "every subprotocol removed",
    "an old client offers its names, the new server selects none, and a browser's WebSocket fails the connection",
  ),
  rule(
    "subprotocol-added",
    "handshake",
    "none",
    "a subprotocol added beside others in common",
    "the server still selects a name the client offers",
  ),
  rule(
    "subprotocol-removed",
    "handshake",
    "none",
    "a subprotocol removed, others still in common",
    "a typewire client offers every name of its protocol, so the server still selects one in common (a client " +
      "told to offer only the removed one with `protocols` fails)",
  ),
  rule(
    "subprotocol-order-changed",
    "handshake",
    "none",
    "the subprotocols reordered",
    "the server selects another name first; typewire speaks the same messages under every name",
  ),
  rule(
    "message-added",
    "message",
    "new-sender",
    "a message type added",
    "an old receiver does not know the type and refuses it: a client drops it (an `unknown` event), a server " +
      "counts an invalid frame (by default, closes with 1008)",
  ),
  rule(
    "message-removed",
    "message",
    "old-sender",
    "a message type removed",
    "an old sender still sends it, and the new receiver refuses the unknown type",
  ),
  rule(
    "message-type-renamed",
    "message",
    "none",
    "a message's TypeScript type renamed",
    "the type name is not on the wire; only generated code that names it changes",
  ),
  rule(
    "description-changed",
    "message",
    "none",
    "a description (JSDoc) changed",
    "descriptions document, they do not validate",
  ),
  rule(
    "property-added-optional",
    "message",
    "none",
    "an optional property added",
    "an old receiver keeps a property its schema does not name (default decoding); an old sender leaves it out, " +
      "which is allowed. With --strict, an old receiver refuses it",
    "new-sender",
  ),
  rule(
    "property-added-required",
    "message",
    "old-sender",
    "a required property added",
    "an old sender leaves it out, and the new receiver requires it (with --strict, an old receiver also refuses it " +
      "when a new sender writes it)",
    "both",
  ),
  rule(
    "property-removed-optional",
    "message",
    "none",
    "an optional property removed",
    "the new sender leaves it out, which an old receiver allows; what an old sender still writes the new receiver " +
      "keeps, unnamed (default decoding). With --strict, the new receiver refuses it",
    "old-sender",
  ),
  rule(
    "property-removed-required",
    "message",
    "new-sender",
    "a required property removed",
    "the new sender leaves it out, and an old receiver requires it (with --strict, the new receiver also refuses " +
      "it when an old sender writes it)",
    "both",
  ),
  rule(
    "property-made-required",
    "message",
    "old-sender",
    "an optional property made required",
    "an old sender may leave it out, and the new receiver requires it",
  ),
  rule(
    "property-made-optional",
    "message",
    "new-sender",
    "a required property made optional",
    "the new sender may leave it out, and an old receiver requires it",
  ),
  rule(
    "object-closed",
    "message",
    "none",
    "additionalProperties: true removed",
    "encoders write only the properties a schema names, so no sender writes what the closed object refuses",
  ),
  rule(
    "object-opened",
    "message",
    "none",
    "additionalProperties: true added",
    "the object accepts more, and encoders still write only the properties it names",
  ),
  rule(
    "type-changed",
    "message",
    "both",
    "a value's type changed (e.g. string to number)",
    "what either version sends is refused by the other",
  ),
  rule(
    "type-widened",
    "message",
    "new-sender",
    "a type widened (to any, or from literals to their type)",
    "the new sender may send a value an old receiver refuses",
  ),
  rule(
    "type-narrowed",
    "message",
    "old-sender",
    "a type narrowed (from any, or from a type to some of its literals)",
    "an old sender may send a value the new receiver refuses",
  ),
  rule(
    "union-member-added",
    "message",
    "new-sender",
    "a member added to a union (e.g. null to a string)",
    "the new sender may send a value of the new member, which an old receiver refuses",
  ),
  rule(
    "union-member-removed",
    "message",
    "old-sender",
    "a member removed from a union",
    "an old sender may send a value of the removed member, which the new receiver refuses",
  ),
  rule(
    "enum-value-added",
    "message",
    "new-sender",
    "a value added to an enum or const",
    "the new sender may send the new value, which an old receiver refuses",
  ),
  rule(
    "enum-value-removed",
    "message",
    "old-sender",
    "a value removed from an enum or const",
    "an old sender may send the removed value, which the new receiver refuses",
  ),
  rule(
    "min-length-raised",
    "message",
    "old-sender",
    "a string's minLength raised",
    "an old sender may send a shorter string, which the new receiver refuses",
  ),
  rule(
    "min-length-lowered",
    "message",
    "new-sender",
    "a string's minLength lowered or removed",
    "the new sender may send a shorter string, which an old receiver refuses",
  ),
  rule(
    "max-length-lowered",
    "message",
    "old-sender",
    "a string's maxLength lowered or added",
    "an old sender may send a longer string, which the new receiver refuses",
  ),
  rule(
    "max-length-raised",
    "message",
    "new-sender",
    "a string's maxLength raised or removed",
    "the new sender may send a longer string, which an old receiver refuses",
  ),
  rule(
    "pattern-added",
    "message",
    "old-sender",
    "a string pattern added",
    "an old sender may send a string that does not match, which the new receiver refuses",
  ),
  rule(
    "pattern-removed",
    "message",
    "new-sender",
    "a string pattern removed",
    "the new sender may send a string that does not match, which an old receiver refuses",
  ),
  rule(
    "pattern-changed",
    "message",
    "both",
    "a string pattern changed",
    "two different patterns are not compared for what they match: each version is taken to send strings the other " +
      "refuses",
  ),
  rule(
    "integer-required",
    "message",
    "old-sender",
    "a number made an integer",
    "an old sender may send a fraction, which the new receiver refuses",
  ),
  rule(
    "integer-relaxed",
    "message",
    "new-sender",
    "an integer made any number",
    "the new sender may send a fraction, which an old receiver refuses",
  ),
  rule(
    "minimum-raised",
    "message",
    "old-sender",
    "a number's lower bound raised or added (minimum or exclusiveMinimum)",
    "an old sender may send a smaller number, which the new receiver refuses",
  ),
  rule(
    "minimum-lowered",
    "message",
    "new-sender",
    "a number's lower bound lowered or removed",
    "the new sender may send a smaller number, which an old receiver refuses",
  ),
  rule(
    "maximum-lowered",
    "message",
    "old-sender",
    "a number's upper bound lowered or added (maximum or exclusiveMaximum)",
    "an old sender may send a larger number, which the new receiver refuses",
  ),
  rule(
    "maximum-raised",
    "message",
    "new-sender",
    "a number's upper bound raised or removed",
    "the new sender may send a larger number, which an old receiver refuses",
  ),
  rule(
    "min-items-raised",
    "message",
    "old-sender",
    "an array's minItems raised",
    "an old sender may send a shorter array, which the new receiver refuses",
  ),
  rule(
    "min-items-lowered",
    "message",
    "new-sender",
    "an array's minItems lowered or removed",
    "the new sender may send a shorter array, which an old receiver refuses",
  ),
  rule(
    "max-items-lowered",
    "message",
    "old-sender",
    "an array's maxItems lowered or added",
    "an old sender may send a longer array, which the new receiver refuses",
  ),
  rule(
    "max-items-raised",
    "message",
    "new-sender",
    "an array's maxItems raised or removed",
    "the new sender may send a longer array, which an old receiver refuses",
  ),
  rule(
    "request-added",
    "message",
    "new-sender",
    "a message made a request (a reply declared)",
    "the new requester waits for an answer that an old receiver, handling a plain message, never sends: it times out",
  ),
  rule(
    "request-removed",
    "message",
    "old-sender",
    "a request made a plain message",
    "an old requester waits for an answer the new receiver no longer sends: it times out",
  ),
  rule(
    "reply-added",
    "message",
    "old-sender",
    "a reply type added to a request",
    "the new receiver may answer with it, which an old requester does not take for the answer: the request times " +
      "out (or fails with `invalid-reply`, when the type answers another of its requests)",
  ),
  rule(
    "reply-removed",
    "message",
    "new-sender",
    "a reply type removed from a request",
    "an old receiver may still answer with it, which the new requester does not take for the answer: the request " +
      "times out (or fails with `invalid-reply`, when the type answers another of its requests)",
  ),
  rule(
    "error-reply-added",
    "message",
    "old-sender",
    "an error reply type added to a request",
    "the new receiver may answer with it, which an old requester does not take for the answer: the request times " +
      "out (or fails with `invalid-reply`, when the type answers another of its requests)",
  ),
  rule(
    "error-reply-removed",
    "message",
    "new-sender",
    "an error reply type removed from a request",
    "an old receiver may still answer with it, which the new requester does not take for the answer: the request " +
      "times out (or fails with `invalid-reply`, when the type answers another of its requests)",
  ),
  rule(
    "correlation-changed",
    "message",
    "both",
    "a request's correlation property renamed",
    "an answer carries the request's id in a property the other version does not read: no answer is matched",
  ),
  rule(
    "correlation-kind-changed",
    "message",
    "both",
    "a request's correlation value changed between string and integer",
    "the requester fills in ids of one kind, the other version checks for the other kind",
  ),
  rule(
    "resume-enabled",
    "server message",
    "none",
    "resumable messages introduced (the resume option)",
    "an old client ignores the tokens in a property its schema declares, and never asks to resume",
  ),
  rule(
    "resume-disabled",
    "server message",
    "new-sender",
    "resumable messages dropped",
    "the new server stops filling in tokens: an old client can no longer resume, and misses what was sent while it " +
      "reconnected",
  ),
  rule(
    "resume-property-changed",
    "server message",
    "both",
    "the resume property renamed",
    "each version reads tokens from a property the other does not fill in: no client can resume",
  ),
  rule(
    "resume-type-added",
    "server message",
    "none",
    "a server message made resumable",
    "an old client keeps no token from it and resumes as before",
  ),
  rule(
    "resume-type-removed",
    "server message",
    "new-sender",
    "a server message no longer resumable",
    "the new server no longer fills in its token, so an old client that kept one from it cannot resume from it",
  ),
];

/** The rules by id. */
const BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));

/**
 * Looks a rule up by its id.
 *
 * @param id The rule's id.
 * @returns The rule.
 * @throws {Error} For an id no rule has (a bug in typewire).
 * @example
 * ```ts
 * import { ruleById } from "./rules.ts";
 * ruleById("message-added").refuses; // "new-sender"
 * ```
 */
export function ruleById(id: string): Rule {
  const found = BY_ID.get(id);
  if (found === undefined) throw new Error(`no diff rule ${JSON.stringify(id)}`);
  return found;
}

/**
 * Whom a refusal breaks, given the side that sends the changed thing.
 *
 * @param refusal Who gets refused.
 * @param side The sender: `server` for a server message, `client` for a client message (or the handshake's offer).
 * @returns Whom it breaks.
 * @example
 * ```ts
 * import { breaksOf } from "./rules.ts";
 * breaksOf("new-sender", "server"); // "clients": a new server sends what an old client refuses
 * breaksOf("new-sender", "client"); // "servers"
 * ```
 */
export function breaksOf(refusal: Refusal, side: Side): Breaks {
  if (refusal === "none" || refusal === "both") return refusal;
  const receiverBreaks: Breaks = side === "server" ? "clients" : "servers";
  const senderBreaks: Breaks = side === "server" ? "servers" : "clients";
  return refusal === "new-sender" ? receiverBreaks : senderBreaks;
}

/**
 * The side a rule of a fixed scope is judged from: the client offers subprotocols, the server sends resumable messages.
 *
 * @param scope The rule's scope.
 * @returns The sending side, or `undefined` for rules about any message or the whole protocol.
 * @example
 * ```ts
 * import { sideOfScope } from "./rules.ts";
 * sideOfScope("handshake"); // "client"
 * ```
 */
export function sideOfScope(scope: Scope): Side | undefined {
  return scope === "handshake" ? "client" : scope === "server message" ? "server" : undefined;
}

/**
 * The two cells of a rule's row in the documentation: whether it breaks old clients, and old servers.
 *
 * @param rule The rule.
 * @returns E.g. `["server messages", "client messages"]` for `message-added`.
 * @example
 * ```ts
 * import { breakCells, ruleById } from "./rules.ts";
 * breakCells(ruleById("property-made-required")); // ["client messages", "server messages"]
 * ```
 */
export function breakCells(rule: Rule): [clients: string, servers: string] {
  const cell = (refusal: Refusal, who: "clients" | "servers"): string => {
    const fixed = sideOfScope(rule.scope);
    if (rule.scope === "protocol" || fixed !== undefined) {
      const breaks = fixed === undefined ? refusal : breaksOf(refusal, fixed);
      return breaks === "both" || breaks === who ? "yes" : "no";
    }
    const sides = (["server", "client"] as const).filter((side) => {
      const breaks = breaksOf(refusal, side);
      return breaks === "both" || breaks === who;
    });
    return sides.length === 2 ? "yes" : sides.length === 0 ? "no" : `${sides[0]} messages`;
  };
  const both = (who: "clients" | "servers"): string => {
    const plain = cell(rule.refuses, who);
    if (rule.strictRefuses === undefined) return plain;
    const strict = cell(rule.strictRefuses, who);
    return strict === plain ? plain : `${plain}; --strict: ${strict}`;
  };
  return [both("clients"), both("servers")];
}
