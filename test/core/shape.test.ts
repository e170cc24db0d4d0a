import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { withDoubleFields } from '../../core/shape.ts';

// Goal: withDoubleFields changes no value of the object it prepares (it only widens V8's view
// of the fields: core/shape.ts), and returns that same object.
// Method: arbitrary records of numbers (NaN, -0 and infinities included) and other values;
// every field before and after, compared with Object.is.

describe('core > shape', () => {
  it('keeps every field of the object, listed or not, to the bit', () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -1), fc.integer(), fc.string(), fc.boolean());
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), value), fc.subarray(['a', 'b', 'c', 'd', 'e']), (rec, keys) => {
      const o = { ...rec };
      const listed = keys.filter((k) => k in o);
      expect(withDoubleFields(o, listed)).toBe(o);
      expect(Object.keys(o)).toEqual(Object.keys(rec));
      for (const k of Object.keys(rec)) expect(Object.is(o[k], rec[k])).toBe(true);
    }), { numRuns: 2000 });
  });
});
