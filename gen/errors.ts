/**
 * The one error the generator reports to users: which file, which type, why.
 *
 * @module
 */

/**
 * A schema the generator cannot handle. The CLI prints its message and exits
 * non-zero; it never shows a stack trace for one.
 *
 * @example
 * ```ts
 * import { SchemaError } from "./errors.ts";
 * throw new SchemaError("schema/chat.ts", "ChatText", "pattern is not a valid regular expression");
 * ```
 */
export class SchemaError extends Error {
  /**
   * @param file The schema file, relative to the project.
   * @param where The type, and the path inside it, that cannot be handled.
   * @param why What is wrong, and where possible how to fix it.
   */
  constructor(readonly file: string, readonly where: string, readonly why: string) {
    super(`${file}: ${where}: ${why}`);
    this.name = "SchemaError";
  }
}
