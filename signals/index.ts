import type { Component } from '../core/component.ts';
import { compressionBreakout } from './compression-breakout.ts';
import { flowInflections } from './flow-inflections.ts';
import { liquidityFulcrum } from './liquidity-fulcrum.ts';
import { volatilityStress } from './volatility-stress.ts';
import { levelPlays } from './level-plays.ts';
import { phaseTiming } from './phase-timing.ts';
import { voidSwept } from './void-swept.ts';

// The 7 signal generators of SPEC §15, in registry order (DESIGN §5: within the signal layer,
// events are delivered in this order).

export { compressionBreakout, flowInflections, liquidityFulcrum, volatilityStress, levelPlays, phaseTiming, voidSwept };

export const SIGNALS: readonly Component[] = [
  compressionBreakout,
  flowInflections,
  liquidityFulcrum,
  volatilityStress,
  levelPlays,
  phaseTiming,
  voidSwept,
];
