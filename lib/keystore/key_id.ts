/**
 * Key ids: names a client gives its stored keys. Restricted so that an id is
 * safe in a log line, a file name or a URL, and never needs quoting.
 *
 * @example
 * ```ts
 * import { KEY_ID_PATTERN } from "./key_id.ts";
 *
 * KEY_ID_PATTERN.test("group-7"); // true
 * KEY_ID_PATTERN.test("../etc"); // false
 * ```
 * @module
 */

/** Key ids: 1 to 128 of `A-Z a-z 0-9 . _ -`, starting alphanumeric. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
