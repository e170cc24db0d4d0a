import type { z } from 'zod';
import type { QxEvent, Window } from './event.ts';
import type { BookView } from './book.ts';
import type { TradeRun } from './runtime-trades.ts';

export type { TradeRun } from './runtime-trades.ts';

// The component contract (DESIGN §4). A component is a pure reducer over its own plain state:
// its outputs depend only on (state, event, params). It may mutate its state in place for speed,
// but reads no wall time, no randomness, does no I/O and keeps no module-level mutable state.

export type Layer = 'provider' | 'signal' | 'validation' | 'engine';

export interface EmitOptions {
  warm?: boolean;
  degraded?: boolean;
  flags?: string[];
  window?: Window | null;
}

export interface Ctx<P = unknown> {
  /** The virtual clock, µs: the time of the event being processed. */
  readonly now: number;
  readonly symbol: string;
  readonly params: P;
  /** The shared local order book of the symbol, read-only (DESIGN §4). */
  readonly book: BookView;
  /**
   * Publishes a record on `kind` (a topic kind the component declared in `outputs`, e.g.
   * `data-tbsr`). The runtime fills `v, symbol, provider, seq, ts` of the envelope.
   */
  emit(kind: string, type: string, payload: object, options?: EmitOptions): void;
  /**
   * Asks for a timer event (topic `timer`, payload `{tag}`) at `ts` µs. It fires before the
   * first input with ts >= `ts`; timers with equal times fire in the order they were set.
   */
  wakeAt(ts: number, tag: string): void;
}

/**
 * Parse options for a schema parsed once or a few times per run (component parameters, the run
 * config, a manifest, a state file's header). Without them zod compiles an object schema into
 * JavaScript on its first parse, to make later parses fast: for one parse that costs more than
 * it saves (the components' parameters of the full path: 22–33 ms against 9–14 ms).
 */
export const PARSE_ONCE = { jitless: true } as const;

export interface Component<P = any, S = any> {
  readonly id: string;
  readonly layer: Layer;
  /** Topic kinds consumed: raw (`raw-trades`, `depth`, `kline-1m`), derived, or `clock`. */
  readonly inputs: readonly string[];
  /**
   * Optional: the inputs these parameters need, a subset of `inputs` (an engine in bar fill
   * mode reads no trades). The runtime subscribes to these only.
   */
  inputsFor?(params: P): readonly string[];
  /** Topic kinds produced. */
  readonly outputs: readonly string[];
  /** Zod schema of the parameters, every one defaulted. */
  readonly params: z.ZodType<P>;
  /** Returns the initial plain state. */
  init(params: P, symbol: string): S;
  /** Applies one event; publishes through `ctx.emit`. */
  reduce(state: S, event: QxEvent, ctx: Ctx<P>): void;
  /**
   * Optional: runs once per input step after the component has received every event the step
   * brought it (its own inputs and everything upstream emitted for that input). Signal
   * generators evaluate here, so they see every provider's output for a bar close.
   */
  settle?(state: S, ctx: Ctx<P>): void;
  /**
   * Optional: runs once before the first input after `Runtime.replaceState` gave the component
   * a state from outside the run (an engine's state file), to set the timers that state needs.
   * `at` is that input's time; timers set here keep their due times, so those already past
   * fire before the input, in order, as they would have in an uninterrupted run.
   */
  resume?(state: S, ctx: Ctx<P>, at: number): void;
  /**
   * Optional, for speed only (raw-trades subscribers): a time before which trades are quiet for
   * this component. Reduce on a raw trade with `ts` below it (trades in time order, after the
   * state as it is now), and settle after it, emit nothing and set no timer: they change only
   * this component's state. -Infinity promises nothing. Reads the state, changes nothing.
   *
   * When every subscriber of the trades answers, the runtime hands a run of quiet trades to
   * each subscriber in turn (all of the run to the first, then to the next), instead of each
   * trade to every subscriber: without emits the order between components is not observable,
   * so the states, outputs and digest are the same (core/runtime-trades.ts).
   */
  tradesQuietUntil?(state: S, ctx: Ctx<P>): number;
  /**
   * Optional, with tradesQuietUntil, for speed only: applies a run of quiet trades (run.at(i) for
   * i < run.length) exactly as reduce, then settle when defined, on each in turn would. The
   * loop is the component's own, so the per-trade work is not a call through the runtime's
   * delivery loop, shared by every component.
   */
  reduceTrades?(state: S, run: TradeRun, ctx: Ctx<P>): void;
}

/**
 * One string object per topic name. Readers, the runtime and components all take their topics
 * from here, so the per-event `ev.topic === s.topic` tests meet the same object and end at the
 * identity check instead of comparing characters. A cache of a pure function.
 */
const TOPIC_NAMES = new Map<string, string>();

/** Returns the full topic of a kind for a symbol (`execution-commands-*` carries no symbol). */
export function topicOf(kind: string, symbol: string): string {
  if (kind === 'clock' || kind === 'timer' || kind.startsWith('execution-commands-')) return kind;
  const topic = `${kind}-${symbol.toLowerCase()}`;
  const known = TOPIC_NAMES.get(topic);
  if (known !== undefined) return known;
  TOPIC_NAMES.set(topic, topic);
  return topic;
}
