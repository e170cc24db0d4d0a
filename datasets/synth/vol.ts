import { US_PER_DAY, US_PER_HOUR } from '../../core/time.ts';
import type { Rng } from './rng.ts';

// Volatility and activity of the synthetic market. Per-minute variance is a GARCH(1,1)-like
// multiplier g (mean 1) on a regime level (low / medium / high annualised vol, switching about
// every one to two days), times an intraday seasonality with a London bump (07-16 UTC) and a
// New York bump (13:30-21 UTC). Trade intensity follows the same seasonality and, more weakly, g.

/** Annualised vol of the regimes (low, medium, high). */
export const REGIME_VOL = [0.24, 0.4, 0.62] as const;
const REGIME_INTENSITY = [0.8, 1, 1.35] as const;
const REGIME_START_WEIGHTS = [0.3, 0.5, 0.2] as const;
const MINUTES_PER_YEAR = 525_600;
const BATCHES_PER_MINUTE = 600;
const GARCH_ALPHA = 0.06;
const GARCH_BETA = 0.92;
const G_MIN = 0.3;
const G_MAX = 4;
/** Chance per minute of a regime switch: about one switch per 36 hours. */
const REGIME_SWITCH_PER_MINUTE = 1 / 2160;

/** Returns a smooth 0..1 window that rises around `a` and falls around `b` (hours). */
function bump(h: number, a: number, b: number): number {
  const edge = 0.75;
  const up = Math.min(1, Math.max(0, (h - a + edge / 2) / edge));
  const down = Math.min(1, Math.max(0, (b + edge / 2 - h) / edge));
  const s = Math.min(up, down);
  return s * s * (3 - 2 * s);
}

function rawActivity(hour: number): number {
  return 0.35 + 0.45 * bump(hour, 7, 16) + 0.6 * bump(hour, 13.5, 21);
}

/** The daily mean of rawActivity over 1440 minute midpoints, so activity averages 1 per day. */
const ACTIVITY_MEAN = (() => {
  let s = 0;
  for (let m = 0; m < 1440; m++) s += rawActivity((m + 0.5) / 60);
  return s / 1440;
})();

/** Returns the intraday activity factor at a time (daily mean 1). */
export function activity(tsUs: number): number {
  const inDay = ((tsUs % US_PER_DAY) + US_PER_DAY) % US_PER_DAY;
  return rawActivity(inDay / US_PER_HOUR) / ACTIVITY_MEAN;
}

/** The regime and GARCH state of the variance process. */
export class VolProcess {
  regime: number;
  g = 1;
  private sumZ = 0;
  private nZ = 0;
  private act = 1;
  private intensityNow = 1;

  constructor(private readonly rng: Rng) {
    const u = rng.uniform();
    this.regime = u < REGIME_START_WEIGHTS[0] ? 0 : u < REGIME_START_WEIGHTS[0] + REGIME_START_WEIGHTS[1] ? 1 : 2;
  }

  /** Closes a minute: GARCH update from its standardised return, maybe a regime switch. */
  stepMinute(minuteStartUs: number): void {
    if (this.nZ > 0) {
      const z = this.sumZ / Math.sqrt(this.nZ);
      const g = 1 - GARCH_ALPHA - GARCH_BETA + GARCH_ALPHA * this.g * z * z + GARCH_BETA * this.g;
      this.g = Math.min(G_MAX, Math.max(G_MIN, g));
    }
    this.sumZ = 0;
    this.nZ = 0;
    if (this.rng.chance(REGIME_SWITCH_PER_MINUTE)) {
      const step = this.regime === 0 ? 1 : this.regime === 2 ? -1 : this.rng.chance(0.5) ? 1 : -1;
      this.regime += step;
    }
    this.act = activity(minuteStartUs + 30_000_000);
    this.intensityNow = this.act * REGIME_INTENSITY[this.regime] * Math.pow(this.g, 0.35);
  }

  /** Records one standardised price shock of the current minute. */
  addShock(z: number): void {
    this.sumZ += z;
    this.nZ++;
  }

  /** Returns the relative sd of the fair price over one 100 ms batch. */
  sigmaBatch(): number {
    return (REGIME_VOL[this.regime] / Math.sqrt(MINUTES_PER_YEAR * BATCHES_PER_MINUTE)) * Math.sqrt(this.act * this.g);
  }

  /** Returns the trade intensity factor of the current minute (mean about 1). */
  intensity(): number {
    return this.intensityNow;
  }
}
