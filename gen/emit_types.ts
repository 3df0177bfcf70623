/**
 * Emits the TypeScript types of a protocol, with the schema's descriptions as JSDoc.
 *
 * @module
 */
import { expectedText } from "./describe.ts";
import type { Definition, DirectionModel, ProtocolModel, Shape } from "./model.ts";
import { propertyKey } from "./names.ts";
import type { ModulePrinter } from "./printer.ts";

/**
 * Spells a shape as a TypeScript type.
 *
 * @param shape The shape.
 * @returns Its type, e.g. `(AssignedName | null)[]`.
 * @example
 * ```ts
 * import { typeText } from "./emit_types.ts";
 * typeText({ kind: "array", items: { kind: "string" } }); // "string[]"
 * ```
 */
export function typeText(shape: Shape): string {
  switch (shape.kind) {
    case "string":
    case "boolean":
    case "null":
      return shape.kind;
    case "number":
      return "number";
    case "literal":
      return shape.values.map((v) => JSON.stringify(v)).join(" | ");
    case "array": {
      const items = typeText(shape.items);
      return /[ |]/.test(items) && !items.startsWith("{") ? `(${items})[]` : `${items}[]`;
    }
    case "object":
      return shape.properties.length === 0
        ? "Record<string, never>"
        : `{ ${
          shape.properties.map((p) => `${propertyKey(p.name)}${p.required ? "" : "?"}: ${typeText(p.shape)}`).join("; ")
        } }`;
    case "ref":
      return shape.name;
    case "union":
      return shape.members.map(typeText).join(" | ");
    case "any":
      return "unknown";
  }
}

/**
 * The JSDoc for a shape: its description, and the constraints the type
 * cannot say (integer, bounds, lengths) as one more line.
 */
function docFor(shape: Shape, definitions: ReadonlyMap<string, Definition>): string | undefined {
  const constrained =
    (shape.kind === "string" && (shape.minLength ?? shape.maxLength ?? shape.pattern) !== undefined) ||
    (shape.kind === "number" && expectedText(shape, definitions) !== "a number") ||
    (shape.kind === "array" && (shape.minItems ?? shape.maxItems) !== undefined);
  const valid = constrained ? `Valid: ${expectedText(shape, definitions)}.` : undefined;
  const text = [shape.description, valid].filter((t) => t !== undefined).join("\n\n");
  return text === "" ? undefined : text;
}

/**
 * Prints every definition as an exported interface or type alias.
 *
 * @param p The module printer.
 * @param model The protocol.
 */
export function emitDefinitionTypes(p: ModulePrinter, model: ProtocolModel): void {
  for (const { name, shape } of model.definitions.values()) {
    p.doc(docFor(shape, model.definitions));
    if (shape.kind === "object") {
      p.block(`export interface ${name} {`, () => {
        for (const property of shape.properties) {
          p.doc(docFor(property.shape, model.definitions));
          p.line(`${propertyKey(property.name)}${property.required ? "" : "?"}: ${typeText(property.shape)};`);
        }
      });
    } else {
      p.line(`export type ${name} = ${typeText(shape)};`);
    }
    p.line();
  }
}

/**
 * Prints a direction's union type, its list of tags and the tag type.
 *
 * @param p The module printer.
 * @param direction The direction.
 * @param tagsConstant The name of the tag list constant, e.g. `SERVER_MESSAGE_TYPES`.
 * @param discriminator The discriminator property.
 */
export function emitDirectionTypes(
  p: ModulePrinter,
  direction: DirectionModel,
  tagsConstant: string,
  discriminator: string,
): void {
  const sender = direction.side === "server" ? "a server" : "a client";
  p.doc(direction.description ?? `Every message ${sender} sends.`);
  p.line(`export type ${direction.typeName} =`);
  direction.variants.forEach((v, i) => p.line(`  | ${v.definition}${i === direction.variants.length - 1 ? ";" : ""}`));
  p.line();
  p.doc(`Every \`${discriminator}\` of {@link ${direction.typeName}}, in schema order.`);
  p.line(
    `export const ${tagsConstant} = [${direction.variants.map((v) => JSON.stringify(v.tag)).join(", ")}] as const;`,
  );
  p.line();
  p.doc(`The \`${discriminator}\` of a {@link ${direction.typeName}}.`);
  p.line(`export type ${direction.typeName}Type = (typeof ${tagsConstant})[number];`);
  p.line();
}
