import { describe, expect, it } from 'vitest';
import { KLINE_CLOSE_OFFSET_US, type Kline } from '../../core/event.ts';
import { tradeResult } from '../../engines/fills.ts';
import { MIN, T0, engineRun, scenario, tr, type Input, type MarketBar } from '../support/stubs-engines.ts';

// Goal: the engine applies SPEC §17 fills: entry at the next bar's open (or the one after when a
// bar is missing, cancelled after a 2-bar delay), the stop through a gap at the open, TP exactly at
// the limit, both levels in one bar (bar: SL first; tape: the first trade decides, both orders),
// the time stop at bar k+1+240, fees and R in the TRADE record, mark-to-market equity, and sizing.
// Method: a long signal on bar 20 (close 50 000, ATR14 300, MEDIUM → D_SL 450) into the 'ald'
// engine, with hand-set later bars; the expected numbers are closed forms.

const ALD = 'signal-uso-ald';
const SLIP = 1e-4;
const close = (i: number) => T0 + i * MIN + KLINE_CLOSE_OFFSET_US;

interface Case {
  bars?: Record<number, Partial<Kline> | null>;
  trades?: Input[];
  n?: number;
  direction?: 1 | -1;
  params?: Record<string, unknown>;
  market?: (t: number) => Partial<MarketBar>;
}

function trade(c: Case) {
  const r = engineRun({ signals: { [ALD]: [{ t: T0 + 20 * MIN, direction: c.direction ?? 1 }] }, params: c.params, market: c.market });
  r.feed(scenario(c.n ?? 40, c.bars ?? {}, c.trades ?? []));
  return { r, trades: r.on('trades', 'TRADE'), cmds: r.on('execution-commands') };
}

describe('engines > engine > entry', () => {
  it('enters at the next open with slippage and places SL/TP around the fill', () => {
    const { trades } = trade({ bars: { 21: { o: 50_100, c: 50_100 }, 24: { h: 51_100 } } });
    const e = 50_100 * (1 + SLIP);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ entry_us: T0 + 21 * MIN, entry_px: e, sl: e - 450, tp: e + 900, exit_reason: 'TP', exit_px: e + 900 });
  });

  it('uses the bar after a missing one, and cancels after a 2-bar delay', () => {
    const late = trade({ bars: { 21: null, 22: { o: 50_200, c: 50_200 } } });
    expect(late.r.state().position).toMatchObject({ entry_bar_us: T0 + 22 * MIN, entry_px: 50_200 * (1 + SLIP) });
    const gone = trade({ bars: { 21: null, 22: null } });
    expect(gone.cmds.map((c) => c.order ?? c.reason)).toEqual(['MARKET', 'NO_ENTRY_BAR']);
    expect(gone.trades).toEqual([]);
    expect(gone.r.state().status).toBe('IDLE');
    expect(gone.r.state().trail).toContain('EXECUTING>IDLE');
    expect(gone.r.state().equity).toBe(100_000);
  });
});

describe('engines > engine > exits', () => {
  const e = 50_000 * (1 + SLIP);

  it('fills a stop through a gap at the open, with slippage', () => {
    const { trades, cmds } = trade({ bars: { 22: { o: 49_000, c: 49_100 } } });
    expect(trades[0]).toMatchObject({ exit_reason: 'SL', exit_px: 49_000 * (1 - SLIP), exit_us: close(22), bars_held: 2, both_touched: false });
    expect(cmds.at(-1)).toMatchObject({ reason: 'SL', price: 49_000 * (1 - SLIP), trade_id: trades[0].trade_id });
  });

  it('fills TP exactly at the limit', () => {
    const { trades } = trade({ bars: { 22: { h: 52_000 } } });
    expect(trades[0]).toMatchObject({ exit_reason: 'TP', exit_px: e + 900 });
  });

  it('takes SL first when both levels lie in one bar (bar mode)', () => {
    const { trades } = trade({ bars: { 22: { h: 51_000, l: 49_000 } } });
    expect(trades[0]).toMatchObject({ exit_reason: 'SL', exit_px: (e - 450) * (1 - SLIP), both_touched: true });
  });

  it('lets the first trade beyond a level decide in tape mode, in both orders, on later and on entry bars', () => {
    const bar22 = { 22: { h: 51_000, l: 49_000 } };
    const t = (s: number, id: number, px: number) => tr(T0 + 22 * MIN + s * 1e6, id, px);
    const upFirst = trade({ params: { fill_mode: 'tape' }, bars: bar22, trades: [t(0, 1, 50_000), t(10, 2, 50_950), t(20, 3, 49_400)] });
    expect(upFirst.trades[0]).toMatchObject({ exit_reason: 'TP', exit_px: e + 900, both_touched: true });
    const downFirst = trade({ params: { fill_mode: 'tape' }, bars: bar22, trades: [t(0, 1, 50_000), t(10, 2, 49_400), t(20, 3, 50_950)] });
    expect(downFirst.trades[0]).toMatchObject({ exit_reason: 'SL', both_touched: true });
    // On the entry bar the levels come from the minute's first trade, the open.
    const entryBar = [tr(T0 + 21 * MIN, 1, 50_000), tr(T0 + 21 * MIN + 5e6, 2, 50_910), tr(T0 + 21 * MIN + 9e6, 3, 49_000)];
    const onEntry = trade({ params: { fill_mode: 'tape' }, bars: { 21: { h: 51_000, l: 49_000 } }, trades: entryBar });
    expect(onEntry.trades[0]).toMatchObject({ exit_reason: 'TP', exit_us: close(21), bars_held: 1 });
    const barMode = trade({ bars: { 21: { h: 51_000, l: 49_000 } }, trades: entryBar });
    expect(barMode.trades[0]).toMatchObject({ exit_reason: 'SL', exit_us: close(21) });
  });

  it('stops on time at the close of bar k+1+240', () => {
    const { trades } = trade({ n: 270, bars: { 261: { c: 50_120 } } });
    expect(trades[0]).toMatchObject({ exit_reason: 'TIME', exit_us: close(261), exit_px: 50_120 * (1 - SLIP), bars_held: 241 });
  });

  it('mirrors everything for a short', () => {
    const es = 50_000 * (1 - SLIP);
    const { trades } = trade({ direction: -1, bars: { 22: { l: 48_000 } } });
    expect(trades[0]).toMatchObject({ side: 'SHORT', entry_px: es, sl: es + 450, tp: es - 900, exit_reason: 'TP', exit_px: es - 900 });
    expect(trades[0].r_gross).toBeCloseTo(2, 12);
  });
});

describe('engines > engine > costs, equity and size', () => {
  it('books fees, PnL and R as closed forms and marks equity to market at each close', () => {
    const e = 50_000 * (1 + SLIP);
    const { r, trades } = trade({ bars: { 21: { o: 50_000, c: 50_200 }, 23: { h: 52_000 } } });
    const want = tradeResult(1, e, e + 900, 1.11111, 450, 0.001, 0.001);
    expect(trades[0]).toMatchObject({ qty: 1.11111, d_sl: 450, regime: 'MEDIUM', session: 'london', fees_usdt: want.fees_usdt, pnl_usdt: want.pnl_usdt, r_gross: 2, r_net: want.r_net });
    const eq = r.on('equity');
    const at = (i: number) => eq.find((x) => x.bar_open_us === T0 + i * MIN)!;
    expect(at(20)).toMatchObject({ equity_usdt: 100_000, in_position: false, state: 'PENDING' });
    expect(at(21).equity_usdt).toBeCloseTo(100_000 - want.fee_entry_usdt + (50_200 - e) * 1.11111, 8);
    expect(at(21)).toMatchObject({ in_position: true, state: 'EXECUTING' });
    expect(at(23)).toMatchObject({ in_position: false, state: 'COOLDOWN' });
    expect(at(23).equity_usdt).toBeCloseTo(100_000 + want.pnl_usdt, 8);
    expect(eq).toHaveLength(40);
  });

  it('charges the maker fee on TP when configured', () => {
    const { trades } = trade({ params: { tp_fee: 'maker', fee_maker_bps: 2 }, bars: { 22: { h: 52_000 } } });
    const e = 50_000 * (1 + SLIP);
    expect(trades[0].fees_usdt).toBeCloseTo(e * 1.11111 * 0.001 + (e + 900) * 1.11111 * 0.0002, 9);
  });

  it('sizes by regime (ATR x 1.0/1.5/2.0, clamped to 88 bps) and by sigma in sigma mode', () => {
    const size = (vol_state: string, params: Record<string, unknown> = {}) => trade({ market: () => ({ vol_state, sigma_5m_usdt: 250 }), params }).r.on('execution-commands', 'ENTER')[0];
    expect(size('LOW_VOL')).toMatchObject({ d_sl: 50_000 * 0.0088, qty: 1.13636, regime: 'LOW' });
    expect(size('MEDIUM_VOL')).toMatchObject({ d_sl: 450, qty: 1.11111 });
    expect(size('HIGH_VOL')).toMatchObject({ d_sl: 600, qty: 0.83333, regime: 'HIGH' });
    expect(size('MEDIUM_VOL', { stop_mode: 'sigma' })).toMatchObject({ d_sl: 500, qty: 1 });
    expect(size('HIGH_VOL', { stop_mode: 'sigma' })).toMatchObject({ d_sl: 625, qty: 0.8 });
  });

  it('rejects with gate sizing while ATR14 is warming up', () => {
    const r = engineRun({ signals: { [ALD]: [{ t: T0 + 10 * MIN, direction: 1 }] } });
    r.feed(scenario(15));
    expect(r.on('validation')).toMatchObject([{ accepted: false, gate: 'sizing', reason: 'ATR14 missing' }]);
    expect(r.state().status).toBe('IDLE');
  });
});
