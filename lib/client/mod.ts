/**
 * The key service's client library: `import { KeyServiceClient } from
 * "@keyservice/keyservice/client"`. A typed method per operation, errors
 * as classes with the reply's `code`, retries and failover the ZeroMQ
 * guide's "Lazy Pirate" way, CurveZMQ.
 *
 * @example
 * ```ts
 * import { DecryptionFailed, KeyServiceClient } from "./mod.ts";
 *
 * const client = new KeyServiceClient({
 *   endpoints: ["tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556"],
 *   timeoutMs: 2000,
 * });
 * try {
 *   const keys = await client.generateKeys({ format: "pkcs8" });
 *   const wrapped = await client.encryptFernet(keys.fernet, keys.rsa.public);
 *   await client.decryptFernet(wrapped, keys.rsa.private);
 * } catch (error) {
 *   if (error instanceof DecryptionFailed) console.error(error.code);
 *   else throw error;
 * } finally {
 *   client.close();
 * }
 * ```
 *
 * Permissions: the client loads libzmq (the copy inside npm:zeromq, found
 * from any importer) through FFI, reads the addon's folder to find it and
 * any CURVE key files it is given, and reads `KEYSERVICE_LIBZMQ` when set;
 * nothing else. A program using it runs with:
 *
 * `deno run --allow-ffi --allow-read --allow-env=KEYSERVICE_LIBZMQ app.ts`
 *
 * (`--allow-ffi` gives native code the whole process's rights: see
 * SECURITY.md.) No `--allow-net`: ZeroMQ's sockets are libzmq's, not Deno's.
 *
 * @module
 */

export {
  DEFAULT_CLIENT_ENDPOINT,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_REPLY_BYTES,
  KeyServiceClient,
} from "./client.ts";
export { curveClientKeys } from "./curve_keys.ts";
export { KeystoreClient } from "./keystore_client.ts";
export type {
  KeyListPage,
  KeyPolicy,
  StoredKey,
  StoredKeyOptions,
  StoredKeyVersion,
} from "./keystore_client.ts";
export * from "./errors.ts";
export {
  DEFAULT_ENDPOINT,
  ERROR_CODES,
  ERRORS,
  KEY_BITS,
  KEY_FORMATS,
  PADDINGS,
} from "../contract/mod.ts";
export type * from "./types.ts";
