/**
 * Finds and opens libzmq for Deno's FFI, in one order: an explicit path from
 * configuration, the copy built into `npm:zeromq` for this platform, then the
 * system's libzmq. Supported platforms: Linux (x64, arm64) and macOS; on
 * Windows loading refuses with {@linkcode UnsupportedPlatform}.
 *
 * @example
 * ```ts
 * import { loadLibzmq } from "./libzmq.ts";
 *
 * const libzmq = loadLibzmq();
 * console.log(`${libzmq.path} (libzmq ${libzmq.version})`);
 * ```
 * @module
 */

import { type Libzmq, SYMBOLS } from "./_ffi.ts";
import { LibzmqUnavailable, UnsupportedPlatform } from "./errors.ts";

/** An opened libzmq. */
export interface LoadedLibzmq {
  /**
   * The C functions, for lib/zmq's own use.
   *
   * @internal
   */
  readonly symbols: Libzmq;
  /** The file that was opened. */
  readonly path: string;
  /** Where it came from. */
  readonly source: "configured" | "npm:zeromq" | "system";
  /** libzmq's own version, such as `4.3.5`. */
  readonly version: string;
  /** Whether it supports CURVE security. */
  readonly hasCurve: boolean;
}

/**
 * Throws {@linkcode UnsupportedPlatform} on an operating system the
 * transport's FFI layout does not fit (Windows); `os` defaults to this one.
 */
export function checkPlatform(os: typeof Deno.build.os = Deno.build.os): void {
  if (os === "windows") throw new UnsupportedPlatform("Windows");
}

/**
 * Never called. A dynamic import with a literal specifier puts the package
 * in the module graph, so Deno fetches it for any program that imports this
 * module, and `import.meta.resolve` then gives its files; nothing of it is
 * evaluated.
 */
export const _inGraph = () =>
  // deno-lint-ignore no-import-prefix -- the point: no import map applies.
  import("npm:zeromq@6.8.0/package.json", { with: { type: "json" } });

/** The addon files inside npm:zeromq that may serve this platform, best first. */
export function npmZeromqCandidates(): string[] {
  // URLs and string joins rather than node:path and node:url, whose import
  // would cost the service resident memory for these few lines.
  let base: URL;
  try {
    // zeromq's entry point is lib/index.js: the package is two levels up.
    // Named in full (a literal, so `deno publish` can analyse it) so that it
    // resolves from any importer, not only under this repository's import
    // map; deno.json's `zeromq` entry names the same version, and a test
    // holds them equal.
    const entry = new URL(import.meta.resolve("npm:zeromq@6.8.0"));
    if (entry.protocol !== "file:") return [];
    const os = Deno.build.os;
    const arch = Deno.build.arch === "x86_64" ? "x64" : "arm64";
    base = new URL(`../build/${os}/${arch}/node/`, entry);
  } catch {
    return [];
  }
  let names: string[];
  try {
    names = [...Deno.readDirSync(base)].filter((e) => e.isDirectory).map((e) =>
      e.name
    );
  } catch {
    return [];
  }
  // glibc-127 suits Debian 12's glibc 2.36; then the other builds of the
  // same C library, newest first; builds for another C library come never.
  const libc = Deno.build.os === "linux"
    ? (Deno.build.env === "musl" ? "musl" : "glibc")
    : "";
  const rank = (name: string): number =>
    name === `${libc}-127-Release` ? 0 : name.startsWith(libc) ? 1 : 2;
  return names
    .filter((name) => libc === "" || name.startsWith(libc))
    .sort((a, b) => rank(a) - rank(b) || b.localeCompare(a))
    .map((name) =>
      filePath(new URL(`${encodeURIComponent(name)}/addon.node`, base))
    );
}

/** The path of a `file:` URL (POSIX: Windows is refused before loading). */
function filePath(url: URL): string {
  return decodeURIComponent(url.pathname);
}

function systemCandidates(): string[] {
  switch (Deno.build.os) {
    case "darwin":
      return [
        "libzmq.5.dylib",
        "/opt/homebrew/lib/libzmq.5.dylib",
        "/usr/local/lib/libzmq.5.dylib",
      ];
    default:
      return ["libzmq.so.5", "libzmq.so"];
  }
}

function open(path: string): Libzmq {
  // Since Deno 2.3 this also opens a file embedded in a `deno compile`d
  // executable.
  return Deno.dlopen(path, SYMBOLS).symbols;
}

function describe(lib: Libzmq): { version: string; hasCurve: boolean } {
  const parts = [new Int32Array(1), new Int32Array(1), new Int32Array(1)];
  lib.zmq_version(parts[0], parts[1], parts[2]);
  const version = parts.map((p) => p[0]).join(".");
  const hasCurve = lib.zmq_has(new TextEncoder().encode("curve\0")) === 1;
  return { version, hasCurve };
}

/**
 * Opens libzmq: `path` when given (and only it), else the first candidate
 * that opens. Throws {@linkcode LibzmqUnavailable}, or
 * {@linkcode UnsupportedPlatform} on Windows.
 */
export function loadLibzmq(path?: string): LoadedLibzmq {
  checkPlatform();
  const candidates: [string, LoadedLibzmq["source"]][] = path !== undefined
    ? [[path, "configured"]]
    : [
      ...npmZeromqCandidates().map((p): [string, "npm:zeromq"] => [
        p,
        "npm:zeromq",
      ]),
      ...systemCandidates().map((p): [string, "system"] => [p, "system"]),
    ];
  const tried: string[] = [];
  for (const [candidate, source] of candidates) {
    try {
      const symbols = open(candidate);
      return { symbols, path: candidate, source, ...describe(symbols) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      tried.push(`${candidate}: ${reason.split("\n")[0]}`);
    }
  }
  if (candidates.length === 0) tried.push("no candidate found");
  throw new LibzmqUnavailable(tried);
}
