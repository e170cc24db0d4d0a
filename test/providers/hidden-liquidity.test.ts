import { describe, expect, it } from 'vitest';
import { HiddenLiquidityPayload } from '../../core/schemas/hidden-liquidity.ts';
import { hiddenLiquidity } from '../../providers/hidden-liquidity.ts';
import { rqQuantile } from '../../providers/rolling-quantile.ts';
import { harness, type Harness } from '../support/harness.ts';

// Goal: the hidden-liquidity episode accounting of SPEC §7 (E, D0, A, R, H), its emission rule,
// and its edges (INVALID book, prints outside the book, multi-level sweeps, q_min from samples).
// Method: hand-built tapes through a real Runtime; the reference check is replayed exactly as
// SPEC words it, the episode state is read back, and every record is validated by its schema.

const T0 = Date.UTC(2024, 0, 1) * 1000;
const S = 1_000_000;
const MS = 1_000;

type HL = ReturnType<typeof hiddenLiquidity.init>;
const state = (h: Harness) => h.rt.stateOf('hidden-liquidity') as HL;
const records = (h: Harness) => h.on('data-hidden-liquidity').map((o) => HiddenLiquidityPayload.parse(o.payload));

/** SPEC §7 reference tape: five cycles of "sell 1.0, diff shows 0, diff at +100 ms restores 1.0". */
function reference(params: object, side: 'BID' | 'ASK' = 'BID'): { h: Harness; u: number; t: number } {
  const h = harness([{ component: hiddenLiquidity, params }]);
  const bid = side === 'BID';
  const px = bid ? 100 : 100.01;
  const lv = (q: number) => (bid ? { bidPx: [px], bidQty: [q] } : { askPx: [px], askQty: [q] });
  h.depth(T0, { snapshot: true, u: 1, bidPx: [100, 99.99], bidQty: bid ? [1, 5] : [5, 5], askPx: [100.01, 100.02], askQty: bid ? [5, 5] : [1, 5] });
  let u = 1;
  let t = T0;
  for (let i = 0; i < 5; i++) {
    t = T0 + S + i * 300 * MS;
    h.trade(t, 10 + i, px, 1, bid);
    h.depth(t, { u: ++u, ...lv(0) });
    h.depth(t + 100 * MS, { u: ++u, ...lv(1) });
  }
  return { h, u, t };
}

describe('providers > hidden-liquidity', () => {
  it('reproduces the SPEC reference: E=5, D0=1, A=0, R=5, H=4, then A=2, H=2', () => {
    const { h, u, t } = reference({ qMinFixed: 1, updateGapMs: 0 });
    const ep = state(h).eps[0];
    expect(ep).toMatchObject({ active: true, p: 100, e: 5, d0: 1, a: 0, r: 5, startUs: T0 });
    const recs = records(h);
    expect(recs.map((r) => [r.executed_btc, r.refills, r.hidden_lb_btc])).toEqual([
      [2, 1, 1], [2, 2, 1], [3, 2, 2], [3, 3, 2], [4, 3, 3], [4, 4, 3], [5, 4, 4], [5, 5, 4],
    ]);
    expect(recs.map((r) => r.is_update)).toEqual([false, true, true, true, true, true, true, true]);
    expect(recs[7]).toEqual({
      side: 'BID', price: 100, executed_btc: 5, displayed_start_btc: 1, visible_added_btc: 0, hidden_lb_btc: 4,
      refills: 5, absorption: 5, episode_start_us: T0, duration_ms: (t + 100 * MS - T0) / MS, price_held: true, is_update: true,
    });
    h.depth(t + 2 * S, { u: u + 1, bidPx: [100], bidQty: [3] });
    const last = records(h).at(-1);
    expect(last).toMatchObject({ executed_btc: 5, displayed_start_btc: 1, visible_added_btc: 2, hidden_lb_btc: 2, refills: 5 });
    expect(last?.absorption).toBeCloseTo(5 / 3, 15);
  });

  it('mirrors on the ask: taker BUYs against an ask iceberg give the same numbers', () => {
    const { h } = reference({ qMinFixed: 1, updateGapMs: 0 }, 'ASK');
    const last = records(h).at(-1);
    expect(last).toMatchObject({ side: 'ASK', price: 100.01, executed_btc: 5, refills: 5, hidden_lb_btc: 4, price_held: true });
    expect(state(h).eps[0].e).toBe(0);
  });

  it('rate-limits updates and closes the episode with a final record once the level is gone > 1 s', () => {
    const { h, u, t } = reference({ qMinFixed: 1 });
    const during = records(h);
    // First record at cycle 2 (T0+1.3 s); the next one needs 1 s more, so only the last restore qualifies.
    expect(during.map((r) => [r.executed_btc, r.refills, r.is_update])).toEqual([[2, 1, false], [5, 5, true]]);
    // One more print that the gap holds back, then the level is taken out for good.
    h.trade(t + S, 50, 100, 1, true);
    h.depth(t + S, { u: u + 1, bidPx: [100], bidQty: [0] });
    expect(records(h)).toHaveLength(2);
    h.advance(t + 3 * S);
    const recs = records(h);
    expect(recs).toHaveLength(3);
    expect(recs[2]).toMatchObject({ is_update: true, price_held: false, duration_ms: (t + S - T0) / MS, executed_btc: 6, hidden_lb_btc: 5 });
    expect(state(h).eps[0]).toMatchObject({ active: true, p: 99.99, e: 0, d0: 5 });
  });

  it('aborts the episode on an INVALID book and starts afresh at the next snapshot', () => {
    const h = harness([{ component: hiddenLiquidity, params: { qMinFixed: 1, updateGapMs: 0 } }]);
    h.depth(T0, { snapshot: true, u: 1, bidPx: [100, 99.99], bidQty: [1, 5], askPx: [100.01], askQty: [5] });
    h.trade(T0 + S, 1, 100, 1, true);
    h.trade(T0 + S, 2, 100, 1, true);
    expect(state(h).eps[0].e).toBe(2);
    h.depth(T0 + S, { u: 5, U: 5, bidPx: [100], bidQty: [0] });
    expect(h.rt.book.status).toBe('INVALID');
    expect(state(h).eps.every((ep) => !ep.active)).toBe(true);
    expect(state(h).aborted).toBe(2);
    h.trade(T0 + 2 * S, 3, 100, 1, true);
    expect(state(h).tradesNoBook).toBe(1);
    h.depth(T0 + 3 * S, { snapshot: true, u: 10, bidPx: [100, 99.99], bidQty: [1, 5], askPx: [100.01], askQty: [5] });
    expect(state(h).eps[0]).toMatchObject({ active: true, p: 100, e: 0, d0: 1, startUs: T0 + 3 * S });
    expect(records(h)).toHaveLength(0);
  });

  it('ignores and counts a print at a price not in the book', () => {
    const { h } = reference({ qMinFixed: 1, updateGapMs: 0 });
    const before = state(h).eps[0].e;
    h.trade(T0 + 9 * S, 100, 99.5, 3, true);
    expect(state(h).tradesNotInBook).toBe(1);
    expect(state(h).eps[0].e).toBe(before);
  });

  it('credits each level of a multi-level sweep with its own prints', () => {
    const h = harness([{ component: hiddenLiquidity, params: { qMinFixed: 1 } }]);
    h.depth(T0, { snapshot: true, u: 1, bidPx: [100, 99.99, 99.98], bidQty: [1, 2, 5], askPx: [100.01], askQty: [5] });
    h.trade(T0 + S, 1, 100, 1, true);
    h.trade(T0 + S, 2, 99.99, 0.5, true);
    h.trade(T0 + S, 3, 99.98, 0.25, true);
    h.depth(T0 + S, { u: 2, bidPx: [100, 99.99, 99.98], bidQty: [0, 1.5, 4.75] });
    const [open, next] = state(h).eps;
    expect(open).toMatchObject({ p: 100, e: 1, notBestSince: T0 + S });
    expect(next).toMatchObject({ active: true, p: 99.99, e: 0.5, d0: 2, lastTradeUs: T0 + S });
    // After the grace the level that took over becomes the open episode, prints included.
    h.depth(T0 + 2200 * MS, { u: 3, bidPx: [99.99], bidQty: [1.75] });
    expect(state(h).eps[0]).toMatchObject({ active: true, p: 99.99, e: 0.5, d0: 2, a: 0.25 });
    expect(state(h).eps[1].active).toBe(false);
  });

  it('derives q_min as the exact P95 of 1-s top-of-book sizes, with its floor', () => {
    const h = harness([{ component: hiddenLiquidity, params: { qMinMinS: 5 } }]);
    h.depth(T0, { snapshot: true, u: 1, bidPx: [100], bidQty: [1], askPx: [100.01], askQty: [2] });
    const samples: number[] = [];
    for (let i = 1; i <= 20; i++) {
      h.depth(T0 + i * S - 1, { u: i + 1, bidPx: [100], bidQty: [(i % 7) + 1] });
      h.advance(T0 + i * S);
      samples.push((i % 7) + 1, 2);
    }
    const sorted = samples.sort((a, b) => a - b);
    const hh = (sorted.length - 1) * 0.95;
    const oracle = sorted[Math.floor(hh)] + (hh - Math.floor(hh)) * (sorted[Math.ceil(hh)] - sorted[Math.floor(hh)]);
    expect(state(h).tob.size).toBe(40);
    expect(rqQuantile(state(h).tob, 0.95)).toBe(oracle);
  });

  it('needs H >= q_min: a high floor silences the reference tape, warm-up gates q_min', () => {
    const floorOnly = reference({ qMinMinS: 1, qMinFloor: 10, updateGapMs: 0 });
    expect(records(floorOnly.h)).toHaveLength(0);
    expect(state(floorOnly.h).eps[0].e).toBe(5);
    const cold = reference({ qMinMinS: 600, updateGapMs: 0 });
    expect(records(cold.h)).toHaveLength(0);
    const learned = reference({ qMinMinS: 1, updateGapMs: 0 });
    // Samples at whole seconds saw bid 1 and ask 5, so q_min >= 4.8 > H = 4: no record.
    expect(records(learned.h)).toHaveLength(0);
  });

  it('resumes from a snapshot exactly like the uninterrupted run', () => {
    const full = reference({ qMinFixed: 1, updateGapMs: 0 });
    const a = harness([{ component: hiddenLiquidity, params: { qMinFixed: 1, updateGapMs: 0 } }]);
    a.depth(T0, { snapshot: true, u: 1, bidPx: [100, 99.99], bidQty: [1, 5], askPx: [100.01, 100.02], askQty: [5, 5] });
    a.trade(T0 + S, 10, 100, 1, true);
    a.depth(T0 + S, { u: 2, bidPx: [100], bidQty: [0] });
    const b = harness([{ component: hiddenLiquidity, params: { qMinFixed: 1, updateGapMs: 0 } }]);
    b.rt.restore(a.rt.snapshot());
    b.depth(T0 + S + 100 * MS, { u: 3, bidPx: [100], bidQty: [1] });
    let u = 3;
    for (let i = 1; i < 5; i++) {
      const t = T0 + S + i * 300 * MS;
      b.trade(t, 10 + i, 100, 1, true);
      b.depth(t, { u: ++u, bidPx: [100], bidQty: [0] });
      b.depth(t + 100 * MS, { u: ++u, bidPx: [100], bidQty: [1] });
    }
    expect(b.rt.digest()).toBe(full.h.rt.digest());
  });
});
