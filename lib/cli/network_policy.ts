/**
 * Where the service may listen in clear. Clients send private keys to this
 * service, so off loopback the traffic must be encrypted with CURVE, unless
 * the operator says otherwise with `--allow-insecure-network`.
 *
 * @example
 * ```ts
 * import { insecureBindRefusal, isLocalEndpoint } from "./network_policy.ts";
 *
 * isLocalEndpoint("tcp://127.0.0.1:5555"); // true
 * insecureBindRefusal("tcp://0.0.0.0:5555", { curve: false, allowInsecureNetwork: false });
 * // "refusing to bind tcp://0.0.0.0:5555 without CURVE: ..."
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

/** What the policy looks at besides the endpoint. */
export interface BindSecurity {
  /** Whether CURVE is on. */
  readonly curve: boolean;
  /** `--allow-insecure-network`. */
  readonly allowInsecureNetwork: boolean;
  /**
   * Whether CURVE clients are vetted against an allow list. Left out, the
   * allow-list rule does not apply (as for a connecting instance, whose
   * peer is the broker).
   */
  readonly allowList?: boolean;
  /** `--allow-any-curve-client`: off loopback, CURVE without an allow list. */
  readonly allowAnyCurveClient?: boolean;
}

/**
 * The one-line reason to refuse binding (or connecting to) `endpoint`, or
 * undefined when it is allowed: off loopback without CURVE is refused
 * unless allowed.
 */
export function insecureBindRefusal(
  endpoint: string,
  security: BindSecurity,
  verb: "bind" | "connect to" = "bind",
): string | undefined {
  if (isLocalEndpoint(endpoint)) return undefined;
  if (security.curve) {
    // Any peer that can reach the port and knows the server's public key
    // could otherwise connect, and send frames without end (SECURITY.md).
    if (security.allowList !== false || security.allowAnyCurveClient) {
      return undefined;
    }
    return `refusing to ${verb} ${endpoint} with CURVE but no allow list: any ` +
      "client that knows the server's public key could connect. Set " +
      "--curve-allow (see SECURITY.md), or pass --allow-any-curve-client.";
  }
  if (security.allowInsecureNetwork) return undefined;
  return `refusing to ${verb} ${endpoint} without CURVE: clients send private keys ` +
    "to this service, so off loopback the traffic must be encrypted. Set " +
    "--curve-secret-key-file (see SECURITY.md), or pass --allow-insecure-network.";
}
