import { z } from 'zod';
import type { Component, Ctx } from '../../core/component.ts';
import type { Kline, QxEvent, Trade } from '../../core/event.ts';
import { topicOf } from '../../core/component.ts';

// Stub providers for signal tests: one component that declares every provider topic kind of
// provider-fields.md and emits, on each kline close (and optionally on trades), the records a
// test script returns. Placed before the generator, it stands in for the 14 real providers, so
// a generator test depends only on the documented record fields. Record builders fill every
// field of provider-fields.md with consistent values.

export interface Rec {
  kind: string;
  type: string;
  payload: Record<string, unknown>;
  warm?: boolean;
  degraded?: boolean;
}

export const PROVIDER_KINDS = [
  'data-cvd', 'event-cvd-deltaflip', 'data-tbsr', 'data-volume-ratio', 'data-l2-delta',
  'data-garch-volatility-forecast-5min', 'data-volatility-state', 'data-hidden-liquidity', 'data-spoofing',
  'data-spread', 'data-liquidity-vacuum', 'data-vpin-zscore', 'data-kalman', 'data-volume-profile', 'data-multi-vwap',
] as const;

export interface StubScript {
  /** Records to emit at the close of kline `k` (i counts klines from 0). */
  onKline?: (k: Kline, i: number) => Rec[];
  /** Records to emit when trade `t` arrives at `ts` µs. */
  onTrade?: (t: Trade, ts: number) => Rec[];
}

/** Returns a stub provider that emits the script's records on the real topic kinds. */
export function stubProvider(script: StubScript): Component<Record<string, never>, { i: number }> {
  const fire = (ctx: Ctx, recs: Rec[]) => {
    for (const r of recs) ctx.emit(r.kind, r.type, r.payload, { warm: r.warm ?? true, degraded: r.degraded ?? false });
  };
  return {
    id: 'stub-providers',
    layer: 'provider',
    inputs: script.onTrade === undefined ? ['kline-1m'] : ['kline-1m', 'raw-trades'],
    outputs: PROVIDER_KINDS,
    params: z.strictObject({}),
    init: () => ({ i: 0 }),
    reduce(s: { i: number }, ev: QxEvent, ctx: Ctx) {
      if (ev.topic === topicOf('raw-trades', ctx.symbol)) {
        if (script.onTrade !== undefined) fire(ctx, script.onTrade(ev.payload as Trade, ev.ts));
        return;
      }
      if (script.onKline !== undefined) fire(ctx, script.onKline(ev.payload as Kline, s.i));
      s.i++;
    },
  };
}

const bar = (t: number) => ({ bar_open_us: t });

/** CVD per bar: delta and sigma of bar delta (null in warm-up). */
export function cvd(t: number, delta: number, sigma: number | null): Rec {
  return { kind: 'data-cvd', type: 'CVD', payload: {
    ...bar(t), delta_btc: delta, cvd_btc: delta, ema_delta_btc: delta, buy_btc: Math.max(delta, 0), sell_btc: Math.max(-delta, 0),
    sigma_delta_btc: sigma,
  } };
}

/** DELTA_FLIP to `to` with `strength`. */
export function flip(to: 1 | -1, strength: number, close: number): Rec {
  return { kind: 'event-cvd-deltaflip', type: 'DELTA_FLIP', payload: {
    from: -to, to, ema_delta_btc: to * strength, threshold_btc: 0.5, strength, cvd_btc: 0, close,
  } };
}

/** TBSR of one window with buy/sell volumes (saturation and null cases as the provider gives them). */
export function tbsr(t: number, windowM: 1 | 5 | 15, buy: number, sell: number): Rec {
  const sat = sell === 0 && buy > 0 ? 'BUY' : buy === 0 && sell > 0 ? 'SELL' : null;
  const both = buy > 0 && sell > 0;
  return { kind: 'data-tbsr', type: 'TBSR', payload: {
    ...bar(t), window_m: windowM, buy_btc: buy, sell_btc: sell, tbsr: both ? buy / sell : null,
    buy_share: buy + sell > 0 ? buy / (buy + sell) : null, log_ratio: both ? Math.log(buy / sell) : null,
    z_log_ratio: null, saturated: sat,
  } };
}

export function volumeRatio(t: number, vr: number | null): Rec {
  return { kind: 'data-volume-ratio', type: 'VOLUME_RATIO', payload: {
    ...bar(t), volume_btc: 1, baseline_btc: vr === null ? 0 : 1 / vr, vr, mode: 'rolling', event: null,
  } };
}

export function l2(t: number, ofiZ: number | null): Rec {
  return { kind: 'data-l2-delta', type: 'L2_DELTA', payload: {
    ...bar(t), ofi_btc: 0, ofi_norm: 0, mlofi_btc: [0, 0, 0, 0, 0], ofi_z: ofiZ, depth_delta_bid_btc: 0, depth_delta_ask_btc: 0, n_msgs: 10,
  } };
}

export function garch(t: number, volAnnPct: number | null, status: 'WARMUP' | 'OK' | 'FALLBACK' = 'OK'): Rec {
  const v = status === 'WARMUP' ? null : volAnnPct;
  return { kind: 'data-garch-volatility-forecast-5min', type: 'GARCH', payload: {
    ...bar(t), vol_ann_pct: v, sigma_5m_pct: v === null ? null : v / 324.2, sigma_5m_usdt: null, status,
  } };
}

export function volState(t: number, state: 'UNKNOWN' | 'LOW_VOL' | 'MEDIUM_VOL' | 'HIGH_VOL', barsInState = 10, prev = state): Rec {
  return { kind: 'data-volatility-state', type: 'VOLATILITY_STATE', payload: {
    ...bar(t), state, raw_state: state, vol_ann_pct: 40, changed: prev !== state, prev_state: prev, bars_in_state: barsInState,
  } };
}

export function hidden(side: 'BID' | 'ASK', price: number, hiddenLb: number, episodeUs: number, isUpdate = false): Rec {
  return { kind: 'data-hidden-liquidity', type: 'HIDDEN_LIQUIDITY', payload: {
    side, price, executed_btc: hiddenLb + 1, displayed_start_btc: 1, visible_added_btc: 0, hidden_lb_btc: hiddenLb,
    refills: 2, absorption: hiddenLb + 1, episode_start_us: episodeUs, duration_ms: 1000, price_held: true, is_update: isUpdate,
  } };
}

export function spoofPressure(t: number, bid: number, ask: number): Rec {
  return { kind: 'data-spoofing', type: 'SPOOF_PRESSURE', payload: { ...bar(t), spoof_pressure_bid: bid, spoof_pressure_ask: ask } };
}

export function spread(t: number, z: number | null): Rec {
  return { kind: 'data-spread', type: 'SPREAD', payload: {
    ...bar(t), tws_bps: 0.1, p50_bps: 0.1, p95_bps: 0.2, max_bps: 0.3, s1btc_bps: 0.2, s10btc_bps: 1, eff_bps_vw: 0.1,
    realized_bps_vw: 0, impact_bps_vw: 0.1, roll_usdt: null, state: 'NORMAL', z,
  } };
}

export interface VoidSpec {
  lo: number;
  hi: number;
  width_bps: number;
}

export function vacuum(side: 'BID' | 'ASK', band: number, ratio: number, state: 'START' | 'ONGOING' | 'END', voids: VoidSpec[], startUs = 0): Rec {
  return { kind: 'data-liquidity-vacuum', type: 'VACUUM', payload: {
    side, band_bps: band, depth_btc: ratio * 100, baseline_btc: 100, ratio, state, duration_ms: 0, voids, coverage_ok: true, start_us: startUs,
  } };
}

export function vpin(t: number, z: number | null): Rec {
  return { kind: 'data-vpin-zscore', type: 'VPIN', payload: { ...bar(t), bucket_idx: 1, vpin: 0.3, z, cdf: 0.5 } };
}

export function kalman(t: number, slopeT: number, warm = true): Rec {
  const trend = slopeT >= 2 ? 'UP' : slopeT <= -2 ? 'DOWN' : 'FLAT';
  return { kind: 'data-kalman', type: 'KALMAN', warm, payload: {
    ...bar(t), level_usdt: 100, slope_bps_per_min: slopeT / 10, slope_t: slopeT, innov_z: 0, dev_bps: 0, trend, outlier: false,
  } };
}

export function profile(t: number, which: 'session' | 'previous' | 'rolling24h', poc: number, vah: number, val: number): Rec {
  return { kind: 'data-volume-profile', type: 'VOLUME_PROFILE', payload: {
    ...bar(t), profile: which, poc_usdt: poc, vah_usdt: vah, val_usdt: val, total_btc: 100, va_btc: 70, va_pct: 0.7, hvn: [], lvn: [],
  } };
}

/** VWAP of one anchor with bands k = 1..3 and dev_sigma = (close - vwap)/sigma (null when sigma = 0). */
export function vwap(t: number, anchor: 'day' | 'week' | 'london' | 'newyork', v: number, sigma: number, close: number): Rec {
  const p: Record<string, unknown> = {
    ...bar(t), anchor, anchor_us: 0, vwap: v, sigma, dev_sigma: sigma > 0 ? (close - v) / sigma : null, volume_btc: 10,
  };
  for (const k of [1, 2, 3]) {
    p[`upper${k}`] = v + k * sigma;
    p[`lower${k}`] = v - k * sigma;
  }
  return { kind: 'data-multi-vwap', type: 'VWAP', payload: p };
}
