// Private: the options of --help's "Security" section (CURVE, the network
// policy, what ping tells), part of the one OPTIONS table in options.ts.

import type { OptionSpec } from "./options.ts";

/** The security options, in `--help` order. */
export const SECURITY_OPTIONS: readonly OptionSpec[] = [
  {
    key: "curveSecretKey",
    flag: "curve-secret-key",
    arg: "Z85",
    env: "KEYSERVICE_CURVE_SECRET_KEY",
    type: { kind: "string" },
    default: undefined,
    defaultText: "off",
    help:
      "turn on CurveZMQ with this secret key (the server's; with --connect, the instance's own, to its broker); a flag shows in ps and in deno task's echo, so give it in the variable or use --curve-secret-key-file",
    section: "Security (see SECURITY.md)",
  },
  {
    key: "curveSecretKeyFile",
    flag: "curve-secret-key-file",
    arg: "PATH",
    env: "KEYSERVICE_CURVE_SECRET_KEY_FILE",
    type: { kind: "string" },
    default: undefined,
    defaultText: "off",
    help:
      "the same, read from a file (the key alone, or `keyservice curve-keypair` output)",
    section: "Security (see SECURITY.md)",
  },
  {
    key: "curveAllowFile",
    flag: "curve-allow",
    arg: "PATH",
    env: "KEYSERVICE_CURVE_ALLOW",
    type: { kind: "string" },
    default: undefined,
    defaultText: "any client that knows the server key",
    help: "admit only the client public keys listed, one Z85 key a line",
    section: "Security (see SECURITY.md)",
  },
  {
    key: "brokerCurveServerKey",
    flag: "broker-curve-server-key",
    arg: "Z85",
    env: "KEYSERVICE_BROKER_CURVE_SERVER_KEY",
    type: { kind: "string" },
    default: undefined,
    defaultText: "off",
    help:
      "with --connect: CURVE to the broker, whose backend public key this is; the instance shows the public key of its --curve-secret-key-file, which the broker's --backend-curve-allow must list",
    section: "Security (see SECURITY.md)",
  },
  {
    key: "brokerCurveServerKeyFile",
    flag: "broker-curve-server-key-file",
    arg: "PATH",
    env: "KEYSERVICE_BROKER_CURVE_SERVER_KEY_FILE",
    type: { kind: "string" },
    default: undefined,
    defaultText: "off",
    help:
      "the same, read from a file (the key alone, or a `public` line of `keyservice curve-keypair` output)",
    section: "Security (see SECURITY.md)",
  },
  {
    key: "allowInsecureNetwork",
    flag: "allow-insecure-network",
    env: "KEYSERVICE_ALLOW_INSECURE_NETWORK",
    type: { kind: "flag" },
    default: false,
    defaultText: "off; the variable turns it on with 1",
    help: "bind off loopback without CURVE anyway",
    section: "Security (see SECURITY.md)",
  },
  {
    key: "allowAnyCurveClient",
    flag: "allow-any-curve-client",
    env: "KEYSERVICE_ALLOW_ANY_CURVE_CLIENT",
    type: { kind: "flag" },
    default: false,
    defaultText: "off; the variable turns it on with 1",
    help: "bind off loopback with CURVE but no --curve-allow list anyway",
    section: "Security (see SECURITY.md)",
  },
  {
    key: "pingDetail",
    flag: "ping-detail",
    arg: "LEVEL",
    env: "KEYSERVICE_PING_DETAIL",
    type: { kind: "choice", choices: ["none", "full"] },
    default: "none",
    help:
      "what ping tells any client: none (up, version, capabilities) or full (also requests in flight, key pool, workers, crypto backend, memory)",
    section: "Security (see SECURITY.md)",
  },
];
