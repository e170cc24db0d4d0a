import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  dailyAnchor, localToUtcUs, utcOffsetUs, weekdayOfDay, yearOfDay, type SessionZone,
} from '../../providers/session-anchors.ts';

// Goal: the integer DST rules give the same UTC instants and offsets as the IANA tz database.
// Method: compare with luxon (ICU tzdata) hour by hour over 2010..2035, at every local 08:00 and
// 09:30 of every day of those years, and at the SPEC §16 test vectors and offset changes.

const ZONES: SessionZone[] = ['Europe/London', 'America/New_York'];
const H = 3_600_000_000;
const iso = (s: string) => Date.parse(s) * 1000;

function luxonUtcUs(zone: SessionZone, y: number, mo: number, d: number, h: number, mi: number): number {
  return DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone }).toMillis() * 1000;
}

describe('providers > session-anchors', () => {
  it('civil helpers agree with Date for years and weekdays', () => {
    for (let day = -800_000; day <= 800_000; day += 997) {
      const dt = new Date(day * 86_400_000);
      expect(yearOfDay(day)).toBe(dt.getUTCFullYear());
      expect(weekdayOfDay(day)).toBe(dt.getUTCDay());
    }
  });

  it('UTC offsets match luxon every hour of 2010..2035 and at each transition minute', () => {
    for (const zone of ZONES) {
      const start = iso('2010-01-01T00:00:00Z');
      const end = iso('2036-01-01T00:00:00Z');
      let mismatches = 0;
      for (let t = start; t < end; t += H) {
        const lux = DateTime.fromMillis(t / 1000, { zone }).offset * 60_000_000;
        if (utcOffsetUs(zone, t) !== lux) mismatches++;
      }
      expect(mismatches).toBe(0);
    }
    // The offset switches exactly at the SPEC §16 instants, not a minute early or late.
    const changes: Array<[SessionZone, string, number, number]> = [
      ['Europe/London', '2025-03-30T01:00:00Z', 0, H],
      ['Europe/London', '2025-10-26T01:00:00Z', H, 0],
      ['America/New_York', '2025-03-09T07:00:00Z', -5 * H, -4 * H],
      ['America/New_York', '2025-11-02T06:00:00Z', -4 * H, -5 * H],
    ];
    for (const [zone, at, before, after] of changes) {
      expect(utcOffsetUs(zone, iso(at) - 60_000_000)).toBe(before);
      expect(utcOffsetUs(zone, iso(at))).toBe(after);
    }
  });

  it('local 08:00 London and 09:30 New York match luxon on every day of 2010..2035', () => {
    let days = 0;
    for (let d = Date.UTC(2010, 0, 1); d < Date.UTC(2036, 0, 1); d += 86_400_000) {
      const dt = new Date(d);
      const [y, mo, dd] = [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
      expect(localToUtcUs('Europe/London', d * 1000 + 8 * H)).toBe(luxonUtcUs('Europe/London', y, mo, dd, 8, 0));
      expect(localToUtcUs('America/New_York', d * 1000 + 9.5 * H)).toBe(luxonUtcUs('America/New_York', y, mo, dd, 9, 30));
      days++;
    }
    expect(days).toBe(9496);
  });

  it('reproduces the SPEC §16 test vectors, including the mismatch weeks', () => {
    const open = (zone: SessionZone, date: string, minute: number) =>
      new Date(localToUtcUs(zone, iso(`${date}T00:00:00Z`) + minute * 60_000_000) / 1000).toISOString();
    expect(open('Europe/London', '2025-01-15', 480)).toBe('2025-01-15T08:00:00.000Z');
    expect(open('America/New_York', '2025-01-15', 570)).toBe('2025-01-15T14:30:00.000Z');
    expect(open('Europe/London', '2025-04-15', 480)).toBe('2025-04-15T07:00:00.000Z');
    expect(open('America/New_York', '2025-04-15', 570)).toBe('2025-04-15T13:30:00.000Z');
    for (const date of ['2025-03-12', '2025-03-09', '2025-03-29', '2025-10-27', '2025-11-01', '2026-03-08', '2026-03-28']) {
      expect(open('Europe/London', date, 480)).toBe(`${date}T08:00:00.000Z`);
      expect(open('America/New_York', date, 570)).toBe(`${date}T13:30:00.000Z`);
    }
  });

  it('resolves the autumn repeated hour to the earlier instant and moves a spring-gap time forward', () => {
    // 01:30 on 2025-10-26 happens twice in London (BST then GMT); the earlier one is 00:30 UTC.
    expect(localToUtcUs('Europe/London', iso('2025-10-26T01:30:00Z'))).toBe(iso('2025-10-26T00:30:00Z'));
    // 01:30 on 2025-03-30 does not exist in London; read as GMT it is 01:30 UTC (02:30 BST).
    expect(localToUtcUs('Europe/London', iso('2025-03-30T01:30:00Z'))).toBe(iso('2025-03-30T01:30:00Z'));
    expect(localToUtcUs('America/New_York', iso('2025-03-09T02:30:00Z'))).toBe(iso('2025-03-09T07:30:00Z'));
    expect(localToUtcUs('America/New_York', iso('2025-11-02T01:30:00Z'))).toBe(iso('2025-11-02T05:30:00Z'));
  });

  it('dailyAnchor returns the latest open at or before t and the next one, across a DST change', () => {
    const ny = dailyAnchor('America/New_York', 570, iso('2025-03-09T13:00:00Z'));
    expect(ny.anchor_us).toBe(iso('2025-03-08T14:30:00Z'));
    expect(ny.next_us).toBe(iso('2025-03-09T13:30:00Z'));
    const at = dailyAnchor('America/New_York', 570, iso('2025-03-09T13:30:00Z'));
    expect(at.anchor_us).toBe(iso('2025-03-09T13:30:00Z'));
    expect(at.next_us).toBe(iso('2025-03-10T13:30:00Z'));
    const ldn = dailyAnchor('Europe/London', 480, iso('2025-10-26T07:59:59Z'));
    expect(ldn.anchor_us).toBe(iso('2025-10-25T07:00:00Z'));
    expect(ldn.next_us).toBe(iso('2025-10-26T08:00:00Z'));
    // At 02:00 UTC the New York local date is still the previous day, whose open is the anchor.
    const late = dailyAnchor('America/New_York', 570, iso('2025-01-16T02:00:00Z'));
    expect(late.anchor_us).toBe(iso('2025-01-15T14:30:00Z'));
  });
});
