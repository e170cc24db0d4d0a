import { withDoubleFields } from '../core/shape.ts';
import { US_PER_SECOND } from '../core/time.ts';
import { num } from './features.ts';

// Void tracking and sweep detection for Void Swept (SPEC §15.7). Per trade the work is a loop
// over at most `voidsMax` voids with no allocation: the hot path of the whole pipeline.
// An ASK void lies above the mid and is swept upward (dir +1) from its low edge; a BID void lies
// below and is swept downward (dir -1) from its high edge.

export interface VoidT {
  dir: 1 | -1;
  lo: number;
  hi: number;
  band: number;
  widthBps: number;
  /** Last time a VACUUM record listed this void. */
  seenUs: number;
  /** The last trade at or behind the near edge: the sweep's P0 candidate (startUs < 0: none). */
  startPx: number;
  startUs: number;
}

export interface Sweep {
  active: boolean;
  dir: 1 | -1;
  p0: number;
  x: number;
  startUs: number;
  detectUs: number;
  lo: number;
  hi: number;
  widthBps: number;
  band: number;
  voidSide: 'BID' | 'ASK';
  /** Bar closes evaluated since the sweep. */
  bars: number;
}

/** A void's number fields beyond its direction (core/shape.ts says why). */
const VOID_NUMBERS = ['lo', 'hi', 'band', 'widthBps', 'seenUs', 'startPx', 'startUs'] as const;

/** The last trade seen: a void reported just after its approach still gets its P0. */
export interface LastTrade {
  px: number;
  us: number;
}

interface SweepParams {
  setupSec: number;
  sweepSec: number;
  crossMin: number;
  voidsMax: number;
}

/** Applies one trade: extends the open sweep's extreme, then checks every recent void. */
export function sweepTrade(voids: VoidT[], sw: Sweep, last: LastTrade, px: number, ts: number, p: SweepParams): void {
  last.px = px;
  last.us = ts;
  const sweepUs = p.sweepSec * US_PER_SECOND;
  if (sweepOpenAt(sw, ts, p) && (sw.dir > 0 ? px > sw.x : px < sw.x)) sw.x = px;
  for (let i = 0; i < voids.length; i++) {
    const v = voids[i];
    if (!voidFreshAt(v, ts, p)) continue;
    const reach = p.crossMin * (v.hi - v.lo);
    const behind = v.dir > 0 ? px <= v.lo : px >= v.hi;
    if (behind) {
      v.startPx = px;
      v.startUs = ts;
    } else if (v.startUs >= 0 && ts - v.startUs <= sweepUs && (v.dir > 0 ? px >= v.lo + reach : px <= v.hi - reach)) {
      sweepBegin(sw, v, px, ts);
    }
  }
}

/**
 * Whether a trade at `ts` or later can only move `last`: no open sweep whose extreme it could
 * extend, and every void older than the setup window (voids are listed in no time order, and a
 * trade never makes a stale void fresh again). Most of a day's trades come when this holds.
 */
export function sweepIdle(voids: readonly VoidT[], sw: Sweep, ts: number, p: SweepParams): boolean {
  if (sweepOpenAt(sw, ts, p)) return false;
  for (let i = 0; i < voids.length; i++) if (voidFreshAt(voids[i], ts, p)) return false;
  return true;
}

/** Whether a trade at `ts` can still extend the open sweep's extreme (within sweepSec of its start). */
function sweepOpenAt(sw: Sweep, ts: number, p: SweepParams): boolean {
  return sw.active && ts <= sw.startUs + p.sweepSec * US_PER_SECOND;
}

/** Whether the void was reported within setupSec before `ts`, so a trade at `ts` can start or make a sweep. */
function voidFreshAt(v: VoidT, ts: number, p: SweepParams): boolean {
  return ts - v.seenUs <= p.setupSec * US_PER_SECOND;
}

function sweepBegin(sw: Sweep, v: VoidT, px: number, ts: number): void {
  sw.active = true;
  sw.dir = v.dir;
  sw.p0 = v.startPx;
  sw.x = px;
  sw.startUs = v.startUs;
  sw.detectUs = ts;
  sw.lo = v.lo;
  sw.hi = v.hi;
  sw.widthBps = v.widthBps;
  sw.band = v.band;
  sw.voidSide = v.dir > 0 ? 'ASK' : 'BID';
  sw.bars = 0;
  v.startUs = -1;
}

/** Adds or refreshes the voids a VACUUM record lists (START and ONGOING; END refreshes too). */
export function voidsApply(
  voids: VoidT[], last: LastTrade, payload: Record<string, unknown>, now: number, p: SweepParams,
): void {
  if (payload.coverage_ok === false || (payload.side !== 'BID' && payload.side !== 'ASK')) return;
  const dir = payload.side === 'ASK' ? 1 : -1;
  const band = num(payload.band_bps) ?? 0;
  const list = Array.isArray(payload.voids) ? (payload.voids as Array<Record<string, unknown>>) : [];
  for (const raw of list) {
    const lo = num(raw.lo);
    const hi = num(raw.hi);
    if (lo === null || hi === null || !(hi > lo)) continue;
    const v = voids.find((x) => x.dir === dir && x.lo === lo && x.hi === hi);
    if (v !== undefined) {
      v.seenUs = now;
      continue;
    }
    const behind = dir > 0 ? last.px <= lo : last.px >= hi;
    const fresh = behind && now - last.us <= p.sweepSec * US_PER_SECOND;
    const nv: VoidT = withDoubleFields({
      dir, lo, hi, band, widthBps: num(raw.width_bps) ?? (1e4 * (hi - lo)) / lo, seenUs: now,
      startPx: fresh ? last.px : NaN, startUs: fresh ? last.us : -1,
    }, VOID_NUMBERS);
    if (voids.length < p.voidsMax) voids.push(nv);
    else voids[oldest(voids)] = nv;
  }
}

function oldest(voids: VoidT[]): number {
  let k = 0;
  for (let i = 1; i < voids.length; i++) if (voids[i].seenUs < voids[k].seenUs) k = i;
  return k;
}

/** Drops voids not reported since `sinceUs`, keeping the order of the others. */
export function voidsPrune(voids: VoidT[], sinceUs: number): void {
  let j = 0;
  for (let i = 0; i < voids.length; i++) if (voids[i].seenUs >= sinceUs) voids[j++] = voids[i];
  voids.length = j;
}
