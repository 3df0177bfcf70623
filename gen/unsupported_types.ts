/**
 * TypeScript types that JSON Schema cannot carry, refused where they are
 * written: ts-json-schema-generator would translate each into something else
 * in silence (a `Map` into `{ size: number }`, a `bigint` into a number, a
 * `Date` into a string with a format nothing checks, a template literal type
 * into any string), so that a handler typed for one thing would receive
 * another. Each refusal names the declaration and property, and the fix.
 *
 * @module
 */
import ts from "typescript";
import { SchemaError } from "./errors.ts";

/** Types by name: why JSON cannot carry them, and what to write instead. */
const BY_NAME: Readonly<Record<string, string>> = {
  Map: "a Map is not JSON (it encodes as {}): use an array of { key, value } objects",
  ReadonlyMap: "a Map is not JSON (it encodes as {}): use an array of { key, value } objects",
  WeakMap: "a WeakMap is not JSON: use an array of { key, value } objects",
  Set: "a Set is not JSON (it encodes as {}): use an array",
  ReadonlySet: "a Set is not JSON (it encodes as {}): use an array",
  WeakSet: "a WeakSet is not JSON: use an array",
  Date: "JSON has no dates: a Date arrives as a string, not a Date: use a number (ms since the epoch, as the chat " +
    "protocol's dates) or a string",
  RegExp: "a RegExp is not JSON: use a string",
  URL: "a URL arrives as a string, not a URL: use a string (and new URL() in your handler)",
  Promise: "a Promise is not data: use the type it resolves to",
  ArrayBuffer: "binary is not JSON: use a string (base64) with @contentEncoding base64",
  Uint8Array: "binary is not JSON: use a string (base64) with @contentEncoding base64",
  Blob: "binary is not JSON: use a string (base64) with @contentEncoding base64",
  Function: "a function is not data",
};

/** A regular expression for a template literal type's strings, when its parts allow one. */
function patternOf(node: ts.TemplateLiteralTypeNode): string | undefined {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  let pattern = `^${escape(node.head.text)}`;
  for (const span of node.templateSpans) {
    const kind = span.type.kind;
    if (kind === ts.SyntaxKind.StringKeyword) pattern += ".*";
    else if (kind === ts.SyntaxKind.NumberKeyword) pattern += "-?[0-9]+(\\.[0-9]+)?";
    else return undefined;
    pattern += escape(span.literal.text);
  }
  return `${pattern}$`;
}

/** Why a type node cannot be carried, or `undefined`. */
function problemOf(node: ts.Node): string | undefined {
  if (node.kind === ts.SyntaxKind.BigIntKeyword) {
    return "a bigint is not a JSON number (JSON.stringify throws on one): use a string with @pattern ^-?[0-9]+$, " +
      "or a number with @asType integer when it fits in 2^53";
  }
  if (node.kind === ts.SyntaxKind.SymbolKeyword) return "a symbol is not data";
  if (ts.isFunctionTypeNode(node) || ts.isConstructorTypeNode(node) || ts.isMethodSignature(node)) {
    return "a function is not data: a message carries values only";
  }
  if (ts.isTemplateLiteralTypeNode(node)) {
    const pattern = patternOf(node);
    return "a template literal type becomes any string in JSON Schema: write string" +
      (pattern === undefined ? " with a @pattern" : ` with @pattern ${pattern}`);
  }
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) return BY_NAME[node.typeName.text];
  if (
    node.kind === ts.SyntaxKind.NeverKeyword && ts.isPropertySignature(node.parent) &&
    node.parent.questionToken === undefined
  ) {
    return "a required property of type never: no message can have it, so none would ever be valid: remove it, " +
      "or make it optional (name?: never) to say it must be absent";
  }
  return undefined;
}

/** `Login.name` for a node inside a property of `Login`; the declaration's name alone elsewhere. */
function whereOf(node: ts.Node): string {
  const names: string[] = [];
  for (let at: ts.Node | undefined = node; at !== undefined; at = at.parent) {
    const name = (at as { name?: ts.Node }).name;
    if (
      (ts.isPropertySignature(at) || ts.isMethodSignature(at) || ts.isInterfaceDeclaration(at) ||
        ts.isTypeAliasDeclaration(at)) && name !== undefined && (ts.isIdentifier(name) || ts.isStringLiteral(name))
    ) names.unshift(name.text);
  }
  return names.join(".") || "(type)";
}

/**
 * Refuses the first type JSON Schema cannot carry.
 *
 * @param source The schema, parsed.
 * @param label How errors name the file.
 * @throws {SchemaError} `Event.at: JSON has no dates: ...`.
 * @example
 * ```ts
 * import ts from "typescript";
 * import { checkTypes } from "./unsupported_types.ts";
 * const source = ts.createSourceFile("x.ts", "export interface A { type: 'a'; n: number }", ts.ScriptTarget.ES2022, true);
 * checkTypes(source, "x.ts"); // passes
 * ```
 */
export function checkTypes(source: ts.SourceFile, label: string): void {
  const visit = (node: ts.Node): void => {
    const problem = problemOf(node);
    if (problem !== undefined) throw new SchemaError(label, whereOf(node), problem);
    ts.forEachChild(node, visit);
  };
  visit(source);
}
