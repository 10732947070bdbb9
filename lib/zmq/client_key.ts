/**
 * Who sent a message, for bounds per client: the routing ids that ROUTER
 * sockets added on the way, never the frames the client wrote itself.
 *
 * A ROUTER puts the routing id of the connection a message came on in front
 * of it; a broker's ROUTER does the same for its own client, so a service
 * behind one broker sees `[broker, client, ...]`. Every frame after those
 * the client wrote: a DEALER may put any number of frames before the
 * delimiter, and a key built from them would let one connection pass for a
 * new client on each request. So the key is the first `trustedHops + 1`
 * routing ids: 0 trusted hops for a service clients connect to directly,
 * 1 behind a broker.
 *
 * @example
 * ```ts
 * import { clientKey } from "./client_key.ts";
 *
 * const connection = Uint8Array.of(0, 1, 2, 3, 4);
 * const forged = new TextEncoder().encode("anything");
 * // Direct: the forged hop is not part of the key.
 * clientKey([connection, forged], 0) === clientKey([connection], 0); // true
 * ```
 * @module
 */

/**
 * The key of the client that sent a message with these routing ids (the
 * envelope without its delimiter), trusting `trustedHops` ROUTER hops in
 * front of the service. Stable for one connection (or, behind a broker,
 * one client of the broker); never shown to anyone.
 */
export function clientKey(
  routingIds: readonly Uint8Array[],
  trustedHops: number,
): string {
  return routingIds.slice(0, trustedHops + 1)
    .map((id) => id.toBase64())
    .join(".");
}
