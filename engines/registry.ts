import { z } from 'zod';
import type { Component } from '../core/component.ts';
import { makeEngine, type EngineConfig, type EngineState } from './engine.ts';
import { EngineParams } from './params.ts';

export { EngineParams };

// The six execution engines (seed "Execution Engines (6)", topics `execution-commands-<id>`).
// Timing confirmation (cpbc, flip): a breakout or an inflection is traded only when a Phase
// Timing signal in the same direction arrived within `confirm_window_bars` (default 30) bars, or
// the Kalman trend at the signal bar points the same way (UP for LONG, DOWN for SHORT). Requiring
// one of the two, rather than reducing the score, keeps the gate explainable in one line and
// still trades breakouts outside Phase Timing's 90-minute opening windows when the trend agrees.

export const ENGINE_IDS = ['ald', 'cpbc', 'flip', 'vstr', 'lvl', 'vsw'] as const;
export type EngineId = (typeof ENGINE_IDS)[number];

const PHASE_TIMING = 'signal-cse-phasetiming';

export const ENGINE_CONFIGS: Readonly<Record<EngineId, EngineConfig>> = Object.freeze({
  ald: { id: 'ald', title: 'Liquidity Fulcrum', signals: ['signal-uso-ald'], confirmers: [], kalman: false },
  cpbc: {
    id: 'cpbc', title: 'Compression Breakout + Phase Timing', signals: ['signal-cse-compressionbreakout'],
    confirmers: [PHASE_TIMING], kalman: true,
  },
  flip: {
    id: 'flip', title: 'Flow Inflections + Phase Timing', signals: ['signal-cse-flowinflections'],
    confirmers: [PHASE_TIMING], kalman: true,
  },
  vstr: { id: 'vstr', title: 'Volatility Stress', signals: ['signal-cse-volatilitystress'], confirmers: [], kalman: false },
  lvl: { id: 'lvl', title: 'Level Plays', signals: ['signal-uso-levelplays'], confirmers: [], kalman: false },
  vsw: { id: 'vsw', title: 'Void Swept', signals: ['signal-uso-voidswept'], confirmers: [], kalman: false },
});

/** Returns whether `id` names one of the six engines. */
export function isEngineId(id: string): id is EngineId {
  return (ENGINE_IDS as readonly string[]).includes(id);
}

/** Returns the config of engine `id`, or throws naming the valid ids. */
export function configById(id: string): EngineConfig {
  if (!isEngineId(id)) throw new Error(`engine id must be one of ${ENGINE_IDS.join(', ')}, was '${id}'`);
  return ENGINE_CONFIGS[id];
}

/** Returns a fresh engine component for `id`. */
export function engineById(id: string): Component<EngineParams, EngineState> {
  return makeEngine(configById(id));
}

/** The suffix of a tape twin's id: `ald-tape` is `ald` with fills resolved from the trades. */
export const TAPE_SUFFIX = '-tape';

/**
 * Returns the tape twin of engine `id` (SPEC §17: "report both modes"): the same engine under
 * the id `<id>-tape`, on its own topics, with `fill_mode` 'tape' unless its config says otherwise.
 * A backtest runs both, so a bar whose range held both stop and target is judged both ways.
 */
export function tapeTwin(id: string): Component<EngineParams, EngineState> {
  const base = configById(id);
  const twin = makeEngine({ ...base, id: `${base.id}${TAPE_SUFFIX}` });
  const params = z.preprocess(
    (raw) => (raw !== null && typeof raw === 'object' && !('fill_mode' in raw) ? { ...raw, fill_mode: 'tape' } : raw),
    EngineParams,
  ) as unknown as z.ZodType<EngineParams>;
  return { ...twin, params };
}
