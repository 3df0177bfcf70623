/**
 * Spelling things in generated TypeScript: string literals, property keys and
 * accesses, and the names derived from a type name.
 *
 * @module
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Words that cannot name a local variable. */
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined")
    .split(" "),
);

/**
 * Writes a JavaScript string literal, in single quotes when the text holds
 * double quotes (JSON fragments read better that way).
 *
 * @param text Any string.
 * @returns A literal that evaluates to `text`.
 * @example
 * ```ts
 * import { jsString } from "./names.ts";
 * jsString('{"type":'); // `'{"type":'`
 * ```
 */
export function jsString(text: string): string {
  const json = JSON.stringify(text);
  if (!text.includes('"') || text.includes("'")) return json;
  return "'" + json.slice(1, -1).replaceAll('\\"', '"') + "'";
}

/**
 * Writes a property name as an object-literal or interface key.
 *
 * @param name The property name.
 * @returns The bare name when it is an identifier, else a string literal.
 * @example
 * ```ts
 * import { propertyKey } from "./names.ts";
 * propertyKey("sdp-mid"); // '"sdp-mid"'
 * ```
 */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/**
 * Reads a property of a JSON object. Names that `Object.prototype` also has
 * are read only when they are own properties, so a missing `constructor` is
 * missing rather than a function.
 *
 * @param object The expression of the object.
 * @param name The property name.
 * @returns The access expression.
 * @example
 * ```ts
 * import { propertyRead } from "./names.ts";
 * propertyRead("v", "id"); // "v.id"
 * ```
 */
export function propertyRead(object: string, name: string): string {
  const plain = IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${JSON.stringify(name)}]`;
  return name in Object.prototype
    ? `(Object.hasOwn(${object}, ${JSON.stringify(name)}) ? ${plain} : undefined)`
    : plain;
}

/**
 * Picks a local variable name for a property, avoiding reserved words and names in use.
 *
 * @param name The property name.
 * @param taken Names already in use; the chosen one is added.
 * @returns A fresh identifier.
 * @example
 * ```ts
 * import { localName } from "./names.ts";
 * localName("default", new Set()); // "default_"
 * ```
 */
export function localName(name: string, taken: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9_$]+(.)?/g, (_, next: string | undefined) => next?.toUpperCase() ?? "");
  if (!/^[A-Za-z_$]/.test(base)) base = `_${base}`;
  let candidate = base;
  while (RESERVED.has(candidate) || taken.has(candidate)) candidate += "_";
  taken.add(candidate);
  return candidate;
}

/**
 * Spells a type name in CONSTANT_CASE, for the list of a union's tags.
 *
 * @param name A PascalCase name.
 * @returns The same words in upper case, joined by underscores.
 * @example
 * ```ts
 * import { constantCase } from "./names.ts";
 * constantCase("ServerMessage"); // "SERVER_MESSAGE"
 * ```
 */
export function constantCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

/**
 * Spells a name in PascalCase, e.g. for the protocol descriptor's type.
 *
 * @param name Any name, e.g. `web-rtc`.
 * @returns The words capitalized and joined, e.g. `WebRtc`.
 * @example
 * ```ts
 * import { pascalCase } from "./names.ts";
 * pascalCase("chat"); // "Chat"
 * ```
 */
export function pascalCase(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/**
 * Spells a name in camelCase, e.g. for the protocol descriptor's constant.
 *
 * @param name Any name, e.g. `web-rtc`.
 * @returns The camelCase form, e.g. `webRtc`.
 * @example
 * ```ts
 * import { camelCase } from "./names.ts";
 * camelCase("signaling"); // "signaling"
 * ```
 */
export function camelCase(name: string): string {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}
