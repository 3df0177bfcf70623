/**
 * typewire's version, for the header of generated files. It is kept equal to
 * the `version` of package.json and deno.json (a test checks it), so that the
 * built generator needs no manifest beside it.
 *
 * @module
 */

/** The version of typewire that generates code. */
export const VERSION = "0.1.0";
