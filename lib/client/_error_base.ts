/**
 * The root of the client's errors, in a module of its own so that both the
 * service's per-code errors (errors.ts) and the transport's
 * (transport_errors.ts) extend it without an import cycle.
 *
 * @module
 */

/**
 * Every error the client throws has a stable `code`, on the instance and,
 * for each class, as a static `code` (as jose's errors).
 */
export abstract class KeyServiceClientError extends Error {
  /** The class's code. */
  declare static readonly code: string;
  /** A stable, machine-readable code. */
  abstract readonly code: string;
  /** The class's name, such as `DecryptionFailed`. */
  override get name(): string {
    return this.constructor.name;
  }
}
