import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../core/assert.ts';
import type { QxEvent } from '../core/event.ts';
import type { Runtime } from '../core/runtime.ts';
import { RUN_MAX } from '../core/runtime-trades.ts';
import { US_PER_HOUR } from '../core/time.ts';
import { readManifest, type Manifest } from './manifest.ts';
import { STREAM_KINDS, parsePartPath, type StreamKind, type TradeBatch } from './columnar.ts';
import { StreamReader, type RangeOptions } from './stream-reader.ts';

// The backtest input: a k-way merge of a dataset's recorded streams into one totally ordered log
// (DESIGN §5) on (recvTs, rank, stream seq), rank trades 0 < depth 1 < klines 2. Each stream is
// already in recv_ts order (checked per file), and no two streams share a rank, so a rank-ordered
// scan with a strict `<` on recvTs realises that key exactly; `seq` orders rows within a stream,
// where the file order already holds.

export interface ReplayOptions extends RangeOptions {
  /** The dataset's manifest, when the caller has read it already. */
  manifest?: Manifest;
  /** Streams to replay (default: every stream the manifest lists). */
  streams?: readonly StreamKind[];
}

export interface ReplayProgress {
  /** Events returned so far. */
  events: number;
  /** recvTs of the last event returned (µs), or -Infinity before the first. */
  tsUs: number;
  /** Rows of the files in range, per the manifest. */
  totalRows: number;
}

/** Merge key of one event. */
export interface MergeKey {
  recvTs: number;
  rank: number;
  seq: number;
}

/** Returns true when `a` comes before `b` in the replay log: by recvTs, then rank, then stream seq. */
export function mergeBefore(a: MergeKey, b: MergeKey): boolean {
  if (a.recvTs !== b.recvTs) return a.recvTs < b.recvTs;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.seq < b.seq;
}

export class ReplaySource {
  readonly manifest: Manifest;
  /** One reader per stream, in rank order. */
  readonly readers: readonly StreamReader[];
  /** recvTs of each reader's current row; Infinity once it is exhausted. */
  private readonly heads: Float64Array;
  private started = false;
  private last = -1;
  private events = 0;
  private tsUs = -Infinity;

  /** Opens the dataset in `dir`; checks that every file in range exists with the manifest's size. */
  constructor(dir: string, options: ReplayOptions = {}) {
    const m = options.manifest ?? readManifest(dir);
    this.manifest = m;
    const kinds = STREAM_KINDS.filter((k) => m.streams.includes(k) && (options.streams?.includes(k) ?? true));
    const range = { fromUs: options.fromUs, toUs: options.toUs, verifyHashes: options.verifyHashes };
    this.readers = kinds.map((k) => new StreamReader(dir, k, m.symbol, m.files, range));
    this.heads = new Float64Array(kinds.length).fill(Infinity);
    checkSizes(dir, m, options);
  }

  /** Returns the next event of the log, or null at its end. The object is reused by the next call. */
  next(): QxEvent | null {
    const readers = this.readers;
    const heads = this.heads;
    if (!this.started) {
      this.started = true;
      for (let k = 0; k < readers.length; k++) heads[k] = readers[k].next() ? readers[k].event.recvTs : Number.POSITIVE_INFINITY;
    } else if (this.last >= 0) {
      const r = readers[this.last];
      heads[this.last] = r.next() ? r.event.recvTs : Number.POSITIVE_INFINITY;
    }
    // Readers are in rank order, so the strict `<` gives a recvTs tie to the lower rank.
    let best = -1;
    let bestRecv = Number.POSITIVE_INFINITY;
    for (let k = 0; k < heads.length; k++) {
      if (heads[k] < bestRecv) {
        best = k;
        bestRecv = heads[k];
      }
    }
    this.last = best;
    if (best < 0) return null;
    this.events++;
    this.tsUs = bestRecv;
    return readers[best].event;
  }

  /**
   * When the event next() returned last is a trade: the trades that may follow it in the log, at
   * most `max` in all, as rows [runFrom, runTo) of `runBatch` (runFrom being that event's row),
   * of which those received at or before `runRecvLimit` come before any event of another stream;
   * returns false otherwise, and when fewer than two of them can come first.
   */
  tradeRun(max: number): boolean {
    const last = this.last;
    if (last < 0 || this.readers[last].rank !== 0) return false;
    const r = this.readers[last];
    const b = r.tradeBatch();
    if (b === null) return false;
    // The other streams' next events; a trade goes first on a recvTs tie (rank 0).
    let limit = Number.POSITIVE_INFINITY;
    for (let k = 0; k < this.heads.length; k++) if (k !== last && this.heads[k] < limit) limit = this.heads[k];
    const from = r.rowIndex();
    // A run needs two trades before the next event of another stream; without them the
    // runtime's quiet checks would be asked for nothing.
    const to = Math.min(r.rowEnd(), from + max);
    if (to - from < 2 || b.recvTs[from + 1] > limit) return false;
    this.runBatch = b;
    this.runFrom = from;
    this.runTo = to;
    this.runRecvLimit = limit;
    return true;
  }

  /** The run tradeRun() found: a trade batch, rows [runFrom, runTo) of it, and the recvTs bound. */
  runBatch: TradeBatch | null = null;
  runFrom = 0;
  runTo = 0;
  runRecvLimit = Number.POSITIVE_INFINITY;

  /** Moves past the first `k` trades of the run (k >= 1; the first is the event next() returned). */
  skipTrades(k: number): void {
    const r = this.readers[this.last];
    r.skip(k - 1);
    this.events += k - 1;
    this.tsUs = (this.runBatch as TradeBatch).recvTs[this.runFrom + k - 1];
  }

  /** Returns rows of the files in range per the manifest (for progress bars). */
  totalRows(): number {
    return this.readers.reduce((sum, r) => sum + r.totalRows(), 0);
  }

  /** Returns how far the replay has come. */
  progress(): ReplayProgress {
    return { events: this.events, tsUs: this.tsUs, totalRows: this.totalRows() };
  }

  /** Returns the number of part files held open now, over all streams. */
  openFiles(): number {
    return this.readers.reduce((sum, r) => sum + r.openFiles, 0);
  }

  /** Releases every file held. */
  close(): void {
    for (const r of this.readers) r.close();
    this.heads.fill(Infinity);
    this.last = -1;
  }
}

/**
 * Processes the next input of `src` in `rt`: a run of quiet trades when the runtime takes one
 * (Runtime.processTrades; at most `max` inputs), else one event. Returns how many inputs were
 * processed, 0 at the end of the log. Replaying a log this way or event by event through
 * process() gives the same outputs and digest.
 */
export function replayStep(src: ReplaySource, rt: Runtime, max = Number.POSITIVE_INFINITY): number {
  const ev = src.next();
  if (ev === null) return 0;
  if (max > 1 && rt.takesTradeRuns() && src.tradeRun(Math.min(max, RUN_MAX))) {
    const k = rt.processTrades(src.runBatch as TradeBatch, src.runFrom, src.runTo, src.runRecvLimit);
    if (k > 0) {
      src.skipTrades(k);
      return k;
    }
  }
  rt.process(ev);
  return 1;
}

/** A missing or resized file is found before the replay starts, not hours into it. */
function checkSizes(dir: string, m: Manifest, range: RangeOptions): void {
  const from = range.fromUs ?? -Infinity;
  const to = range.toUs ?? Infinity;
  for (const f of m.files) {
    const part = parsePartPath(f.path);
    if (part === null || part.hourUs + US_PER_HOUR <= from || part.hourUs >= to) continue;
    const path = join(dir, f.path);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      throw new DataError(`${path}: missing, though the manifest lists it`);
    }
    if (size !== f.bytes) {
      throw new DataError(`${path}: ${size} bytes, the manifest says ${f.bytes}: truncated or changed`);
    }
  }
}
