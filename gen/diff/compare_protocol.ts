/**
 * What two versions of a protocol agree on outside their messages: the
 * discriminator, the subprotocols of the opening handshake, and the resume
 * option.
 *
 * Handshake: a client offers its protocol's subprotocols
 * (`Sec-WebSocket-Protocol`), the server selects the first of its own that is
 * offered, or none. A browser's WebSocket fails a connection that offered
 * subprotocols and got none back (WHATWG WebSockets, "establish a WebSocket
 * connection"); so do clients that follow it. Deno's WebSocket client does not
 * check, and Bun's server echoes the first offer when none is selected: there
 * the same change goes unnoticed. The verdict is the browser's. A client that
 * offers none is accepted either way.
 *
 * @module
 */
import type { ProtocolModel } from "../model.ts";
import { escapePointerSegment } from "../../src/runtime/issue.ts";
import type { Finding } from "./finding.ts";

/**
 * A finding outside messages: about the whole protocol, the handshake, or resumable server messages.
 *
 * @example
 * ```ts
 * import type { ProtocolFinding } from "./compare_protocol.ts";
 * const finding: ProtocolFinding = { area: "handshake", rule: "subprotocol-added", pointer: "", detail: "added" };
 * ```
 */
export interface ProtocolFinding extends Finding {
  /** `protocol` (the discriminator), `handshake` (subprotocols), or `server` (resumable server messages). */
  readonly area: "protocol" | "handshake" | "server";
  /** The server message a resume finding is about. */
  readonly message?: string;
}

/**
 * Compares the discriminator, the subprotocols and the resume option of two versions of a protocol.
 *
 * @param old The old protocol.
 * @param next The new protocol.
 * @returns The findings.
 * @example
 * ```ts
 * import { compareProtocol } from "./compare_protocol.ts";
 * import { parseConfig } from "../config.ts";
 * import { readProtocol } from "../generate.ts";
 * const [chat] = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline").protocols;
 * const { model } = await readProtocol(chat!);
 * compareProtocol(model, { ...model, subprotocols: ["chat.v1"] })[0]?.rule; // "subprotocols-introduced"
 * ```
 */
export function compareProtocol(old: ProtocolModel, next: ProtocolModel): ProtocolFinding[] {
  const findings: ProtocolFinding[] = [];
  if (old.discriminator !== next.discriminator) {
    findings.push({
      area: "protocol",
      rule: "discriminator-changed",
      pointer: "",
      detail: `discriminator ${JSON.stringify(old.discriminator)} -> ${JSON.stringify(next.discriminator)}`,
    });
  }
  findings.push(...compareSubprotocols(old.subprotocols, next.subprotocols));
  findings.push(...compareResume(old, next));
  return findings;
}

const names = (list: readonly string[]) => `[${list.map((n) => JSON.stringify(n)).join(", ")}]`;

function compareSubprotocols(old: readonly string[], next: readonly string[]): ProtocolFinding[] {
  if (old.length === next.length && old.every((name, i) => next[i] === name)) return [];
  const detail = `subprotocols ${names(old)} -> ${names(next)}`;
  const at = { area: "handshake" as const, pointer: "", detail };
  const common = old.filter((name) => next.includes(name));
  if (old.length > 0 && next.length > 0 && common.length === 0) return [{ ...at, rule: "subprotocols-disjoint" }];
  if (old.length === 0) {
    return [{
      ...at,
      rule: "subprotocols-introduced",
      why: `a new client offers ${names(next)}, an old server selects none of them, and a browser's WebSocket fails ` +
        "the connection",
    }];
  }
  if (next.length === 0) {
    return [{
      ...at,
      rule: "subprotocols-all-removed",
      why: `an old client offers ${names(old)}, the new server selects none of them, and a browser's WebSocket ` +
        "fails the connection",
    }];
  }
  const findings: ProtocolFinding[] = [];
  for (const name of next.filter((n) => !old.includes(n))) {
    findings.push({ ...at, rule: "subprotocol-added", detail: `subprotocol ${JSON.stringify(name)} added` });
  }
  for (const name of old.filter((n) => !next.includes(n))) {
    findings.push({ ...at, rule: "subprotocol-removed", detail: `subprotocol ${JSON.stringify(name)} removed` });
  }
  const kept = next.filter((name) => old.includes(name));
  if (kept.some((name, i) => common[i] !== name)) {
    findings.push({ ...at, rule: "subprotocol-order-changed", detail: `order ${names(common)} -> ${names(kept)}` });
  }
  return findings;
}

function compareResume(old: ProtocolModel, next: ProtocolModel): ProtocolFinding[] {
  const [before, after] = [old.resume, next.resume];
  if (before === undefined && after === undefined) return [];
  const at = { area: "server" as const, pointer: "" };
  if (before === undefined) {
    return [{ ...at, rule: "resume-enabled", detail: `resume ${JSON.stringify(after!.property)}` }];
  }
  if (after === undefined) {
    return [{ ...at, rule: "resume-disabled", detail: `resume ${JSON.stringify(before.property)} -> none` }];
  }
  if (before.property !== after.property) {
    return [{
      ...at,
      rule: "resume-property-changed",
      detail: `resume ${JSON.stringify(before.property)} -> ${JSON.stringify(after.property)}`,
    }];
  }
  const both = (tag: string) =>
    [old, next].every((protocol) => protocol.server.variants.some((variant) => variant.tag === tag));
  const findings: ProtocolFinding[] = [];
  const pointer = `/${escapePointerSegment(after.property)}`;
  for (const tag of after.types.filter((t) => !before.types.includes(t) && both(t))) {
    findings.push({ ...at, message: tag, pointer, rule: "resume-type-added", detail: "now resumable" });
  }
  for (const tag of before.types.filter((t) => !after.types.includes(t) && both(t))) {
    findings.push({ ...at, message: tag, pointer, rule: "resume-type-removed", detail: "no longer resumable" });
  }
  return findings;
}
