/**
 * The service's version, as `--version` prints it, `ping` reports it and the
 * metrics label it: written once, as deno.json's `version`, and read from
 * there.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 *
 * console.log(`keyservice ${VERSION}`);
 * ```
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };

/** Semantic version of the service: deno.json's `version`. */
export const VERSION: string = denoJson.version;
