// What the service loads at start-up: no module of main.ts's static graph
// is node:crypto, node-forge, node:path or node:url, for the idle RSS that
// issue 9 keeps under 64 MB. Measured on Deno 2.9.6, importing each after
// main.ts's modules: node:crypto +2.6 MB (+4.4 MB alone), node:path with
// node:url about +0.5 MB; node-forge cost 10 MB (idle 74 -> 64 MB). Without
// node:crypto, node:path and node:url, `deno task bench --only idle` went
// from 62.3 to 60.6 MB (means of five runs each, alternated). node:crypto
// is for the fallback backend's workers (lib/crypto/node_decrypt.ts, which
// KeyService's default decryptor also imports, dynamically, on first use).

import assert from "node:assert/strict";

const ROOT = new URL("../../..", import.meta.url);

/** Modules main.ts would load before it runs: no dynamic or type-only edge. */
const HEAVY = [/^node:crypto$/, /^npm:\/?node-forge(@|$)/, /^node:(path|url)$/];

interface Graph {
  roots: string[];
  modules: {
    specifier: string;
    dependencies?: {
      code?: { specifier: string };
      isDynamic?: boolean;
    }[];
  }[];
  redirects: Record<string, string>;
}

/**
 * The specifiers a module's static runtime imports reach, from `deno info
 * --json` (no network: remote and npm modules are not resolved, only named).
 */
function staticGraph(entry: string): Set<string> {
  const out = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--no-remote", "--no-npm", entry],
    cwd: ROOT,
    stderr: "piped",
  }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph: Graph = JSON.parse(new TextDecoder().decode(out.stdout));
  const byName = new Map(graph.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const pending = [...graph.roots];
  while (pending.length > 0) {
    const name = pending.pop()!;
    const specifier = graph.redirects[name] ?? name;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of byName.get(specifier)?.dependencies ?? []) {
      if (dependency.code && !dependency.isDynamic) {
        pending.push(dependency.code.specifier);
      }
    }
  }
  return seen;
}

function heavy(graph: Set<string>): string[] {
  return [...graph].filter((s) => HEAVY.some((pattern) => pattern.test(s)));
}

Deno.test("main.ts's static graph loads neither node:crypto, node-forge, node:path nor node:url", () => {
  const graph = staticGraph("main.ts");
  // The walk reaches the encryption and both decryption backends' modules.
  for (
    const file of [
      "lib/crypto/oaep.ts",
      "lib/crypto/openssl.ts",
      "lib/service/decrypt/backend.ts",
      "lib/zmq/libzmq.ts",
    ]
  ) {
    assert.ok(graph.has(new URL(file, ROOT).href), `${file} not reached`);
  }
  assert.deepEqual(heavy(graph), []);
});

Deno.test("the fallback backend's decryption does load node:crypto (the check sees it)", () => {
  const graph = staticGraph("lib/crypto/node_decrypt.ts");
  assert.deepEqual(heavy(graph), ["node:crypto"]);
});
