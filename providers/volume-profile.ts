import { admitInOrder } from '../core/bar-admission.ts';
import { z } from 'zod';
import type { Component, Ctx, TradeRun } from '../core/component.ts';
import type { Kline, QxEvent, Trade } from '../core/event.ts';
import { topicOf } from '../core/component.ts';
import { dayFloor, minuteFloor, US_PER_DAY, US_PER_MINUTE } from '../core/time.ts';
import { binAdd, binsNew, profileStats, type Bins, type ProfileStats } from './volume-profile-math.ts';

// SPEC §13, Volume Profile: traded volume per price bin (bin i covers [i*w, (i+1)*w)) for three
// profiles: the UTC session (reset at 00:00), the previous session (frozen at the reset) and a
// rolling 24 h profile kept as a ring of 1440 per-minute bin deltas subtracted on expiry.
// Volumes are integer lots (qty * lotsPerBtc, rounded), so the rolling profile equals a
// from-scratch recomputation bit for bit. Bins live in arrays sorted by bin number
// (volume-profile-math.ts), read in that order at use. At a bar close (open t) the
// rolling window is minutes [t - 1439 min, t].
// Speed: a trade only adds to the current minute's short (bin, lots) list; the minute is folded
// into the session and rolling maps, and stored in its ring slot, when it ends (at the next
// minute's first trade or at the bar close), so the maps change per distinct bin per minute.

export const VolumeProfileParams = z.strictObject({
  binUsdt: z.number().positive().default(10),
  tickUsdt: z.number().positive().default(0.01),
  lotBtc: z.number().positive().default(0.00001),
  vaRows: z.union([z.literal(1), z.literal(2)]).default(2),
  vaShare: z.number().gt(0).max(1).default(0.7),
}).refine((p) => {
  const k = Math.round(p.binUsdt / p.tickUsdt);
  return k >= 1 && Math.abs(k * p.tickUsdt - p.binUsdt) <= 1e-9 * p.binUsdt;
}, { message: 'binUsdt must be a whole number of ticks (tickUsdt)' });
export type VolumeProfileParams = z.infer<typeof VolumeProfileParams>;

const RING_MINUTES = 1440;
const PROFILES = ['session', 'previous', 'rolling24h'] as const;

interface State {
  tradeTopic: string;
  klineTopic: string;
  binTicks: number;
  lotsPerBtc: number;
  sessionDay: number;
  session: Bins;
  sessionPartial: boolean;
  /** Statistics of the previous session, computed once when it froze (null: no volume). */
  previous: ProfileStats | null;
  previousPartial: boolean;
  rolling: Bins;
  /** The minute being accumulated and its parallel (bin, lots) lists (the first curN live). */
  curMinute: number;
  /** End of curMinute and of the session day: a trade before them starts neither. */
  minuteEnd: number;
  dayEnd: number;
  /** The last trade's price and its bin (consecutive trades mostly share a price). */
  lastPrice: number;
  lastBin: number;
  curBin: number[];
  curLots: number[];
  curN: number;
  /** Per ring slot: the minute it holds (-1 when empty) and that minute's (bin, lots) deltas. */
  slotMinute: number[];
  slotBin: number[][];
  slotLots: number[][];
  startMinute: number;
  lastTs: number;
  orderViolations: number;
  orderFlag: boolean;
}

function init(p: VolumeProfileParams, symbol: string): State {
  return {
    tradeTopic: topicOf('raw-trades', symbol),
    klineTopic: topicOf('kline-1m', symbol),
    binTicks: Math.round(p.binUsdt / p.tickUsdt),
    lotsPerBtc: Math.round(1 / p.lotBtc),
    sessionDay: -Infinity,
    session: binsNew(),
    sessionPartial: false,
    previous: null,
    previousPartial: false,
    rolling: binsNew(),
    curMinute: -1,
    minuteEnd: -Infinity,
    dayEnd: -Infinity,
    lastPrice: NaN,
    lastBin: NaN,
    curBin: [],
    curLots: [],
    curN: 0,
    slotMinute: new Array<number>(RING_MINUTES).fill(-1),
    slotBin: Array.from({ length: RING_MINUTES }, () => []),
    slotLots: Array.from({ length: RING_MINUTES }, () => []),
    startMinute: NaN,
    lastTs: -Infinity,
    orderViolations: 0,
    orderFlag: false,
  };
}

/**
 * Starts a new session at 00:00 UTC, freezing the one that ended if it was the previous day.
 * The event's time is s.lastTs here and in startMinute and onBar, not an argument: V8 boxed a
 * float argument of these rare calls once per trade (CONTRIBUTING.md, "Numbers on the hot path").
 */
function rollDay(s: State, p: VolumeProfileParams): void {
  const day = dayFloor(s.lastTs);
  if (day <= s.sessionDay) return;
  if (s.sessionDay === day - US_PER_DAY) {
    s.previous = profileStats(s.session, p.binUsdt, s.lotsPerBtc, p.vaRows, p.vaShare);
    s.previousPartial = s.sessionPartial;
  } else {
    s.previous = null;
    s.previousPartial = false;
  }
  s.sessionDay = day;
  s.dayEnd = day + US_PER_DAY;
  s.session = binsNew();
  s.sessionPartial = s.startMinute > day;
}

/** Subtracts an expired minute's deltas from the rolling profile and empties its slot. */
function expireSlot(s: State, idx: number): void {
  const bins = s.slotBin[idx];
  const lots = s.slotLots[idx];
  for (let i = 0; i < bins.length; i++) binAdd(s.rolling, bins[i], -lots[i]);
  s.slotBin[idx] = [];
  s.slotLots[idx] = [];
  s.slotMinute[idx] = -1;
}

/** Folds the current minute into the session and rolling maps and into its ring slot. */
function foldMinute(s: State): void {
  const n = s.curN;
  if (n === 0) return;
  const minute = s.curMinute;
  const idx = (minute / US_PER_MINUTE) % RING_MINUTES;
  // A slot still holding a minute 1440 minutes older is outside every later window.
  if (s.slotMinute[idx] !== minute) {
    expireSlot(s, idx);
    s.slotMinute[idx] = minute;
  }
  const slotBin = s.slotBin[idx];
  const slotLots = s.slotLots[idx];
  for (let i = 0; i < n; i++) {
    const bin = s.curBin[i];
    const lots = s.curLots[i];
    binAdd(s.session, bin, lots);
    binAdd(s.rolling, bin, lots);
    slotBin.push(bin);
    slotLots.push(lots);
  }
  s.curN = 0;
}

/** Adds a trade to the current minute, skipping the minute and day arithmetic while both are unchanged. */
function onTrade(s: State, ts: number, t: Trade, p: VolumeProfileParams): void {
  // Inputs are in time order, so ts >= curMinute and ts >= sessionDay here.
  if (ts >= s.minuteEnd) startMinute(s);
  if (ts >= s.dayEnd) rollDay(s, p);
  const lots = Math.round(t.qty * s.lotsPerBtc);
  if (!(lots > 0)) return;
  const price = t.price;
  if (price !== s.lastPrice) {
    s.lastPrice = price;
    s.lastBin = Math.floor(Math.round(price / p.tickUsdt) / s.binTicks);
  }
  const bin = s.lastBin;
  // A minute touches few bins, usually the last one again: search backwards.
  for (let i = s.curN - 1; i >= 0; i--) {
    if (s.curBin[i] === bin) {
      s.curLots[i] += lots;
      return;
    }
  }
  s.curBin[s.curN] = bin;
  s.curLots[s.curN] = lots;
  s.curN++;
}

/** Ends the current minute (if the trade is in another one) and starts the trade's minute. */
function startMinute(s: State): void {
  const minute = minuteFloor(s.lastTs);
  if (minute !== s.curMinute) {
    // The minute that ended belongs to the session still open, so fold before a day roll.
    foldMinute(s);
    s.curMinute = minute;
  }
  s.minuteEnd = minute + US_PER_MINUTE;
}

function onBar(s: State, k: Kline, ctx: Ctx<VolumeProfileParams>): void {
  const ts = s.lastTs;
  const p = ctx.params;
  foldMinute(s);
  rollDay(s, p);
  const cutoff = k.t - (RING_MINUTES - 1) * US_PER_MINUTE;
  for (let i = 0; i < RING_MINUTES; i++) if (s.slotMinute[i] >= 0 && s.slotMinute[i] < cutoff) expireSlot(s, i);
  const base = s.orderFlag ? ['ORDER_VIOLATION'] : [];
  s.orderFlag = false;
  const stats: Record<(typeof PROFILES)[number], ProfileStats | null> = {
    session: profileStats(s.session, p.binUsdt, s.lotsPerBtc, p.vaRows, p.vaShare),
    previous: s.previous,
    rolling24h: profileStats(s.rolling, p.binUsdt, s.lotsPerBtc, p.vaRows, p.vaShare),
  };
  const partial = { session: s.sessionPartial, previous: s.previousPartial, rolling24h: s.startMinute > cutoff };
  const start = { session: s.sessionDay, previous: s.sessionDay - US_PER_DAY, rolling24h: cutoff };
  for (const profile of PROFILES) {
    const st = stats[profile];
    if (st === null) continue;
    // The node lists are copied so no emitted record shares an array with the state.
    const payload = { bar_open_us: k.t, profile, ...st, hvn: st.hvn.slice(), lvn: st.lvn.slice() };
    ctx.emit('data-volume-profile', 'VOLUME_PROFILE', payload, {
      warm: !partial[profile],
      degraded: base.length > 0,
      flags: partial[profile] ? [...base, 'PARTIAL'] : base,
      window: { start_us: start[profile], end_us: profile === 'previous' ? s.sessionDay : ts },
    });
  }
}

export const volumeProfile: Component<VolumeProfileParams, State> = {
  id: 'volume-profile',
  layer: 'provider',
  inputs: ['raw-trades', 'kline-1m'],
  outputs: ['data-volume-profile'],
  params: VolumeProfileParams,
  init,
  reduce(s: State, ev: QxEvent, ctx: Ctx<VolumeProfileParams>) {
    const ts = ev.ts;
    // Inputs must arrive in time order (SPEC §0.2); an earlier one is rejected, never applied.
    if (!admitInOrder(s, ts)) return;
    const isTrade = ev.topic === s.tradeTopic;
    if (Number.isNaN(s.startMinute)) s.startMinute = isTrade ? minuteFloor(ts) : (ev.payload as Kline).t;
    if (isTrade) onTrade(s, ts, ev.payload as Trade, ctx.params);
    else if (ev.topic === s.klineTopic) onBar(s, ev.payload as Kline, ctx);
  },
  // A trade only adds to the minute's bins (rolling minutes and days over): records come at bar closes.
  tradesQuietUntil: () => Infinity,
  reduceTrades(s: State, run: TradeRun, ctx: Ctx<VolumeProfileParams>) {
    for (let i = 0; i < run.length; i++) volumeProfile.reduce(s, run.at(i), ctx);
  },
};
