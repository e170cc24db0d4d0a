import { assert } from './assert.ts';
import type { Book } from './book.ts';
import { PARSE_ONCE, topicOf, type Component, type Ctx, type EmitOptions } from './component.ts';
import type { QxEvent } from './event.ts';

// How the runtime (core/runtime.ts) wires its components: one slot per component in registry
// order, the subscribers of every topic, and the ctx each component gets. Wiring checks the
// topology: a component reads only what it declares, and only topics that an earlier
// component (or the market) produces.

export const CLOCK_TOPIC = 'clock';
/** The subscribers of a topic nobody reads. */
export const NO_TARGETS: readonly number[] = [];

export interface ComponentSpec {
  component: Component;
  params?: unknown;
}

/** What a component's ctx needs of the runtime. */
export interface SlotHost {
  readonly now: number;
  readonly book: Book;
  emitFrom(i: number, kind: string, type: string, payload: object, options?: EmitOptions): void;
  addTimer(owner: number, due: number, tag: string): void;
}

export interface Slot {
  component: Component;
  /** The component's id, read per emit from the slot (one shape for all) rather than the component. */
  id: string;
  state: unknown;
  ctx: SlotCtx;
  /** Per output kind: topic, subscriber slots, seq counter index. */
  outTopic: Map<string, { topic: string; subscribers: number[]; index: number }>;
  emitSeq: number[];
  inbox: QxEvent[];
  /** Set by replaceState: the component's resume hook runs before the next input. */
  resumePending: boolean;
}

class SlotCtx implements Ctx {
  constructor(
    private readonly rt: SlotHost,
    private readonly slot: number,
    readonly symbol: string,
    readonly params: unknown,
  ) {}
  get now(): number {
    return this.rt.now;
  }
  get book() {
    return this.rt.book;
  }
  emit(kind: string, type: string, payload: object, options?: EmitOptions): void {
    this.rt.emitFrom(this.slot, kind, type, payload, options);
  }
  wakeAt(ts: number, tag: string): void {
    this.rt.addTimer(this.slot, ts, tag);
  }
}

/** The topics of the market streams of a symbol. */
export interface RawTopics {
  trades: string;
  depth: string;
  kline: string;
}

/** The wired topology: slots, subscribers by topic, and those of CLOCK and the market topics. */
export interface Wiring {
  slots: Slot[];
  subscribers: Map<string, number[]>;
  clockSubscribers: number[];
  /** Subscribers of the raw trades, depth and kline topics, looked up once. */
  rawTargets: ReadonlyArray<readonly number[]>;
}

/** Wires `specs` in order for `symbol`; throws on a topology that cannot be delivered in order. */
export function wire(specs: readonly ComponentSpec[], symbol: string, topics: RawTopics, host: SlotHost): Wiring {
  const slots: Slot[] = [];
  const subscribers = new Map<string, number[]>();
  const produced = new Map<string, number>();
  specs.forEach((spec, i) => {
    const c = spec.component;
    const params = c.params.parse(spec.params ?? {}, PARSE_ONCE);
    const inputs = c.inputsFor?.(params) ?? c.inputs;
    assert(inputs.every((k) => c.inputs.includes(k)), `component '${c.id}' asks for inputs it does not declare`);
    for (const kind of inputs) {
      const topic = topicOf(kind, symbol);
      const isRaw = topic === topics.trades || topic === topics.depth || topic === topics.kline;
      assert(isRaw || kind === CLOCK_TOPIC || produced.has(topic),
        `component '${c.id}' reads '${kind}', which no earlier component produces`);
      push(subscribers, topic, i);
    }
    c.outputs.forEach((kind) => produced.set(topicOf(kind, symbol), i));
    slots.push({
      component: c,
      id: c.id,
      state: c.init(params, symbol),
      ctx: new SlotCtx(host, i, symbol, params),
      outTopic: new Map(),
      emitSeq: c.outputs.map(() => 0),
      inbox: [],
      resumePending: false,
    });
  });
  for (const slot of slots) {
    slot.component.outputs.forEach((kind, index) => {
      const topic = topicOf(kind, symbol);
      slot.outTopic.set(kind, { topic, subscribers: subscribers.get(topic) ?? [], index });
    });
  }
  const rawTargets = [topics.trades, topics.depth, topics.kline].map((topic) => subscribers.get(topic) ?? NO_TARGETS);
  return { slots, subscribers, clockSubscribers: subscribers.get(CLOCK_TOPIC) ?? [], rawTargets };
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
