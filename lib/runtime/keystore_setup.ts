/**
 * The keystore as configured (contract v1.2): opened before the service
 * serves, with its audit log. Every failure is one line (a missing or wrong
 * master key says that the keystore cannot be read without it); a master
 * key file made on this start draws a warning, after the start-up line,
 * that production keeps it elsewhere.
 *
 * @example
 * ```ts ignore
 * const setup = await openKeystoreSetup(config, log);
 * // new KeyService({ keystore: setup?.service, ... }); later setup?.close()
 * ```
 * @module
 */

import type { AuditLog } from "../keystore/audit.ts";
import type { KeystoreLocation, OpenedKeystore } from "../keystore/open.ts";
import type { Keystore } from "../keystore/keystore.ts";
import type { Logger } from "./ops/log.ts";
import type { Config } from "./config.ts";

/** An opened keystore and audit log. */
export interface KeystoreSetup {
  /** What the start-up line says, e.g. `sqlite:data/keystore.db`. */
  readonly description: string;
  readonly keystore: Keystore;
  readonly audit: AuditLog | undefined;
  /** Where it is, for the request threads' own connections. */
  readonly location: KeystoreLocation;
  /** Its master key, read once here, for the request threads; zeroed on close. */
  readonly master: Uint8Array;
  /** Logs, after the start-up line, a master key made on this start. */
  warn(): void;
  close(): Promise<void>;
}

/** Why the keystore could not be opened: one line. */
export class KeystoreSetupError extends Error {}

/**
 * Opens the configured keystore, or resolves to undefined when it is `off`.
 * Throws {@linkcode KeystoreSetupError}.
 */
export async function openKeystoreSetup(
  config: Pick<
    Config,
    | "keystore"
    | "dataDir"
    | "masterKeyFile"
    | "keystoreMaxVersions"
    | "auditLog"
  >,
  log: Logger,
): Promise<KeystoreSetup | undefined> {
  if (config.keystore === "off") return undefined;
  // Loaded only with a keystore: sealing (AES-GCM) and the audit log's
  // hashes use node:crypto, which a service without one never loads.
  const { openKeystore } = await import("../keystore/open.ts");
  const { AuditLog } = await import("../keystore/audit.ts");
  let opened: OpenedKeystore;
  const location: KeystoreLocation = {
    keystore: config.keystore,
    dataDir: config.dataDir,
    masterKeyFile: config.masterKeyFile,
    maxVersions: config.keystoreMaxVersions,
  };
  try {
    opened = await openKeystore(location);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : error;
    throw new KeystoreSetupError(`keystore: ${why}`);
  }
  let audit: AuditLog | undefined;
  if (config.auditLog !== undefined) {
    try {
      audit = AuditLog.open(config.auditLog);
    } catch (error) {
      opened.master.fill(0);
      await opened.keystore.close();
      throw new KeystoreSetupError(
        `audit log: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  return {
    description: `${opened.kind}:${opened.location}`,
    keystore: opened.keystore,
    audit,
    location,
    master: opened.master,
    warn() {
      if (opened.createdMasterKey === undefined) return;
      log.warn("master-key-created", {
        path: opened.createdMasterKey,
        note:
          "a new master key beside the database; in production keep it elsewhere (--master-key-file)",
      });
    },
    async close() {
      opened.master.fill(0);
      audit?.close();
      await opened.keystore.close();
    },
  };
}
