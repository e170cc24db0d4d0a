import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  US_PER_DAY, US_PER_MINUTE, US_PER_SECOND, dayFloor, floorTo, minuteFloor, secondCeil, weekFloor,
} from '../../core/time.ts';

// Goal: the time floors give the multiple of their unit at or below a time, exactly, for every
// integer µs time a JS number holds exactly (with its floor), and NaN for a time that is not finite.
// Method: compare floorTo with its definition through the remainder (us - ((us % m) + m) % m),
// Object.is equality (so -0 counts), on random integers over the whole safe range, near
// multiples of the unit (where a rounded quotient is one off) and on special values; and check
// worked dates.

// Small and large units, and times just beside their multiples, where a rounded quotient
// would first be one off.
const UNITS = [1, 3, 7, US_PER_SECOND, US_PER_MINUTE, 1e9 + 7, US_PER_DAY];
// Times whose floor is a safe integer too (below that the definition itself rounds).
const MAX = Number.MAX_SAFE_INTEGER - US_PER_DAY;

function byRemainder(us: number, unit: number): number {
  const r = us % unit;
  return us - (r < 0 ? r + unit : r);
}

describe('core > time', () => {
  it('floors like the remainder definition on every safe integer, near multiples and on special values', () => {
    const time = fc.oneof(
      fc.integer({ min: -MAX, max: MAX }),
      fc.tuple(fc.integer({ min: -MAX, max: MAX }), fc.integer({ min: -3, max: 3 }))
        .map(([t, d]) => t - (t % US_PER_MINUTE) + d),
      fc.tuple(fc.integer({ min: -8e6, max: 8e6 }), fc.integer({ min: -3, max: 3 }))
        .map(([k, d]) => k * (1e9 + 7) + d),
      fc.tuple(fc.integer({ min: -3e15, max: 3e15 }), fc.integer({ min: -3, max: 3 }))
        .map(([k, d]) => k * 3 + d),
      fc.constantFrom(0, -0, 1, -1, MAX, -MAX, MAX - 1, NaN, Infinity, -Infinity),
    );
    fc.assert(fc.property(time, fc.constantFrom(...UNITS), (us, unit) => {
      expect(Object.is(floorTo(us, unit), byRemainder(us, unit))).toBe(true);
    }), { numRuns: 20_000 });
  });

  it('gives the minute, day, week and next second of worked times', () => {
    const t = Date.parse('2024-03-01T13:45:12.345Z') * 1000 + 678; // a Friday
    expect(minuteFloor(t)).toBe(Date.parse('2024-03-01T13:45:00Z') * 1000);
    expect(dayFloor(t)).toBe(Date.parse('2024-03-01T00:00:00Z') * 1000);
    expect(weekFloor(t)).toBe(Date.parse('2024-02-26T00:00:00Z') * 1000);
    expect(secondCeil(t)).toBe(Date.parse('2024-03-01T13:45:13Z') * 1000);
    expect(secondCeil(minuteFloor(t))).toBe(minuteFloor(t));
    expect(minuteFloor(-1)).toBe(-US_PER_MINUTE);
    expect(Number.isNaN(minuteFloor(Infinity))).toBe(true);
  });
});
