// Time in qx is integer microseconds since the Unix epoch, UTC, held in a JS number.
// Exact up to 2^53 µs (year 2255), so no BigInt on the hot path.

export const US_PER_MS = 1_000;
export const US_PER_SECOND = 1_000_000;
export const US_PER_MINUTE = 60_000_000;
export const US_PER_HOUR = 3_600_000_000;
export const US_PER_DAY = 86_400_000_000;

/** Returns the µs time of a millisecond timestamp (Binance times are ms). */
export function msToUs(ms: number): number {
  return ms * US_PER_MS;
}

/** Returns the start of the minute that contains `us`. */
export function minuteFloor(us: number): number {
  return floorTo(us, US_PER_MINUTE);
}

/** Returns the start of the UTC day that contains `us`. */
export function dayFloor(us: number): number {
  return floorTo(us, US_PER_DAY);
}

/** Returns the start of the UTC week (Monday 00:00) that contains `us`. */
export function weekFloor(us: number): number {
  const day = dayFloor(us);
  // 1970-01-01 was a Thursday: day index 0 is Thursday, so Monday is index 4 mod 7.
  const dayIndex = Math.floor(day / US_PER_DAY);
  const sinceMonday = mod(dayIndex - 4, 7);
  return day - sinceMonday * US_PER_DAY;
}

/** Returns the first whole second at or after `us`. */
export function secondCeil(us: number): number {
  const f = floorTo(us, US_PER_SECOND);
  return f === us ? us : f + US_PER_SECOND;
}

/** Returns an ISO-8601 UTC string for a µs time (for people, never for logic). */
export function isoUs(us: number): string {
  return new Date(Math.floor(us / US_PER_MS)).toISOString();
}

/** Returns the µs time of a `YYYY-MM-DD` UTC date, or throws on a malformed date. */
export function parseDateUs(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`date must be YYYY-MM-DD, was '${date}'`);
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(ms)) throw new Error(`date is not a calendar date, was '${date}'`);
  return ms * US_PER_MS;
}

/** Returns the `YYYY-MM-DD` UTC date of a µs time. */
export function dateOfUs(us: number): string {
  return isoUs(dayFloor(us)).slice(0, 10);
}

function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/**
 * Returns the largest multiple of `unit` (a positive integer) at or below the integer `us`:
 * `us - mod(us, unit)`, the same for every integer time (while |us| + unit < 2^53) and NaN for
 * a time that is not finite, as that gives. The floor of a quotient needs no `%`, which V8 runs
 * on doubles as a call to C's fmod (~4-7 ns more per call, and the providers floor every
 * trade's time to its minute). It is exact: with k the true floor, the rounded quotient is at
 * least k (rounding is monotonic and k is a double) and below k + 1, because us/unit lies at
 * least 1/unit below k + 1 while its rounding error is at most |us|/unit * 2^-53 < 1/unit.
 */
export function floorTo(us: number, unit: number): number {
  const f = Math.floor(us / unit) * unit;
  // Branch-free: (us - f) * 0 is NaN for an infinite or NaN time and 0 otherwise, and adding
  // it turns the -0 of us = -0 into the 0 that us - mod(us, unit) gives. (A branch returning
  // the global NaN made V8 box every result: CONTRIBUTING.md, "Numbers on the hot path".)
  return f + (us - f) * 0;
}
