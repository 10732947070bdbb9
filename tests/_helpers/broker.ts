/**
 * Test helper: brokers and instances with CURVE on the backend (key files,
 * an allow list), and an instance's or a broker's `/healthz`, for the
 * broker tests (tests/e2e/broker_test.ts, broker_ops_test.ts).
 *
 * @module
 */

import type { CurveKeyPair } from "../../lib/zmq/curve.ts";
import { startBroker } from "./cli.ts";
import { cliKeyPair, writePrivate } from "./curve.ts";
import { type RunningService, startService } from "./service.ts";

/** Key pairs, and the files a broker and its instances read them from. */
export async function keyFiles(dir: string, names: string[]) {
  const pairs: Record<string, CurveKeyPair & { file: string }> = {};
  for (const name of names) {
    const pair = await cliKeyPair();
    pairs[name] = {
      ...pair,
      file: await writePrivate(`${dir}/${name}.key`, pair.text),
    };
  }
  return pairs;
}

/** A broker whose backend admits the instance keys in `allow` (a file). */
export function curveBroker(
  broker: { file: string },
  allow: string,
  backend: string,
  args: string[] = [],
): ReturnType<typeof startBroker> {
  return startBroker([
    "--backend-curve-secret-key-file",
    broker.file,
    "--backend-curve-allow",
    allow,
    ...args,
  ], { backend });
}

/** An instance of `backend` with its own pair, checking `brokerKey`. */
export function curveInstance(
  backend: string,
  own: { file: string },
  brokerKey: string,
): Promise<RunningService> {
  return startService([
    "--connect",
    backend,
    "--curve-secret-key-file",
    own.file,
    "--broker-curve-server-key",
    brokerKey,
    "--metrics",
    "127.0.0.1:0",
    "--log-level",
    "debug",
  ]);
}

/** An instance's (or a broker's) /healthz status and body. */
export async function health(
  instance: { readonly metrics: string | undefined },
): Promise<string> {
  const response = await fetch(`${instance.metrics}/healthz`);
  return `${response.status} ${(await response.text()).trim()}`;
}
