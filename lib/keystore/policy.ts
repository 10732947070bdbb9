/**
 * Who may do what with a stored key. A policy lists, for each use, the
 * client keys (CURVE public keys in Z85) allowed it; `*` allows any client.
 * The key's creator is given every use unless the request says otherwise.
 * Without CURVE there are no client keys: one tenant, and policies are not
 * consulted (the service says so at start-up).
 *
 * @example
 * ```ts
 * import { allows, defaultPolicy } from "./policy.ts";
 *
 * const policy = defaultPolicy("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
 * allows(policy, "decrypt", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"); // true
 * allows(policy, "decrypt", "someone else"); // false
 * ```
 * @module
 */

/** The uses a policy grants. */
export const USES = ["encrypt", "decrypt", "rewrap", "admin"] as const;

/** One use of a key. */
export type Use = typeof USES[number];

/** Client keys allowed each use. */
export type Policy = { readonly [use in Use]: readonly string[] };

/** Every use for `creator`; for no one when there is none (one tenant). */
export function defaultPolicy(creator: string | undefined): Policy {
  const who = creator === undefined ? [] : [creator];
  return { encrypt: who, decrypt: who, rewrap: who, admin: who };
}

/**
 * Whether `client` may `use` the key: always without CURVE (`client`
 * undefined); else when the policy lists it or `*`.
 */
export function allows(
  policy: Policy,
  use: Use,
  client: string | undefined,
): boolean {
  if (client === undefined) return true;
  const listed = policy[use];
  return listed.includes("*") || listed.includes(client);
}

/** A policy from its stored JSON; a use that is missing allows no one. */
export function parsePolicy(text: string): Policy {
  const value = JSON.parse(text) as Record<string, unknown>;
  const list = (use: Use) =>
    Array.isArray(value[use])
      ? (value[use] as unknown[]).filter((x) => typeof x === "string")
      : [];
  return {
    encrypt: list("encrypt"),
    decrypt: list("decrypt"),
    rewrap: list("rewrap"),
    admin: list("admin"),
  } as Policy;
}
