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

import { isLocalEndpoint } from "../zmq/endpoint.ts";

export { isLocalEndpoint };

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

/** What the broker's backend policy looks at besides the endpoint. */
export interface BackendSecurity {
  /** Whether the backend speaks CURVE to instances that hold the server key. */
  readonly curve: boolean;
  /** `--insecure-backend`: no CURVE, no private folder, for development. */
  readonly insecureBackend: boolean;
  /** `--allow-insecure-network`. */
  readonly allowInsecureNetwork: boolean;
  /** This process's effective user id (who must own an `ipc://` folder). */
  readonly uid: number;
}

/**
 * Why an `ipc://` endpoint's folder is not private to user `uid`, or
 * undefined when it is: the folder exists, is owned by `uid`, and neither
 * group nor others have any access to it (mode 0700 or stricter), so that
 * no other user's process can reach the socket in it. Linux's abstract
 * sockets (`ipc://@name`) have no folder, and anyone may connect to them.
 */
export function ipcFolderProblem(
  endpoint: string,
  uid: number,
): string | undefined {
  const path = endpoint.slice("ipc://".length);
  if (path.startsWith("@")) return "an abstract socket anyone may connect to";
  const folder = path.includes("/")
    ? path.slice(0, path.lastIndexOf("/")) || "/"
    : ".";
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(folder);
  } catch {
    return `its folder ${folder} cannot be read`;
  }
  if (!info.isDirectory) return `${folder} is not a folder`;
  if (info.uid !== uid) return `its folder ${folder} is not owned by this user`;
  if (info.mode === null || (info.mode & 0o077) !== 0) {
    return `its folder ${folder} is open to group or others (chmod 700)`;
  }
  return undefined;
}

/**
 * The one-line reason to refuse the broker's backend at `endpoint`, or
 * undefined when it is allowed. Whoever connects to the backend receives
 * clients' requests, private keys included, so instances must prove who they
 * are: by CURVE (the broker accepts only instances that hold the secret key
 * of `--backend-curve-server-key`), or by the file system (an `ipc://`
 * socket in a folder only this user can open). Without either, the backend
 * is refused unless `--insecure-backend`, and off loopback, the service's
 * rule applies on top.
 */
export function backendRefusal(
  endpoint: string,
  security: BackendSecurity,
): string | undefined {
  if (security.curve) return undefined;
  if (endpoint.startsWith("ipc://")) {
    const problem = ipcFolderProblem(endpoint, security.uid);
    if (problem === undefined || security.insecureBackend) return undefined;
    return `refusing the backend ${endpoint}: ${problem}, so another ` +
      "user's process could join as an instance and receive clients' " +
      "requests, private keys included. Use a folder only this user can " +
      "open, or CURVE (--backend-curve-server-key), or pass " +
      "--insecure-backend (development only).";
  }
  if (security.insecureBackend) {
    return insecureBindRefusal(endpoint, {
      curve: false,
      allowInsecureNetwork: security.allowInsecureNetwork,
    });
  }
  return `refusing the backend ${endpoint} without CURVE: any process that ` +
    "can reach it could join as an instance and receive clients' requests, " +
    "private keys included. Set --backend-curve-server-key (see SECURITY.md), " +
    "or bind an ipc:// socket in a folder only this user can open, or pass " +
    "--insecure-backend (development only).";
}
