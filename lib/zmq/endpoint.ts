/**
 * What an endpoint says about who can reach it: whether it stays on this
 * machine. The service, the broker and the client all refuse to speak in
 * clear past it unless told to.
 *
 * @example
 * ```ts
 * import { isLocalEndpoint } from "./endpoint.ts";
 *
 * isLocalEndpoint("tcp://127.0.0.1:5555"); // true
 * isLocalEndpoint("tcp://10.0.0.5:5555"); // false
 * ```
 * @module
 */

/**
 * Whether an endpoint stays on this machine: `tcp://` on a loopback address
 * (127.0.0.0/8, `localhost`, `[::1]`), or `ipc://` and `inproc://`.
 */
export function isLocalEndpoint(endpoint: string): boolean {
  if (/^(ipc|inproc):\/\//.test(endpoint)) return true;
  const match = /^tcp:\/\/(.+):[^:\]]+$/.exec(endpoint);
  if (match === null) return false;
  const host = match[1];
  return host === "localhost" || host === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
