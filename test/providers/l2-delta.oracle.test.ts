import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DepthFeed, LPU, MIN, T0, records, registry } from './l2-delta.fixtures.ts';

// Goal: per-bar OFI and multi-level OFI equal a straightforward replay (SPEC §4 "window sums
// match a numpy replay"), and a run resumed from a snapshot equals the uninterrupted one.
// Method: fast-check generates random valid diffs (absolute sizes, removals, price moves that
// clear the opposite side so the book never crosses); the oracle keeps the book in two plain maps,
// sorts the top 5 levels after each message and sums e_n per level and per minute in lots.

const mk = registry(100);
const TICK = 0.5;
const BASE = 40_000;

interface Update {
  side: 0 | 1;
  tick: number;
  lots: number;
}
interface Msg {
  dt: number;
  upds: Update[];
}

const update = fc.record({
  side: fc.constantFrom<0 | 1>(0, 1),
  tick: fc.integer({ min: 0, max: 40 }),
  lots: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400_000 })),
});
const message = fc.record({ dt: fc.integer({ min: 1000, max: 25_000_000 }), upds: fc.array(update, { maxLength: 6 }) });

/** Turns random updates into diffs that keep the model book uncrossed; mutates `book`. */
function toDiff(book: [Map<number, number>, Map<number, number>], upds: Update[]) {
  const diff: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  const set = (side: 0 | 1, tick: number, lots: number) => {
    if (lots === 0) book[side].delete(tick);
    else book[side].set(tick, lots);
    diff[side].set(tick, lots);
  };
  for (const u of upds) {
    set(u.side, u.tick, u.lots);
    if (u.lots === 0) continue;
    const opp = u.side === 0 ? 1 : 0;
    for (const t of [...book[opp].keys()]) if (u.side === 0 ? t <= u.tick : t >= u.tick) set(opp, t, 0);
  }
  const levels = (side: 0 | 1): Array<[number, number]> =>
    [...diff[side].entries()].sort((a, b) => a[0] - b[0]).map(([t, l]) => [BASE + t * TICK, l / LPU]);
  return { bids: levels(0), asks: levels(1) };
}

/** Returns the top-5 (price, lots) per side, with the provider's empty-level convention. */
function top5(book: [Map<number, number>, Map<number, number>]) {
  const bids = [...book[0].entries()].sort((a, b) => b[0] - a[0]);
  const asks = [...book[1].entries()].sort((a, b) => a[0] - b[0]);
  return Array.from({ length: 5 }, (_, j) => ({
    b: j < bids.length ? BASE + bids[j][0] * TICK : 0,
    qb: j < bids.length ? bids[j][1] : 0,
    a: j < asks.length ? BASE + asks[j][0] * TICK : Number.MAX_VALUE,
    qa: j < asks.length ? asks[j][1] : 0,
  }));
}

/** Replays `msgs` into the provider (through `run`) and into the oracle; returns the oracle sums. */
function replay(msgs: Msg[], run: (kind: 'snap' | 'diff', ts: number, bids: Array<[number, number]>, asks: Array<[number, number]>) => void) {
  const book: [Map<number, number>, Map<number, number>] = [new Map(), new Map()];
  for (let t = 0; t < 20; t++) book[0].set(t, 1000 * (t + 1));
  for (let t = 21; t <= 40; t++) book[1].set(t, 700 * (t - 20));
  const snapLevels = (side: 0 | 1): Array<[number, number]> => [...book[side].entries()].map(([t, l]) => [BASE + t * TICK, l / LPU]);
  run('snap', T0 + 1000, snapLevels(0), snapLevels(1));
  const sums = new Map<number, { ofi: number[]; n: number }>();
  let prev: ReturnType<typeof top5> | null = null;
  let ts = T0 + 1000;
  for (const m of msgs) {
    ts += m.dt;
    const { bids, asks } = toDiff(book, m.upds);
    run('diff', ts, bids, asks);
    const now = top5(book);
    const bar = ts - ((ts - T0) % MIN);
    const acc = sums.get(bar) ?? { ofi: [0, 0, 0, 0, 0], n: 0 };
    sums.set(bar, acc);
    acc.n++;
    if (prev !== null) {
      for (let j = 0; j < 5; j++) {
        const p = prev[j];
        const c = now[j];
        acc.ofi[j] += (c.b >= p.b ? c.qb : 0) - (c.b <= p.b ? p.qb : 0) - (c.a <= p.a ? c.qa : 0) + (c.a >= p.a ? p.qa : 0);
      }
    }
    prev = now;
  }
  return { sums, end: ts };
}

describe('providers > l2-delta > oracle replay', () => {
  it('matches a naive replay of random valid diffs, bar by bar and level by level', () => {
    fc.assert(fc.property(fc.array(message, { minLength: 1, maxLength: 80 }), (msgs) => {
      const h = mk();
      const f = new DepthFeed(h);
      const { sums, end } = replay(msgs, (kind, ts, bids, asks) => (kind === 'snap' ? f.snapshot(ts, bids, asks) : f.diff(ts, bids, asks)));
      f.closeThrough(end - ((end - T0) % MIN) + 59_999_000);
      const out = records(h);
      expect(out).toHaveLength(Math.floor((end - T0) / MIN) + 1);
      expect(h.rt.counters.bookCrossed + h.rt.counters.bookGaps).toBe(0);
      for (const r of out) {
        const want = sums.get(r.payload.bar_open_us as number) ?? { ofi: [0, 0, 0, 0, 0], n: 0 };
        expect(r.payload.mlofi_btc).toEqual(want.ofi.map((x) => x / LPU));
        expect(r.payload.ofi_btc).toBe(want.ofi[0] / LPU);
        expect(r.payload.n_msgs).toBe(want.n);
      }
    }), { numRuns: 60, seed: 20240101 });
  });

  it('resumes from a snapshot taken anywhere exactly as the uninterrupted run', () => {
    const msgs = fc.sample(fc.array(message, { minLength: 150, maxLength: 150 }), { numRuns: 1, seed: 42 })[0];
    const events: Array<[string, number, Array<[number, number]>, Array<[number, number]>]> = [];
    replay(msgs, (kind, ts, bids, asks) => events.push([kind, ts, bids, asks]));
    const feedAll = (f: DepthFeed, from: number, to: number) => {
      for (const [kind, ts, bids, asks] of events.slice(from, to)) (kind === 'snap' ? f.snapshot(ts, bids, asks) : f.diff(ts, bids, asks));
    };
    const full = mk();
    const ff = new DepthFeed(full);
    feedAll(ff, 0, events.length);
    ff.closeThrough(T0 + 200 * MIN);
    const a = mk();
    const fa = new DepthFeed(a);
    feedAll(fa, 0, 77);
    const b = mk();
    b.rt.restore(a.rt.snapshot());
    const fb = new DepthFeed(b);
    Object.assign(fb, { u: fa.u, nextBar: fa.nextBar });
    feedAll(fb, 77, events.length);
    fb.closeThrough(T0 + 200 * MIN);
    expect(b.rt.digest()).toBe(full.rt.digest());
    expect(records(full).length).toBeGreaterThan(20);
  });
});
