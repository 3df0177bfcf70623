/**
 * The pipeline for one protocol: schema file -> JSON Schema -> model ->
 * generated module. Pure apart from reading the schema: it returns the files
 * to write, so `--check` can compare them without writing.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { jsonSchemaPath, type ProtocolConfig } from "./config.ts";
import { emitModule } from "./emit_module.ts";
import { SchemaError } from "./errors.ts";
import { assertValidJsonSchema } from "./json_schema_check.ts";
import { readJsonSchema } from "./read_schema.ts";
import { schemaFromTypeScript } from "./ts_to_schema.ts";
import { VERSION } from "./version.ts";

/** A file the generator produces. */
export interface GeneratedFile {
  /** Its path, relative to the working directory. */
  readonly path: string;
  readonly text: string;
}

/**
 * Generates the files of one protocol.
 *
 * @param config The protocol's configuration.
 * @returns The JSON Schema (for TypeScript input) and the TypeScript module.
 * @throws {SchemaError} For a schema the generator cannot handle.
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * import { generateProtocol } from "./generate.ts";
 * const [protocol] = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline").protocols;
 * const files = await generateProtocol(protocol!);
 * ```
 */
export async function generateProtocol(config: ProtocolConfig): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  let document: Record<string, unknown>;
  if (config.schema.endsWith(".ts")) {
    document = schemaFromTypeScript(config.schema, config.schema);
    files.push({ path: jsonSchemaPath(config.schema), text: JSON.stringify(document, null, 2) + "\n" });
  } else {
    document = await readJsonFile(config.schema);
  }
  assertValidJsonSchema(document, config.schema);
  const model = readJsonSchema(document, {
    name: config.name,
    source: config.schema,
    discriminator: config.discriminator,
    subprotocols: config.subprotocols,
    serverType: config.server,
    clientType: config.client,
  });
  files.push({ path: config.output, text: emitModule(model, { runtimeSpecifier: config.runtime, version: VERSION }) });
  return files;
}

async function readJsonFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SchemaError(path, "(file)", `cannot read it: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SchemaError(path, "(file)", `not JSON: ${(error as Error).message}`);
  }
}
