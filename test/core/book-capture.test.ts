import { describe, expect, it } from 'vitest';
import { Book, type SyncMode } from '../../core/book.ts';
import type { Depth } from '../../core/event.ts';
import { readCapture, type CaptureMessage } from '../support/capture.ts';

// Goal: the shared L2 book (SPEC §0.3) rebuilt from real Binance captures matches the facts of
// ../shared/data/MANIFEST.md: never crossed, best bid/ask equal to bookTicker where the ids
// line up, and the stated final best bid/ask. Method: buffer diffs until the snapshot line (it
// comes after the first diffs), apply snapshot then every buffered and later diff with the
// spot or USDⓈ-M sync rules, and compare.

interface Rebuilt {
  book: Book;
  applied: number;
  tickerChecks: number;
  tickerMismatches: number;
  invalid: number;
}

function rebuild(messages: CaptureMessage[], mode: SyncMode): Rebuilt {
  const book = new Book(mode);
  const pending: Depth[] = [];
  const r: Rebuilt = { book, applied: 0, tickerChecks: 0, tickerMismatches: 0, invalid: 0 };
  const apply = (d: Depth) => {
    const res = book.apply(d);
    if (res === 'APPLIED') r.applied++;
    if (res === 'GAP' || res === 'CROSSED') r.invalid++;
  };
  for (const m of messages) {
    if (m.kind === 'snapshot') {
      apply(m.depth);
      pending.splice(0).forEach(apply);
    } else if (m.kind === 'depth') {
      if (book.status === 'EMPTY') pending.push(m.depth);
      else apply(m.depth);
    } else if (m.kind === 'bookTicker' && book.status === 'VALID' && m.u === book.lastUpdateId) {
      r.tickerChecks++;
      const same = book.bestBid() === m.b && book.bestAsk() === m.a && book.bestBidQty() === m.B && book.bestAskQty() === m.A;
      if (!same) r.tickerMismatches++;
    }
  }
  return r;
}

describe('core > book on real captures', () => {
  it('USDⓈ-M 2024-07-18/19: 106 bookTicker matches, final 63867.40 / 63867.50', () => {
    const r = rebuild(readCapture(['binance-ws-capture/usdm/btcusdt_20240718.gz', 'binance-ws-capture/usdm/btcusdt_20240719.gz']), 'usdm');
    expect(r.invalid).toBe(0);
    expect(r.book.status).toBe('VALID');
    expect(r.tickerChecks).toBe(106);
    expect(r.tickerMismatches).toBe(0);
    expect([r.book.bestBid(), r.book.bestAsk()]).toEqual([63867.4, 63867.5]);
  });

  it('USDⓈ-M 2023-04-04/05: final 28140.10 / 28140.20', () => {
    const r = rebuild(readCapture(['binance-ws-capture/usdm/btcusdt_20230404.dat.gz', 'binance-ws-capture/usdm/btcusdt_20230405.dat.gz']), 'usdm');
    expect(r.invalid).toBe(0);
    expect(r.tickerMismatches).toBe(0);
    expect([r.book.bestBid(), r.book.bestAsk()]).toEqual([28140.1, 28140.2]);
  });

  it('spot 2024-08-08/09: never crossed, final 61602.01 / 61602.02', () => {
    const r = rebuild(readCapture(['binance-ws-capture/spot/btcusdt_20240808.gz', 'binance-ws-capture/spot/btcusdt_20240809.gz']), 'spot');
    expect(r.invalid).toBe(0);
    expect(r.applied).toBeGreaterThan(3000);
    expect(r.tickerMismatches).toBe(0);
    expect([r.book.bestBid(), r.book.bestAsk()]).toEqual([61602.01, 61602.02]);
  });

  it('a broken chain makes the book INVALID until the next snapshot, never a guess', () => {
    const msgs = readCapture(['binance-ws-capture/spot/btcusdt_20240808.gz']);
    const snapshot = msgs.find((m) => m.kind === 'snapshot')!;
    const diffs = msgs.filter((m): m is Extract<CaptureMessage, { kind: 'depth' }> => m.kind === 'depth').map((m) => m.depth);
    const book = new Book('spot');
    book.apply(snapshot.depth);
    const live = diffs.filter((d) => d.u > snapshot.depth.u);
    expect(book.apply(live[0])).toBe('APPLIED');
    expect(book.apply(live[2])).toBe('GAP');
    expect(book.status).toBe('INVALID');
    expect(book.apply(live[3])).toBe('WAITING');
    expect(book.apply(snapshot.depth)).toBe('SNAPSHOT');
    expect(book.status).toBe('VALID');
  });
});
