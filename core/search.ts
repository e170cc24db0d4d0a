// Binary searches over a sorted prefix a[0, n). One copy for the project: the replay's range
// cut, the rolling quantile's blocks, the spoofing increments and the volume profile's bin map
// use these. (The sorted window keeps its own branch-free form, measured faster on its random
// probes.)

/** Returns the first index in sorted a[0, n) whose value is >= x (n if none). */
export function lowerBound(a: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Returns the first index in sorted a[0, n) whose value is > x (n if none). */
export function upperBound(a: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] <= x) lo = m + 1;
    else hi = m;
  }
  return lo;
}
