// Private: DER on node-forge's ASN.1. Reading is strict: the bytes must be
// canonical DER (re-encoding gives them back) with nothing after the value.
// Builders write canonical DER. Used for PKCS#1 keys (a SEQUENCE of
// INTEGERs) and the SPKI, PKCS#8 and PBES2 structures around them.

// @ts-types="@types/node-forge"
import forge from "node-forge";

import { bigintToBytes, bytesToBigint } from "./_bigint.ts";

const { asn1 } = forge;

/** A parsed DER value. */
export type Der = forge.asn1.Asn1;

// node-forge 1.x takes an options object here; @types/node-forge lags.
const fromDer = asn1.fromDer as unknown as (
  bytes: forge.util.ByteBuffer,
  options: {
    strict: boolean;
    parseAllBytes: boolean;
    decodeBitStrings: boolean;
  },
) => Der;

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

/** Reads canonical DER, all of `bytes`; null when it is anything else. */
export function parseDer(bytes: Uint8Array): Der | null {
  try {
    const binary = toBinary(bytes);
    const node = fromDer(forge.util.createBuffer(binary), {
      strict: true,
      parseAllBytes: true,
      decodeBitStrings: false,
    });
    // Re-encoding must give back the input: rejects BER-only forms such as
    // long-form lengths that DER forbids.
    return asn1.toDer(node).getBytes() === binary ? node : null;
  } catch {
    return null;
  }
}

/** The DER bytes of a value. */
export function derBytes(node: Der): Uint8Array {
  return fromBinary(asn1.toDer(node).getBytes());
}

const UNIVERSAL = asn1.Class.UNIVERSAL;

/** `SEQUENCE { items }`. */
export function sequenceOf(...items: Der[]): Der {
  return asn1.create(UNIVERSAL, asn1.Type.SEQUENCE, true, items);
}

/** A non-negative INTEGER. */
export function integer(value: bigint): Der {
  let bytes = bigintToBytes(value);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes = Uint8Array.of(0, ...bytes);
  return asn1.create(UNIVERSAL, asn1.Type.INTEGER, false, toBinary(bytes));
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function objectId(oid: string): Der {
  return asn1.create(
    UNIVERSAL,
    asn1.Type.OID,
    false,
    asn1.oidToDer(oid).getBytes(),
  );
}

/** NULL. */
export function nullValue(): Der {
  return asn1.create(UNIVERSAL, asn1.Type.NULL, false, "");
}

/** An OCTET STRING. */
export function octetString(bytes: Uint8Array): Der {
  return asn1.create(UNIVERSAL, asn1.Type.OCTETSTRING, false, toBinary(bytes));
}

/** A BIT STRING of whole bytes (no unused bits). */
export function bitString(bytes: Uint8Array): Der {
  return asn1.create(
    UNIVERSAL,
    asn1.Type.BITSTRING,
    false,
    "\x00" + toBinary(bytes),
  );
}

function isUniversal(node: Der | undefined, type: number): node is Der {
  return node !== undefined && node.tagClass === UNIVERSAL &&
    node.type === type;
}

/** The items of a SEQUENCE, or null when `node` is not one. */
export function items(node: Der | undefined): Der[] | null {
  return isUniversal(node, asn1.Type.SEQUENCE) && Array.isArray(node.value)
    ? node.value
    : null;
}

/** The dotted form of an OBJECT IDENTIFIER, or null. */
export function readObjectId(node: Der | undefined): string | null {
  if (!isUniversal(node, asn1.Type.OID) || typeof node.value !== "string") {
    return null;
  }
  try {
    return asn1.derToOid(forge.util.createBuffer(node.value));
  } catch {
    return null;
  }
}

/** Whether `node` is NULL. */
export function isNull(node: Der | undefined): boolean {
  return isUniversal(node, asn1.Type.NULL) && node.value === "";
}

/** The bytes of an OCTET STRING, or null. */
export function readOctets(node: Der | undefined): Uint8Array | null {
  return isUniversal(node, asn1.Type.OCTETSTRING) &&
      typeof node.value === "string"
    ? fromBinary(node.value)
    : null;
}

/** The bytes of a BIT STRING with no unused bits, or null. */
export function readBitString(node: Der | undefined): Uint8Array | null {
  if (
    !isUniversal(node, asn1.Type.BITSTRING) || typeof node.value !== "string"
  ) {
    return null;
  }
  return node.value.charCodeAt(0) === 0
    ? fromBinary(node.value.slice(1))
    : null;
}

/** A non-negative, minimally encoded INTEGER's value, or null. */
export function readInteger(node: Der | undefined): bigint | null {
  if (!isUniversal(node, asn1.Type.INTEGER) || typeof node.value !== "string") {
    return null;
  }
  const bytes = fromBinary(node.value);
  if (bytes.length === 0 || bytes[0] & 0x80) return null; // empty or negative
  if (bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80)) return null;
  return bytesToBigint(bytes);
}

/** DER of `SEQUENCE { INTEGER, ... }` for non-negative integers. */
export function encodeIntegerSequence(values: readonly bigint[]): Uint8Array {
  return derBytes(sequenceOf(...values.map(integer)));
}

/**
 * Reads canonical DER of `SEQUENCE { INTEGER, ... }` holding non-negative,
 * minimally encoded integers, with nothing before or after it. Returns null
 * when the bytes are anything else.
 */
export function decodeIntegerSequence(der: Uint8Array): bigint[] | null {
  const list = items(parseDer(der) ?? undefined);
  if (list === null) return null;
  const values: bigint[] = [];
  for (const item of list) {
    const value = readInteger(item);
    if (value === null) return null;
    values.push(value);
  }
  return values;
}
