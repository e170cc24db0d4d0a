import { describe, expect, it } from 'vitest';
import { spread } from '../../providers/spread.ts';
import { SpreadBarSchema } from '../../core/schemas/spread.ts';
import type { Out } from '../../core/event.ts';
import { bar, harness, type Harness } from '../support/harness.ts';

// Goal: the trade queue of the spread provider (a growing Float64Array ring) and its lazy
// resolution give every trade the mid of the book 5 s later, in trade order and in the bar
// where its horizon ended, exactly as resolving each trade at the first event after its due
// time would; the queue survives a snapshot/restore while it is wrapped and grown.
// Method: bursts of one trade every 10 ms (500 in flight, so the 256 initial slots double while
// the head has wrapped), depth diffs that move the mid every 70 ms, a quiet gap longer than the
// horizon (only the whole-second tick resolves there), and bars; each bar's eff/realized/impact
// must equal, to the bit, sums recomputed in the test in trade order with the provider's own
// arithmetic. A run interrupted mid-burst and restored must emit the uninterrupted records.

const S = 1_000_000;
const MIN = 60 * S;
const T0 = Date.UTC(2024, 0, 1) * 1000;

interface Step {
  ts: number;
  kind: 'trade' | 'depth' | 'bar';
  p?: number;
  q?: number;
  d?: number;
  bid?: number;
  ask?: number;
  i?: number;
}

/** Builds the event plan: trades, mid moves and bar closes in time order, with a quiet gap. */
function plan(): Step[] {
  let x = 11;
  const rnd = () => ((x = (x * 48271) % 2147483647) / 2147483647);
  const steps: Step[] = [];
  let bid = 10_000;
  for (let t = 100_000; t < 3 * MIN; t += 10_000) {
    // No depth from 62 s to 90 s and no trades from 65 s to 95 s: trades due in 67..70 s find
    // no input after them, so the whole-second tick resolves them, with the mid of 62 s.
    if (t % 70_000 === 0 && (t <= 62 * S || t >= 90 * S)) {
      bid += Math.floor(rnd() * 5) - 2;
      steps.push({ ts: T0 + t, kind: 'depth', bid, ask: bid + 1 + Math.floor(rnd() * 3) });
    }
    if (t < 65 * S || t > 95 * S) {
      const d = rnd() < 0.5 ? -1 : 1;
      steps.push({ ts: T0 + t + 3_000, kind: 'trade', p: (bid + (d > 0 ? 2 : 0)) / 100, q: Math.ceil(rnd() * 1e5) / 1e5, d });
    }
    if ((t + 10_000) % MIN === 0) steps.push({ ts: T0 + t + 9_999, kind: 'bar', i: (t + 10_000) / MIN - 1 });
  }
  return steps;
}

/** Feeds steps to a harness; the book starts at a snapshot and each depth step replaces the top. */
function feed(h: Harness, steps: Step[], state: { u: number; bid: number; ask: number; id: number }): void {
  for (const st of steps) {
    if (st.kind === 'trade') h.trade(st.ts, state.id++, st.p!, st.q!, st.d! < 0);
    else if (st.kind === 'bar') h.kline(bar(T0, st.i!));
    else {
      h.depth(st.ts, { u: ++state.u, bidPx: [state.bid / 100, st.bid! / 100], bidQty: [0, 5], askPx: [state.ask / 100, st.ask! / 100], askQty: [0, 5] });
      state.bid = st.bid!;
      state.ask = st.ask!;
    }
  }
}

function start(): { h: Harness; state: { u: number; bid: number; ask: number; id: number } } {
  const h = harness([spread]);
  h.depth(T0 + 50_000, { snapshot: true, u: 1, bidPx: [100], bidQty: [5], askPx: [100.01], askQty: [5] });
  return { h, state: { u: 1, bid: 10_000, ask: 10_001, id: 1 } };
}

const records = (out: Out[]) => out.filter((o) => o.type === 'SPREAD').map((o) => SpreadBarSchema.parse(o.payload));

describe('providers > spread > trade queue', () => {
  it('resolves 500 trades in flight with the mid 5 s later, bit for bit, across growth and a quiet gap', () => {
    const steps = plan();
    const { h, state } = start();
    feed(h, steps, state);
    const mids: Array<[number, number]> = [[T0 + 50_000, (100 + 100.01) / 2]];
    for (const st of steps) if (st.kind === 'depth') mids.push([st.ts, (st.ask! / 100 + st.bid! / 100) / 2]);
    const midBefore = (t: number) => mids.filter(([ts]) => ts < t).at(-1)![1];
    const recs = records(h.on('data-spread'));
    expect(recs).toHaveLength(3);
    const trades = steps.filter((s) => s.kind === 'trade');
    recs.forEach((rec, b) => {
      const close = T0 + b * MIN + 59_999_000;
      let es = 0, rs = 0, pi = 0, w = 0;
      for (const t of trades.filter((t) => t.ts + 5 * S <= close && t.ts + 5 * S > close - MIN)) {
        const m0 = midBefore(t.ts);
        const m5 = midBefore(t.ts + 5 * S);
        const k = (2e4 * t.d!) / m0;
        es += t.q! * (k * (t.p! - m0));
        rs += t.q! * (k * (t.p! - m5));
        pi += t.q! * (k * (m5 - m0));
        w += t.q!;
      }
      expect(w).toBeGreaterThan(0);
      expect([rec.eff_bps_vw, rec.realized_bps_vw, rec.impact_bps_vw]).toEqual([es / w, rs / w, pi / w]);
    });
    // The whole-second ticks resolved the trades before the gap: the provider armed no timer.
    expect(h.rt.counters.timers).toBe(0);
    const st = h.rt.stateOf('spread') as { pending: { slots: number; size: number } };
    expect(st.pending.slots).toBeGreaterThanOrEqual(512);
  });

  it('resumes from a snapshot taken with the queue wrapped and grown', () => {
    const steps = plan();
    const full = start();
    feed(full.h, steps, full.state);
    const cut = steps.findIndex((s) => s.ts > T0 + 30 * S);
    const a = start();
    feed(a.h, steps.slice(0, cut), a.state);
    const q = (a.h.rt.stateOf('spread') as { pending: { slots: number; size: number; head: number } }).pending;
    expect(q.size).toBeGreaterThan(256);
    expect(q.head).toBeGreaterThan(0);
    const b = start();
    b.h.rt.restore(a.h.rt.snapshot());
    feed(b.h, steps.slice(cut), a.state);
    expect(b.h.rt.digest()).toBe(full.h.rt.digest());
    expect([...a.h.out, ...b.h.out].map((e) => e.payload)).toEqual(full.h.out.map((e) => e.payload));
  });
});
