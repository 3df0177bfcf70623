/**
 * How `typewire diff` prints its verdict: one line per change, a summary, and
 * whether the breaking changes are accepted (`--allow-breaking`).
 *
 * @module
 */
import type { Change } from "./diff.ts";

/**
 * Which breaking changes are accepted: those that break old clients, old servers, or both.
 *
 * @example
 * ```ts
 * import type { Allowance } from "./report.ts";
 * const clientsFirst: Allowance = { clients: true, servers: false }; // --allow-breaking-for clients
 * ```
 */
export interface Allowance {
  readonly clients: boolean;
  readonly servers: boolean;
}

/**
 * Whether a change is breaking and not accepted.
 *
 * @param change The change.
 * @param allow What is accepted.
 * @returns `true` when it should fail the check.
 * @example
 * ```ts
 * import { refused } from "./report.ts";
 * const change = { rule: "message-added", protocol: "chat", side: "server", message: "bye", pointer: "",
 *   breaks: "clients", detail: "message type added", why: "..." } as const;
 * refused(change, { clients: true, servers: false }); // false
 * ```
 */
export function refused(change: Change, allow: Allowance): boolean {
  switch (change.breaks) {
    case "none":
      return false;
    case "clients":
      return !allow.clients;
    case "servers":
      return !allow.servers;
    case "both":
      return !(allow.clients && allow.servers);
  }
}

/** `protocol "chat", server message "userlist" /users/0`, `protocol "chat", handshake`. */
function subject(change: Change): string {
  const where = change.side === "handshake" || change.side === "protocol"
    ? change.side
    : `${change.side} message${change.message === undefined ? "s" : ` ${JSON.stringify(change.message)}`}`;
  const pointer = change.pointer === "" ? "" : ` ${change.pointer}`;
  return `protocol ${JSON.stringify(change.protocol)}, ${where}${pointer}`;
}

const VERDICTS = {
  clients: "BREAKING for old clients",
  servers: "BREAKING for old servers",
  both: "BREAKING for old clients and old servers",
  none: "safe",
} as const;

/**
 * One change as a line: the verdict, the protocol, the message and the JSON Pointer, what changed, why, the rule.
 *
 * @param change The change.
 * @returns The line, without its newline.
 * @example
 * ```ts
 * import { formatChange } from "./report.ts";
 * formatChange({ rule: "max-length-raised", protocol: "chat", side: "server", message: "userlist", pointer: "/users/0",
 *   breaks: "clients", detail: "maxLength 96 -> 200", why: "a new server may send ..." });
 * // 'BREAKING for old clients: protocol "chat", server message "userlist" /users/0: maxLength 96 -> 200: ... [max-length-raised]'
 * ```
 */
export function formatChange(change: Change): string {
  return `${VERDICTS[change.breaks]}: ${subject(change)}: ${change.detail}: ${change.why} [${change.rule}]`;
}

/**
 * The counts a summary gives.
 *
 * @example
 * ```ts
 * import { tally } from "./report.ts";
 * tally([], { clients: false, servers: false }).refused; // 0: the check passes
 * ```
 */
export interface Tally {
  readonly changes: number;
  /** Changes that break old clients (those that break both included). */
  readonly breakingClients: number;
  /** Changes that break old servers (those that break both included). */
  readonly breakingServers: number;
  readonly safe: number;
  /** Breaking changes not accepted by the allowance: the check fails when there is one. */
  readonly refused: number;
}

/**
 * Counts the changes.
 *
 * @param changes The changes.
 * @param allow What is accepted.
 * @returns The counts.
 * @example
 * ```ts
 * import { tally } from "./report.ts";
 * tally([], { clients: false, servers: false }).changes; // 0
 * ```
 */
export function tally(changes: readonly Change[], allow: Allowance): Tally {
  const count = (test: (change: Change) => boolean) => changes.filter(test).length;
  return {
    changes: changes.length,
    breakingClients: count((c) => c.breaks === "clients" || c.breaks === "both"),
    breakingServers: count((c) => c.breaks === "servers" || c.breaks === "both"),
    safe: count((c) => c.breaks === "none"),
    refused: count((c) => refused(c, allow)),
  };
}

/**
 * The summary line: how many changes, how many break whom, and whether they are accepted.
 *
 * @param counts The counts.
 * @returns The line, without its newline.
 * @example
 * ```ts
 * import { summaryLine } from "./report.ts";
 * summaryLine({ changes: 2, breakingClients: 1, breakingServers: 0, safe: 1, refused: 1 });
 * // "typewire diff: 2 changes: 1 breaking for old clients, 0 breaking for old servers, 1 safe"
 * ```
 */
export function summaryLine(counts: Tally): string {
  if (counts.changes === 0) return "typewire diff: no changes";
  const breaking = counts.breakingClients + counts.breakingServers > 0;
  const accepted = breaking && counts.refused === 0 ? " (breaking changes accepted)" : "";
  return `typewire diff: ${counts.changes} change${counts.changes === 1 ? "" : "s"}: ${counts.breakingClients} ` +
    `breaking for old clients, ${counts.breakingServers} breaking for old servers, ${counts.safe} safe${accepted}`;
}
