/**
 * The pipeline for one protocol: schema file -> JSON Schema -> model ->
 * generated module. Pure apart from reading the schema: it returns the files
 * to write, so `--check` can compare them without writing.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { isAsyncApi, schemaFromAsyncApi } from "./asyncapi.ts";
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
 * @returns The JSON Schema (derived from TypeScript or AsyncAPI input) and the TypeScript module.
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
  const derived = (document: Record<string, unknown>) =>
    files.push({ path: jsonSchemaPath(config.schema), text: JSON.stringify(document, null, 2) + "\n" });
  let document: Record<string, unknown>;
  let discriminator = config.discriminator;
  if (config.schema.endsWith(".ts")) {
    document = schemaFromTypeScript(config.schema, config.schema);
    derived(document);
  } else {
    document = await readDocument(config.schema);
    if (isAsyncApi(document)) {
      const converted = schemaFromAsyncApi(document, config.schema, config.describes, config.server, config.client);
      document = converted.document;
      discriminator ??= converted.discriminator;
      derived(document);
    }
  }
  assertValidJsonSchema(document, config.schema);
  const model = readJsonSchema(document, {
    name: config.name,
    source: config.schema,
    discriminator: discriminator ?? "type",
    subprotocols: config.subprotocols,
    serverType: config.server,
    clientType: config.client,
    ...(config.resume !== undefined && { resume: config.resume }),
  });
  files.push({ path: config.output, text: emitModule(model, { runtimeSpecifier: config.runtime, version: VERSION }) });
  return files;
}

/** Reads a JSON or YAML document. */
async function readDocument(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SchemaError(path, "(file)", `cannot read it: ${(error as Error).message}`);
  }
  const yaml = /\.ya?ml$/.test(path);
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new SchemaError(path, "(file)", `not ${yaml ? "YAML" : "JSON"}: ${(error as Error).message.split("\n")[0]}`);
  }
}
