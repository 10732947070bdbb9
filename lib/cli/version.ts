/**
 * The service's version, as `--version` prints it and `ping` reports it.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 *
 * console.log(`keyservice ${VERSION}`);
 * ```
 * @module
 */

/** Semantic version of the service. Keep in step with `deno.json`. */
export const VERSION = "1.1.0";
