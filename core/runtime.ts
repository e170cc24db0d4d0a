import { AssertionError, assert } from './assert.ts';
import { Book, type BookSnapshot, type SyncMode } from './book.ts';
import { canonicalEmit, digestAdd, digestHex, digestInit, type DigestState } from './canonical.ts';
import { topicOf, type EmitOptions } from './component.ts';
import type { Depth, Kline, Out, QxEvent, Trade } from './event.ts';
import { US_PER_SECOND, secondCeil } from './time.ts';
import { heapPop, heapPush, type Timer } from './timers.ts';
import { TradeRuns, type TradeColumns } from './runtime-trades.ts';
import { CLOCK_TOPIC, NO_TARGETS, wire, type ComponentSpec, type RawTopics, type Slot } from './runtime-wiring.ts';

export type { ComponentSpec } from './runtime-wiring.ts';

// The deterministic scheduler (DESIGN §4–5). One input at a time, processed to completion:
// timers and whole-second CLOCK ticks due at or before the input fire first; then the input
// and everything it causes are delivered synchronously in topological (registry) order.
// Every emitted event is appended to the run digest.

export interface RuntimeOptions {
  symbol: string;
  bookMode?: SyncMode;
  /**
   * Called with every emitted event, in order (the run directory, a Kafka producer), and its
   * canonical text (what the digest hashed), so that a writer need not encode it again.
   */
  onEmit?: (event: QxEvent<Out>, text: string) => void;
}

export interface RuntimeCounters {
  inputs: number;
  emitted: number;
  late: number;
  duplicates: number;
  tradeGaps: number;
  bookGaps: number;
  bookCrossed: number;
  bookWaiting: number;
  timers: number;
  ticks: number;
  /** Events dropped from the inboxes of a step that threw (its input was not processed to the end). */
  abandoned: number;
}


export interface RuntimeSnapshot {
  version: 1;
  symbol: string;
  position: number;
  now: number;
  started: boolean;
  nextTick: number;
  timerId: number;
  timers: Timer[];
  states: unknown[];
  emitSeq: number[][];
  book: BookSnapshot;
  digest: DigestState;
  lastTradeId: number;
  lastKlineT: number;
  counters: RuntimeCounters;
}

const TIMER_TOPIC = 'timer';

export class Runtime {
  readonly symbol: string;
  readonly book: Book;
  now = -Infinity;
  /** Number of inputs processed: the position a snapshot resumes from. */
  position = 0;
  readonly counters: RuntimeCounters = {
    inputs: 0, emitted: 0, late: 0, duplicates: 0, tradeGaps: 0,
    bookGaps: 0, bookCrossed: 0, bookWaiting: 0, timers: 0, ticks: 0, abandoned: 0,
  };
  private readonly slots: Slot[];
  private readonly subscribers: Map<string, number[]>;
  private readonly clockSubscribers: number[];
  /** Subscribers of the raw trades, depth and kline topics, looked up once. */
  private readonly rawTargets: ReadonlyArray<readonly number[]>;
  private readonly onEmit?: (event: QxEvent<Out>, text: string) => void;
  private readonly topics: RawTopics;
  private timers: Timer[] = [];
  private timerId = 0;
  private nextTick = Infinity;
  private started = false;
  private digestState: DigestState = digestInit();
  private lastTradeId = -1;
  private lastKlineT = -Infinity;
  private recvTs = 0;
  private hi = -1;
  /** Events waiting in the slots' inboxes during a step (0 between steps). */
  private queued = 0;
  private resumePending = false;
  /** The one target of a timer event, reused: steps do not nest. */
  private readonly timerTarget: number[] = [0];
  /** Runs of quiet trades (processTrades); null when a subscriber of the trades cannot say when they are quiet. */
  private readonly tradeRuns: TradeRuns | null;

  constructor(specs: readonly ComponentSpec[], options: RuntimeOptions) {
    this.symbol = options.symbol;
    this.book = new Book(options.bookMode ?? 'spot');
    this.onEmit = options.onEmit;
    this.topics = {
      trades: topicOf('raw-trades', this.symbol),
      depth: topicOf('depth', this.symbol),
      kline: topicOf('kline-1m', this.symbol),
    };
    const w = wire(specs, this.symbol, this.topics, this);
    this.slots = w.slots;
    this.subscribers = w.subscribers;
    this.clockSubscribers = w.clockSubscribers;
    this.rawTargets = w.rawTargets;
    const quiet = this.rawTargets[0].every((i) => this.slots[i].component.tradesQuietUntil !== undefined);
    this.tradeRuns = quiet ? new TradeRuns(this.topics.trades, this.symbol) : null;
  }

  /** Whether processTrades can take runs: every subscriber of the trades says when they are quiet. */
  takesTradeRuns(): boolean {
    return this.tradeRuns !== null;
  }

  /** Processes one input event to completion. The event object may be reused by the caller. */
  process(ev: QxEvent): void {
    this.counters.inputs++;
    this.position++;
    if (!this.started) this.start(ev.ts);
    if (this.resumePending) this.resume(ev.ts);
    this.fireDue(ev.ts);
    if (ev.ts >= this.now) this.now = ev.ts;
    else this.counters.late++;
    const targets = this.admit(ev);
    if (targets === null) return;
    ev.seq = this.position;
    this.recvTs = ev.recvTs;
    this.step(ev, targets);
  }

  /**
   * Processes trades from..to-1 of `b` (in log order, all of this runtime's symbol, those after
   * `recvLimit` excluded) as one run when they are quiet for every subscriber
   * (core/runtime-trades.ts), as far as they are; returns how many it took. 0 means none: give
   * the trade at `from` to process() instead. The outputs, states and digest are those of
   * process() on each trade in turn.
   */
  processTrades(b: TradeColumns, from: number, to: number, recvLimit = Number.POSITIVE_INFINITY): number {
    const runs = this.tradeRuns;
    if (runs === null || !this.started || this.resumePending || this.queued !== 0) return 0;
    const targets = this.rawTargets[0];
    let deadline = this.nextTick;
    if (this.timers.length > 0 && this.timers[0].due < deadline) deadline = this.timers[0].due;
    for (let t = 0; t < targets.length && deadline > -Infinity; t++) {
      const slot = this.slots[targets[t]];
      const q = (slot.component.tradesQuietUntil as NonNullable<typeof slot.component.tradesQuietUntil>)(slot.state, slot.ctx);
      if (!(q >= deadline)) deadline = q;
    }
    runs.scan(b, from, to, recvLimit, deadline, this.now, this.lastTradeId);
    const k = runs.end - from;
    if (k < 2) return 0;
    runs.fill(b, from, k, this.position);
    const emitted = this.counters.emitted;
    const timerId = this.timerId;
    runs.deliver(this, this.slots, targets, k);
    assert(this.counters.emitted === emitted && this.timerId === timerId,
      'a component emitted or set a timer on a trade it declared quiet (tradesQuietUntil)');
    const last = from + k - 1;
    this.counters.inputs += k;
    this.counters.tradeGaps += runs.gaps;
    this.position += k;
    this.lastTradeId = b.id[last];
    this.recvTs = b.recvTs[last];
    this.now = b.ts[last];
    return k;
  }

  /** Fires every timer and clock tick due at or before `ts` (the end of the data, or a live heartbeat of data time). */
  advanceTo(ts: number): void {
    if (!this.started) return;
    this.fireDue(ts);
  }

  /** Returns the run digest: SHA-256 over the canonical encoding of every emitted event. */
  digest(): string {
    return digestHex(this.digestState);
  }

  private start(ts: number): void {
    this.started = true;
    this.nextTick = this.clockSubscribers.length > 0 ? secondCeil(ts) : Infinity;
  }

  /** Runs the resume hook of every component whose state was replaced, in delivery order. */
  private resume(at: number): void {
    this.resumePending = false;
    for (const slot of this.slots) {
      if (slot.resumePending) {
        slot.resumePending = false;
        slot.component.resume?.(slot.state, slot.ctx, at);
      }
      // What an earlier slot's hook emitted is delivered here, in slot order, like a step's.
      if (slot.inbox.length === 0) continue;
      this.drain(slot);
      if (slot.component.settle !== undefined) slot.component.settle(slot.state, slot.ctx);
    }
  }

  /**
   * Drops duplicates (trade id, kline open time) and applies depth to the book; returns the
   * event's subscribers, or null when it is dropped.
   */
  private admit(ev: QxEvent): readonly number[] | null {
    const topic = ev.topic;
    if (topic === this.topics.trades) {
      const id = (ev.payload as Trade).id;
      if (id <= this.lastTradeId) {
        this.counters.duplicates++;
        return null;
      }
      if (this.lastTradeId >= 0 && id > this.lastTradeId + 1) this.counters.tradeGaps++;
      this.lastTradeId = id;
      return this.rawTargets[0];
    } else if (topic === this.topics.depth) {
      const r = this.book.apply(ev.payload as Depth);
      if (r === 'STALE') {
        this.counters.duplicates++;
        return null;
      }
      if (r === 'GAP') this.counters.bookGaps++;
      else if (r === 'CROSSED') this.counters.bookCrossed++;
      else if (r === 'WAITING') this.counters.bookWaiting++;
      return this.rawTargets[1];
    } else if (topic === this.topics.kline) {
      const t = (ev.payload as Kline).t;
      if (t <= this.lastKlineT) {
        this.counters.duplicates++;
        return null;
      }
      this.lastKlineT = t;
      return this.rawTargets[2];
    }
    return this.subscribers.get(topic) ?? NO_TARGETS;
  }

  private fireDue(limit: number): void {
    for (;;) {
      const timer = this.timers.length > 0 ? this.timers[0] : undefined;
      const tDue = timer !== undefined && timer.due <= limit ? timer.due : Infinity;
      const cDue = this.nextTick <= limit ? this.nextTick : Infinity;
      if (tDue === Infinity && cDue === Infinity) return;
      if (cDue <= tDue) this.fireTick(cDue);
      else this.fireTimer(heapPop(this.timers));
    }
  }

  private fireTick(at: number): void {
    this.nextTick = at + US_PER_SECOND;
    if (at > this.now) this.now = at;
    this.counters.ticks++;
    this.recvTs = at;
    const ev: QxEvent = { topic: CLOCK_TOPIC, ts: at, recvTs: at, key: this.symbol, seq: this.position, payload: null };
    this.step(ev, this.clockSubscribers);
  }

  private fireTimer(timer: Timer): void {
    if (timer.due > this.now) this.now = timer.due;
    this.counters.timers++;
    this.recvTs = this.now;
    const ev: QxEvent = {
      topic: TIMER_TOPIC, ts: timer.due, recvTs: this.now, key: this.symbol, seq: this.position, payload: { tag: timer.tag },
    };
    this.timerTarget[0] = timer.owner;
    this.step(ev, this.timerTarget);
  }

  /** Delivers `ev` to `targets`, then everything emitted downstream, slot by slot in order. */
  private step(ev: QxEvent, targets: readonly number[]): void {
    const n = targets.length;
    if (n === 0) return;
    if (this.queued !== 0) this.abandon();
    this.hi = targets[n - 1];
    // While no inbox holds an event (an emit is rare: most inputs only update state), the
    // event goes to its targets alone; the slots between them have nothing to do.
    let t = 0;
    while (this.queued === 0) {
      if (t === n) return;
      const slot = this.slots[targets[t++]];
      const c = slot.component;
      c.reduce(slot.state, ev, slot.ctx);
      if (c.settle !== undefined) c.settle(slot.state, slot.ctx);
    }
    // Something was emitted to a later slot: from the next slot on, each slot in order gets the
    // event if it is a target, then its inbox, then its settle.
    for (let i = targets[t - 1] + 1; i <= this.hi; i++) {
      const direct = t < n && targets[t] === i;
      if (direct) t++;
      const slot = this.slots[i];
      const inbox = slot.inbox;
      if (!direct && inbox.length === 0) continue;
      const c = slot.component;
      if (direct) c.reduce(slot.state, ev, slot.ctx);
      if (inbox.length !== 0) this.drain(slot);
      if (c.settle !== undefined) c.settle(slot.state, slot.ctx);
    }
  }

  /** Delivers a slot's inbox to it, in order, and empties it. */
  private drain(slot: Slot): void {
    const inbox = slot.inbox;
    for (let k = 0; k < inbox.length; k++) slot.component.reduce(slot.state, inbox[k], slot.ctx);
    this.queued -= inbox.length;
    inbox.length = 0;
  }

  /**
   * Drops what a step that threw left in the inboxes: that input was not processed to the end,
   * and redelivering its downstream events to the next input would mix two steps (and repeat a
   * record that throws every time).
   */
  private abandon(): void {
    for (const slot of this.slots) {
      this.counters.abandoned += slot.inbox.length;
      slot.inbox.length = 0;
    }
    this.queued = 0;
  }

  /** @ignore Called by a component's ctx. */
  emitFrom(i: number, kind: string, type: string, payload: object, options?: EmitOptions): void {
    const slot = this.slots[i];
    const out = slot.outTopic.get(kind);
    // Not assert(): its message, a template, would be built on every emit.
    if (out === undefined) throw new AssertionError(`component '${slot.component.id}' emitted on undeclared output '${kind}'`);
    const record: Out = {
      type,
      v: 1,
      symbol: this.symbol,
      provider: slot.id,
      seq: ++slot.emitSeq[out.index],
      ts: this.now,
      window: options?.window ?? null,
      warm: options?.warm ?? true,
      degraded: options?.degraded ?? false,
      flags: options?.flags ?? [],
      payload: payload as Record<string, unknown>,
    };
    const ev: QxEvent<Out> = { topic: out.topic, ts: this.now, recvTs: this.recvTs, key: this.symbol, seq: this.position, payload: record };
    this.counters.emitted++;
    const text = canonicalEmit(ev);
    digestAdd(this.digestState, text);
    if (this.onEmit !== undefined) this.onEmit(ev, text);
    const subs = out.subscribers;
    for (let k = 0; k < subs.length; k++) {
      const j = subs[k];
      if (j <= i) throw new AssertionError(`component '${slot.component.id}' feeds an earlier component: registry order is not topological`);
      this.slots[j].inbox.push(ev);
      this.queued++;
      if (j > this.hi) this.hi = j;
    }
  }

  /** @ignore Called by a component's ctx. */
  addTimer(owner: number, due: number, tag: string): void {
    if (!Number.isFinite(due)) throw new AssertionError(`timer '${tag}' due time must be finite, was ${due}`);
    heapPush(this.timers, { due: Math.max(due, this.now), id: this.timerId++, owner, tag });
  }

  /** Returns a deep copy of everything needed to resume exactly here. */
  snapshot(): RuntimeSnapshot {
    return structuredClone({
      version: 1 as const,
      symbol: this.symbol,
      position: this.position,
      now: this.now,
      started: this.started,
      nextTick: this.nextTick,
      timerId: this.timerId,
      timers: this.timers,
      states: this.slots.map((s) => s.state),
      emitSeq: this.slots.map((s) => s.emitSeq),
      book: this.book.snapshot(),
      digest: this.digestState,
      lastTradeId: this.lastTradeId,
      lastKlineT: this.lastKlineT,
      counters: this.counters,
    });
  }

  /** Restores a snapshot taken from a runtime with the same components and parameters. */
  restore(snapshot: RuntimeSnapshot): void {
    const s = structuredClone(snapshot);
    assert(s.version === 1, `snapshot version must be 1, was ${String(s.version)}`);
    assert(s.symbol === this.symbol, `snapshot is for symbol ${s.symbol}, runtime is for ${this.symbol}`);
    assert(s.states.length === this.slots.length, `snapshot has ${s.states.length} components, runtime has ${this.slots.length}`);
    this.position = s.position;
    this.now = s.now;
    this.started = s.started;
    this.nextTick = s.nextTick;
    this.timerId = s.timerId;
    this.timers = s.timers;
    this.slots.forEach((slot, i) => {
      slot.state = s.states[i];
      slot.emitSeq = s.emitSeq[i];
    });
    this.book.restore(s.book);
    this.digestState = s.digest;
    this.lastTradeId = s.lastTradeId;
    this.lastKlineT = s.lastKlineT;
    Object.assign(this.counters, s.counters);
  }

  /**
   * Replaces one component's state (an engine restored from its state file); its resume hook
   * runs before the next input.
   */
  replaceState(id: string, state: unknown): void {
    const slot = this.slots.find((s) => s.component.id === id);
    assert(slot !== undefined, `no component '${id}' in this runtime`);
    slot.state = structuredClone(state);
    slot.resumePending = true;
    this.resumePending = true;
  }

  /** Returns the component ids in delivery order. */
  componentIds(): string[] {
    return this.slots.map((s) => s.component.id);
  }

  /** Returns the live state of a component (tests and reports read it; never mutate). */
  stateOf(id: string): unknown {
    return this.slots.find((s) => s.component.id === id)?.state;
  }
}
