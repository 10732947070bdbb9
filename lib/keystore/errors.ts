/**
 * The keystore's errors: one root class, {@linkcode KeystoreError}, and a
 * class per failure, each with a stable `static code`. Messages name a key by
 * its id and a version by its number, never key material.
 *
 * @example
 * ```ts
 * import { KeyNotFound, KeystoreError } from "./errors.ts";
 *
 * const error: KeystoreError = new KeyNotFound();
 * error.code; // "key_not_found"
 * ```
 * @module
 */

/** Every keystore failure. */
export abstract class KeystoreError extends Error {
  /** A stable, machine-readable code. */
  abstract readonly code: string;
  override get name(): string {
    return this.constructor.name;
  }
}

/** No key has this id. */
export class KeyNotFound extends KeystoreError {
  static readonly code = "key_not_found";
  readonly code = KeyNotFound.code;
  constructor() {
    super("No key with this id");
  }
}

/** A key with this id exists already. */
export class KeyExists extends KeystoreError {
  static readonly code = "key_exists";
  readonly code = KeyExists.code;
  constructor() {
    super("A key with this id exists already");
  }
}

/** The version asked for does not exist (never made, or trimmed). */
export class VersionNotFound extends KeystoreError {
  static readonly code = "key_version_not_found";
  readonly code = VersionNotFound.code;
  constructor(version: number) {
    super(`The key has no version ${version}`);
  }
}

/** The key's configuration does not allow deleting it. */
export class DeletionNotAllowed extends KeystoreError {
  static readonly code = "key_deletion_not_allowed";
  readonly code = DeletionNotAllowed.code;
  constructor() {
    super("The key's configuration does not allow its deletion");
  }
}

/** A minimum decryption version outside the oldest to the latest version. */
export class InvalidMinVersion extends KeystoreError {
  static readonly code = "invalid_min_version";
  readonly code = InvalidMinVersion.code;
  constructor(oldest: number, latest: number) {
    super(
      `The minimum decryption version must be from ${oldest} to ${latest}`,
    );
  }
}

/**
 * A rotation past the most versions a key may hold at once: the minimum
 * decryption version must rise and the versions below it be trimmed first.
 */
export class TooManyVersions extends KeystoreError {
  static readonly code = "key_version_limit";
  readonly code = TooManyVersions.code;
  /** `max`: the keystore's own limit, never request bytes. */
  constructor(readonly max: number) {
    super(`The key holds its most versions (${max}); trim it first`);
  }
}

/**
 * The master key does not open the keystore (another key, or the data was
 * altered): nothing in it can be read.
 */
export class MasterKeyMismatch extends KeystoreError {
  static readonly code = "master_key_mismatch";
  readonly code = MasterKeyMismatch.code;
  constructor(what = "the keystore") {
    super(`the master key does not open ${what}`);
  }
}

/** The master key file is missing, unreadable or not 32 bytes of base64. */
export class MasterKeyUnavailable extends KeystoreError {
  static readonly code = "master_key_unavailable";
  readonly code = MasterKeyUnavailable.code;
  constructor(why: string) {
    super(why);
  }
}

/** The keystore's database failed or cannot be reached. */
export class StorageFailed extends KeystoreError {
  static readonly code = "keystore_unavailable";
  readonly code = StorageFailed.code;
  constructor(why: string) {
    super(why);
  }
}
