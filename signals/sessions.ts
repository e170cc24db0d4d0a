import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { US_PER_DAY, US_PER_MS } from '../core/time.ts';

// Session opens as UTC instants, DST-correct through luxon's time-zone rules. Pure: every
// DateTime is built from explicit fields and an explicit zone, never from the host clock or
// the host zone. Opens are cached per UTC day by the caller, so luxon runs once a day.

export const SessionDef = z.strictObject({
  /** The Multi-VWAP anchor of the session (its session VWAP). */
  anchor: z.enum(['london', 'newyork']),
  zone: z.string().refine((zone) => IANAZone.isValidZone(zone), {
    message: 'zone must be an IANA time zone, e.g. Europe/London',
  }),
  hour: z.number().int().min(0).max(23),
  minute: z.number().int().min(0).max(59),
});
export type SessionDef = z.infer<typeof SessionDef>;

/** Returns the default sessions (a fresh copy: parameters are data owned by their component). */
export function defaultSessions(): SessionDef[] {
  return [
    { anchor: 'london', zone: 'Europe/London', hour: 8, minute: 0 },
    { anchor: 'newyork', zone: 'America/New_York', hour: 9, minute: 30 },
  ];
}

/** Returns the UTC µs of the local wall time hh:mm in `zone` on the calendar date of the UTC day `dayUs`. */
export function localOpenUs(dayUs: number, zone: string, hour: number, minute: number): number {
  const d = DateTime.fromMillis(dayUs / US_PER_MS, { zone: 'utc' });
  const fields = { year: d.year, month: d.month, day: d.day, hour, minute, second: 0, millisecond: 0 };
  const local = DateTime.fromObject(fields, { zone });
  if (!local.isValid) {
    throw new Error(`session open ${hour}:${minute} in zone '${zone}' is invalid: ${local.invalidReason ?? 'unknown'}`);
  }
  return local.toMillis() * US_PER_MS;
}

/** A per-UTC-day cache of session opens: the opens of the previous and the current day. */
export interface SessionCache {
  day: number;
  opens: number[];
  anchors: string[];
}

export function sessionCacheNew(): SessionCache {
  return { day: -Infinity, opens: [], anchors: [] };
}

/** Fills the cache for the UTC day `dayUs` (no work when it already holds that day). */
export function sessionOpens(cache: SessionCache, dayUs: number, sessions: readonly SessionDef[]): void {
  if (cache.day === dayUs) return;
  cache.day = dayUs;
  cache.opens = [];
  cache.anchors = [];
  // The previous day's opens cover a window that crosses midnight UTC.
  for (const day of [dayUs - US_PER_DAY, dayUs]) {
    for (const s of sessions) {
      cache.opens.push(localOpenUs(day, s.zone, s.hour, s.minute));
      cache.anchors.push(s.anchor);
    }
  }
}
