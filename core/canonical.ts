import { createHash } from 'node:crypto';
import type { Out, QxEvent } from './event.ts';

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
  let sep = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = o[k];
    // Numbers, the most common values, without the dispatch of canonical().
    if (typeof v === 'number') s += sep + keyText(k) + encodeNumber(v);
    else if (v !== undefined) s += sep + keyText(k) + canonical(v);
    else continue;
    sep = ',';
  }
  return s + '}';
}

/**
 * The canonical encoding of an emitted event, the same text as `canonical(ev)`: the envelope
 * and the output record have fixed shapes (SPEC §0.4), so their keys are written in sorted
 * order here and only the window and the component's payload take the general path. The
 * emit's own 17 fields are over half of an average record's keys: written in order they skip
 * the general path's key list, sort and lookups (a day's records encode in ~40% of the time).
 */
export function canonicalEmit(ev: QxEvent<Out>): string {
  const r = ev.payload;
  const w = r.window;
  return '{"key":' + JSON.stringify(ev.key)
    + ',"payload":{"degraded":' + (r.degraded ? 'true' : 'false')
    + ',"flags":' + encodeArray(r.flags)
    + ',"payload":' + canonical(r.payload)
    + ',"provider":' + JSON.stringify(r.provider)
    + ',"seq":' + encodeNumber(r.seq)
    + ',"symbol":' + JSON.stringify(r.symbol)
    + ',"ts":' + encodeNumber(r.ts)
    + ',"type":' + JSON.stringify(r.type)
    + ',"v":' + encodeNumber(r.v)
    + ',"warm":' + (r.warm ? 'true' : 'false')
    + ',"window":' + (w === null ? 'null' : canonical(w))
    + '},"recvTs":' + encodeNumber(ev.recvTs)
    + ',"seq":' + encodeNumber(ev.seq)
    + ',"topic":' + JSON.stringify(ev.topic)
    + ',"ts":' + encodeNumber(ev.ts)
    + '}';
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
    d.head = chainHex(d.head, d.pending);
    d.pending = '';
  }
}

/** Returns the digest of everything added so far, without changing the state. */
export function digestHex(d: DigestState): string {
  return chainHex(d.head, d.pending);
}

/** SHA-256 of head + pending, in two updates rather than of a concatenated copy. */
function chainHex(head: string, pending: string): string {
  return createHash('sha256').update(head).update(pending).digest('hex');
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
