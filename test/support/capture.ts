import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Depth } from '../../core/event.ts';

// A small reader of the raw Binance websocket captures in ../shared/data/binance-ws-capture/
// (`<local_ts> <json>` per line, gzip). Enough for the order-book checks; the importer proper
// is a later issue.

export const SHARED_DATA = new URL('../../../shared/data/', import.meta.url).pathname;

export type CaptureMessage =
  | { kind: 'depth'; depth: Depth; E: number }
  | { kind: 'snapshot'; depth: Depth }
  | { kind: 'bookTicker'; u: number; b: number; B: number; a: number; A: number }
  | { kind: 'trade'; id: number; price: number; qty: number; isBuyerMaker: boolean; T: number; X: string };

/** Reads capture files in order; throws naming the file when one is missing. */
export function readCapture(relPaths: string[]): CaptureMessage[] {
  const out: CaptureMessage[] = [];
  for (const rel of relPaths) {
    const path = SHARED_DATA + rel;
    if (!existsSync(path)) throw new Error(`capture file missing: ${path}`);
    const text = gunzipSync(readFileSync(path)).toString('utf8');
    for (const line of text.split('\n')) {
      const sp = line.indexOf(' ');
      if (sp < 0) continue;
      const msg = parse(JSON.parse(line.slice(sp + 1)));
      if (msg !== null) out.push(msg);
    }
  }
  return out;
}

function levels(rows: [string, string][]): { px: number[]; qty: number[] } {
  return { px: rows.map((r) => Number(r[0])), qty: rows.map((r) => Number(r[1])) };
}

function parse(j: any): CaptureMessage | null {
  if (j.lastUpdateId !== undefined) {
    const b = levels(j.bids);
    const a = levels(j.asks);
    return {
      kind: 'snapshot',
      depth: { snapshot: true, U: j.lastUpdateId, u: j.lastUpdateId, pu: -1, bidPx: b.px, bidQty: b.qty, askPx: a.px, askQty: a.qty },
    };
  }
  const d = j.data;
  const stream: string = j.stream ?? '';
  if (stream.includes('@depth')) {
    const b = levels(d.b);
    const a = levels(d.a);
    return {
      kind: 'depth',
      E: d.E,
      depth: { snapshot: false, U: d.U, u: d.u, pu: d.pu ?? -1, bidPx: b.px, bidQty: b.qty, askPx: a.px, askQty: a.qty },
    };
  }
  if (stream.endsWith('@bookTicker')) {
    return { kind: 'bookTicker', u: d.u, b: Number(d.b), B: Number(d.B), a: Number(d.a), A: Number(d.A) };
  }
  if (stream.endsWith('@trade')) {
    return { kind: 'trade', id: d.t, price: Number(d.p), qty: Number(d.q), isBuyerMaker: d.m, T: d.T, X: d.X ?? 'MARKET' };
  }
  return null;
}
