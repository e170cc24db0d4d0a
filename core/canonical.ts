import { createHash } from 'node:crypto';

// Canonical encoding: JSON with object keys sorted, numbers in their shortest round-trip form,
// -0 written as -0, and non-finite numbers as the strings "NaN", "Infinity", "-Infinity".
// Typed arrays encode as arrays. The run digest hashes this encoding of every emitted event.

/** Returns the canonical encoding of a plain value. */
export function canonical(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return encodeNumber(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value) || ArrayBuffer.isView(value)) return encodeArray(value as ArrayLike<unknown>);
      return encodeObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`canonical: cannot encode a ${typeof value}`);
  }
}

function encodeNumber(n: number): string {
  if (n === 0) return 1 / n < 0 ? '-0' : '0';
  if (Number.isFinite(n)) return String(n);
  return Number.isNaN(n) ? '"NaN"' : n > 0 ? '"Infinity"' : '"-Infinity"';
}

function encodeArray(a: ArrayLike<unknown>): string {
  let s = '[';
  for (let i = 0; i < a.length; i++) s += (i === 0 ? '' : ',') + canonical(a[i]);
  return s + ']';
}

/**
 * Keys as they are written (`"key":`), by key: records repeat a few hundred field names, so
 * each is quoted once. A cache of a pure function, bounded by the number of distinct keys.
 */
const KEY_TEXT = new Map<string, string>();
const KEY_TEXT_MAX = 100_000;

function keyText(k: string): string {
  let t = KEY_TEXT.get(k);
  if (t === undefined) {
    t = JSON.stringify(k) + ':';
    if (KEY_TEXT.size < KEY_TEXT_MAX) KEY_TEXT.set(k, t);
  }
  return t;
}

/**
 * Sorts keys in place by UTF-16 code units, as Array.prototype.sort does by default. An
 * insertion sort: records have a few to a few dozen keys, often nearly in order, and the
 * built-in sort allocates a work array per call (~100 MB a day in a replay).
 */
function sortKeys(keys: string[]): string[] {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

function encodeObject(o: Record<string, unknown>): string {
  const keys = sortKeys(Object.keys(o));
  let s = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = o[k];
    if (v === undefined) continue;
    s += (first ? '' : ',') + keyText(k) + canonical(v);
    first = false;
  }
  return s + '}';
}

const CHUNK_CHARS_MAX = 1 << 16;

/**
 * A SHA-256 chain over canonical text: the text is cut into chunks at fixed character counts
 * (a function of the data alone), and each chunk is hashed with the previous hash. Its whole
 * state is two strings, so it survives snapshot and restore, and a resumed run gives the same
 * digest as an uninterrupted one.
 */
export interface DigestState {
  head: string;
  pending: string;
}

export function digestInit(): DigestState {
  return { head: '', pending: '' };
}

/** Adds one record's canonical text to the digest. */
export function digestAdd(d: DigestState, text: string): void {
  d.pending += text + '\n';
  if (d.pending.length >= CHUNK_CHARS_MAX) {
    d.head = sha256Hex(d.head + d.pending);
    d.pending = '';
  }
}

/** Returns the digest of everything added so far, without changing the state. */
export function digestHex(d: DigestState): string {
  return sha256Hex(d.head + d.pending);
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
