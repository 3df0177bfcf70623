/**
 * The generator's configuration: which schemas to compile, to where, and how.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { SchemaError } from "./errors.ts";
import { didYouMean } from "./closest.ts";

/** One protocol to generate. */
export interface ProtocolConfig {
  /**
   * The schema file: TypeScript (`.ts`), a JSON Schema document (`.json`, `.yaml`, `.yml`; draft-07 or 2020-12),
   * or an AsyncAPI 3 document (the same extensions; told apart by its `asyncapi` field).
   */
  readonly schema: string;
  /** The generated TypeScript module. */
  readonly output: string;
  /** The protocol's name. @default the schema file's name without extensions */
  readonly name: string;
  /** The property naming each message's type. @default the AsyncAPI payloads' `discriminator`, else "type" */
  readonly discriminator: string | undefined;
  /** Which side an AsyncAPI document describes: its `send` operations are what that side sends. @default "server" */
  readonly describes: "server" | "client";
  /** The union of what a server sends. @default "ServerMessage" */
  readonly server: string;
  /** The union of what a client sends. @default "ClientMessage" */
  readonly client: string;
  /** WebSocket subprotocols a client offers. @default [] */
  readonly subprotocols: readonly string[];
  /** Where generated code imports the runtime from. @default "typewire/runtime" */
  readonly runtime: string;
  /**
   * The property that makes server messages resumable: each server message that declares it (optional, a plain
   * string) carries a token the server fills in, which a reconnecting client sends back to get what it missed.
   * @default none: no message is resumable
   */
  readonly resume: string | undefined;
  /**
   * Where to write the protocol's AsyncAPI 3.0.0 document (`.json`, or `.yaml`/`.yml`), derived from the schema
   * whatever its kind and checked by `--check` like every generated file; it describes the side `describes` names.
   * See docs/asyncapi.md.
   * @default none: no AsyncAPI document is written
   */
  readonly asyncapi: string | undefined;
  /** The protocol's version, written as the AsyncAPI document's `info.version`. @default "0.0.0" */
  readonly protocolVersion: string | undefined;
  /** The URL path clients connect to, written as the AsyncAPI channel's `address`. @default none (`null`) */
  readonly address: string | undefined;
}

/** The whole configuration file. */
export interface Config {
  readonly protocols: readonly ProtocolConfig[];
}

const STRING_FIELDS = [
  "schema",
  "output",
  "name",
  "discriminator",
  "server",
  "client",
  "runtime",
  "describes",
  "resume",
  "asyncapi",
  "protocolVersion",
  "address",
] as const;

/**
 * Validates a parsed configuration and fills in defaults.
 *
 * @param raw The parsed JSON of the configuration file.
 * @param label How errors name the file.
 * @returns The configuration, defaults applied.
 * @throws {SchemaError} For a missing or mistyped setting.
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "src/generated/chat.ts" }] }, "typewire.config.json")
 *   .protocols[0]?.server; // "ServerMessage"
 * ```
 */
export function parseConfig(raw: unknown, label: string): Config {
  const fail = (where: string, why: string): never => {
    throw new SchemaError(label, where, why);
  };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return fail("(file)", 'expected a JSON object with "protocols"');
  }
  unknownKeys(raw as Record<string, unknown>, TOP_LEVEL, "", fail);
  const list = (raw as { protocols?: unknown }).protocols;
  if (!Array.isArray(list) || list.length === 0) return fail("protocols", "expected a non-empty list of protocols");
  return {
    protocols: list.map((entry: Record<string, unknown>, i) => {
      const where = `protocols[${i}]`;
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) fail(where, "expected an object");
      unknownKeys(entry, PROTOCOL_KEYS, `${where}.`, fail);
      for (const field of STRING_FIELDS) {
        if (entry[field] !== undefined && typeof entry[field] !== "string") {
          fail(`${where}.${field}`, "expected a string");
        }
      }
      for (const field of ["schema", "output"]) {
        if (entry[field] === undefined) fail(`${where}.${field}`, "is required");
      }
      if (entry.describes !== undefined && entry.describes !== "server" && entry.describes !== "client") {
        fail(`${where}.describes`, 'expected "server" or "client"');
      }
      if (entry.resume === "") fail(`${where}.resume`, 'expected a property name, e.g. "pos"');
      if (typeof entry.protocolVersion === "string" && entry.protocolVersion.trim() === "") {
        fail(`${where}.protocolVersion`, 'expected a version, e.g. "1.2.0"');
      }
      if (typeof entry.address === "string" && entry.address.trim() === "") {
        fail(`${where}.address`, 'expected a URL path, e.g. "/chat"');
      }
      const subprotocols = entry.subprotocols ?? [];
      if (!Array.isArray(subprotocols) || subprotocols.some((s) => typeof s !== "string")) {
        fail(`${where}.subprotocols`, "expected a list of strings");
      }
      const schema = entry.schema as string;
      const asyncapi = entry.asyncapi as string | undefined;
      if (asyncapi !== undefined && !/\.(json|ya?ml)$/.test(asyncapi)) {
        fail(`${where}.asyncapi`, "expected a .json, .yaml or .yml file for the AsyncAPI document");
      }
      if (asyncapi !== undefined && [schema, entry.output, jsonSchemaPath(schema)].includes(asyncapi)) {
        fail(`${where}.asyncapi`, `${asyncapi} is the schema or another generated file: name a file of its own`);
      }
      return {
        schema,
        output: entry.output as string,
        name: (entry.name as string | undefined) ?? baseName(schema),
        discriminator: entry.discriminator as string | undefined,
        describes: (entry.describes as "server" | "client" | undefined) ?? "server",
        server: (entry.server as string | undefined) ?? "ServerMessage",
        client: (entry.client as string | undefined) ?? "ClientMessage",
        subprotocols: subprotocols as string[],
        runtime: (entry.runtime as string | undefined) ?? "typewire/runtime",
        resume: entry.resume as string | undefined,
        asyncapi,
        protocolVersion: entry.protocolVersion as string | undefined,
        address: entry.address as string | undefined,
      };
    }),
  };
}

/** The keys of the file, besides `$schema` and comments (keys starting with `//`). */
const TOP_LEVEL = ["protocols"];
/** The keys of a protocol. */
const PROTOCOL_KEYS = [...STRING_FIELDS, "subprotocols"];

/**
 * Refuses a key the configuration does not know: a misspelt setting would otherwise be ignored and its default used,
 * silently (`"resmue": "pos"` would generate a protocol without resumable messages).
 */
function unknownKeys(
  object: Readonly<Record<string, unknown>>,
  known: readonly string[],
  prefix: string,
  fail: (where: string, why: string) => never,
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key) || key === "$schema" || key.startsWith("//")) continue;
    fail(`${prefix}${key}`, `unknown setting${didYouMean(key, known)}; the settings are ${known.join(", ")}`);
  }
}

/** `schema/chat.ts` -> `chat`; `proto/ticker.schema.json` -> `ticker`. */
function baseName(path: string): string {
  const file = path.split(/[\\/]/).at(-1) ?? path;
  return file.replace(/\..*$/, "");
}

/**
 * Where the JSON Schema compiled from a TypeScript or AsyncAPI schema is written: beside it.
 *
 * @param schema The schema's path.
 * @returns E.g. `schema/chat.schema.json` for `schema/chat.ts`, `api/jobs.schema.json` for `api/jobs.asyncapi.yaml`.
 * @example
 * ```ts
 * import { jsonSchemaPath } from "./config.ts";
 * jsonSchemaPath("schema/chat.ts"); // "schema/chat.schema.json"
 * ```
 */
export function jsonSchemaPath(schema: string): string {
  return schema.replace(/(\.asyncapi)?\.(ts|json|ya?ml)$/, ".schema.json");
}

/**
 * Reads and parses a configuration file; a missing one is a `SchemaError` that says where it was looked for and what
 * to do instead.
 *
 * @param path The file.
 * @param otherwise What the command can do without it, e.g. `name the schemas: typewire gen <schema>... --out <dir>`.
 * @returns The parsed JSON, for `parseConfig`.
 * @throws {SchemaError} For a missing file. {SyntaxError} For a file that is not JSON.
 * @example
 * ```ts
 * import { parseConfig, readConfigFile } from "./config.ts";
 * const config = parseConfig(await readConfigFile("typewire.config.json", "name the schemas"), "typewire.config.json");
 * ```
 */
export async function readConfigFile(path: string, otherwise: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
    throw new SchemaError(path, "(file)", `no configuration here (${resolve(path)}): ${otherwise}`);
  }
  return JSON.parse(text);
}

/**
 * A parsed configuration with settings given on the command line laid over every protocol's own.
 *
 * @param raw The parsed configuration.
 * @param settings The settings that win, e.g. `{ discriminator: "op" }`.
 * @returns The configuration to give `parseConfig` (`raw` itself when there is nothing to lay over, or no list).
 * @example
 * ```ts
 * import { withSettings } from "./config.ts";
 * withSettings({ protocols: [{ schema: "a.ts", output: "a.gen.ts" }] }, { resume: "pos" });
 * // { protocols: [{ schema: "a.ts", output: "a.gen.ts", resume: "pos" }] }
 * ```
 */
export function withSettings(raw: unknown, settings: Readonly<Record<string, unknown>>): unknown {
  const list = (raw as { protocols?: unknown } | null)?.protocols;
  if (!Array.isArray(list) || Object.keys(settings).length === 0) return raw;
  return { ...(raw as object), protocols: list.map((protocol) => ({ ...protocol, ...settings })) };
}
