/**
 * Paths on the command line are the caller's: a relative one resolves
 * against the folder the user ran the command from. `deno task` runs in the
 * project's folder and says where the user was in `INIT_CWD`.
 *
 * @example
 * ```ts
 * import { resolvePath } from "./paths.ts";
 *
 * resolvePath("keys/"); // "/home/me/keys/" when run from /home/me
 * ```
 * @module
 */

// Plain string joins: node:path would load at start-up for every command
// (tests/unit/project/startup_graph_test.ts keeps the graph light).

/** The folder the user ran the command from. */
export function callerDir(): string {
  let dir: string | undefined;
  try {
    dir = Deno.env.get("INIT_CWD");
  } catch {
    // No permission to read INIT_CWD: not run by `deno task`, or run with a
    // narrower --allow-env; the process's own folder is the caller's.
  }
  return dir ? dir : Deno.cwd();
}

/** `path` as the user meant it: relative ones from {@linkcode callerDir}. */
export function resolvePath(path: string): string {
  if (path.startsWith("/")) return path;
  return `${callerDir().replace(/\/+$/, "")}/${path}`;
}
