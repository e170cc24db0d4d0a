import { searchBest, wasmModule, type WasmSide } from './book-side.ts';
import { ASK, BID, bandDepthOf, type ApplyResult, type BookSnapshot, type BookStatus, type BookView, type SyncMode } from './book-view.ts';
import type { Depth } from './event.ts';

export { ASK, BID, SIDE_NAME, type ApplyResult, type BookSnapshot, type BookStatus, type BookView, type SyncMode } from './book-view.ts';

// The local L2 order book of one symbol (SPEC §0.3). The runtime owns one per symbol, applies
// each depth event to it before the providers see that event, and hands it to them read-only.
// It never guesses: a broken update-id chain or a crossed/locked result makes it INVALID until
// the next snapshot.

const CAPACITY_MIN = 4096;

/**
 * Levels of a side live in a window of `cap` slots with room at both ends, best first in
 * [start, start + n): an insert or delete moves the shorter part, towards the front or the
 * back, so the frequent changes near the best level move a few values, not the whole side.
 * `px`/`qty` are subarray views of the live levels, refreshed once per message.
 *
 * The level updates run in WebAssembly (core/book-side.wat; ~25% faster than the same loop in
 * JavaScript, see docs/performance.md). They compare and copy doubles only, so the levels are
 * the same to the bit. The book's memory holds, in f64 slots: a header (that function's
 * results), a staging area for one message's levels (4 x inCap), the change columns
 * (4 x 2 inCap) and the two sides (2 x 2 x cap). `layout` grows it; every view handed out is
 * a view of it.
 */
export class Book implements BookView {
  status: BookStatus = 'EMPTY';
  epoch = 0;
  lastUpdateId = -1;
  private pxView: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private qtyView: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private bufPx: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private bufQty: [Float64Array, Float64Array] = [new Float64Array(0), new Float64Array(0)];
  private readonly start: [number, number] = [0, 0];
  /** Index in `f64` of each side's best price (its size `cap` further on), for the readers by rank. */
  private readonly top: [number, number] = [0, 0];
  private readonly n: [number, number] = [0, 0];
  private dirty = true;
  minBid = NaN;
  maxAsk = NaN;
  changeCount = 0;
  changeSide: Float64Array = new Float64Array(0);
  changePx: Float64Array = new Float64Array(0);
  changeOld: Float64Array = new Float64Array(0);
  changeNew: Float64Array = new Float64Array(0);
  private readonly wasm: WasmSide;
  private mem: WebAssembly.Memory;
  private hdr: Int32Array = new Int32Array(0);
  private f64: Float64Array = new Float64Array(0);
  /** Capacity of the input staging area (levels per side of one message) and of each side. */
  private inCap = 0;
  private cap = 0;
  private inOff = 0;
  private chOff = 0;
  private sideOff = 0;
  firstAfterSync = false;
  /** Whether a diff has been applied since the last snapshot. */
  private synced = false;

  constructor(readonly mode: SyncMode = 'spot') {
    const inst = new WebAssembly.Instance(wasmModule(), {});
    this.wasm = inst.exports as unknown as WasmSide;
    this.mem = (inst.exports as unknown as { mem: WebAssembly.Memory }).mem;
    this.layout(1024, CAPACITY_MIN);
  }

  /**
   * Lays out the memory for `inCap` input levels per side and `cap` levels per side, keeping
   * the live levels. The staging area and the change columns keep their place and content when
   * only `cap` grows (in the middle of a message); `inCap` grows before a message is staged.
   */
  private layout(inCap: number, cap: number): void {
    const live = (bufs: Float64Array[]) => bufs.map((b, side) => b.slice(this.start[side], this.start[side] + this.n[side]));
    const keepPx = live(this.bufPx);
    const keepQty = live(this.bufQty);
    this.inCap = inCap;
    this.cap = cap;
    this.inOff = 8;
    this.chOff = this.inOff + 4 * inCap;
    this.sideOff = this.chOff + 8 * inCap;
    const bytes = 8 * (this.sideOff + 4 * cap);
    const have = this.mem.buffer.byteLength;
    if (bytes > have) this.mem.grow(Math.ceil((bytes - have) / 65536));
    const buf = this.mem.buffer;
    this.hdr = new Int32Array(buf, 0, 4);
    this.f64 = new Float64Array(buf);
    const f = this.f64;
    this.changeSide = f.subarray(this.chOff, this.chOff + 2 * inCap);
    this.changePx = f.subarray(this.chOff + 2 * inCap, this.chOff + 4 * inCap);
    this.changeOld = f.subarray(this.chOff + 4 * inCap, this.chOff + 6 * inCap);
    this.changeNew = f.subarray(this.chOff + 6 * inCap, this.chOff + 8 * inCap);
    for (let side = 0; side < 2; side++) {
      const o = this.sideOff + 2 * side * cap;
      this.bufPx[side] = f.subarray(o, o + cap);
      this.bufQty[side] = f.subarray(o + cap, o + 2 * cap);
      const n = keepPx[side].length;
      const a = (cap - n) >> 1;
      this.bufPx[side].set(keepPx[side], a);
      this.bufQty[side].set(keepQty[side], a);
      this.setStart(side, a);
    }
    this.dirty = true;
  }

  /** Views of the live levels, built lazily: a reader that only needs a few levels uses levelPx. */
  get px(): [Float64Array, Float64Array] {
    if (this.dirty) this.refresh();
    return this.pxView;
  }

  get qty(): [Float64Array, Float64Array] {
    if (this.dirty) this.refresh();
    return this.qtyView;
  }

  levels(side: number): number {
    return this.n[side];
  }

  levelPx(side: number, i: number): number {
    return this.f64[this.top[side] + i];
  }

  levelQty(side: number, i: number): number {
    return this.f64[this.top[side] + this.cap + i];
  }

  /** Moves a side's window start to rank `a` of its buffer. */
  private setStart(side: number, a: number): void {
    this.start[side] = a;
    this.top[side] = this.sideOff + 2 * side * this.cap + a;
  }

  /** Points the views at the live levels after an insert or delete moved them. */
  private refresh(): void {
    this.dirty = false;
    for (let side = 0; side < 2; side++) {
      const a = this.start[side];
      const b = a + this.n[side];
      this.pxView[side] = this.bufPx[side].subarray(a, b);
      this.qtyView[side] = this.bufQty[side].subarray(a, b);
    }
  }

  /** Applies one depth message under the sync rules of `mode`. */
  apply(d: Depth): ApplyResult {
    this.changeCount = 0;
    this.firstAfterSync = false;
    if (d.snapshot) return this.applySnapshot(d);
    if (this.status !== 'VALID') return 'WAITING';
    const last = this.lastUpdateId;
    if (this.mode === 'spot') {
      if (d.u <= last) return 'STALE';
      const ok = this.synced ? d.U === last + 1 : d.U <= last + 1 && last + 1 <= d.u;
      if (!ok) return this.invalidate('GAP');
    } else {
      if (d.u < last) return 'STALE';
      const ok = this.synced ? d.pu === last : d.U <= last && last <= d.u;
      if (!ok) return this.invalidate('GAP');
    }
    this.firstAfterSync = !this.synced;
    this.synced = true;
    this.lastUpdateId = d.u;
    this.applyLevels(d);
    if (this.crossed()) return this.invalidate('CROSSED');
    return 'APPLIED';
  }

  private applySnapshot(d: Depth): ApplyResult {
    for (let side = 0; side < 2; side++) {
      this.n[side] = 0;
      this.setStart(side, this.bufPx[side].length >> 1);
    }
    this.dirty = true;
    this.applyLevels(d);
    this.changeCount = 0;
    this.epoch++;
    this.lastUpdateId = d.u;
    this.synced = false;
    const bids = this.n[BID];
    const asks = this.n[ASK];
    this.minBid = bids > 0 ? this.levelPx(BID, bids - 1) : NaN;
    this.maxAsk = asks > 0 ? this.levelPx(ASK, asks - 1) : NaN;
    if (this.crossed()) return this.invalidate('CROSSED');
    this.status = 'VALID';
    return 'SNAPSHOT';
  }

  private invalidate(result: ApplyResult): ApplyResult {
    this.status = 'INVALID';
    this.synced = false;
    return result;
  }

  private crossed(): boolean {
    return this.n[BID] > 0 && this.n[ASK] > 0 && this.bestBid() >= this.bestAsk();
  }

  /** Stages a message's levels in the memory and applies both sides. */
  private applyLevels(d: Depth): void {
    const m = Math.max(d.bidPx.length, d.askPx.length);
    if (m > this.inCap) this.layout(Math.max(m, 2 * this.inCap), this.cap);
    const f = this.f64;
    const o = this.inOff;
    const inCap = this.inCap;
    f.set(d.bidPx, o);
    f.set(d.bidQty, o + inCap);
    f.set(d.askPx, o + 2 * inCap);
    f.set(d.askQty, o + 3 * inCap);
    this.changeCount = 0;
    this.applySide(BID, o, o + inCap, d.bidPx.length);
    this.applySide(ASK, o + 2 * inCap, o + 3 * inCap, d.askPx.length);
  }

  /** Applies one side's staged levels (f64 indexes inPx, inQty), growing the side when full. */
  private applySide(side: number, inPx: number, inQty: number, m: number): void {
    let j = 0;
    for (;;) {
      // Byte addresses: the side's window, the staged levels, the change columns (2 inCap apart).
      const full = this.wasm.applySide(8 * (this.sideOff + 2 * side * this.cap), this.cap, this.start[side], this.n[side],
        8 * inPx, 8 * inQty, j, m, side === BID ? 1 : -1, side, 8 * this.chOff, 16 * this.inCap, this.changeCount);
      const h = this.hdr;
      if (this.start[side] !== h[0] || this.n[side] !== h[1]) this.dirty = true;
      this.setStart(side, h[0]);
      this.n[side] = h[1];
      this.changeCount = h[2];
      j = h[3];
      if (full === 0) return;
      this.layout(this.inCap, 2 * this.cap);
    }
  }

  bestBid(): number {
    return this.n[BID] > 0 ? this.f64[this.top[BID]] : Number.NaN;
  }
  bestAsk(): number {
    return this.n[ASK] > 0 ? this.f64[this.top[ASK]] : Number.NaN;
  }
  bestBidQty(): number {
    return this.n[BID] > 0 ? this.f64[this.top[BID] + this.cap] : 0;
  }
  bestAskQty(): number {
    return this.n[ASK] > 0 ? this.f64[this.top[ASK] + this.cap] : 0;
  }
  mid(): number {
    return (this.bestBid() + this.bestAsk()) / 2;
  }

  qtyAt(side: number, price: number): number {
    const i = searchBest(this.bufPx[side], this.start[side], this.n[side], price, side === BID ? 1 : -1);
    const at = this.start[side] + i;
    return i < this.n[side] && this.bufPx[side][at] === price ? this.bufQty[side][at] : 0;
  }

  bandDepth(side: number, bps: number): number {
    return bandDepthOf(this, side, bps);
  }

  snapshot(): BookSnapshot {
    return {
      status: this.status,
      epoch: this.epoch,
      lastUpdateId: this.lastUpdateId,
      synced: this.synced,
      px: [Array.from(this.px[BID]), Array.from(this.px[ASK])],
      qty: [Array.from(this.qty[BID]), Array.from(this.qty[ASK])],
      minBid: this.minBid,
      maxAsk: this.maxAsk,
    };
  }

  restore(s: BookSnapshot): void {
    this.status = s.status;
    this.epoch = s.epoch;
    this.lastUpdateId = s.lastUpdateId;
    this.synced = s.synced;
    this.n[BID] = 0;
    this.n[ASK] = 0;
    this.changeCount = 0;
    const need = Math.max(CAPACITY_MIN, 4 * Math.max(s.px[BID].length, s.px[ASK].length));
    this.layout(this.inCap, Math.max(this.cap, need));
    for (let side = 0; side < 2; side++) {
      const n = s.px[side].length;
      const a = (this.cap - n) >> 1;
      this.bufPx[side].set(s.px[side], a);
      this.bufQty[side].set(s.qty[side], a);
      this.setStart(side, a);
      this.n[side] = n;
    }
    this.dirty = true;
    this.refresh();
    this.minBid = s.minBid;
    this.maxAsk = s.maxAsk;
    this.changeCount = 0;
    this.firstAfterSync = false;
  }
}
