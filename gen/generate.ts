/**
 * The pipeline for one protocol: schema file -> JSON Schema -> model ->
 * generated module. Pure apart from reading the schema: it returns the files
 * to write, so `--check` can compare them without writing.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { isAsyncApi, schemaFromAsyncApi } from "./asyncapi.ts";
import { asyncApiOf, asyncApiText } from "./asyncapi_export.ts";
import { jsonSchemaPath, type ProtocolConfig } from "./config.ts";
import { emitModule } from "./emit_module.ts";
import { SchemaError } from "./errors.ts";
import { assertValidJsonSchema } from "./json_schema_check.ts";
import type { ProtocolModel } from "./model.ts";
import { readJsonSchema } from "./read_schema.ts";
import { schemaFromTypeScript } from "./ts_to_schema.ts";
import { VERSION } from "./version.ts";

/** A file the generator produces. */
export interface GeneratedFile {
  /** Its path, relative to the working directory. */
  readonly path: string;
  readonly text: string;
}

/** A protocol read from its schema: the model the emitters take, and the JSON Schema it was read from. */
export interface ReadProtocol {
  readonly model: ProtocolModel;
  /** The JSON Schema document the model was read from. */
  readonly document: Record<string, unknown>;
  /** Whether the JSON Schema was derived (from TypeScript or AsyncAPI) rather than read as written. */
  readonly derived: boolean;
}

/**
 * Reads one protocol's schema (TypeScript, JSON Schema or AsyncAPI 3) into the generator's model.
 *
 * @param config The protocol's configuration.
 * @returns The model, and the JSON Schema it came from.
 * @throws {SchemaError} For a schema the generator cannot handle.
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * import { readProtocol } from "./generate.ts";
 * const [protocol] = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline").protocols;
 * const { model } = await readProtocol(protocol!);
 * model.client.variants.map((variant) => variant.tag); // ["username", "message"]
 * ```
 */
export async function readProtocol(config: ProtocolConfig): Promise<ReadProtocol> {
  let document: Record<string, unknown>;
  let derived = false;
  let discriminator = config.discriminator;
  if (config.schema.endsWith(".ts")) {
    document = schemaFromTypeScript(config.schema, config.schema);
    derived = true;
  } else {
    document = await readDocument(config.schema);
    if (isAsyncApi(document)) {
      const converted = schemaFromAsyncApi(document, config.schema, config.describes, config.server, config.client);
      document = converted.document;
      discriminator ??= converted.discriminator;
      derived = true;
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
  return { model, document, derived };
}

/**
 * Generates the files of one protocol.
 *
 * @param config The protocol's configuration.
 * @returns The JSON Schema (derived from TypeScript or AsyncAPI input), the TypeScript module, and the AsyncAPI
 * document when the configuration names one (`asyncapi`).
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
  assertRuntimeFound(config);
  const { model, document, derived } = await readProtocol(config);
  const files: GeneratedFile[] = [];
  if (derived) files.push({ path: jsonSchemaPath(config.schema), text: JSON.stringify(document, null, 2) + "\n" });
  files.push({ path: config.output, text: emitModule(model, { runtimeSpecifier: config.runtime, version: VERSION }) });
  if (config.asyncapi !== undefined) {
    const spec = asyncApiOf(model, document, {
      describes: config.describes,
      generatedBy: `typewire ${VERSION} from ${config.schema}`,
      ...(config.protocolVersion !== undefined && { version: config.protocolVersion }),
      ...(config.address !== undefined && { address: config.address }),
    });
    files.push({ path: config.asyncapi, text: asyncApiText(spec, config.asyncapi) });
  }
  return files;
}

/**
 * Refuses a relative `runtime` that names no file from where the module is written: the module would be generated
 * with an import that cannot resolve, and nothing would say so until it ran.
 */
function assertRuntimeFound(config: ProtocolConfig): void {
  if (!/^\.\.?\//.test(config.runtime)) return;
  const target = resolve(dirname(config.output), config.runtime);
  if (existsSync(target)) return;
  throw new SchemaError(
    config.schema,
    "runtime",
    `${JSON.stringify(config.runtime)} is resolved from the generated module's folder (${dirname(config.output)}) ` +
      `to ${target}, which does not exist: leave "runtime" out to import the installed package (typewire/runtime), ` +
      "or give a path relative to the generated module",
  );
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
