// Private: the pinned Deno version, read from `.dvmrc` (the one place it is
// written; the README's commands and `.ci/run` use the same number).

const ROOT = new URL("..", import.meta.url);

/** The Deno version the project pins. */
export function pinnedDenoVersion(): string {
  return Deno.readTextFileSync(new URL(".dvmrc", ROOT)).trim();
}

/** Warns on stderr when this Deno is not the pinned one. */
export function checkDenoVersion(): void {
  const pinned = pinnedDenoVersion();
  if (Deno.version.deno !== pinned) {
    console.error(
      `warning: running Deno ${Deno.version.deno}; the project pins ${pinned} (.dvmrc)`,
    );
  }
}
