/**
 * Requests compared: a message that became a request or stopped being one,
 * its replies and error replies, its correlation property. A finding is about
 * the request's message, sent by the requester; the answerer is the other
 * side.
 *
 * @module
 */
import type { ProtocolModel, RequestModel } from "../model.ts";
import type { MessageFinding } from "./compare_messages.ts";
import { escapePointerSegment } from "../../src/runtime/issue.ts";

/** When an answer type also answers another request of the requester, it is taken for a wrong answer at once. */
const ELSEWHERE = " (or fails with invalid-reply, when the type answers another of its requests)";

const list = (tags: readonly string[]) => tags.length === 0 ? "none" : tags.map((t) => JSON.stringify(t)).join(", ");

/**
 * Compares the requests of two versions of a protocol. Only messages of both versions are compared: a request
 * added or removed with its message is the message's change.
 *
 * @param old The old protocol.
 * @param next The new protocol.
 * @returns The findings, in the order of the new version's requests, then the requests that became plain messages.
 * @example
 * ```ts
 * import { compareRequests } from "./compare_requests.ts";
 * import { parseConfig } from "../config.ts";
 * import { readProtocol } from "../generate.ts";
 * const [rooms] = parseConfig({ protocols: [{ schema: "tests/fixtures/rooms.ts", output: "out/rooms.ts" }] }, "inline")
 *   .protocols;
 * const { model } = await readProtocol(rooms!);
 * compareRequests(model, { ...model, requests: [] }).map((f) => f.rule); // ["request-removed", ...]
 * ```
 */
export function compareRequests(old: ProtocolModel, next: ProtocolModel): MessageFinding[] {
  const inBoth = (request: RequestModel) =>
    [old, next].every((protocol) => protocol[request.side].variants.some((v) => v.tag === request.tag));
  const find = (protocol: ProtocolModel, request: RequestModel) =>
    protocol.requests?.find((r) => r.side === request.side && r.tag === request.tag);
  const findings: MessageFinding[] = [];
  for (const request of next.requests ?? []) {
    if (!inBoth(request)) continue;
    const before = find(old, request);
    if (before === undefined) findings.push(added(request));
    else findings.push(...compareRequest(before, request));
  }
  for (const request of old.requests ?? []) {
    if (inBoth(request) && find(next, request) === undefined) findings.push(removed(request));
  }
  return findings;
}

/** The requester and the answerer, in words. */
function parties(request: RequestModel): { requester: string; answerer: string } {
  return request.side === "client"
    ? { requester: "client", answerer: "server" }
    : { requester: "server", answerer: "client" };
}

function added(request: RequestModel): MessageFinding {
  const { requester, answerer } = parties(request);
  return {
    side: request.side,
    message: request.tag,
    rule: "request-added",
    pointer: "",
    detail: `now a request, answered by ${list(request.replies)}`,
    why: `a new ${requester} waits for ${list(request.replies)}, which an old ${answerer}, taking ` +
      `${JSON.stringify(request.tag)} for a plain message, never sends: the request times out`,
  };
}

function removed(request: RequestModel): MessageFinding {
  const { requester, answerer } = parties(request);
  return {
    side: request.side,
    message: request.tag,
    rule: "request-removed",
    pointer: "",
    detail: `no longer a request (was answered by ${list(request.replies)})`,
    why: `an old ${requester} waits for ${list(request.replies)}, which the new ${answerer} no longer sends: ` +
      "the request times out",
  };
}

function compareRequest(old: RequestModel, next: RequestModel): MessageFinding[] {
  const { requester, answerer } = parties(next);
  const findings: MessageFinding[] = [];
  const at = { side: next.side, message: next.tag };
  for (
    const [kind, before, after] of [["reply", old.replies, next.replies], [
      "error-reply",
      old.errors,
      next.errors,
    ]] as const
  ) {
    const noun = kind === "reply" ? "reply" : "error reply";
    for (const tag of after.filter((t) => !before.includes(t))) {
      findings.push({
        ...at,
        rule: `${kind}-added`,
        pointer: "",
        detail: `${noun} ${JSON.stringify(tag)} added`,
        why: `the new ${answerer} may answer with ${JSON.stringify(tag)}, which an old ${requester} does not take ` +
          `for the answer: the request times out${ELSEWHERE}`,
      });
    }
    for (const tag of before.filter((t) => !after.includes(t))) {
      findings.push({
        ...at,
        rule: `${kind}-removed`,
        pointer: "",
        detail: `${noun} ${JSON.stringify(tag)} removed`,
        why: `an old ${answerer} may still answer with ${JSON.stringify(tag)}, which the new ${requester} does not ` +
          `take for the answer: the request times out${ELSEWHERE}`,
      });
    }
  }
  if (old.correlation !== next.correlation) {
    findings.push({
      ...at,
      rule: "correlation-changed",
      pointer: `/${escapePointerSegment(next.correlation)}`,
      detail: `correlation ${JSON.stringify(old.correlation)} -> ${JSON.stringify(next.correlation)}`,
      why: `one version carries the request's id in ${JSON.stringify(old.correlation)}, the other in ` +
        `${JSON.stringify(next.correlation)}: no answer is matched to its request, each way`,
    });
  } else if (old.correlationKind !== next.correlationKind) {
    findings.push({
      ...at,
      rule: "correlation-kind-changed",
      pointer: `/${escapePointerSegment(next.correlation)}`,
      detail: `correlation ${old.correlationKind} -> ${next.correlationKind}`,
      why: `an old ${requester} fills in ${old.correlationKind} ids, a new one ${next.correlationKind} ids: each ` +
        "version's answerer refuses the other's requests",
    });
  }
  return findings;
}
