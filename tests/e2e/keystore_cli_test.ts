// Contract v1.2 from the command line, as an operator and a client use it:
// keys, wrap/unwrap by key id, rewrap, trim, the audit log and its
// verification (a tampered log rejected), backup while serving and restore,
// master key rotation. (An audit log that cannot be written: see
// tests/unit/service/keystore_ops_test.ts.)

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { startService, withService } from "../_helpers/service.ts";

const ROOT = new URL("../..", import.meta.url);
const FERNET = "q0Vb0hzJ9Y6m2bS0Fo3H1XkzjS8HvEwTQ5m9cA7dCqU=";

/** A folder beneath data/ (where the service may write), removed after. */
async function withDataDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = `data/cli-test-${crypto.randomUUID()}`;
  await Deno.mkdir(new URL(`${dir}/`, ROOT), { recursive: true });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(new URL(`${dir}/`, ROOT), { recursive: true });
  }
}

async function cli(args: string[], stdin = ""): Promise<string> {
  const run = await runCli(args, stdin);
  assert.equal(run.code, 0, `${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

Deno.test("keystore CLI: keys, wrap and unwrap by key id, rewrap, trim, an audit log that verifies and a tampered one that does not", async () => {
  await withDataDir(async (dir) => {
    const auditPath = `${dir}/audit.log`;
    let v2 = "";
    await withService(async (service) => {
      const endpoint = ["--endpoint", service.endpoint];
      const created = JSON.parse(
        await cli(["keys", "create", "--key-id", "team", ...endpoint]),
      );
      assert.equal(created.latestVersion, 1);
      assert.match(
        created.versions[0].publicKey,
        /^-----BEGIN PUBLIC KEY-----/,
      );
      const v1 = (await cli(["wrap", "--key-id", "team", ...endpoint], FERNET))
        .trim();
      assert.match(v1, /^ks:v1:/);
      assert.equal(
        (await cli(["unwrap", "--key-id", "team", ...endpoint], v1)).trim(),
        FERNET,
      );
      assert.equal(
        JSON.parse(
          await cli(["keys", "rotate", "--key-id", "team", ...endpoint]),
        ).latestVersion,
        2,
      );
      v2 = (await cli(["rewrap", "--key-id", "team", ...endpoint], `${v1}\n`))
        .trim();
      assert.match(v2, /^ks:v2:/);
      // A snapshot while serving.
      assert.match(
        await cli([
          "keystore",
          "backup",
          "--data-dir",
          dir,
          "--out",
          `${dir}/backup.db`,
        ]),
        /^wrote /,
      );
      const trimmed = JSON.parse(
        await cli([
          "keys",
          "trim",
          "--key-id",
          "team",
          "--min-decryption-version",
          "2",
          ...endpoint,
        ]),
      );
      assert.equal(trimmed.trimmed, 1);
      const refused = await runCli(
        ["unwrap", "--key-id", "team", ...endpoint],
        v1,
      );
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /minimum decryption version/);
      const deletion = await runCli([
        "keys",
        "delete",
        "--key-id",
        "team",
        ...endpoint,
      ]);
      assert.equal(deletion.code, 1);
      assert.match(deletion.stderr, /does not allow its deletion/);
    }, ["--data-dir", dir, "--audit-log", auditPath]);

    const text = await Deno.readTextFile(new URL(auditPath, ROOT));
    const lines = text.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(lines.map((l) => [l.op, l.outcome]), [
      ["create_key", "ok"],
      ["encrypt_fernet", "ok"],
      ["decrypt_fernet", "ok"],
      ["rotate_key", "ok"],
      ["rewrap_fernet", "ok"],
      ["configure_key", "ok"],
      ["trim_key", "ok"],
      ["show_key", "ok"],
      ["decrypt_fernet", "key_version_below_minimum"],
      ["delete_key", "deletion_not_allowed"],
    ]);
    assert.ok(!text.includes(FERNET) && !text.includes(v2.slice(6, 40)));
    const whole = await cli(["audit", "verify", auditPath]);
    assert.match(
      whole,
      /^ok: 10 line\(s\), chain intact; head 10:[0-9a-f]{64}$/m,
    );
    const head = whole.trim().split(" ").at(-1)!;
    // Its last two lines cut: the chain still holds, the head does not.
    const cut = `${text.trimEnd().split("\n").slice(0, 8).join("\n")}\n`;
    await Deno.writeTextFile(new URL(`${dir}/cut.log`, ROOT), cut);
    await Deno.copyFile(
      new URL(`${auditPath}.head`, ROOT),
      new URL(`${dir}/cut.log.head`, ROOT),
    );
    const truncated = await runCli(["audit", "verify", `${dir}/cut.log`]);
    assert.equal(truncated.code, 1);
    assert.match(truncated.stderr, /lines were removed from its end/);
    // The head file removed too: only a head kept elsewhere finds it.
    await Deno.remove(new URL(`${dir}/cut.log.head`, ROOT));
    assert.match(await cli(["audit", "verify", `${dir}/cut.log`]), /^ok: 8/);
    const anchored = await runCli([
      "audit",
      "verify",
      `${dir}/cut.log`,
      "--expect-head",
      head,
    ]);
    assert.equal(anchored.code, 1);
    assert.match(anchored.stderr, /does not reach the head/);
    assert.match(
      await cli(["audit", "verify", auditPath, "--expect-head", head]),
      /^ok: 10/,
    );
    const tampered = text.replace(
      '"outcome":"deletion_not_allowed"',
      '"outcome":"ok"',
    )
      .replace(/\n[^\n]*"op":"rotate_key"[^\n]*/, "");
    await Deno.writeTextFile(new URL(`${dir}/tampered.log`, ROOT), tampered);
    const verdict = await runCli(["audit", "verify", `${dir}/tampered.log`]);
    assert.equal(verdict.code, 1);
    assert.match(
      verdict.stderr,
      /line 4: its hash of the line before does not match/,
    );

    // The snapshot restored elsewhere, with the master key, serves v1 again.
    const restored = `${dir}/restored`;
    await Deno.mkdir(new URL(`${restored}/`, ROOT));
    await Deno.copyFile(
      new URL(`${dir}/master.key`, ROOT),
      new URL(`${restored}/master.key`, ROOT),
    );
    await cli([
      "keystore",
      "restore",
      "--data-dir",
      restored,
      "--from",
      `${dir}/backup.db`,
    ]);
    await withService(async (service) => {
      const endpoint = ["--endpoint", service.endpoint];
      assert.equal(
        (await cli(["unwrap", "--key-id", "team", ...endpoint], v2)).trim(),
        FERNET,
      );
    }, ["--data-dir", restored]);
  });
});

Deno.test("keystore CLI: the master key rotated, the old one no longer opens the store; a missing one stops start-up in one line", async () => {
  await withDataDir(async (dir) => {
    let wrapped = "";
    await withService(async (service) => {
      await cli([
        "keys",
        "create",
        "--key-id",
        "k",
        "--endpoint",
        service.endpoint,
      ]);
      wrapped = (await cli(
        ["wrap", "--key-id", "k", "--endpoint", service.endpoint],
        FERNET,
      )).trim();
    }, ["--data-dir", dir]);
    const out = await cli([
      "keystore",
      "rotate-master-key",
      "--data-dir",
      dir,
      "--new-master-key-file",
      `${dir}/master-2.key`,
    ]);
    assert.match(out, /^rewrapped 1 data key\(s\)/);
    const old = await startService(["--data-dir", dir]).then(
      () => "started",
      (error) => String(error),
    );
    assert.match(
      old,
      /keyservice: keystore: the master key does not open this keystore\n/,
    );
    await withService(async (service) => {
      assert.equal(
        (await cli(
          ["unwrap", "--key-id", "k", "--endpoint", service.endpoint],
          wrapped,
        )).trim(),
        FERNET,
      );
    }, ["--data-dir", dir, "--master-key-file", `${dir}/master-2.key`]);
    await Deno.remove(new URL(`${dir}/master.key`, ROOT));
    const missing = await startService(["--data-dir", dir]).then(
      () => "started",
      (error) => String(error),
    );
    assert.match(
      missing,
      /keyservice: keystore: the keystore \S+ exists but its master key \S+ does not: it cannot be read\n/,
    );
  });
});

Deno.test("keystore: on first start the embedded store makes its master key (0600) beside the database, and warns", async () => {
  await withDataDir(async (dir) => {
    const fresh = `${dir}/fresh`;
    const service = await withService(async (service) => {
      const ping = await service.ping();
      assert.equal(ping.status, "ok");
      assert.match(
        service.stderr(),
        new RegExp(` keystore=sqlite:${fresh}/keystore.db `),
      );
    }, ["--data-dir", fresh]);
    assert.match(
      service.stderr(),
      / WARN master-key-created path=\S+\/fresh\/master.key note="a new master key beside the database; in production keep it elsewhere \(--master-key-file\)"/,
    );
    const info = await Deno.stat(new URL(`${fresh}/master.key`, ROOT));
    assert.equal(info.mode! & 0o777, 0o600);
    assert.equal(
      (await Deno.stat(new URL(`${fresh}/`, ROOT))).mode! & 0o777,
      0o700,
    );
    const key = Uint8Array.fromBase64(
      (await Deno.readTextFile(new URL(`${fresh}/master.key`, ROOT))).trim(),
    );
    assert.equal(key.length, 32);
  });
});
