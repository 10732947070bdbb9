// ping says whether the keystore is on: with it, capabilities end with
// contract v1.2's (its operations and limits); with --keystore off, the
// reply is v1.1's, byte for byte. The service as a user starts it.

import assert from "node:assert/strict";
import { VERSION } from "../../lib/runtime/version.ts";
import { jsonBytes, withService } from "../_helpers/service.ts";

const decoder = new TextDecoder();

/** v1.1's ping reply, byte for byte (docs/contract-examples.md). */
const V11_PING = `{"status":"ok","version":"${VERSION}","capabilities":{` +
  `"operations":["generate_keys","encrypt_fernet","decrypt_fernet","encrypt_fernet_many","ping"],` +
  `"bits":[2048,3072,4096],"paddings":["pkcs1v15","oaep-sha256"],` +
  `"formats":["pkcs1","pkcs8"],"key_types":["rsa","mlkem768x25519","x25519"]}}`;

Deno.test("ping with the keystore on lists contract v1.2 and its limits, after v1.1's capabilities", async () => {
  await withService(async (service) => {
    const client = service.client();
    try {
      const [reply] = await client.request(jsonBytes({ type: "ping" }), 30_000);
      const text = decoder.decode(reply);
      const keystore = `"keystore":{"contract":"1.2","operations":[` +
        `"create_key","import_key","show_key","list_keys","rotate_key",` +
        `"configure_key","trim_key","delete_key","rewrap_fernet",` +
        `"generate_data_key"],"key_types":["rsa-2048","rsa-3072","rsa-4096"],` +
        `"max_versions":7,"max_list_limit":500}`;
      assert.equal(text, `${V11_PING.slice(0, -2)},${keystore}}}`);
    } finally {
      client.close();
    }
  }, ["--ping-detail", "none", "--keystore-max-versions", "7"]);
});

Deno.test("ping with --keystore off is v1.1's reply, byte for byte", async () => {
  await withService(async (service) => {
    const client = service.client();
    try {
      const [reply] = await client.request(jsonBytes({ type: "ping" }), 30_000);
      assert.equal(decoder.decode(reply), V11_PING);
      // And the keystore's requests are refused, as before.
      assert.equal(
        (await service.request({ type: "list_keys" })).code,
        "keystore_unavailable",
      );
    } finally {
      client.close();
    }
  }, ["--ping-detail", "none", "--keystore", "off"]);
});

Deno.test("ping at --ping-detail full, with request threads, lists the keystore too", async () => {
  await withService(async (service) => {
    const ping = await service.ping() as unknown as {
      capabilities: { keystore?: { contract: string; max_versions: number } };
    };
    assert.equal(ping.capabilities.keystore?.contract, "1.2");
    assert.equal(ping.capabilities.keystore?.max_versions, 100);
  }, ["--threads", "2"]);
});
