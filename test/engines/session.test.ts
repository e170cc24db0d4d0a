import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sessionLabel, sessionsAt, type SessionName } from '../../engines/session.ts';

// Goal: the session filter of SPEC §16 in both modes: every test vector of §16 and the weekdays
// around each offset change, probed one microsecond on both sides of every bound.
// Method: windows written in UTC from the SPEC vectors; an independent oracle built on
// Intl.DateTimeFormat (the SPEC's suggested implementation) for random instants.

const US = 1000;
const at = (iso: string) => Date.parse(iso) * US;

/** Asserts that session `name` holds exactly on [start, end) of date `day` (UTC clock times). */
function expectWindow(day: string, name: SessionName, start: string, end: string, mode: 'local' | 'utc_fixed' = 'local') {
  const a = at(`${day}T${start}:00Z`);
  const b = at(`${day}T${end}:00Z`);
  const has = (us: number) => sessionsAt(us, mode).includes(name);
  expect([has(a - 1), has(a), has(b - 1), has(b)], `${day} ${name} ${start}-${end} (${mode})`).toEqual([false, true, true, false]);
}

describe('engines > session > local mode (SPEC §16 vectors)', () => {
  it('2025-01-15 (winter): London 08:00-16:30 UTC, New York 14:30-21:00 UTC', () => {
    expectWindow('2025-01-15', 'london', '08:00', '16:30');
    expectWindow('2025-01-15', 'newyork', '14:30', '21:00');
    expect(sessionsAt(at('2025-01-15T15:00:00Z'))).toEqual(['london', 'newyork']);
  });

  it('2025-04-15 (summer): London 07:00-15:30 UTC, New York 13:30-20:00 UTC', () => {
    expectWindow('2025-04-15', 'london', '07:00', '15:30');
    expectWindow('2025-04-15', 'newyork', '13:30', '20:00');
  });

  it('mismatch weeks: London 08:00-16:30 UTC and New York 13:30-20:00 UTC, a 3 h overlap', () => {
    const days = ['2025-03-10', '2025-03-12', '2025-03-28', '2025-10-27', '2025-10-29', '2025-10-31', '2026-03-09', '2026-03-11', '2026-03-27'];
    for (const d of days) {
      expectWindow(d, 'london', '08:00', '16:30');
      expectWindow(d, 'newyork', '13:30', '20:00');
      expect(sessionsAt(at(`${d}T13:30:00Z`))).toEqual(['london', 'newyork']);
      expect(sessionsAt(at(`${d}T16:29:59.999Z`))).toEqual(['london', 'newyork']);
    }
  });

  it('London offset changes (2025-03-30 and 2025-10-26, 01:00 UTC): the weekdays either side', () => {
    expectWindow('2025-03-28', 'london', '08:00', '16:30');
    expectWindow('2025-03-31', 'london', '07:00', '15:30');
    expectWindow('2025-10-24', 'london', '07:00', '15:30');
    expectWindow('2025-10-27', 'london', '08:00', '16:30');
  });

  it('New York offset changes (2025-03-09 07:00 and 2025-11-02 06:00 UTC): the weekdays either side', () => {
    expectWindow('2025-03-07', 'newyork', '14:30', '21:00');
    expectWindow('2025-03-10', 'newyork', '13:30', '20:00');
    expectWindow('2025-10-31', 'newyork', '13:30', '20:00');
    expectWindow('2025-11-03', 'newyork', '14:30', '21:00');
  });

  it('the change Sundays and a whole weekend have no session at any minute', () => {
    for (const day of ['2025-03-30', '2025-10-26', '2025-03-09', '2025-11-02', '2025-01-18', '2025-01-19']) {
      const start = at(`${day}T00:00:00Z`);
      for (let m = 0; m < 1440; m++) expect(sessionsAt(start + m * 60_000_000), `${day} +${m} min`).toEqual([]);
    }
    // New York's Friday session ends at 21:00 UTC in winter; Monday's London session opens at 08:00.
    expect(sessionsAt(at('2025-01-17T20:59:59.999Z'))).toEqual(['newyork']);
    expect(sessionsAt(at('2025-01-20T08:00:00Z'))).toEqual(['london']);
  });

  it('agrees with an Intl.DateTimeFormat oracle at random instants 2024-2027', () => {
    const fmt = (zone: string) => new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const ldn = fmt('Europe/London');
    const ny = fmt('America/New_York');
    const inside = (f: Intl.DateTimeFormat, ms: number, lo: number, hi: number) => {
      const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
      const minute = Number(parts.hour) * 60 + Number(parts.minute);
      return !['Sat', 'Sun'].includes(parts.weekday) && minute >= lo && minute < hi;
    };
    fc.assert(fc.property(fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 11, 31) }), (ms) => {
      const want: SessionName[] = [];
      if (inside(ldn, ms, 480, 990)) want.push('london');
      if (inside(ny, ms, 570, 960)) want.push('newyork');
      expect(sessionsAt(ms * US)).toEqual(want);
    }), { numRuns: 3000 });
  });
});

describe('engines > session > utc_fixed mode', () => {
  it('keeps 07:00-16:00 and 13:30-20:00 UTC in winter and in summer, Monday to Friday', () => {
    for (const d of ['2025-01-15', '2025-04-15', '2025-03-12']) {
      expectWindow(d, 'london', '07:00', '16:00', 'utc_fixed');
      expectWindow(d, 'newyork', '13:30', '20:00', 'utc_fixed');
    }
    expect(sessionsAt(at('2025-01-18T12:00:00Z'), 'utc_fixed')).toEqual([]);
  });

  it('labels sessions for reports', () => {
    expect(sessionLabel([])).toBe('none');
    expect(sessionLabel(['london'])).toBe('london');
    expect(sessionLabel(['london', 'newyork'])).toBe('london+newyork');
  });
});
