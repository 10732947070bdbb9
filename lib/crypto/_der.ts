// Private: DER for a SEQUENCE of INTEGERs (all PKCS#1 RSA keys are one), on
// node-forge's ASN.1.

// @ts-types="@types/node-forge"
import forge from "node-forge";

import { bigintToBytes, bytesToBigint } from "./_bigint.ts";

const { asn1 } = forge;

// node-forge 1.x takes an options object here; @types/node-forge lags.
const fromDer = asn1.fromDer as unknown as (
  bytes: forge.util.ByteBuffer,
  options: {
    strict: boolean;
    parseAllBytes: boolean;
    decodeBitStrings: boolean;
  },
) => forge.asn1.Asn1;

function toBinary(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

function fromBinary(binary: string): Uint8Array {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** DER of `SEQUENCE { INTEGER, ... }` for non-negative integers. */
export function encodeIntegerSequence(values: readonly bigint[]): Uint8Array {
  const items = values.map((value) => {
    let bytes = bigintToBytes(value);
    if (bytes.length === 0 || bytes[0] & 0x80) {
      bytes = Uint8Array.of(0, ...bytes);
    }
    return asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.INTEGER,
      false,
      toBinary(bytes),
    );
  });
  const seq = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    items,
  );
  return fromBinary(asn1.toDer(seq).getBytes());
}

/**
 * Reads canonical DER of `SEQUENCE { INTEGER, ... }` holding non-negative,
 * minimally encoded integers, with nothing before or after it. Returns null
 * when the bytes are anything else.
 */
export function decodeIntegerSequence(der: Uint8Array): bigint[] | null {
  let node: forge.asn1.Asn1;
  try {
    node = fromDer(forge.util.createBuffer(toBinary(der)), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
    });
    // Re-encoding must give back the input: rejects BER-only forms such as
    // long-form lengths that DER forbids.
    if (asn1.toDer(node).getBytes() !== toBinary(der)) return null;
  } catch {
    return null;
  }
  if (
    node.tagClass !== asn1.Class.UNIVERSAL ||
    node.type !== asn1.Type.SEQUENCE || !Array.isArray(node.value)
  ) {
    return null;
  }
  const values: bigint[] = [];
  for (const item of node.value) {
    if (
      item.tagClass !== asn1.Class.UNIVERSAL ||
      item.type !== asn1.Type.INTEGER || typeof item.value !== "string"
    ) {
      return null;
    }
    const bytes = fromBinary(item.value);
    if (bytes.length === 0 || bytes[0] & 0x80) return null; // empty or negative
    if (bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80)) return null;
    values.push(bytesToBigint(bytes));
  }
  return values;
}
