/**
 * The round-trip floor where pyzmq is missing: a bare echo server on the project's own transport
 * (`RouterServer`, libzmq through Deno's FFI), which answers every request
 * with its own bytes and does nothing else (no JSON, no logging). `deno task
 * bench` runs it as a subprocess, as it runs the service, and drives it
 * with the same REQ client code as `ping`, so the difference between the
 * two is what the service adds to a round trip.
 *
 * Prints `listening endpoint=ENDPOINT` on stderr once bound; SIGTERM or
 * SIGINT stops it.
 *
 * @example
 * ```sh
 * deno run --allow-env --allow-read --allow-ffi scripts/bench/echo_transport.ts tcp://127.0.0.1:*
 * ```
 * @module
 */

import { loadLibzmq } from "../../lib/zmq/libzmq.ts";
import { RouterServer } from "../../lib/zmq/router.ts";

/** Serves echoes on `endpoint` until SIGTERM or SIGINT. */
export async function serveEcho(endpoint: string): Promise<void> {
  const server = RouterServer.bind(loadLibzmq(), { endpoint });
  const stop = () => server.close(0);
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  console.error(`listening endpoint=${server.endpoint}`);
  for await (const message of server) {
    message.reply(message.parts[0] ?? new Uint8Array());
  }
}

if (import.meta.main) await serveEcho(Deno.args[0] ?? "tcp://127.0.0.1:*");
