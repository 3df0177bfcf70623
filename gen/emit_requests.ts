/**
 * Emits a protocol's requests, when it declares any: the table the client and
 * the server read at run time (which messages are requests, what answers
 * each, the correlation property) and the type that pairs each request with
 * its reply and error reply types.
 *
 * @module
 */
import type { DirectionModel, ProtocolModel, RequestModel } from "./model.ts";
import { constantCase, pascalCase, propertyKey } from "./names.ts";
import type { ModulePrinter } from "./printer.ts";

/**
 * The names of a protocol's request table and its type.
 *
 * @param model The protocol.
 * @returns E.g. `{ table: "JOBS_REQUESTS", type: "JobsRequests" }`.
 * @example
 * ```ts
 * import { requestNames } from "./emit_requests.ts";
 * requestNames({ name: "jobs" } as import("./model.ts").ProtocolModel).table; // "JOBS_REQUESTS"
 * ```
 */
export function requestNames(model: ProtocolModel): { readonly table: string; readonly type: string } {
  return { table: `${constantCase(model.name)}_REQUESTS`, type: `${pascalCase(model.name)}Requests` };
}

/**
 * Whether a protocol declares requests: only then does its module have a request table (and the descriptors a
 * `requests` field).
 *
 * @param model The protocol.
 * @returns `true` when it has at least one request.
 */
export function hasRequests(model: ProtocolModel): boolean {
  return (model.requests ?? []).length > 0;
}

/**
 * Prints the request table and its type; nothing for a protocol without requests.
 *
 * @param p The module printer.
 * @param model The protocol.
 */
export function emitRequests(p: ModulePrinter, model: ProtocolModel): void {
  if (!hasRequests(model)) return;
  const requests = model.requests!;
  const names = requestNames(model);
  const of = (side: "client" | "server") => requests.filter((r) => r.side === side);
  const definitionOf = (direction: DirectionModel, tag: string) =>
    direction.variants.find((v) => v.tag === tag)!.definition;
  const union = (direction: DirectionModel, tags: readonly string[]) =>
    tags.length === 0 ? "never" : tags.map((tag) => definitionOf(direction, tag)).join(" | ");

  p.doc(
    `The ${model.name} protocol's requests, by who sends them: for each, the request message, the replies that\n` +
      "answer it (`reply`), those that answer it with an error (`error`), and the property that pairs them\n" +
      "(`correlation`), which typewire fills in.",
  );
  p.block(`export interface ${names.type} {`, () => {
    p.line(`readonly discriminator: ${JSON.stringify(model.discriminator)};`);
    for (const side of ["client", "server"] as const) {
      const [own, other] = side === "client" ? [model.client, model.server] : [model.server, model.client];
      const list = of(side);
      if (list.length === 0) {
        p.line(`readonly ${side}: Record<never, never>;`);
        continue;
      }
      p.block(`readonly ${side}: {`, () => {
        for (const r of list) {
          p.line(
            `readonly ${propertyKey(r.tag)}: { readonly request: ${definitionOf(own, r.tag)}; readonly reply: ${
              union(other, r.replies)
            }; readonly error: ${union(other, r.errors)}; readonly correlation: ${JSON.stringify(r.correlation)} };`,
          );
        }
      }, "};");
    }
  });
  p.line();
  p.doc(`Which ${model.name} messages are requests, and how each is answered: what the client and the server read.`);
  const spec = (r: RequestModel) =>
    `${propertyKey(r.tag)}: { replies: ${JSON.stringify(r.replies)}, errors: ${JSON.stringify(r.errors)}, ` +
    `correlation: ${JSON.stringify(r.correlation)}, correlationKind: ${JSON.stringify(r.correlationKind)} }`;
  p.block(`export const ${names.table}: ${p.runtimeType("RequestTable")} = {`, () => {
    for (const side of ["client", "server"] as const) {
      const list = of(side);
      if (list.length === 0) p.line(`${side}: {},`);
      else p.block(`${side}: {`, () => list.forEach((r) => p.line(`${spec(r)},`)), "},");
    }
  }, "};");
  p.line();
}
