// Reading a running service's metrics in tests.

import assert from "node:assert/strict";
import type { RunningService } from "./service.ts";

/** The value of an unlabelled sample in a scrape of `service`. */
export async function gauge(
  service: RunningService,
  name: string,
): Promise<number> {
  const text = await (await fetch(`${service.metrics}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in\n${text}`);
  return Number(line.split(" ")[1]);
}
