/**
 * typewire's generator, as a library: read the configuration, generate a
 * protocol's files (from TypeScript, JSON Schema or AsyncAPI 3), write a
 * protocol as an AsyncAPI 3 document, compare two versions of a protocol for
 * breaking changes, or run the command line. `typewire gen` and
 * `typewire diff` are the commands.
 *
 * @example Generating one protocol in memory
 * ```ts
 * import { generateProtocol, parseConfig } from "./mod.ts";
 * const config = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline");
 * const files = await generateProtocol(config.protocols[0]!);
 * console.log(files.map((f) => f.path));
 * ```
 *
 * @module
 */
export { type AsyncApiSchema, isAsyncApi, type Perspective, schemaFromAsyncApi } from "./asyncapi.ts";
export { asyncApiOf, type AsyncApiOptions, asyncApiText } from "./asyncapi_export.ts";
export { type Change, type DiffOptions, diffProtocols } from "./diff/diff.ts";
export { type Breaks, type Rule, RULES } from "./diff/rules.ts";
export { type Config, jsonSchemaPath, parseConfig, type ProtocolConfig } from "./config.ts";
export { type GeneratedFile, generateProtocol, type ReadProtocol, readProtocol } from "./generate.ts";
export { main } from "./cli.ts";
export { SchemaError } from "./errors.ts";
export { VERSION } from "./version.ts";
