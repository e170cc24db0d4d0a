import type { Component } from '../core/component.ts';
import { topicOf } from '../core/component.ts';
import { cvd } from '../providers/cvd.ts';
import { tbsr } from '../providers/tbsr.ts';
import { volumeRatio } from '../providers/volume-ratio.ts';
import { l2Delta } from '../providers/l2-delta.ts';
import { garch } from '../providers/garch.ts';
import { volatilityState } from '../providers/volatility-state.ts';
import { hiddenLiquidity } from '../providers/hidden-liquidity.ts';
import { spoofing } from '../providers/spoofing.ts';
import { spread } from '../providers/spread.ts';
import { liquidityVacuum } from '../providers/liquidity-vacuum.ts';
import { vpin } from '../providers/vpin.ts';
import { kalman } from '../providers/kalman.ts';
import { volumeProfile } from '../providers/volume-profile.ts';
import { multiVwap } from '../providers/multi-vwap.ts';
import { SIGNALS } from '../signals/index.ts';
import { ENGINE_IDS, TAPE_SUFFIX, engineById, tapeTwin } from '../engines/registry.ts';

// The composition root's list of components, in delivery order: providers 1..14 (SPEC order),
// then signal generators, then engines. Adding a component is one line here.

export const PROVIDERS: readonly Component[] = [
  cvd, tbsr, volumeRatio, l2Delta, garch, volatilityState, hiddenLiquidity,
  spoofing, spread, liquidityVacuum, vpin, kalman, volumeProfile, multiVwap,
];

export const ENGINES: readonly Component[] = ENGINE_IDS.map((id) => engineById(id));

/** Every component, in delivery order: providers, signal generators, engines. */
export const ALL_COMPONENTS: readonly Component[] = [...PROVIDERS, ...SIGNALS, ...ENGINES];

/** Every component a config file may set: all of the above and the engines' tape twins. */
export const CONFIGURABLE: readonly Component[] = [...ALL_COMPONENTS, ...ENGINE_IDS.map((id) => tapeTwin(id))];

/** Returns the engine ids a `--strategy` value names (`all` or one id), or throws a one-line error. */
export function parseStrategy(value: string): string[] {
  if (value === 'all') return [...ENGINE_IDS];
  if ((ENGINE_IDS as readonly string[]).includes(value)) return [value];
  throw new Error(`unknown strategy '${value}' (choose one of ${ENGINE_IDS.join(', ')}, or all)`);
}

/**
 * How engine fills are resolved when one bar holds both stop and target (SPEC §17): 'bar'
 * assumes the stop, 'tape' runs each engine's tape twin (`<id>-tape`), 'both' runs the two side
 * by side so a report shows both.
 */
export type FillModes = 'bar' | 'tape' | 'both';
export const FILL_MODES: readonly FillModes[] = ['bar', 'tape', 'both'];

/** Returns the fill modes a `--fill-mode` value names, or throws a one-line error. */
export function parseFillModes(value: string): FillModes {
  if ((FILL_MODES as readonly string[]).includes(value)) return value as FillModes;
  throw new Error(`unknown fill mode '${value}' (choose one of ${FILL_MODES.join(', ')})`);
}

/** Returns the ids of the engine components that run for `engines` under `modes`, in delivery order. */
export function engineRunIds(engines: readonly string[], modes: FillModes = 'bar'): string[] {
  const bar = modes === 'tape' ? [] : [...engines];
  const tape = modes === 'bar' ? [] : engines.map((id) => `${id}${TAPE_SUFFIX}`);
  return [...bar, ...tape];
}

/** Returns the components the engines need, walking topics upstream, in delivery order. */
export function strategyComponents(engines: readonly string[], modes: FillModes = 'bar'): Component[] {
  const needed = upstreamClosure(ALL_COMPONENTS, engines);
  if (modes === 'bar') return needed;
  // Twins read what their engines read, so everything upstream of them is already here.
  const twins = engines.map((id) => tapeTwin(id));
  return [...needed.filter((c) => modes === 'both' || !engines.includes(c.id)), ...twins];
}

/**
 * Returns the components needed to produce `targets` (component ids), found by walking topics
 * upstream, in registry order.
 */
export function upstreamClosure(all: readonly Component[], targets: readonly string[]): Component[] {
  const producer = new Map<string, Component>();
  for (const c of all) for (const k of c.outputs) producer.set(topicOf(k, 'x'), c);
  const needed = new Set<string>();
  const visit = (c: Component) => {
    if (needed.has(c.id)) return;
    needed.add(c.id);
    for (const k of c.inputs) {
      const p = producer.get(topicOf(k, 'x'));
      if (p !== undefined) visit(p);
    }
  };
  for (const id of targets) {
    const c = all.find((x) => x.id === id);
    if (c === undefined) throw new Error(`unknown component '${id}'`);
    visit(c);
  }
  return all.filter((c) => needed.has(c.id));
}
