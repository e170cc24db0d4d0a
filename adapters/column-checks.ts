import { DataError } from '../core/assert.ts';

// The value and order checks of a part file's columns (columnar-read.ts): plain loops over typed
// arrays, free functions so that V8 optimizes each once for every file.

/** The reason a malformed value gives: `column 'x' must be a finite positive number, was NaN`. */
export function mustBeFinite(column: string, positive: boolean, value: number): string {
  return `column '${column}' must be a finite ${positive ? 'positive' : 'non-negative'} number, was ${value}`;
}

/** Index of the first value that is not a finite positive number (NaN fails every compare), or v.length. */
export function firstNotPositive(v: Float64Array): number {
  let i = 0;
  while (i < v.length && v[i] > 0 && v[i] < Infinity) i++;
  return i;
}

/** Index of the first value that is not a finite non-negative number, or v.length. */
export function firstNegative(v: Float64Array): number {
  let i = 0;
  while (i < v.length && v[i] >= 0 && v[i] < Infinity) i++;
  return i;
}

/**
 * Checks that recv_ts does not fall within a batch or from `last` (the previous batch's last
 * value); returns the batch's last value. A free function: as a method it was deoptimized by
 * every new file's reader object and then ran unoptimized, boxing each value.
 */
export function checkOrder(path: string, recv: Float64Array, n: number, from: number, row: number): number {
  // `+from`: a loop variable merged from an untyped parameter stays boxed, one allocation per row.
  let last = +from;
  for (let i = 0; i < n; i++) {
    const r = recv[i];
    if (r < last) throw new DataError(`${path}: rows out of order: recv_ts falls at row ${row + i}, ${last} then ${r}`);
    last = r;
  }
  return last;
}

export function checkOffsets(path: string, name: string, offs: Int32Array, values: number, n: number): void {
  let prev = offs[0];
  if (prev < 0) throw new DataError(`${path}: column '${name}' has a negative list offset`);
  for (let i = 1; i <= n; i++) {
    const o = offs[i];
    if (o < prev) throw new DataError(`${path}: column '${name}' list offsets fall at row ${i - 1}`);
    prev = o;
  }
  if (prev > values) throw new DataError(`${path}: column '${name}' list offsets run past its ${values} values`);
}

export function sameOffsets(a: Int32Array, b: Int32Array, n: number): boolean {
  for (let i = 0; i <= n; i++) if (a[i] !== b[i]) return false;
  return true;
}
