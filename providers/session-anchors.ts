import { US_PER_DAY, US_PER_HOUR, US_PER_MINUTE } from '../core/time.ts';

// Local wall-clock anchors for the two sessions qx tracks (SPEC §14, §16), computed from the
// daylight-saving rules with integer date arithmetic only, so components stay pure and need no
// tz database. Rules (valid from 2007 on for New York, 1996 on for London):
// - Europe/London: BST (UTC+1) from the last Sunday of March 01:00 UTC to the last Sunday of
//   October 01:00 UTC, otherwise GMT (UTC+0).
// - America/New_York: EDT (UTC-4) from the second Sunday of March 07:00 UTC (02:00 EST) to the
//   first Sunday of November 06:00 UTC (02:00 EDT), otherwise EST (UTC-5).
// A "local µs" value is a wall time written as if it were UTC, e.g. 08:00 local on a date is
// the UTC midnight of that date plus 8 h.

export type SessionZone = 'Europe/London' | 'America/New_York';

/** A daily anchor: the latest occurrence at or before a time, and the one after it. */
export interface DailyAnchor {
  anchor_us: number;
  next_us: number;
}

const STANDARD_OFFSET_US: Record<SessionZone, number> = {
  'Europe/London': 0,
  'America/New_York': -5 * US_PER_HOUR,
};

const US_PER_DAY_MS = 86_400_000;

/** Returns the day number (days since 1970-01-01) of a proleptic Gregorian date; month is 1..12. */
export function daysFromCivil(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / US_PER_DAY_MS;
}

/** Returns the year of a day number (H. Hinnant's civil_from_days, integer arithmetic). */
export function yearOfDay(days: number): number {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

/** Returns the weekday of a day number, 0 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOfDay(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Returns the day number of the last Sunday of a month. */
export function lastSunday(year: number, month: number): number {
  const last = daysFromCivil(year, month + 1, 1) - 1;
  return last - weekdayOfDay(last);
}

/** Returns the day number of the n-th Sunday (n >= 1) of a month. */
export function nthSunday(year: number, month: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  return first + ((7 - weekdayOfDay(first)) % 7) + 7 * (n - 1);
}

/** Returns the [start, end) UTC µs of daylight-saving time of `zone` in `year`. */
export function dstRangeUs(zone: SessionZone, year: number): [number, number] {
  if (zone === 'Europe/London') {
    return [lastSunday(year, 3) * US_PER_DAY + US_PER_HOUR, lastSunday(year, 10) * US_PER_DAY + US_PER_HOUR];
  }
  return [nthSunday(year, 3, 2) * US_PER_DAY + 7 * US_PER_HOUR, nthSunday(year, 11, 1) * US_PER_DAY + 6 * US_PER_HOUR];
}

/** Returns the UTC offset of `zone` at a UTC instant, in µs (local = utc + offset). */
export function utcOffsetUs(zone: SessionZone, utcUs: number): number {
  const year = yearOfDay(Math.floor(utcUs / US_PER_DAY));
  const [start, end] = dstRangeUs(zone, year);
  const std = STANDARD_OFFSET_US[zone];
  return utcUs >= start && utcUs < end ? std + US_PER_HOUR : std;
}

/**
 * Returns the UTC instant of a local wall time. An ambiguous time (the repeated hour in autumn)
 * resolves to the earlier instant; a time in the spring gap is read with the standard offset,
 * which moves it forward by the gap, as luxon and java.time do.
 */
export function localToUtcUs(zone: SessionZone, localUs: number): number {
  const std = STANDARD_OFFSET_US[zone];
  const dst = std + US_PER_HOUR;
  const asDst = localUs - dst;
  if (utcOffsetUs(zone, asDst) === dst) return asDst;
  return localUs - std;
}

/** Returns the latest daily occurrence of a local wall time (minute of day) at or before `tUs`, and the next one. */
export function dailyAnchor(zone: SessionZone, minuteOfDay: number, tUs: number): DailyAnchor {
  const wall = minuteOfDay * US_PER_MINUTE;
  let localDay = Math.floor((tUs + utcOffsetUs(zone, tUs)) / US_PER_DAY) * US_PER_DAY;
  let anchor = localToUtcUs(zone, localDay + wall);
  if (anchor > tUs) {
    localDay -= US_PER_DAY;
    anchor = localToUtcUs(zone, localDay + wall);
  }
  return { anchor_us: anchor, next_us: localToUtcUs(zone, localDay + US_PER_DAY + wall) };
}
