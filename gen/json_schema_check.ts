/**
 * Build-time check that a JSON Schema document is valid against its
 * meta-schema, by ajv, before the generator relies on it. ajv is a build-time
 * dependency only: generated modules never import it.
 *
 * @module
 */
import { Ajv } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import { SchemaError } from "./errors.ts";

/**
 * Throws unless the document is a valid JSON Schema (draft-07, or 2020-12
 * when its `$schema` says so).
 *
 * @param document The parsed schema document.
 * @param label How errors name the file.
 * @throws {SchemaError} Naming the first meta-schema violation.
 * @example
 * ```ts
 * import { assertValidJsonSchema } from "./json_schema_check.ts";
 * assertValidJsonSchema({ type: "string" }, "inline");
 * ```
 */
export function assertValidJsonSchema(document: Record<string, unknown>, label: string): void {
  const modern = typeof document.$schema === "string" && document.$schema.includes("2020-12");
  const ajv = modern ? new Ajv2020({ strict: false }) : new Ajv({ strict: false });
  if (!ajv.validateSchema(document)) {
    const first = ajv.errors?.[0];
    throw new SchemaError(
      label,
      first?.instancePath || "(document)",
      `not a valid JSON Schema: ${first?.message ?? "unknown error"}`,
    );
  }
}
