import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KLINE_CLOSE_OFFSET_US, type Depth, type Kline, type QxEvent, type Trade } from '../../core/event.ts';
import type { StreamKind } from '../../adapters/columnar.ts';

// Hand-built raw events for the dataset tests, and a deep copy of the reused event a reader hands
// out (typed-array levels become plain arrays so toEqual compares values).

export const SYM = 'BTCUSDT';
/** 2024-01-01T00:00:00Z in µs. */
export const T0 = 1_704_067_200_000_000;
export const HOUR = 3_600_000_000;

const made: string[] = [];

/** Returns a fresh temporary directory, removed by `cleanup()`. */
export function tmp(prefix = 'qx-adapters-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory `tmp()` made (call it in afterAll). */
export function cleanup(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

const ev = <P>(kind: StreamKind, ts: number, recvTs: number, payload: P): QxEvent<P> => ({
  topic: `${kind}-${SYM.toLowerCase()}`, ts, recvTs, key: SYM, seq: 0, payload,
});

/** Returns a trade event; `ts` defaults to `recvTs`. */
export function trade(recvTs: number, id: number, price = 100, qty = 1, isBuyerMaker = false, ts = recvTs): QxEvent<Trade> {
  return ev('raw-trades', ts, recvTs, { id, price, qty, isBuyerMaker });
}

/** Returns a depth event with the given levels. */
export function depth(recvTs: number, d: Partial<Depth> & { u: number }, ts = recvTs): QxEvent<Depth> {
  return ev('depth', ts, recvTs, {
    snapshot: false, U: d.u, pu: -1, bidPx: [], bidQty: [], askPx: [], askQty: [], ...d,
  });
}

/** Returns a closed 1m kline event opening at `t`; it closes (ts) at t + 59.999 s. */
export function kline(t: number, k: Partial<Kline> = {}, recvTs = t + KLINE_CLOSE_OFFSET_US): QxEvent<Kline> {
  const c = k.c ?? 100;
  return ev('kline-1m', t + KLINE_CLOSE_OFFSET_US, recvTs, {
    t, o: c, h: c, l: c, c, v: 1, q: c, n: 1, V: 0.5, Q: c / 2, ...k,
  });
}

/** Returns a plain deep copy of an event (reused objects and typed-array views become plain data). */
export function copy(e: QxEvent): QxEvent {
  const p = e.payload as Record<string, unknown>;
  const payload: Record<string, unknown> = {};
  for (const key of Object.keys(p)) {
    const v = p[key];
    payload[key] = ArrayBuffer.isView(v) || Array.isArray(v) ? Array.from(v as ArrayLike<number>) : v;
  }
  return { topic: e.topic, ts: e.ts, recvTs: e.recvTs, key: e.key, seq: e.seq, payload };
}

/** Returns the kind of a raw topic. */
export function kindOf(e: QxEvent): StreamKind {
  return e.topic.startsWith('raw-trades') ? 'raw-trades' : e.topic.startsWith('depth') ? 'depth' : 'kline-1m';
}
