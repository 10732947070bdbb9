/**
 * What the keystore hands out about a key: its description (no private key,
 * no data key), and the one string a key's settings MAC covers. Apart from
 * the keystore itself so that each module stays one readable concern.
 * @module
 */

import { parsePolicy, type Policy } from "./policy.ts";
import type { KeyRow, VersionInfoRow } from "./storage.ts";

/** A version's key pair, as the service made or imported it. */
export interface KeyMaterial {
  /** The public key, PEM (SPKI). */
  readonly publicKey: string;
  /** The private key's bytes (PKCS#1 DER for RSA). */
  readonly privateKey: Uint8Array;
}

/** What creating a key takes. */
export interface CreateKeyOptions {
  /** The key's name (see {@linkcode KEY_ID_PATTERN}). */
  readonly id: string;
  /** The key type, e.g. `rsa-2048`. */
  readonly type: string;
  /** The padding its ciphertexts use, e.g. `oaep-sha256`. */
  readonly padding: string;
  /** Version 1. */
  readonly material: KeyMaterial;
  /** Default: every use for `creator`. */
  readonly policy?: Policy;
  /** The client key that creates it, when there are client keys. */
  readonly creator?: string;
  /** Whether the key may be deleted. Default false. */
  readonly deletionAllowed?: boolean;
}

/** A key as it may be shown: no private key, no data key. */
export interface KeyDescription {
  readonly id: string;
  readonly type: string;
  readonly padding: string;
  readonly latestVersion: number;
  readonly minDecryptionVersion: number;
  readonly deletionAllowed: boolean;
  readonly policy: Policy;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Random per key: a key deleted and made again under its id differs. */
  readonly uid: string;
  /** Versions still held, oldest first. */
  readonly versions: readonly VersionInfoRow[];
}

/** A key's row as the service checks it on each use. */
export type KeySummary = Omit<KeyDescription, "versions">;

/** A key's row as a {@linkcode KeySummary}. */
export function summary(row: KeyRow): KeySummary {
  return {
    id: row.id,
    uid: row.uid,
    type: row.type,
    padding: row.padding,
    latestVersion: row.latestVersion,
    minDecryptionVersion: row.minDecryptionVersion,
    deletionAllowed: row.deletionAllowed,
    policy: parsePolicy(row.policy),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** What a key's settings MAC covers, as one string. */
export function settingsText(
  row: Pick<KeyRow, "id" | "uid" | "type" | "padding">,
  settings: {
    readonly minDecryptionVersion: number;
    readonly deletionAllowed: boolean;
    readonly policy: string;
  },
): string {
  return JSON.stringify([
    row.id,
    row.uid,
    row.type,
    row.padding,
    settings.minDecryptionVersion,
    settings.deletionAllowed,
    settings.policy,
  ]);
}
