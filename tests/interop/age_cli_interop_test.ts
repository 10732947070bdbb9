// The age command line (Debian's `age`, 1.1.1, which has X25519 recipients
// but not yet mlkem768x25519) against the keyservice command line: what
// `keyservice keys new --type x25519` writes is what age takes (`age -d -i
// identity.txt` opens what `keyservice wrap --recipient` wrote, and `age -R
// recipient.txt` writes what `keyservice unwrap --identity` opens). Hybrid
// files are covered against typage (age_interop_test.ts). Without `age`
// the test is ignored (and says why); KEYSERVICE_REQUIRE_INTEROP=1 fails it.

import assert from "node:assert/strict";
import { detectTool, gate } from "../_helpers/gate.ts";
import { runCli } from "../_helpers/cli.ts";
import { withService } from "../_helpers/service.ts";

const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";
const ageGate = gate(
  "age command-line interop",
  await detectTool("age", ["--version"], "apt-get install age"),
);

async function age(args: string[], stdin: string): Promise<string> {
  const child = new Deno.Command("age", {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  assert.ok(out.success, decoder.decode(out.stderr));
  return decoder.decode(out.stdout);
}

Deno.test({
  name:
    "age CLI: age -d -i identity.txt opens keyservice wrap; keyservice unwrap opens age -R",
  ignore: ageGate.ignore,
  async fn() {
    ageGate.assertRunnable();
    await withService(async (service) => {
      const at = ["--endpoint", service.endpoint];
      const dir = await Deno.makeTempDir();
      try {
        const made = await runCli([
          "keys",
          "new",
          "--type",
          "x25519",
          "--out",
          dir,
          ...at,
        ]);
        assert.equal(made.code, 0, made.stderr);
        const recipient = (await Deno.readTextFile(`${dir}/recipient.txt`))
          .trim();
        const wrapped = await runCli(
          ["wrap", "--recipient", recipient, ...at],
          FERNET,
        );
        assert.equal(wrapped.code, 0, wrapped.stderr);
        assert.equal(
          await age(["-d", "-i", `${dir}/identity.txt`], wrapped.stdout),
          FERNET,
        );

        const byAge = await age(["-a", "-R", `${dir}/recipient.txt`], FERNET);
        const unwrapped = await runCli([
          "unwrap",
          "--identity",
          `${dir}/identity.txt`,
          ...at,
        ], byAge);
        assert.equal(unwrapped.code, 0, unwrapped.stderr);
        assert.equal(unwrapped.stdout, `${FERNET}\n`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});
