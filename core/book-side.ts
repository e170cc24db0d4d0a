import { BOOK_SIDE_WASM } from './book-side.wasm.ts';

// The JavaScript side of core/book-side.wat: the compiled module, the signature of its one
// function, and the book search that the readers use (the same loop as the .wat's).

/** The exports of book-side.wat; see there for the arguments and the header it writes. */
export interface WasmSide {
  applySide(px: number, cap: number, a: number, n: number, inPx: number, inQty: number, j: number, m: number,
    dir: number, side: number, ch: number, chStride: number, k: number): number;
}

let compiled: WebAssembly.Module | null = null;

/** Returns the compiled module (compiled once; each book instantiates its own memory). */
export function wasmModule(): WebAssembly.Module {
  if (compiled === null) compiled = new WebAssembly.Module(BOOK_SIDE_WASM);
  return compiled;
}

/**
 * Returns the first rank i in [0, n) whose price is not better than `price` (dir 1: bids,
 * descending; -1: asks, ascending), or n. Galloping from the best level first: most lookups land
 * near the top, where this takes a few steps. book-side.wat searches the same way, from the
 * rank its message's previous level found when that bounds this one.
 */
export function searchBest(px: Float64Array, a: number, n: number, price: number, dir: number): number {
  if (n === 0 || !((px[a] - price) * dir > 0)) return 0;
  let lo = 1;
  let hi = 2;
  while (hi < n && (px[a + hi - 1] - price) * dir > 0) {
    lo = hi;
    hi <<= 1;
  }
  if (hi > n) hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if ((px[a + m] - price) * dir > 0) lo = m + 1;
    else hi = m;
  }
  return lo;
}
