import { AssertionError } from '../core/assert.ts';
import { upperBound } from '../core/search.ts';

// The sorted blocks of a rolling quantile (rolling-quantile.ts): consecutive sorted arrays of
// at most blockMax values whose concatenation is the sorted window. An insert or removal shifts
// one block, splits a block that grew past blockMax, and merges one that shrank below a
// quarter of it, so an update costs O(blockMax), not a memmove of the whole window.

/**
 * Index of the last block whose first value is <= x, or 0. Inserts and removals of x both go
 * to the end of x's run of equal values there, so a window of many equal values (a quiet book)
 * appends and pops instead of shifting whole blocks and splitting and merging them.
 */
function blockFor(blocks: number[][], x: number): number {
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const m = (lo + hi + 1) >>> 1;
    if (blocks[m][0] <= x) lo = m;
    else hi = m - 1;
  }
  return lo;
}

/** Inserts x into the sorted blocks, splitting a block that grows past blockMax. */
export function insertSorted(blocks: number[][], blockMax: number, x: number): void {
  if (blocks.length === 0) {
    blocks.push([x]);
    return;
  }
  const k = blockFor(blocks, x);
  const b = blocks[k];
  const j = upperBound(b, b.length, x);
  // Shift by hand rather than splice, which would allocate the (empty) removed-items array.
  b.push(x);
  for (let i = b.length - 1; i > j; i--) b[i] = b[i - 1];
  b[j] = x;
  if (b.length > blockMax) blocks.splice(k + 1, 0, b.splice(b.length >> 1));
}

/** Removes one x from the sorted blocks (it must be there), merging a block that got short. */
export function removeSorted(blocks: number[][], blockMax: number, x: number): void {
  const k = blockFor(blocks, x);
  const b = blocks[k];
  const j = upperBound(b, b.length, x) - 1;
  if (j < 0 || b[j] !== x) throw new AssertionError(`rolling quantile lost the expiring value ${x}`);
  for (let i = j; i < b.length - 1; i++) b[i] = b[i + 1];
  // pop(), not `length--`: setting length takes V8's slow runtime path (measured 2x slower).
  b.pop();
  if (b.length === 0) blocks.splice(k, 1);
  else if (b.length < blockMax >> 2 && blocks.length > 1) mergeBlock(blocks, blockMax, k);
}

/** Merges block k with a neighbour, splitting the result again if it grew too long. */
function mergeBlock(blocks: number[][], blockMax: number, k: number): void {
  const left = k + 1 < blocks.length ? k : k - 1;
  const merged = blocks[left].concat(blocks[left + 1]);
  const half = merged.length >> 1;
  if (merged.length > blockMax) blocks.splice(left, 2, merged.slice(0, half), merged.slice(half));
  else blocks.splice(left, 2, merged);
}
