// Private: a small strict DER reader and writer. Reading accepts canonical
// DER only (definite, minimal lengths; strings primitive; nothing after the
// value) and builds a tree of nodes; writing gives canonical DER. Used for
// PKCS#1 keys (a SEQUENCE of INTEGERs) and the SPKI, PKCS#8 and PBES2
// structures around them.
//
// It replaced node-forge's ASN.1 on the request path: forge reads through
// binary strings and re-encodes every value to prove it canonical, which
// costs time on every key parsed, and the library costs the idle service
// memory (docs/benchmarks.md has both figures).

import { bigintToBytes, bytesToBigint } from "./_bigint.ts";

/** A parsed DER value: its identifier octet, and its content or children. */
export interface Der {
  /** The identifier octet: class, constructed bit and tag number. */
  readonly tag: number;
  /** A primitive value's content octets. */
  readonly content?: Uint8Array;
  /** A constructed value's children. */
  readonly children?: readonly Der[];
}

const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const NULL = 0x05;
const OID = 0x06;
const SEQUENCE = 0x30;
const SET = 0x31;

/** Nesting deeper than any structure read here is refused. */
const MAX_DEPTH = 16;

/** Reads the values in `bytes[start, end)`; null unless all are canonical. */
function readAll(
  bytes: Uint8Array,
  start: number,
  end: number,
  depth: number,
): Der[] | null {
  if (depth > MAX_DEPTH) return null;
  const nodes: Der[] = [];
  let at = start;
  while (at < end) {
    const tag = bytes[at++];
    // High tag numbers (a tag byte of 31) are multi-byte; nothing here uses
    // them.
    if ((tag & 0x1f) === 0x1f || at >= end) return null;
    let length = bytes[at++];
    if (length & 0x80) {
      const count = length & 0x7f;
      // 0x80 is BER's indefinite length; more than 3 octets is past any
      // message this service takes.
      if (count === 0 || count > 3 || at + count > end) return null;
      if (bytes[at] === 0) return null; // not minimal
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[at++];
      if (length < 0x80) return null; // the short form was required
    }
    if (length > end - at) return null;
    const constructed = (tag & 0x20) !== 0;
    const universal = (tag & 0xc0) === 0;
    // DER encodes strings primitive; of the universal types only SEQUENCE
    // and SET are constructed.
    if (universal && constructed && tag !== SEQUENCE && tag !== SET) {
      return null;
    }
    if (constructed) {
      const children = readAll(bytes, at, at + length, depth + 1);
      if (children === null) return null;
      nodes.push({ tag, children });
    } else {
      nodes.push({ tag, content: bytes.subarray(at, at + length) });
    }
    at += length;
  }
  return nodes;
}

/** Reads canonical DER, all of `bytes`; null when it is anything else. */
export function parseDer(bytes: Uint8Array): Der | null {
  const nodes = readAll(bytes, 0, bytes.length, 0);
  return nodes !== null && nodes.length === 1 ? nodes[0] : null;
}

function lengthOctets(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
    octets.unshift(rest & 0xff);
  }
  return [0x80 | octets.length, ...octets];
}

function encode(node: Der, out: number[][]): number {
  const parts: number[][] = [];
  let length = 0;
  if (node.children !== undefined) {
    for (const child of node.children) length += encode(child, parts);
  } else {
    const content = [...(node.content ?? [])];
    parts.push(content);
    length = content.length;
  }
  const header = [node.tag, ...lengthOctets(length)];
  out.push(header, ...parts);
  return header.length + length;
}

/** The DER bytes of a value. */
export function derBytes(node: Der): Uint8Array {
  const parts: number[][] = [];
  encode(node, parts);
  return Uint8Array.from(parts.flat());
}

/** `SEQUENCE { items }`. */
export function sequenceOf(...items: Der[]): Der {
  return { tag: SEQUENCE, children: items };
}

/** A non-negative INTEGER. */
export function integer(value: bigint): Der {
  let bytes = bigintToBytes(value);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes = Uint8Array.of(0, ...bytes);
  return { tag: INTEGER, content: bytes };
}

/** An OBJECT IDENTIFIER from its dotted form. */
export function objectId(oid: string): Der {
  const arcs = oid.split(".").map(BigInt);
  const subidentifiers = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const content: number[] = [];
  for (const value of subidentifiers) {
    const base128: number[] = [Number(value & 0x7fn)];
    for (let rest = value >> 7n; rest > 0n; rest >>= 7n) {
      base128.unshift(Number(rest & 0x7fn) | 0x80);
    }
    content.push(...base128);
  }
  return { tag: OID, content: Uint8Array.from(content) };
}

/** NULL. */
export function nullValue(): Der {
  return { tag: NULL, content: new Uint8Array(0) };
}

/** An OCTET STRING. */
export function octetString(bytes: Uint8Array): Der {
  return { tag: OCTET_STRING, content: bytes };
}

/** A BIT STRING of whole bytes (no unused bits). */
export function bitString(bytes: Uint8Array): Der {
  return { tag: BIT_STRING, content: Uint8Array.of(0, ...bytes) };
}

/** The content of a primitive value with identifier `tag`, or null. */
function primitive(node: Der | undefined, tag: number): Uint8Array | null {
  return node !== undefined && node.tag === tag && node.content !== undefined
    ? node.content
    : null;
}

/** The items of a SEQUENCE, or null when `node` is not one. */
export function items(node: Der | undefined): Der[] | null {
  return node !== undefined && node.tag === SEQUENCE &&
      node.children !== undefined
    ? [...node.children]
    : null;
}

/**
 * The longest OBJECT IDENTIFIER content read, in bytes: every identifier
 * this service knows takes 11 or fewer. Longer ones are refused unread: an
 * identifier is compared as bytes, never decoded, so that its cost is
 * bounded by this, not by what a client sends.
 */
export const MAX_OID_BYTES = 32;

/**
 * The content bytes of a minimally encoded OBJECT IDENTIFIER of at most
 * {@linkcode MAX_OID_BYTES}, or null. Compare them with
 * {@linkcode sameObjectId} and the content of {@linkcode objectId}.
 */
export function readObjectId(node: Der | undefined): Uint8Array | null {
  const content = primitive(node, OID);
  if (
    content === null || content.length === 0 ||
    content.length > MAX_OID_BYTES
  ) {
    return null;
  }
  let fresh = true;
  for (const byte of content) {
    if (fresh && byte === 0x80) return null; // a leading zero group
    fresh = (byte & 0x80) === 0;
  }
  return fresh ? content : null; // else the last subidentifier never ended
}

/** Whether OBJECT IDENTIFIER content `found` is the identifier `dotted`. */
export function sameObjectId(found: Uint8Array, dotted: string): boolean {
  const known = objectId(dotted).content!;
  return found.length === known.length && found.every((b, i) => b === known[i]);
}

/** Whether `node` is NULL. */
export function isNull(node: Der | undefined): boolean {
  return primitive(node, NULL)?.length === 0;
}

/** The bytes of an OCTET STRING, or null. */
export function readOctets(node: Der | undefined): Uint8Array | null {
  const content = primitive(node, OCTET_STRING);
  return content === null ? null : content.slice();
}

/** The bytes of a BIT STRING with no unused bits, or null. */
export function readBitString(node: Der | undefined): Uint8Array | null {
  const content = primitive(node, BIT_STRING);
  return content !== null && content.length > 0 && content[0] === 0
    ? content.slice(1)
    : null;
}

/**
 * What {@linkcode readInteger} and {@linkcode decodeIntegerSequence} give
 * for a well-formed INTEGER longer than they were asked to read: never a
 * value read (those are non-negative), so that any check of the value
 * fails.
 */
export const TOO_LONG = -1n;

/**
 * A non-negative, minimally encoded INTEGER's value, or null;
 * {@linkcode TOO_LONG} for one of more than `maxBytes` content bytes,
 * left undecoded.
 */
export function readInteger(
  node: Der | undefined,
  maxBytes = Infinity,
): bigint | null {
  const bytes = primitive(node, INTEGER);
  if (bytes === null || bytes.length === 0 || bytes[0] & 0x80) return null;
  if (bytes.length > 1 && bytes[0] === 0 && !(bytes[1] & 0x80)) return null;
  return bytes.length > maxBytes ? TOO_LONG : bytesToBigint(bytes);
}

/** DER of `SEQUENCE { INTEGER, ... }` for non-negative integers. */
export function encodeIntegerSequence(values: readonly bigint[]): Uint8Array {
  return derBytes(sequenceOf(...values.map(integer)));
}

/**
 * Reads canonical DER of `SEQUENCE { INTEGER, ... }` holding non-negative,
 * minimally encoded integers, with nothing before or after it. Returns null
 * when the bytes are anything else, or the sequence holds more than
 * `maxItems`; an integer of more than `maxBytes` content bytes reads as
 * {@linkcode TOO_LONG}, undecoded.
 */
export function decodeIntegerSequence(
  der: Uint8Array,
  { maxBytes = Infinity, maxItems = Infinity } = {},
): bigint[] | null {
  const list = items(parseDer(der) ?? undefined);
  if (list === null || list.length > maxItems) return null;
  const values: bigint[] = [];
  for (const item of list) {
    const value = readInteger(item, maxBytes);
    if (value === null) return null;
    values.push(value);
  }
  return values;
}
