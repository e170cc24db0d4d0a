import { describe, expect, it } from 'vitest';
import { KalmanPayloadSchema, type KalmanPayload } from '../../core/schemas/kalman.ts';
import { kalman, kalmanNew, kalmanPredict, kalmanUpdate, type KalmanState } from '../../providers/kalman.ts';
import { bar, harness, type Harness } from '../support/harness.ts';

// Goal: the Kalman filter of SPEC §12 and §0.6: the local-level steady state and one-step worked
// examples, the local-linear-trend path of the provider, predict-only minutes, the reset after a
// long gap, warm-up, outliers and trend labels. Method: closed forms from the SPEC, and a plain
// re-implementation written here (standard covariance update, not Joseph) as the path oracle.

const T0 = Date.UTC(2024, 0, 1) * 1000;
const MIN = 60_000_000;

function feed(h: Harness, closes: number[], minutes: number[] = closes.map((_, i) => i)): KalmanPayload[] {
  closes.forEach((c, i) => h.kline(bar(T0, minutes[i], { c })));
  return h.on('data-kalman').map((o) => KalmanPayloadSchema.parse(o.payload));
}

/** Seeded closes: a random walk with a slow drift (mulberry32). */
function walk(n: number, seed: number, drift = 0): number[] {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const c = [30000];
  for (let i = 1; i < n; i++) c.push(c[i - 1] * Math.exp(drift + 6e-4 * (u() - 0.5)));
  return c;
}

interface OracleRow { level: number; slope: number; slopeT: number; z: number; dev: number }

/** The oracle: LLT filter in plain 2x2 algebra, P+ = (I - K Z) P-, missing minutes predict only. */
function oracle(y: number[], minutes: number[], H: number, q0: number, q1: number): OracleRow[] {
  let x = [y[0], 0];
  let P = [[1e6 * H, 0], [0, 1e6 * H]];
  const rows: OracleRow[] = [];
  for (let k = 0; k < y.length; k++) {
    const steps = k === 0 ? 0 : minutes[k] - minutes[k - 1];
    for (let s = 0; s < steps; s++) {
      x = [x[0] + x[1], x[1]];
      const a = P[0][0] + P[0][1] + P[1][0] + P[1][1];
      P = [[a + q0, P[0][1] + P[1][1]], [P[1][0] + P[1][1], P[1][1] + q1]];
    }
    const v = y[k] - x[0];
    const F = P[0][0] + H;
    const K = [P[0][0] / F, P[1][0] / F];
    x = [x[0] + K[0] * v, x[1] + K[1] * v];
    P = [[(1 - K[0]) * P[0][0], (1 - K[0]) * P[0][1]], [P[1][0] - K[1] * P[0][0], P[1][1] - K[1] * P[0][1]]];
    rows.push({ level: x[0], slope: x[1], slopeT: x[1] / Math.sqrt(P[1][1]), z: v / Math.sqrt(F), dev: y[k] - x[0] });
  }
  return rows;
}

const near = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe('providers > kalman', () => {
  it('converges to the local-level steady state P- = 2.561553, K = 0.390388 for Q=1, H=4 (check a)', () => {
    const s: KalmanState = { ...kalmanNew(), P00: 100 };
    let pMinus = 0;
    for (let i = 0; i < 200; i++) {
      kalmanPredict(s, 1, 0, true);
      pMinus = s.P00;
      kalmanUpdate(s, 0, 4);
    }
    expect(pMinus).toBeCloseTo((1 + Math.sqrt(1 + 16)) / 2, 12);
    expect(pMinus).toBeCloseTo(2.561553, 6);
    expect(pMinus / (pMinus + 4)).toBeCloseTo(0.390388, 6);
  });

  it('matches the one-step local-level example: F=7, K=3/7, x+=100.428571, P+=1.714286, z=0.377964 (check b)', () => {
    const s: KalmanState = { ...kalmanNew(), x0: 100, P00: 2 };
    kalmanPredict(s, 1, 0, true);
    kalmanUpdate(s, 101, 4);
    expect(s.F).toBe(7);
    expect(s.x0 - 100).toBeCloseTo(3 / 7, 14);
    expect(s.x0).toBeCloseTo(100.428571, 6);
    expect(s.P00).toBeCloseTo(1.714286, 6);
    expect(s.v / Math.sqrt(s.F)).toBeCloseTo(0.377964, 6);
  });

  it('follows the oracle LLT path to 1e-9, with predict-only missing minutes (check c)', () => {
    const closes = walk(400, 21, 2e-5);
    const minutes = closes.map((_, i) => i + (i >= 200 ? 5 : 0) + (i >= 300 ? 60 : 0));
    const h = harness([kalman]);
    const out = feed(h, closes, minutes);
    const want = oracle(closes.map(Math.log), minutes, 25e-8, 1e-8, 25e-12);
    out.forEach((p, k) => {
      near(Math.log(p.level_usdt), want[k].level, 1e-12);
      near(p.slope_bps_per_min!, 1e4 * want[k].slope, 1e-9);
      near(p.slope_t!, want[k].slopeT, 1e-9);
      near(p.innov_z, want[k].z, 1e-9);
      near(p.dev_bps, 1e4 * want[k].dev, 1e-9);
      expect(p.trend).toBe(p.slope_t! >= 2 ? 'UP' : p.slope_t! <= -2 ? 'DOWN' : 'FLAT');
    });
    const env = h.on('data-kalman');
    expect(env[200].flags).toEqual(['GAP_PREDICT']);
    expect(env[300].flags).toEqual(['GAP_PREDICT']);
  });

  it('is warm after 30 observations and starts from a_1 = [y_1, 0]', () => {
    const h = harness([kalman]);
    const out = feed(h, walk(40, 3));
    const env = h.on('data-kalman');
    expect(env.slice(0, 29).every((o) => !o.warm)).toBe(true);
    expect(env.slice(29).every((o) => o.warm)).toBe(true);
    expect(out[0]).toMatchObject({ innov_z: 0, slope_t: 0, trend: 'FLAT', outlier: false });
    expect(out[0].level_usdt).toBeCloseTo(30000, 9);
  });

  it('resets after a gap of more than 60 minutes, and not after exactly 60', () => {
    const closes = walk(80, 8);
    const h = harness([kalman]);
    const out = feed(h, closes, closes.map((_, i) => (i < 50 ? i : i + 61)));
    const env = h.on('data-kalman');
    expect(env[50].flags).toEqual(['RESET']);
    expect(out[50]).toMatchObject({ innov_z: 0, slope_t: 0, dev_bps: 0 });
    expect(Math.log(out[50].level_usdt)).toBeCloseTo(Math.log(closes[50]), 14);
    expect(env[50 + 28].warm).toBe(false);
    expect(env[50 + 29].warm).toBe(true);
    const g = harness([kalman]);
    feed(g, closes.slice(0, 52), closes.slice(0, 52).map((_, i) => (i < 50 ? i : i + 60)));
    expect(g.on('data-kalman')[50]).toMatchObject({ flags: ['GAP_PREDICT'], warm: true });
  });

  it('flags an outlier and still updates; with skipOutliers it keeps the prediction', () => {
    const closes = [...walk(50, 4).map(() => 30000), 30300];
    const up = feed(harness([kalman]), closes);
    expect(up[50].outlier).toBe(true);
    expect(up[50].innov_z).toBeGreaterThan(6);
    expect(up[50].level_usdt).toBeGreaterThan(30000);
    const skip = feed(harness([{ component: kalman, params: { skipOutliers: true } }]), closes);
    expect(skip[50]).toMatchObject({ outlier: true, innov_z: up[50].innov_z });
    expect(skip[50].level_usdt).toBeCloseTo(30000, 9);
  });

  it('labels a steady climb UP and a steady fall DOWN', () => {
    const rise = feed(harness([kalman]), Array.from({ length: 120 }, (_, i) => 30000 * Math.exp(2e-4 * i)));
    expect(rise[119].trend).toBe('UP');
    expect(rise[119].slope_bps_per_min!).toBeCloseTo(2, 1);
    const fall = feed(harness([kalman]), Array.from({ length: 120 }, (_, i) => 30000 * Math.exp(-2e-4 * i)));
    expect(fall[119].trend).toBe('DOWN');
  });

  it('runs the local-level mode with null slope fields', () => {
    const closes = walk(60, 6);
    const out = feed(harness([{ component: kalman, params: { mode: 'll' } }]), closes);
    let x = Math.log(closes[0]);
    let P = 1e6 * 25e-8;
    closes.forEach((c, k) => {
      if (k > 0) P += 1e-8;
      const v = Math.log(c) - x;
      const K = P / (P + 25e-8);
      x += K * v;
      P = (1 - K) * P;
      near(Math.log(out[k].level_usdt), x, 1e-12);
      expect(out[k]).toMatchObject({ slope_bps_per_min: null, slope_t: null, trend: 'FLAT' });
    });
  });
});
