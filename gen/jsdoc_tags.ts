/**
 * The JSDoc tags of a TypeScript schema, checked: ts-json-schema-generator
 * turns the tags it knows into JSON Schema and drops every other one in
 * silence, so `@maxLenght 20` would generate a validator without the bound.
 * Tags that only document (`@see`, `@deprecated`...) pass; any other is
 * refused, naming the tag, where it is, and the tag most likely meant.
 *
 * @module
 */
import ts from "typescript";
import { SchemaError } from "./errors.ts";
import { closest } from "./closest.ts";

/** The tags that become JSON Schema (ts-json-schema-generator's, in its extended mode), and typewire's request tags. */
export const SCHEMA_TAGS: readonly string[] = [
  "title",
  "description",
  "format",
  "pattern",
  "comment",
  "contentMediaType",
  "contentEncoding",
  "discriminator",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minProperties",
  "maxProperties",
  "minItems",
  "maxItems",
  "uniqueItems",
  "propertyNames",
  "contains",
  "const",
  "examples",
  "example",
  "default",
  "readOnly",
  "writeOnly",
  "deprecated",
  "nullable",
  "asType",
  "reply",
  "errorReply",
  "correlation",
];

/** Tags that document and change nothing (TSDoc's, and JSDoc's common ones). */
const DOCUMENTATION_TAGS: readonly string[] = [
  "see",
  "link",
  "since",
  "remarks",
  "privateRemarks",
  "todo",
  "author",
  "internal",
  "public",
  "beta",
  "alpha",
  "experimental",
  "module",
  "packageDocumentation",
  "param",
  "returns",
  "throws",
  "typeParam",
  "inheritDoc",
  "defaultValue",
  "license",
  "copyright",
  "version",
];

/** The types `@asType` may name: JSON Schema's. */
const JSON_TYPES = ["integer", "number", "string", "boolean", "null", "object", "array"];

/** Refuses an `@asType` that names no JSON Schema type, at the tag, rather than deep in the schema it would make. */
function checkAsType(tag: ts.JSDocTag, node: ts.Node, label: string): void {
  const value = (typeof tag.comment === "string" ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? "").trim();
  if (JSON_TYPES.includes(value)) return;
  const guess = closest(value, JSON_TYPES);
  throw new SchemaError(
    label,
    nameOf(node),
    `@asType ${JSON.stringify(value)} names no JSON Schema type${
      guess === undefined ? "" : ` (did you mean ${guess}?)`
    }` +
      `: one of ${JSON_TYPES.join(", ")}`,
  );
}

/** Tags ts-json-schema-generator knows that typewire's validators do not check: why, and what to do instead. */
const UNCHECKED_TAGS: Readonly<Record<string, string>> = {
  uniqueItems: "typewire's validators do not check that items are unique: remove the tag and check it in your " +
    "handler, or send an object keyed by what must be unique",
  multipleOf: "typewire's validators do not check multipleOf: for whole numbers write @asType integer; for another " +
    "step, remove the tag and check it in your handler (or send the count of steps as an integer)",
  contains: "typewire's validators do not check contains: remove the tag and check it in your handler",
  propertyNames: "typewire's validators do not check propertyNames: remove the tag and check it in your handler",
  minProperties: "typewire's validators do not check minProperties: list the properties as required instead",
  maxProperties: "typewire's validators do not check maxProperties: remove the tag (objects are closed: only " +
    "declared properties are accepted)",
};

/** What a schema's declarations are called in messages: `Login.name`, `Name`. */
function nameOf(node: ts.Node): string {
  const own = (node as { name?: ts.Node }).name;
  const text = own !== undefined && (ts.isIdentifier(own) || ts.isStringLiteral(own)) ? own.text : "(anonymous)";
  const parent = node.parent;
  if (parent !== undefined && (ts.isInterfaceDeclaration(parent) || ts.isTypeLiteralNode(parent))) {
    const outer = ts.isInterfaceDeclaration(parent) ? parent : parent.parent;
    return `${outer !== undefined ? nameOf(outer) : "(type)"}.${text}`;
  }
  return text;
}

/**
 * Refuses a JSDoc tag that would be dropped in silence.
 *
 * @param source The schema, parsed.
 * @param label How errors name the file.
 * @throws {SchemaError} At the first such tag: `Login.name: unknown JSDoc tag @maxLenght (did you mean @maxLength?)`.
 * @example
 * ```ts
 * import ts from "typescript";
 * import { checkJsDocTags } from "./jsdoc_tags.ts";
 * const source = ts.createSourceFile("x.ts", "/** @maxLength 20 *\/ export type Name = string;", ts.ScriptTarget.ES2022, true);
 * checkJsDocTags(source, "x.ts"); // passes
 * ```
 */
export function checkJsDocTags(source: ts.SourceFile, label: string): void {
  const known = [...SCHEMA_TAGS, ...DOCUMENTATION_TAGS];
  const attached = new Set<number>();
  const visit = (node: ts.Node): void => {
    for (const doc of ts.getJSDocCommentsAndTags(node)) if (ts.isJSDoc(doc)) attached.add(doc.getStart(source));
    for (const tag of ts.getJSDocTags(node)) {
      const name = tag.tagName.text;
      if (name === "asType") checkAsType(tag, node, label);
      const unchecked = UNCHECKED_TAGS[name];
      if (unchecked !== undefined) throw new SchemaError(label, nameOf(node), `@${name}: ${unchecked}`);
      if (known.includes(name)) continue;
      const guess = closest(name, SCHEMA_TAGS);
      throw new SchemaError(
        label,
        nameOf(node),
        `unknown JSDoc tag @${name}${guess === undefined ? "" : ` (did you mean @${guess}?)`}: typewire would drop ` +
          "it and what it asks; the tags that shape a message are @" +
          SCHEMA_TAGS.filter((tag) => !(tag in UNCHECKED_TAGS)).join(", @") +
          " (tags that only document, such as @see and @remarks, are welcome)",
      );
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  checkDetached(source, label, attached);
}

/**
 * Refuses a JSDoc comment with a schema tag that belongs to no declaration: TypeScript gives a declaration only the
 * comments before it that end a line, so in `{ type: "a"; /** @maxLength 3 *\/ name: string }` the tag is dropped.
 */
function checkDetached(source: ts.SourceFile, label: string, attached: ReadonlySet<number>): void {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, source.text);
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token !== ts.SyntaxKind.MultiLineCommentTrivia) continue;
    const text = scanner.getTokenText();
    if (!text.startsWith("/**") || attached.has(scanner.getTokenStart())) continue;
    const tags = [...text.matchAll(/@(\w+)/g)].map((m) => m[1] as string).filter((tag) => SCHEMA_TAGS.includes(tag));
    if (tags.length === 0) continue;
    const { line } = source.getLineAndCharacterOfPosition(scanner.getTokenStart());
    throw new SchemaError(
      label,
      `line ${line + 1}`,
      `this JSDoc comment (@${tags.join(", @")}) belongs to no declaration, so typewire would drop it: TypeScript ` +
        "gives a property only the comments before it that end their line: put the comment on its own line, above " +
        "the property",
    );
  }
}
