// Private: `--flag VALUE` for any VALUE. node:util's parseArgs refuses a
// separate value that begins with `-` ("ambiguous") in strict mode, and a Z85
// CURVE key, a path or a negative number may begin with one. Every flag that
// takes a value takes the next argument as it is, as getopt does; joining
// the two into `--flag=VALUE` before parseArgs sees them gives that.

/**
 * `args` with each `--flag VALUE` of a flag in `valued` joined into
 * `--flag=VALUE`. Stops at `--`; a valued flag with nothing after it stays
 * as it is, for parseArgs to report.
 */
export function joinValues(
  args: readonly string[],
  valued: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (
      arg.startsWith("--") && !arg.includes("=") &&
      valued.has(arg.slice(2)) && i + 1 < args.length
    ) {
      out.push(`${arg}=${args[++i]}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}
