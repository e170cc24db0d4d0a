import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EngineParams } from '../../engines/params.ts';
import {
  commitAccepted, confirmationGate, cooldownGate, dedupGate, pruneBook, sessionGate, signalId, stressGate, validate,
  type Busy, type GateBook, type MarketView, type SignalIn, type TimingView,
} from '../../engines/validation.ts';

// Goal: each gate of SPEC §16 accepts on its bound and rejects just past it, names the value and
// the bound in one line, reports missing data as missing, and the gates run in the seed's order.
// Method: the pure gate functions on hand-built signals and market views.

const P = EngineParams.parse({});
const MIN = 60_000_000;
const SEC = 1_000_000;
const H = 3_600_000_000;
/** Wednesday 2025-01-15 10:00 UTC (London session). */
const BAR = Date.UTC(2025, 0, 15, 10, 0) * 1000;
const NOW = BAR + 59_999_000;

const sig = (o: Partial<SignalIn> = {}): SignalIn => ({
  key: 'uso-ald', generator: 'uso-ald', direction: 1, bar_open_us: BAR, close: 50_000, score: 0.8,
  components: { a: 0.9, b: 0.6, c: 0.1 }, params_hash: 'h', ...o,
});
const calm = (o: Partial<MarketView> = {}): MarketView => ({
  vpin_z: 0.5, vol_ann_pct: 40, vol_state: 'MEDIUM_VOL', spread_z: 0.1, s1btc_bps: 0.5,
  vacuum_bid_active: false, vacuum_bid_end_us: null, vacuum_ask_active: false, vacuum_ask_end_us: null, ...o,
});
const book = (): GateBook => ({ cooldowns: {}, last_accept_us: null, processed_ids: {} });
const free: Busy = { kind: null, until_us: null };
const noTiming: TimingView = { required: false, long_us: null, short_us: null, kalman_trend: null };
const stress = (m: Partial<MarketView>, s: Partial<SignalIn> = {}, p = P) => stressGate(sig(s), NOW, calm(m), p)?.reason ?? null;

describe('engines > validation > signal id', () => {
  it('is sha256(symbol|generator|direction|bar_open_ms|params_hash)', () => {
    const want = createHash('sha256').update(`BTCUSDT|uso-ald|-1|${BAR / 1000}|h`).digest('hex');
    expect(signalId('BTCUSDT', sig({ direction: -1 }))).toBe(want);
    expect(signalId('BTCUSDT', sig({ params_hash: 'h2' }))).not.toBe(signalId('BTCUSDT', sig()));
    expect(signalId('BTCUSDT', sig({ bar_open_us: BAR + MIN }))).not.toBe(signalId('BTCUSDT', sig()));
  });
});

describe('engines > validation > session gate', () => {
  it('judges the bar close (open + 59.999 s): bars opening in [08:00, 16:30) London pass', () => {
    const g = (hh: number, mm: number) => sessionGate(sig({ bar_open_us: Date.UTC(2025, 0, 15, hh, mm) * 1000 }), P);
    expect(g(7, 59)).toMatchObject({ gate: 'session' });
    expect(g(7, 59)?.reason).toBe('bar close 2025-01-15T07:59:59.999Z outside London and New York sessions (local)');
    expect(g(8, 0)).toBeNull();
    expect(g(16, 29)).toBeNull();
    // After London closes New York still runs until 21:00 UTC in winter.
    expect(g(16, 30)).toBeNull();
    expect(g(20, 59)).toBeNull();
    expect(g(21, 0)).toMatchObject({ gate: 'session' });
    expect(sessionGate(sig({ bar_open_us: Date.UTC(2025, 0, 15, 21, 0) * 1000 }), { ...P, session_filter: false })).toBeNull();
  });
});

describe('engines > validation > cooldown gate', () => {
  it('rejects while the engine holds a position or a pending entry (gate position)', () => {
    expect(cooldownGate(sig(), NOW, { kind: 'position', until_us: null }, book(), P)).toEqual({ gate: 'position', reason: 'engine holds a position' });
    expect(cooldownGate(sig(), NOW, { kind: 'pending', until_us: null }, book(), P)).toEqual({ gate: 'position', reason: 'engine has a pending entry' });
  });

  it('rejects until the engine cooldown ends', () => {
    expect(cooldownGate(sig(), NOW, { kind: 'cooldown', until_us: NOW + 1 }, book(), P)?.gate).toBe('cooldown');
    expect(cooldownGate(sig(), NOW, { kind: 'cooldown', until_us: NOW }, book(), P)).toBeNull();
  });

  it('keys the 15 min cooldown by generator, from the accepted bar close', () => {
    const b = book();
    commitAccepted(b, 'uso-ald', 'id1', NOW, P);
    expect(b.cooldowns['uso-ald']).toBe(NOW + 15 * MIN);
    const later = NOW + 15 * MIN;
    expect(cooldownGate(sig(), later - 1, free, b, P)?.reason).toBe('uso-ald cooldown until 2025-01-15T10:15:59.999Z (0 min left)');
    expect(cooldownGate(sig(), NOW + 5 * MIN, free, b, P)?.reason).toContain('(10 min left)');
    expect(cooldownGate(sig(), later, free, b, P)).toBeNull();
    expect(cooldownGate(sig({ key: 'uso-levelplays' }), NOW + MIN, free, b, P)).toBeNull();
  });

  it('applies the optional global spacing across generators', () => {
    const b = book();
    commitAccepted(b, 'uso-ald', 'id1', NOW, P);
    const other = sig({ key: 'uso-levelplays' });
    expect(cooldownGate(other, NOW + MIN, free, b, P)).toBeNull();
    const spaced = { ...P, global_spacing_min: 5 };
    expect(cooldownGate(other, NOW + 5 * MIN - 1, free, b, spaced)?.reason).toBe('global spacing 5 min until 2025-01-15T10:05:59.999Z');
    expect(cooldownGate(other, NOW + 5 * MIN, free, b, spaced)).toBeNull();
  });
});

describe('engines > validation > stress gate', () => {
  it('vpin_z <= 3', () => {
    expect(stress({ vpin_z: 3 })).toBeNull();
    expect(stress({ vpin_z: 3.4 })).toBe('vpin_z 3.4 > 3');
    expect(stress({ vpin_z: null })).toBe('vpin_z missing');
  });

  it('15 <= vol_ann_pct <= 120', () => {
    expect(stress({ vol_ann_pct: 15 })).toBeNull();
    expect(stress({ vol_ann_pct: 14.99 })).toBe('vol_ann_pct 14.99 < 15');
    expect(stress({ vol_ann_pct: 120 })).toBeNull();
    expect(stress({ vol_ann_pct: 120.5 })).toBe('vol_ann_pct 120.5 > 120');
    expect(stress({ vol_ann_pct: null })).toBe('vol_ann_pct missing');
  });

  it('volatility state known', () => {
    for (const s of ['LOW_VOL', 'MEDIUM_VOL', 'HIGH_VOL']) expect(stress({ vol_state: s })).toBeNull();
    expect(stress({ vol_state: 'UNKNOWN' })).toBe('volatility state UNKNOWN');
    expect(stress({ vol_state: null })).toBe('volatility state missing');
  });

  it('spread z <= 3 and s1btc_bps <= 2', () => {
    expect(stress({ spread_z: 3 })).toBeNull();
    expect(stress({ spread_z: 3.01 })).toBe('spread z 3.01 > 3');
    expect(stress({ spread_z: null })).toBe('spread z missing');
    expect(stress({ s1btc_bps: 2 })).toBeNull();
    expect(stress({ s1btc_bps: 2.5 })).toBe('s1btc_bps 2.5 > 2');
    expect(stress({ s1btc_bps: null })).toBe('s1btc_bps missing');
  });

  it('no VACUUM on the entry side (asks for a long, bids for a short) within 30 s', () => {
    expect(stress({ vacuum_ask_active: true })).toBe('VACUUM active on ASK (entry) side');
    expect(stress({ vacuum_bid_active: true })).toBeNull();
    expect(stress({ vacuum_bid_active: true }, { direction: -1 })).toBe('VACUUM active on BID (entry) side');
    expect(stress({ vacuum_ask_active: true }, { direction: -1 })).toBeNull();
    expect(stress({ vacuum_ask_end_us: NOW - 30 * SEC })).toBe('VACUUM on ASK (entry) side ended 30 s ago <= 30 s');
    expect(stress({ vacuum_ask_end_us: NOW - 30 * SEC - 1 })).toBeNull();
  });

  it('Volatility Stress and Void Swept skip vpin and vacuum but cap vol_ann_pct at 150', () => {
    for (const key of ['cse-volatilitystress', 'uso-voidswept']) {
      expect(stress({ vpin_z: 9, vacuum_ask_active: true, vol_ann_pct: 150 }, { key })).toBeNull();
      expect(stress({ vpin_z: null }, { key })).toBeNull();
      expect(stress({ vol_ann_pct: 150.1 }, { key })).toBe('vol_ann_pct 150.1 > 150');
      expect(stress({ vol_ann_pct: 14 }, { key })).toBe('vol_ann_pct 14 < 15');
      expect(stress({ spread_z: 4 }, { key })).toBe('spread z 4 > 3');
    }
  });

  it('takes per-generator overrides from params', () => {
    const p = EngineParams.parse({ stress_overrides: { 'uso-ald': { vpin_z_max: 4, s1btc_bps_max: null } } });
    expect(stress({ vpin_z: 3.9, s1btc_bps: 50 }, {}, p)).toBeNull();
    expect(stress({ vpin_z: 4.1 }, {}, p)).toBe('vpin_z 4.1 > 4');
    // Replacing the overrides record drops the default exemptions.
    expect(stress({ vpin_z: 9 }, { key: 'cse-volatilitystress' }, p)).toBe('vpin_z 9 > 3');
  });
});

describe('engines > validation > confirmation gate', () => {
  const conf = (s: Partial<SignalIn>, t: TimingView = noTiming, p = P) => confirmationGate(sig(s), NOW, t, p)?.reason ?? null;

  it('needs score >= 0.60 and at least 2 components >= 0.5', () => {
    expect(conf({ score: 0.6 })).toBeNull();
    expect(conf({ score: 0.5999 })).toBe('score 0.5999 < 0.6');
    expect(conf({ components: { a: 0.5, b: 0.5, c: 0 } })).toBeNull();
    expect(conf({ components: { a: 0.5, b: 0.4999, c: 1 } })).toBeNull();
    expect(conf({ components: { a: 0.5, b: 0.4999 } })).toBe('1 components >= 0.5 < 2');
    expect(conf({ components: {} })).toBe('0 components >= 0.5 < 2');
  });

  it('needs, where required, a same-direction Phase Timing within 30 bars or an agreeing Kalman trend', () => {
    const t = (o: Partial<TimingView>): TimingView => ({ required: true, long_us: null, short_us: null, kalman_trend: 'FLAT', ...o });
    expect(conf({}, t({ long_us: NOW - 30 * MIN }))).toBeNull();
    expect(conf({}, t({ long_us: NOW - 30 * MIN - 1 }))).toContain('no timing confirmation');
    expect(conf({}, t({ short_us: NOW }))).toBe('no timing confirmation: phase timing none > 30 bars, kalman trend FLAT != UP');
    expect(conf({}, t({ kalman_trend: 'UP' }))).toBeNull();
    expect(conf({ direction: -1 }, t({ kalman_trend: 'DOWN' }))).toBeNull();
    expect(conf({ direction: -1 }, t({ kalman_trend: 'UP', short_us: NOW - 31 * MIN }))).toBe(
      'no timing confirmation: phase timing 31 bars ago > 30 bars, kalman trend UP != DOWN');
    expect(conf({}, t({ kalman_trend: 'UP' }), { ...P, confirm_kalman: false })).toBe('no timing confirmation: phase timing none > 30 bars');
  });
});

describe('engines > validation > dedup and order', () => {
  it('rejects an id processed within 24 h of data time, and forgets it after', () => {
    const b = book();
    commitAccepted(b, 'uso-ald', 'abcdef0123456789', NOW, P);
    expect(dedupGate('abcdef0123456789', NOW + MIN, b, P)?.reason).toBe('signal_id abcdef012345 already processed at 2025-01-15T10:00:59.999Z');
    expect(dedupGate('abcdef0123456789', NOW + 24 * H, b, P)?.gate).toBe('dedup');
    expect(dedupGate('abcdef0123456789', NOW + 24 * H + 1, b, P)).toBeNull();
    expect(dedupGate('other', NOW, b, P)).toBeNull();
    pruneBook(b, NOW + 24 * H, P);
    expect(Object.keys(b.processed_ids)).toEqual(['abcdef0123456789']);
    pruneBook(b, NOW + 24 * H + 1, P);
    expect(b).toEqual({ cooldowns: {}, last_accept_us: NOW, processed_ids: {} });
  });

  it('runs session, cooldown, stress, confirmation, dedup in that order and builds the verdict', () => {
    const b = book();
    const s = sig({ score: 0.1 });
    const id = signalId('BTCUSDT', s);
    b.processed_ids[id] = NOW;
    const bad = calm({ vpin_z: 5 });
    const v = (sg: SignalIn, busy: Busy, m: MarketView) => validate(sg, id, NOW, busy, m, noTiming, b, P);
    const night = sig({ score: 0.1, bar_open_us: Date.UTC(2025, 0, 15, 22, 0) * 1000 });
    expect(v(night, { kind: 'position', until_us: null }, bad).gate).toBe('session');
    expect(v(s, { kind: 'position', until_us: null }, bad).gate).toBe('position');
    expect(v(s, free, bad).gate).toBe('stress');
    expect(v(s, free, calm()).gate).toBe('confirmation');
    const dup = v(sig(), free, calm());
    expect(dup).toEqual({
      signal_id: id, generator: 'uso-ald', direction: 1, bar_open_us: BAR, score: 0.8, accepted: false, gate: 'dedup',
      reason: `signal_id ${id.slice(0, 12)} already processed at 2025-01-15T10:00:59.999Z`,
    });
    const ok = validate(sig(), 'fresh', NOW, free, calm(), noTiming, b, P);
    expect(ok).toMatchObject({ accepted: true, gate: null, reason: 'accepted' });
  });
});
