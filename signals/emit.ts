import { z } from 'zod';
import { canonical, sha256Hex } from '../core/canonical.ts';
import type { Ctx } from '../core/component.ts';
import { ramp } from '../core/math.ts';
import type { Feat } from './features.ts';

// The SIGNAL record every generator publishes (SPEC §15): {generator, direction, bar_open_us,
// close, score, components, reasons, params_hash}, with C = sum w_j*c_j / sum w_j summed in the
// generator's fixed component order, so the score is bit-identical on every replay.

/** A defaulted, non-negative score weight. */
export function weight(x: number) {
  return z.number().nonnegative().default(x);
}

/** A defaulted ramp range [lo, hi] of SPEC §0.5 `ramp`. */
export function rampRange(lo: number, hi: number) {
  return z.tuple([z.number(), z.number()]).default([lo, hi]);
}

/** Returns ramp(x; lo, hi) over a range parameter, or null when x is null. */
export function rampOf(x: number | null, r: readonly [number, number]): number | null {
  return x === null ? null : ramp(x, r[0], r[1]);
}

/** Returns sha256Hex of the canonical encoding of the parsed parameters. */
export function paramsHash(params: unknown): string {
  return sha256Hex(canonical(params));
}

/** Returns a number in a short, deterministic form for reasons (people read these). */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x);
}

/** The score components of one candidate entry and the reasons that made it. */
export interface Draft {
  d: 1 | -1;
  comps: Record<string, number>;
  reasons: string[];
  /** Components whose input was missing on this bar; they score 0 (conservative). */
  missing: string[];
}

/** Returns an empty draft for direction `d` with the entry reasons. */
export function draftNew(d: 1 | -1, reasons: string[]): Draft {
  return { d, comps: {}, reasons, missing: [] };
}

/** Sets component `name` to `x` in [0, 1]; a null input scores 0 and is recorded as missing. */
export function setComp(dr: Draft, name: string, x: number | null): void {
  if (x === null || Number.isNaN(x)) {
    dr.comps[name] = 0;
    dr.missing.push(name);
  } else {
    dr.comps[name] = x;
  }
}

/** Returns C = sum w_j*c_j / sum w_j over `names` in order. */
export function scoreOf(
  names: readonly string[], weights: Readonly<Record<string, number>>, comps: Readonly<Record<string, number>>,
): number {
  let num = 0;
  let den = 0;
  for (const n of names) {
    num += weights[n] * comps[n];
    den += weights[n];
  }
  return den > 0 ? num / den : 0;
}

/** Publishes one SIGNAL for the bar under evaluation. */
export function emitSignal(
  ctx: Ctx, kind: string, generator: string, f: Feat, hash: string,
  names: readonly string[], weights: Readonly<Record<string, number>>, dr: Draft,
): void {
  const components: Record<string, number> = {};
  for (const n of names) components[n] = dr.comps[n];
  const reasons = dr.reasons.slice();
  if (dr.missing.length > 0) reasons.push(`inputs missing on this bar, scored 0: ${dr.missing.join(', ')}`);
  ctx.emit(kind, 'SIGNAL', {
    generator,
    direction: dr.d,
    bar_open_us: f.bar.t,
    close: f.bar.c,
    score: scoreOf(names, weights, components),
    components,
    reasons,
    params_hash: hash,
  }, {
    warm: true,
    degraded: f.barDegraded,
    flags: dr.missing.length > 0 ? ['MISSING_INPUT'] : [],
    window: { start_us: f.bar.t, end_us: ctx.now },
  });
}

/** Returns a direction name for reasons. */
export function side(d: number): string {
  return d > 0 ? 'LONG' : 'SHORT';
}
