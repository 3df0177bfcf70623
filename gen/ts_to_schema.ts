/**
 * Step one of the pipeline: TypeScript types to JSON Schema, by
 * ts-json-schema-generator, with the compiler set up the way our schemas
 * are written (strict, `.ts` imports).
 *
 * @module
 */
import { relative, resolve } from "node:path";
import process from "node:process";
import ts from "typescript";
import {
  type CompletedConfig,
  createFormatter,
  createParser,
  DEFAULT_CONFIG,
  SchemaGenerator,
} from "ts-json-schema-generator";
import { SchemaError } from "./errors.ts";
import { checkJsDocTags } from "./jsdoc_tags.ts";
import { checkTypes } from "./unsupported_types.ts";

/** The JSDoc tags that declare a request on a message's interface, and the JSON Schema keywords they become. */
const REQUEST_TAGS: Readonly<Record<string, string>> = {
  reply: "x-reply",
  errorReply: "x-error-reply",
  correlation: "x-correlation",
};

/** Renames the request tags found on each definition to their keywords (`@reply` to `x-reply`...). */
function withRequestKeywords(schema: Record<string, unknown>): Record<string, unknown> {
  const definitions = schema.definitions as Record<string, Record<string, unknown>> | undefined;
  for (const definition of Object.values(definitions ?? {})) {
    for (const [tag, keyword] of Object.entries(REQUEST_TAGS)) {
      if (!(tag in definition)) continue;
      definition[keyword] = definition[tag];
      delete definition[tag];
    }
  }
  return schema;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  skipLibCheck: true,
  types: [],
};

/** The schema file and every file of the project it imports (declaration files and packages are not the schema's). */
function schemaSources(program: ts.Program, file: string): ts.SourceFile[] {
  const own = resolve(file);
  return program.getSourceFiles().filter((source) =>
    resolve(source.fileName) === own ||
    (!source.isDeclarationFile && !program.isSourceFileFromExternalLibrary(source) &&
      !source.fileName.includes("/node_modules/"))
  );
}

/**
 * Compiles the exported types of a TypeScript file to one JSON Schema
 * (draft-07) document, a definition per exported type, properties in
 * declaration order, JSDoc descriptions and constraint tags kept; a message's
 * `@reply`, `@errorReply` and `@correlation` tags become `x-reply`,
 * `x-error-reply` and `x-correlation` (see `./requests.ts`).
 *
 * @param file Path of the TypeScript file.
 * @param label How errors name the file, e.g. `schema/chat.ts`.
 * @returns The JSON Schema document.
 * @throws {SchemaError} When the file does not compile or holds a type JSON Schema cannot express.
 * @example
 * ```ts
 * import { schemaFromTypeScript } from "./ts_to_schema.ts";
 * const schema = schemaFromTypeScript("schema/chat.ts", "schema/chat.ts");
 * ```
 */
export function schemaFromTypeScript(file: string, label: string): Record<string, unknown> {
  const program = ts.createProgram([file], COMPILER_OPTIONS);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => "",
      getNewLine: () => "\n",
    });
    throw new SchemaError(label, "(compile)", `the schema does not type-check:\n${text.trim()}`);
  }
  for (const source of schemaSources(program, file)) {
    const where = source.fileName === resolve(file) ? label : relative(process.cwd(), source.fileName);
    checkTypes(source, where);
    checkJsDocTags(source, where);
  }
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    path: file,
    type: "*",
    expose: "export",
    topRef: true,
    jsDoc: "extended",
    sortProps: false,
    additionalProperties: false,
    skipTypeCheck: true,
    functions: "fail",
    extraTags: Object.keys(REQUEST_TAGS),
  };
  try {
    // Built from its parts around our own program, as ts-json-schema-generator's README does, not by createGenerator's
    // `tsProgram` option: 2.4, the last release whose engines include Node.js 20, lacks it and would compile the schema
    // again with its own defaults (strictNullChecks off).
    const generator = new SchemaGenerator(program, createParser(program, config), createFormatter(config), config);
    return withRequestKeywords(generator.createSchema("*") as Record<string, unknown>);
  } catch (error) {
    throw new SchemaError(label, "(schema)", (error as Error).message.split("\n")[0] ?? String(error));
  }
}
