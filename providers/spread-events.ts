import type { Ctx, TradeRun } from '../core/component.ts';
import type { Kline, QxEvent, Trade } from '../core/event.ts';
import type { BookView } from '../core/book.ts';
import { onBar, onTick, usableMid } from './spread-bar.ts';
import { PENDING_STRIDE, pendingGrow } from './spread-pending.ts';
import type { SpreadParams, State } from './spread.ts';

// The spread provider's reduce and its per-event work (SPEC §9): every trade and depth message
// passes here, the 1-s samples and bar records are in spread-bar.ts. The queue's push and
// resolution are here too, on the per-trade path.
//
// The event time reaches these functions as s.lastTs, not as an argument: a float passed to a
// call V8 does not inline is boxed, an allocation per event.
//
// Trade costs (spread-costs.ts has the formulas) are resolved lazily, with the same results:
// the mid only changes at a depth event, so a trade that came due at an event that left the
// mid as it was is resolved, with that same mid, at the next event that may change the mid or
// read the sums (depth, bar, the 1-s tick). reduce resolves before those, and costTrade resolves
// before it reads the queue's size or head, so every trade gets the m5 it would get at once,
// in the same order, in the same bar.

/** Applies one event to the spread state. */
export function reduceSpread(s: State, ev: QxEvent, ctx: Ctx<SpreadParams>): void {
  const ts = ev.ts;
  // The runtime has applied every depth message to the book, a late one too.
  if (ev.topic === s.depthTopic) s.sizesStale = true;
  // Inputs must arrive in time order (SPEC §0.2); an earlier one is rejected, never applied.
  if (ts < s.lastTs) {
    s.orderViolations++;
    s.flags.order = true;
    // The runtime has applied a late depth message to the book all the same; trades due by
    // the last admitted event take the mid before it.
    if (ev.topic === s.depthTopic) {
      if (s.pending.size > 0) costResolve(s);
      s.curMid = usableMid(ctx.book);
    }
    return;
  }
  s.lastTs = ts;
  const topic = ev.topic;
  if (topic === s.tradeTopic) {
    costTrade(s, ev.payload as Trade);
    return;
  }
  // curMid is still the mid before this event: depth updates it only below.
  if (s.pending.size > 0) costResolve(s);
  if (topic === 'clock') onTick(s, ts, ctx.book, ctx);
  else if (topic === s.depthTopic) onDepth(s, ctx.book);
  else if (topic === s.klineTopic) {
    accumulate(s);
    onBar(s, ts, ev.payload as Kline, ctx);
  }
}

/** Applies a run of quiet trades (Component.reduceTrades): reduceSpread on each in turn. */
export function reduceSpreadTrades(s: State, run: TradeRun, ctx: Ctx<SpreadParams>): void {
  for (let i = 0; i < run.length; i++) reduceSpread(s, run.at(i), ctx);
}

/** Closes the current top-of-book state at this event (s.lastTs) into the time-weighted sums. */
function accumulate(s: State): void {
  const now = s.lastTs;
  if (!Number.isNaN(s.curBps) && now > s.lastChange) {
    const dt = now - s.lastChange;
    s.sumSdt += s.curBps * dt;
    s.sumDt += dt;
  }
  s.lastChange = now;
}

/** Starts a top-of-book state: the usable mid (see usableMid) and its quoted spread in bps. */
function onDepth(s: State, book: BookView): void {
  accumulate(s);
  const m = usableMid(book);
  s.curMid = m;
  s.curBps = Number.isNaN(m) ? Number.NaN : (1e4 * (book.bestAsk() - book.bestBid())) / m;
}

/** Queues a trade with its pre-trade mid; a trade before the book is usable gets no ES. */
function costTrade(s: State, t: Trade): void {
  const now = s.lastTs;
  const m0 = s.curMid;
  if (Number.isNaN(m0)) return;
  const q = s.pending;
  // A full queue may hold trades already due, which the eager reading would have dropped.
  if (q.size === q.cap) costResolve(s);
  if (q.size === q.cap) {
    s.flags.overflow = true;
    return;
  }
  if (q.size === q.slots) pendingGrow(q);
  // Entry layout (spread-pending.ts): due, direction, price, pre-trade mid, size.
  const o = ((q.head + q.size) & (q.slots - 1)) * PENDING_STRIDE;
  const b = q.buf;
  b[o] = now + s.horizonUs;
  b[o + 1] = t.isBuyerMaker ? -1 : 1;
  b[o + 2] = t.price;
  b[o + 3] = m0;
  b[o + 4] = t.qty;
  q.size++;
}

/**
 * Resolves every queued trade due by this event (s.lastTs, the last admitted one) with m5 =
 * s.curMid, the mid just before it (depth updates curMid only after this).
 */
function costResolve(s: State): void {
  const now = s.lastTs;
  const m5 = s.curMid;
  const q = s.pending;
  const b = q.buf;
  const mask = q.slots - 1;
  while (q.size > 0) {
    // The head entry: due, direction, price, pre-trade mid, size (spread-pending.ts).
    const o = q.head * PENDING_STRIDE;
    if (b[o] > now) return;
    if (Number.isNaN(m5)) s.flags.unresolved = true;
    else {
      const m0 = b[o + 3];
      const k = (2e4 * b[o + 1]) / m0;
      const w = b[o + 4];
      s.esSum += w * (k * (b[o + 2] - m0));
      s.rsSum += w * (k * (b[o + 2] - m5));
      s.piSum += w * (k * (m5 - m0));
      s.qSum += w;
    }
    q.head = (q.head + 1) & mask;
    q.size--;
  }
}
