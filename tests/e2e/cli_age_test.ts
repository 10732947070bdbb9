// The command line's age options as a user runs them: `keys new --type`
// writes identity.txt and recipient.txt in age's formats, `wrap` to
// --recipient (repeatable) and --recipients-file, `unwrap --identity`.

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { withService } from "../_helpers/service.ts";

const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";

Deno.test("cli: keys new --type, wrap --recipient / --recipients-file, unwrap --identity", async () => {
  await withService(async (service) => {
    const at = ["--endpoint", service.endpoint];
    const dir = await Deno.makeTempDir();
    try {
      for (const type of ["mlkem768x25519", "x25519"]) {
        const out = `${dir}/${type}`;
        const made = await runCli([
          "keys",
          "new",
          "--type",
          type,
          "--out",
          out,
          ...at,
        ]);
        assert.equal(made.code, 0, made.stderr);
        const identityText = await Deno.readTextFile(`${out}/identity.txt`);
        assert.match(
          identityText,
          /^# created: \S+\n# public key: age1\S+\nAGE-SECRET-KEY-\S+\n$/,
        );
        assert.equal(
          (await Deno.stat(`${out}/identity.txt`)).mode! & 0o777,
          0o600,
        );
        assert.ok(
          !made.stdout.includes("AGE-SECRET-KEY"),
          "keys new printed the identity",
        );
        const recipient = (await Deno.readTextFile(`${out}/recipient.txt`))
          .trim();
        const again = await runCli([
          "keys",
          "new",
          "--type",
          type,
          "--out",
          out,
          ...at,
        ]);
        assert.equal(again.code, 1, "overwrote");

        const wrapped = await runCli(
          ["wrap", "--recipient", recipient, ...at],
          FERNET,
        );
        assert.equal(wrapped.code, 0, wrapped.stderr);
        assert.ok(
          wrapped.stdout.startsWith("-----BEGIN AGE ENCRYPTED FILE-----"),
        );
        const unwrapped = await runCli(
          ["unwrap", "--identity", `${out}/identity.txt`, ...at],
          wrapped.stdout,
        );
        assert.equal(unwrapped.code, 0, unwrapped.stderr);
        assert.equal(unwrapped.stdout, `${FERNET}\n`);
      }
      // Two recipients from a file (like age -R) and one on the line.
      const group = `${dir}/group.txt`;
      const pq =
        (await Deno.readTextFile(`${dir}/mlkem768x25519/recipient.txt`)).trim();
      await Deno.writeTextFile(group, `# the group\n${pq}\n`);
      const many = await runCli(
        ["wrap", "--recipients-file", group, "--recipient", pq, ...at],
        FERNET,
      );
      assert.equal(many.code, 0, many.stderr);
      const mixed = await runCli(
        [
          "wrap",
          "--recipients-file",
          group,
          "--recipient",
          (await Deno.readTextFile(`${dir}/x25519/recipient.txt`)).trim(),
          ...at,
        ],
        FERNET,
      );
      assert.equal(mixed.code, 1);
      assert.match(mixed.stderr, /mixed/i);
      const both = await runCli([
        "wrap",
        "--recipient",
        pq,
        "--public-key",
        group,
        ...at,
      ], FERNET);
      assert.equal(both.code, 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
