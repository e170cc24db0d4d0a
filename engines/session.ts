import { DateTime } from 'luxon';

// Session filter (SPEC §16). Mode 'local' follows the exchanges' local clocks through IANA zones:
// London [08:00, 16:30) Europe/London and New York [09:30, 16:00) America/New_York, Monday to
// Friday in each local calendar, no holidays. Mode 'utc_fixed' keeps the legacy fixed windows
// 07:00-16:00 and 13:30-20:00 UTC (Monday to Friday UTC), which equal local hours only in summer.
// Luxon is used as a pure converter from an instant to a zone's wall clock; it never reads the
// host clock or the host zone here.

export type SessionMode = 'local' | 'utc_fixed';
export type SessionName = 'london' | 'newyork';

interface SessionWindow {
  readonly name: SessionName;
  readonly zone: string;
  /** Start and end as minutes after local midnight, end exclusive. */
  readonly startMin: number;
  readonly endMin: number;
}

const LOCAL: readonly SessionWindow[] = Object.freeze([
  { name: 'london', zone: 'Europe/London', startMin: 8 * 60, endMin: 16 * 60 + 30 },
  { name: 'newyork', zone: 'America/New_York', startMin: 9 * 60 + 30, endMin: 16 * 60 },
]);

const UTC_FIXED: readonly SessionWindow[] = Object.freeze([
  { name: 'london', zone: 'UTC', startMin: 7 * 60, endMin: 16 * 60 },
  { name: 'newyork', zone: 'UTC', startMin: 13 * 60 + 30, endMin: 20 * 60 },
]);

/** Returns the sessions (in the fixed order london, newyork) whose window contains the instant `us`. */
export function sessionsAt(us: number, mode: SessionMode = 'local'): SessionName[] {
  const windows = mode === 'local' ? LOCAL : UTC_FIXED;
  const out: SessionName[] = [];
  // Sub-millisecond digits cannot move an instant across a whole-minute bound, so flooring is exact.
  const ms = Math.floor(us / 1000);
  for (const w of windows) {
    const local = DateTime.fromMillis(ms, { zone: w.zone });
    if (!local.isValid || local.weekday > 5) continue;
    const minute = local.hour * 60 + local.minute;
    if (minute >= w.startMin && minute < w.endMin) out.push(w.name);
  }
  return out;
}

/** Returns a label for reports: 'london', 'newyork', 'london+newyork' or 'none'. */
export function sessionLabel(names: readonly SessionName[]): string {
  return names.length === 0 ? 'none' : names.join('+');
}
