import type { Kline, Out, QxEvent } from '../core/event.ts';
import { topicOf } from '../core/component.ts';
import { atrInit, atrUpdate, type AtrState } from '../core/indicators.ts';
import { objectArray } from '../core/shape.ts';

// Feature tracking shared by the signal generators (SPEC §15 notation). Plain-state helpers,
// not a component: each generator keeps one `Feat` in its state, feeds it every event it
// receives, and reads the values of the bar under evaluation in `settle`. Per-bar provider
// values are stored with their `bar_open_us`, so a reader gets null, never a stale value,
// when a provider said nothing for the current bar.

/** A per-bar scalar and the open time of the bar it belongs to. */
export interface BarVal {
  t: number;
  v: number | null;
}

/** The kline under evaluation (a copy: readers reuse event objects). */
export interface Bar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  V: number;
}

export interface VwapRec {
  t: number;
  vwap: number | null;
  upper1: number | null;
  lower1: number | null;
  upper2: number | null;
  lower2: number | null;
  devSigma: number | null;
}

export interface ProfRec {
  t: number;
  poc: number | null;
  vah: number | null;
  val: number | null;
}

/** One HIDDEN_LIQUIDITY record as received (updates of an episode are separate entries). */
export interface HiddenEv {
  ts: number;
  side: 'BID' | 'ASK';
  price: number;
  hiddenLb: number;
  episodeUs: number;
  isUpdate: boolean;
}

/** The latest VACUUM report of one (side, band). */
export interface VacBand {
  side: 'BID' | 'ASK';
  band: number;
  active: boolean;
  ratio: number | null;
  ts: number;
}

export interface Feat {
  klineTopic: string;
  /** True from a kline's arrival until `featTake` hands the bar to the generator. */
  pending: boolean;
  /** Any input since the last evaluated bar carried `degraded`. */
  degraded: boolean;
  barDegraded: boolean;
  /** Bars seen (the bar index of `bar`, counted from 1). */
  n: number;
  bar: Bar;
  atr: AtrState;
  cvd: { t: number; delta: number | null; sigma: number | null };
  /** ln(tbsr_5m), +-Infinity when one side saturates. */
  logTbsr5: BarVal;
  vr: BarVal;
  ofiZ: BarVal;
  vpinZ: BarVal;
  spreadZ: BarVal;
  /** Kalman slope_t, kept only from warm records: its values are never null during warm-up. */
  slopeT: BarVal;
  /** GARCH vol_ann_pct, kept only with status OK. */
  volAnn: BarVal;
  volState: { t: number; state: string; barsInState: number };
  spoof: { t: number; bid: number; ask: number };
  vwap: { day: VwapRec; week: VwapRec; london: VwapRec; newyork: VwapRec };
  prof: { session: ProfRec; previous: ProfRec };
  flip: { ts: number; to: number; strength: number | null };
  /** The newest HIDDEN_LIQUIDITY records, oldest first, at most `hiddenMax`. */
  hidden: HiddenEv[];
  hiddenMax: number;
  vac: VacBand[];
}

const NO_BAR = -Infinity;

function vwapNew(): VwapRec {
  return { t: NO_BAR, vwap: null, upper1: null, lower1: null, upper2: null, lower2: null, devSigma: null };
}

function profNew(): ProfRec {
  return { t: NO_BAR, poc: null, vah: null, val: null };
}

function bv(): BarVal {
  return { t: NO_BAR, v: null };
}

/** Returns a fresh feature store for `symbol`. */
export function featNew(symbol: string, atrBars = 14, hiddenMax = 32): Feat {
  return {
    klineTopic: topicOf('kline-1m', symbol),
    pending: false, degraded: false, barDegraded: false, n: 0,
    bar: { t: NO_BAR, o: NaN, h: NaN, l: NaN, c: NaN, v: NaN, V: NaN },
    atr: atrInit(atrBars),
    cvd: { t: NO_BAR, delta: null, sigma: null },
    logTbsr5: bv(), vr: bv(), ofiZ: bv(), vpinZ: bv(), spreadZ: bv(), slopeT: bv(), volAnn: bv(),
    volState: { t: NO_BAR, state: 'UNKNOWN', barsInState: 0 },
    spoof: { t: NO_BAR, bid: 0, ask: 0 },
    vwap: { day: vwapNew(), week: vwapNew(), london: vwapNew(), newyork: vwapNew() },
    prof: { session: profNew(), previous: profNew() },
    flip: { ts: NO_BAR, to: 0, strength: null },
    hidden: objectArray(), hiddenMax, vac: objectArray(),
  };
}

/** Returns a finite number, or null for null, NaN or a non-number. */
export function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function setBv(b: BarVal, t: unknown, v: unknown): void {
  b.t = typeof t === 'number' ? t : NO_BAR;
  b.v = num(v);
}

/**
 * Applies one event to the store: a kline starts a new bar (ATR included), a provider record
 * updates its feature. Returns the provider record, or null for a kline or a foreign event.
 */
export function featReduce(f: Feat, ev: QxEvent, now: number): Out | null {
  if (ev.topic === f.klineTopic) {
    barStart(f, ev.payload as Kline);
    return null;
  }
  const o = ev.payload as Out;
  if (o === null || typeof o !== 'object' || typeof o.type !== 'string') return null;
  if (o.degraded) f.degraded = true;
  recordApply(f, o, now);
  return o;
}

function barStart(f: Feat, k: Kline): void {
  const b = f.bar;
  b.t = k.t; b.o = k.o; b.h = k.h; b.l = k.l; b.c = k.c; b.v = k.v; b.V = k.V;
  f.n++;
  atrUpdate(f.atr, k.h, k.l, k.c);
  f.pending = true;
}

function recordApply(f: Feat, o: Out, now: number): void {
  const p = o.payload as Record<string, unknown>;
  const t = p.bar_open_us;
  switch (o.type) {
    case 'CVD':
      f.cvd.t = t as number; f.cvd.delta = num(p.delta_btc); f.cvd.sigma = num(p.sigma_delta_btc);
      return;
    case 'TBSR':
      if (p.window_m === 5) setBv(f.logTbsr5, t, logTbsr(p));
      return;
    case 'VOLUME_RATIO': return setBv(f.vr, t, p.vr);
    case 'L2_DELTA': return setBv(f.ofiZ, t, p.ofi_z);
    case 'VPIN': return setBv(f.vpinZ, t, p.z);
    case 'SPREAD': return setBv(f.spreadZ, t, p.z);
    case 'KALMAN': return setBv(f.slopeT, t, o.warm ? p.slope_t : null);
    case 'GARCH': return setBv(f.volAnn, t, p.status === 'OK' ? p.vol_ann_pct : null);
    case 'VOLATILITY_STATE':
      f.volState.t = t as number; f.volState.state = String(p.state); f.volState.barsInState = num(p.bars_in_state) ?? 0;
      return;
    case 'SPOOF_PRESSURE':
      f.spoof.t = t as number; f.spoof.bid = num(p.spoof_pressure_bid) ?? 0; f.spoof.ask = num(p.spoof_pressure_ask) ?? 0;
      return;
    case 'VWAP': return vwapApply(f, p);
    case 'VOLUME_PROFILE': return profApply(f, p);
    case 'DELTA_FLIP':
      f.flip.ts = now; f.flip.to = p.to as number; f.flip.strength = num(p.strength);
      return;
    case 'HIDDEN_LIQUIDITY': return hiddenApply(f, p, now);
    case 'VACUUM': return vacApply(f, p, now);
    default:
  }
}

function logTbsr(p: Record<string, unknown>): number | null {
  const r = num(p.tbsr);
  if (r !== null && r > 0) return Math.log(r);
  if (p.saturated === 'BUY') return Infinity;
  if (p.saturated === 'SELL') return -Infinity;
  return null;
}

function vwapApply(f: Feat, p: Record<string, unknown>): void {
  const a = p.anchor;
  const r = a === 'day' ? f.vwap.day : a === 'week' ? f.vwap.week : a === 'london' ? f.vwap.london
    : a === 'newyork' ? f.vwap.newyork : null;
  if (r === null) return;
  r.t = p.bar_open_us as number;
  r.vwap = num(p.vwap); r.devSigma = num(p.dev_sigma);
  r.upper1 = num(p.upper1); r.lower1 = num(p.lower1); r.upper2 = num(p.upper2); r.lower2 = num(p.lower2);
}

function profApply(f: Feat, p: Record<string, unknown>): void {
  const r = p.profile === 'session' ? f.prof.session : p.profile === 'previous' ? f.prof.previous : null;
  if (r === null) return;
  r.t = p.bar_open_us as number;
  r.poc = num(p.poc_usdt); r.vah = num(p.vah_usdt); r.val = num(p.val_usdt);
}

function hiddenApply(f: Feat, p: Record<string, unknown>, now: number): void {
  const price = num(p.price);
  if (price === null || (p.side !== 'BID' && p.side !== 'ASK')) return;
  if (f.hidden.length >= f.hiddenMax) f.hidden.shift();
  f.hidden.push({
    ts: now, side: p.side, price, hiddenLb: num(p.hidden_lb_btc) ?? 0,
    episodeUs: num(p.episode_start_us) ?? now, isUpdate: p.is_update === true,
  });
}

function vacApply(f: Feat, p: Record<string, unknown>, now: number): void {
  if (p.coverage_ok === false || (p.side !== 'BID' && p.side !== 'ASK')) return;
  const band = num(p.band_bps) ?? 0;
  let e = f.vac.find((x) => x.side === p.side && x.band === band);
  if (e === undefined) {
    e = { side: p.side, band, active: false, ratio: null, ts: NO_BAR };
    f.vac.push(e);
  }
  e.active = p.state !== 'END';
  e.ratio = num(p.ratio);
  e.ts = now;
}

/** Returns true once per kline, when the generator should evaluate the bar it brought. */
export function featTake(f: Feat): boolean {
  if (!f.pending) return false;
  f.pending = false;
  f.barDegraded = f.degraded;
  f.degraded = false;
  return true;
}
