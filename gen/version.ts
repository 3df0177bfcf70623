/**
 * typewire's version, as the package manifest states it; generated headers carry it.
 *
 * @module
 */
import manifest from "../package.json" with { type: "json" };

/** The version of typewire that generates code. */
export const VERSION: string = manifest.version;
