// How V8 sees a state object's number fields, set once at birth so that it never changes
// mid-replay (no effect on any value).
//
// V8 keeps a number field as a small integer ("Smi") until a fractional or large value is
// written to it, and a field written only once as a constant. Widening either changes what
// compiled code may assume of the object (for a Smi field that takes a fraction, its hidden
// class, the "map") and deoptimizes every function that relied on it ("wrong map"): the hot
// reducers then run unoptimized until V8 compiles them again. On the bench day a
// hidden-liquidity episode's first record, a vacuum's first run and a spoofing candidate's
// first print each did that, hundreds of thousands of events into the replay.

/**
 * Gives each listed field of `o` the double, mutable representation it will hold later (prices,
 * sizes, µs times), by writing 0.5 and putting the value back; returns `o`. A representation
 * only ever widens, so later writes of any number keep the map.
 */
export function withDoubleFields<T extends object>(o: T, keys: readonly (keyof T & string)[]): T {
  const r = o as Record<string, unknown>;
  for (const k of keys) {
    const v = r[k];
    r[k] = 0.5;
    r[k] = v;
  }
  return o;
}

/**
 * Returns an empty array whose elements are already of the kind that holds objects. An array
 * born empty (`[]`) holds small integers, and its first object changes its hidden class: code
 * optimized while it was empty (a list of voids or hidden-liquidity records that stays empty
 * for hours of data) is deoptimized then. Kinds only widen, so emptying keeps this one.
 */
export function objectArray<T extends object>(): T[] {
  const a: Array<T | null> = [null];
  a.length = 0;
  return a as T[];
}

/** Returns an empty array whose elements are already doubles (sizes, prices, lot sums). */
export function doubleArray(): number[] {
  const a = [0.5];
  a.length = 0;
  return a;
}
