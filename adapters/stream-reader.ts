import { join } from 'node:path';
import { DataError } from '../core/assert.ts';
import { topicOf } from '../core/component.ts';
import type { Depth, Kline, QxEvent, Trade } from '../core/event.ts';
import { lowerBound } from '../core/search.ts';
import { US_PER_HOUR } from '../core/time.ts';
import {
  openStreamFile, parsePartPath, rankOf, type DepthBatch, type KlineBatch, type ReadBuffer, type StreamFile, type StreamKind, type TradeBatch,
} from './columnar.ts';
import { copyLevels, malformedLevel, newSlices, viewOf, type LevelSlices } from './level-slices.ts';

// A sync cursor over one stream of a dataset: its hour files in order, one file held at a time,
// rows with recv_ts in [fromUs, toUs). `next()` fills ONE reused event and payload object, so a
// consumer must copy what it keeps; a depth row's levels are copied into reused buffers, and
// checked on the way (adapters/level-slices.ts), before the row is handed out.

/** Rows converted at a time, so that a chunk's int64 columns are still in cache when read. */
const CHUNK_ROWS = 8192;

/** A part file of the stream, as the manifest lists it. */
export interface PartRef {
  path: string;
  rows: number;
  sha256?: string;
  /** File size, when known: the read buffer is then sized for the largest file at once. */
  bytes?: number;
}

export interface RangeOptions {
  fromUs?: number;
  toUs?: number;
  /** Check each file's SHA-256 against the manifest as it is opened (costs a hash of every byte). */
  verifyHashes?: boolean;
}

interface Part {
  path: string;
  rows: number;
  hourUs: number;
  sha256?: string;
  /** Size per the manifest (ReplaySource checks it before the replay starts), or 0. */
  bytes: number;
}

export class StreamReader {
  readonly kind: StreamKind;
  readonly rank: number;
  /** The reused event: valid until the next call of `next()`. */
  readonly event: QxEvent;
  /** Stream sequence of the current event: trade id, depth `u`, or kline open time. */
  seq = 0;
  /** Rows delivered so far. */
  count = 0;
  /** Part files opened so far, the number held now (0 or 1), and the most ever held at once. */
  filesOpened = 0;
  openFiles = 0;
  peakOpenFiles = 0;

  private readonly parts: Part[];
  private readonly fromUs: number;
  private readonly toUs: number;
  private readonly verifyHashes: boolean;
  private readonly code: number;
  // `id` is not the first key: V8 keeps a field's representation in the hidden class that first
  // added it, shared by every object literal that starts with the same keys, and the registry's
  // components ({ id: 'cvd', ... }) made a leading `id` a tagged field, so each trade id (beyond
  // 2^31) was stored as a new heap number: 2.5M allocations a day.
  private readonly trade: Trade = { price: 0, qty: 0, id: 0, isBuyerMaker: false };
  private readonly depth: Depth = {
    snapshot: false, U: 0, u: 0, pu: -1,
    bidPx: new Float64Array(0), bidQty: new Float64Array(0), askPx: new Float64Array(0), askQty: new Float64Array(0),
  };
  private readonly kline: Kline = { t: 0, o: 0, h: 0, l: 0, c: 0, v: 0, q: 0, n: 0, V: 0, Q: 0 };
  private partIndex = 0;
  private file: StreamFile | null = null;
  private part: Part | null = null;
  private tb: TradeBatch | null = null;
  private db: DepthBatch | null = null;
  private kb: KlineBatch | null = null;
  private recv: Float64Array = new Float64Array(0);
  /** Rows of the current file before the current batch, and before the next one. */
  private batchRow = 0;
  private fileRows = 0;
  private row = 0;
  private end = 0;
  private done = false;
  private lastRecv = -Infinity;
  private readonly readBuffer: ReadBuffer = { bytes: new Uint8Array(0), columns: new Map() };
  /** Reused level buffers of the depth payload (bid px, bid qty, ask px, ask qty). */
  private readonly slices: LevelSlices[] = [newSlices(), newSlices(), newSlices(), newSlices()];

  /** Reads `files` (relative to `dir`) of `kind`; files wholly outside [fromUs, toUs) are never opened. */
  constructor(dir: string, kind: StreamKind, symbol: string, files: readonly PartRef[], range: RangeOptions = {}) {
    this.kind = kind;
    this.rank = rankOf(kind);
    this.code = this.rank;
    this.fromUs = range.fromUs ?? -Infinity;
    this.toUs = range.toUs ?? Infinity;
    this.verifyHashes = range.verifyHashes === true;
    this.parts = selectParts(dir, kind, files, this.fromUs, this.toUs);
    const payload = kind === 'raw-trades' ? this.trade : kind === 'depth' ? this.depth : this.kline;
    this.event = { topic: topicOf(kind, symbol), ts: 0, recvTs: 0, key: symbol, seq: 0, payload };
  }

  /** Rows of the files in range, as the manifest counts them (an upper bound under a range cut). */
  totalRows(): number {
    return this.parts.reduce((sum, p) => sum + p.rows, 0);
  }

  /** Moves to the next row; returns false at the end of the stream or range. */
  next(): boolean {
    let i = this.row + 1;
    if (i >= this.end) {
      if (!this.advance()) return false;
      i = this.row + 1;
    }
    this.row = i;
    const ev = this.event;
    ev.recvTs = this.recv[i];
    if (this.code === 0) {
      const b = this.tb as TradeBatch;
      const p = this.trade;
      ev.ts = b.ts[i];
      p.id = b.id[i];
      p.price = b.price[i];
      p.qty = b.qty[i];
      p.isBuyerMaker = b.isBuyerMaker[i] === 1;
      this.seq = p.id;
    } else if (this.code === 1) {
      this.fillDepth(i);
    } else {
      this.fillKline(i);
    }
    this.count++;
    return true;
  }

  /** The trade batch of the current row (a trade stream after next() returned true), else null. */
  tradeBatch(): TradeBatch | null {
    return this.tb;
  }

  /** The current row's index in its batch, and the end of the batch's rows in range. */
  rowIndex(): number {
    return this.row;
  }

  rowEnd(): number {
    return this.end;
  }

  /** Moves over the next `n` rows (n < rowEnd() - rowIndex()) as n next() calls would, but leaves the event as it was. */
  skip(n: number): void {
    this.row += n;
    this.count += n;
    if (this.tb !== null) this.seq = this.tb.id[this.row];
  }

  /** Releases the file held, if any. */
  close(): void {
    this.release();
    this.done = true;
    this.readBuffer.bytes = new Uint8Array(0);
    this.readBuffer.columns?.clear();
  }

  private fillDepth(i: number): void {
    const b = this.db as DepthBatch;
    const p = this.depth;
    this.event.ts = b.ts[i];
    p.snapshot = b.snapshot[i] === 1;
    p.U = b.U[i];
    p.u = b.u[i];
    p.pu = b.pu[i];
    const b0 = b.bidOff[i], b1 = b.bidOff[i + 1];
    const a0 = b.askOff[i], a1 = b.askOff[i + 1];
    const s = this.slices;
    // The levels are checked as they are copied (the file was opened without levelChecks).
    const bidOk = copyLevels(s[0], s[1], b.bidPx, b.bidQty, b0, b1);
    const askOk = copyLevels(s[2], s[3], b.askPx, b.askQty, a0, a1);
    if (!(bidOk && askOk)) this.malformedLevels(i);
    p.bidPx = viewOf(s[0], b1 - b0);
    p.bidQty = viewOf(s[1], b1 - b0);
    p.askPx = viewOf(s[2], a1 - a0);
    p.askQty = viewOf(s[3], a1 - a0);
    this.seq = p.u;
  }

  /** A depth row whose levels copyLevels refused: a one-line DataError naming the file, row and column. */
  private malformedLevels(i: number): never {
    const b = this.db as DepthBatch;
    const what = malformedLevel('bid', b.bidPx, b.bidQty, b.bidOff[i], b.bidOff[i + 1])
      ?? malformedLevel('ask', b.askPx, b.askQty, b.askOff[i], b.askOff[i + 1]);
    throw new DataError(`${(this.part as Part).path}: malformed row ${this.batchRow + i}: ${what}`);
  }

  private fillKline(i: number): void {
    const b = this.kb as KlineBatch;
    const p = this.kline;
    this.event.ts = b.ts[i];
    p.t = b.t[i];
    p.o = b.o[i]; p.h = b.h[i]; p.l = b.l[i]; p.c = b.c[i];
    p.v = b.v[i]; p.q = b.q[i]; p.n = b.n[i]; p.V = b.V[i]; p.Q = b.Q[i];
    this.seq = p.t;
  }

  /** Loads the next non-empty batch in range; returns false at the end. */
  private advance(): boolean {
    while (!this.done) {
      const batch = this.file === null ? null : this.file.nextBatch();
      if (batch === null) {
        if (!this.openNext()) return false;
        continue;
      }
      const n = batch.length;
      this.batchRow = this.fileRows;
      this.fileRows += n;
      if (n === 0) continue;
      this.checkBatch(batch.recvTs, n);
      const start = lowerBound(batch.recvTs, n, this.fromUs);
      const end = lowerBound(batch.recvTs, n, this.toUs);
      if (end < n) this.done = true;
      if (start >= end) continue;
      this.tb = this.code === 0 ? (batch as TradeBatch) : null;
      this.db = this.code === 1 ? (batch as DepthBatch) : null;
      this.kb = this.code === 2 ? (batch as KlineBatch) : null;
      this.recv = batch.recvTs;
      this.row = start - 1;
      this.end = end;
      return true;
    }
    this.release();
    return false;
  }

  /** Closes the current file and opens the next part; returns false when none is left. */
  private openNext(): boolean {
    this.release();
    if (this.partIndex >= this.parts.length) {
      this.done = true;
      return false;
    }
    if (this.partIndex === 0) this.sizeReadBuffer();
    const part = this.parts[this.partIndex++];
    const sha256 = this.verifyHashes ? part.sha256 : undefined;
    const file = openStreamFile(part.path, this.kind, { reuse: true, readBuffer: this.readBuffer, sha256, levelChecks: false, chunkRows: CHUNK_ROWS });
    this.fileRows = 0;
    this.filesOpened++;
    this.openFiles++;
    this.peakOpenFiles = Math.max(this.peakOpenFiles, this.openFiles);
    this.file = file;
    this.part = part;
    if (file.rows !== part.rows) throw new DataError(`${part.path}: holds ${file.rows} rows, the manifest says ${part.rows}`);
    return true;
  }

  /** Sizes the read buffer for the largest file at once (grown file by file, each new one page-faults in), up to 256 MB. */
  private sizeReadBuffer(): void {
    const most = Math.min(this.parts.reduce((m, p) => Math.max(m, p.bytes), 0), 2 ** 28);
    if (this.readBuffer.bytes.length < most) this.readBuffer.bytes = new Uint8Array(most);
  }

  /** Checks that a batch's rows lie in its file's hour and follow the previous file's rows. */
  private checkBatch(recv: Float64Array, n: number): void {
    const part = this.part as Part;
    const first = recv[0];
    const last = recv[n - 1];
    if (first < part.hourUs || last >= part.hourUs + US_PER_HOUR) {
      throw new DataError(`${part.path}: recv_ts ${first < part.hourUs ? first : last} lies outside the file's hour`);
    }
    if (first < this.lastRecv) {
      throw new DataError(`${part.path}: rows out of order: recv_ts ${first} follows ${this.lastRecv} of the previous part`);
    }
    this.lastRecv = last;
  }

  private release(): void {
    if (this.file !== null) {
      this.file.close();
      this.file = null;
      this.openFiles--;
    }
    this.tb = null;
    this.db = null;
    this.kb = null;
    this.row = 0;
    this.end = 0;
  }
}

function selectParts(dir: string, kind: StreamKind, files: readonly PartRef[], fromUs: number, toUs: number): Part[] {
  const parts: Part[] = [];
  for (const f of files) {
    const p = parsePartPath(f.path);
    if (p === null || p.kind !== kind) continue;
    if (p.hourUs + US_PER_HOUR <= fromUs || p.hourUs >= toUs) continue;
    parts.push({ path: join(dir, f.path), rows: f.rows, hourUs: p.hourUs, sha256: f.sha256, bytes: f.bytes ?? 0 });
  }
  return parts.sort((a, b) => a.hourUs - b.hourUs);
}
