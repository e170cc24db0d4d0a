// Pure GARCH(1,1) mathematics of SPEC §5: the tseries-convention likelihood, the fixed-parameter
// filter, a deterministic Nelder-Mead, the analytic 5-step forecast, and the two fits (variance
// targeting and full MLE). Returns are percent per bar with zero mean (e_t = r_t); variances are
// in %^2. Everything here allocates only per call, never per return, so a refit over 2880
// returns costs a few hundred passes of one multiply-add and one log per return.

/** Upper bound of the persistence phi = alpha + beta (SPEC §5). */
export const PHI_MAX = 0.9999;
const LN_2PI = Math.log(2 * Math.PI);

/** Returns s2 = (1/n) sum r_t^2 in oldest-first order: the h_1 of the tseries convention. */
export function meanSquare(r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return s / r.length;
}

/**
 * Returns 0.5 * sum_{t=2..n} (ln h_t + r_t^2/h_t) with h_1 = h1 (tseries' objective, without the
 * constant), or +Infinity when a variance is not positive.
 */
export function garchNll(r: ArrayLike<number>, omega: number, alpha: number, beta: number, h1: number): number {
  let h = h1;
  let acc = 0;
  for (let t = 1; t < r.length; t++) {
    const e = r[t - 1];
    h = omega + alpha * e * e + beta * h;
    if (!(h > 0)) return Infinity;
    const x = r[t];
    acc += Math.log(h) + (x * x) / h;
  }
  return 0.5 * acc;
}

/** Returns the Gaussian log-likelihood LL = -0.5 sum_{t=2..n} (ln 2pi + ln h_t + r_t^2/h_t). */
export function garchLogLik(r: ArrayLike<number>, omega: number, alpha: number, beta: number, h1: number): number {
  return -garchNll(r, omega, alpha, beta, h1) - 0.5 * (r.length - 1) * LN_2PI;
}

/** Returns the conditional variance path h_1..h_n with h_1 = h1 (fixed parameters). */
export function garchPath(r: ArrayLike<number>, omega: number, alpha: number, beta: number, h1: number): number[] {
  const h = new Array<number>(r.length);
  if (r.length === 0) return h;
  h[0] = h1;
  for (let t = 1; t < r.length; t++) h[t] = omega + alpha * r[t - 1] * r[t - 1] + beta * h[t - 1];
  return h;
}

/** Returns h(1) = omega + alpha r_T^2 + beta h_T after filtering the whole window from h_1 = h1. */
export function garchNext(r: ArrayLike<number>, omega: number, alpha: number, beta: number, h1: number): number {
  let h = h1;
  for (let t = 1; t < r.length; t++) h = omega + alpha * r[t - 1] * r[t - 1] + beta * h;
  const e = r[r.length - 1];
  return omega + alpha * e * e + beta * h;
}

export interface Forecast {
  h1: number;
  VL: number;
  V5: number;
  volAnnPct: number;
  sigma5mPct: number;
  halfLifeMin: number;
}

/** Returns the analytic forecast of SPEC §5 from h(1) (annualised over 525600 minutes). */
export function garchForecast(omega: number, alpha: number, beta: number, h1: number): Forecast {
  const phi = alpha + beta;
  const VL = omega / (1 - phi);
  // The sum of phi^0..phi^4 equals (1 - phi^5)/(1 - phi) without dividing by a small 1 - phi.
  const geo = 1 + phi * (1 + phi * (1 + phi * (1 + phi)));
  const V5 = 5 * VL + (h1 - VL) * geo;
  return {
    h1,
    VL,
    V5,
    volAnnPct: Math.sqrt((V5 * 525600) / 5),
    sigma5mPct: Math.sqrt(V5),
    halfLifeMin: phi > 0 ? Math.log(0.5) / Math.log(phi) : 0,
  };
}

export interface NmResult {
  x: number[];
  f: number;
  iterations: number;
  converged: boolean;
}

/**
 * Minimises `f` by Nelder-Mead (reflection 1, expansion 2, contraction 0.5, shrink 0.5) from the
 * fixed simplex x0, x0 + step*e_i. It stops when f_worst - f_best <= ftol*(|f_best| + ftol), the
 * relative test of R's optim, or after maxIter iterations. Ties keep the earlier vertex, so the
 * path is deterministic.
 */
export function nelderMead(f: (x: Float64Array) => number, x0: readonly number[], step: number, maxIter: number, ftol: number): NmResult {
  const d = x0.length;
  const pts: Float64Array[] = [];
  const fv = new Float64Array(d + 1);
  for (let i = 0; i <= d; i++) {
    const p = Float64Array.from(x0);
    if (i > 0) p[i - 1] += step;
    pts.push(p);
    fv[i] = safe(f(p));
  }
  const cen = new Float64Array(d);
  const xr = new Float64Array(d);
  const xe = new Float64Array(d);
  let it = 0;
  let converged = false;
  for (;;) {
    sortSimplex(pts, fv);
    if (fv[d] - fv[0] <= ftol * (Math.abs(fv[0]) + ftol)) { converged = true; break; }
    if (it >= maxIter) break;
    it++;
    cen.fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cen[j] += pts[i][j] / d;
    for (let j = 0; j < d; j++) xr[j] = cen[j] + (cen[j] - pts[d][j]);
    const fr = safe(f(xr));
    if (fr < fv[0]) {
      for (let j = 0; j < d; j++) xe[j] = cen[j] + 2 * (cen[j] - pts[d][j]);
      const fe = safe(f(xe));
      if (fe < fr) { pts[d].set(xe); fv[d] = fe; } else { pts[d].set(xr); fv[d] = fr; }
    } else if (fr < fv[d - 1]) {
      pts[d].set(xr);
      fv[d] = fr;
    } else {
      // Contract outside when the reflection beats the worst vertex, else inside.
      const outside = fr < fv[d];
      for (let j = 0; j < d; j++) xe[j] = outside ? cen[j] + 0.5 * (xr[j] - cen[j]) : cen[j] + 0.5 * (pts[d][j] - cen[j]);
      const fc = safe(f(xe));
      if (fc < (outside ? fr : fv[d])) { pts[d].set(xe); fv[d] = fc; } else shrink(f, pts, fv);
    }
  }
  return { x: Array.from(pts[0]), f: fv[0], iterations: it, converged };
}

function safe(v: number): number {
  return Number.isFinite(v) ? v : Infinity;
}

function shrink(f: (x: Float64Array) => number, pts: Float64Array[], fv: Float64Array): void {
  for (let i = 1; i < pts.length; i++) {
    for (let j = 0; j < pts[i].length; j++) pts[i][j] = pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]);
    fv[i] = safe(f(pts[i]));
  }
}

/** Insertion sort by f, stable, so equal values keep their order. */
function sortSimplex(pts: Float64Array[], fv: Float64Array): void {
  for (let i = 1; i < fv.length; i++) {
    const p = pts[i];
    const v = fv[i];
    let j = i - 1;
    while (j >= 0 && fv[j] > v) {
      pts[j + 1] = pts[j];
      fv[j + 1] = fv[j];
      j--;
    }
    pts[j + 1] = p;
    fv[j + 1] = v;
  }
}

export interface GarchFit {
  omega: number;
  alpha: number;
  beta: number;
  /** LL of SPEC §5 at the optimum (with the ln 2pi constant). */
  loglik: number;
  converged: boolean;
  iterations: number;
  /** Optimizer coordinates of the optimum: (u1, u2) for VT, (ln omega, u1, u2) for full MLE. */
  x: number[];
  s2: number;
}

export interface NmOptions {
  step: number;
  maxIter: number;
  ftol: number;
}

/** SPEC §5 optimizer settings: step 0.5 in u, at most 400 iterations, ftol 1e-10. */
export const NM_SPEC: NmOptions = { step: 0.5, maxIter: 400, ftol: 1e-10 };
const GRID_ALPHA = [0.01, 0.05, 0.1, 0.2];
const GRID_PHI = [0.8, 0.9, 0.95, 0.99];

const logistic = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

/** Returns the VT coordinates (u1, u2) of (alpha, phi): phi = 0.9999 logistic(u1), alpha = phi logistic(u2). */
export function toU(alpha: number, phi: number): number[] {
  return [logit(phi / PHI_MAX), logit(alpha / phi)];
}

/** Returns the grid points of SPEC §5 in a fixed order (alpha-major), as VT coordinates. */
function gridStarts(): number[][] {
  const out: number[][] = [];
  for (const a of GRID_ALPHA) for (const p of GRID_PHI) out.push(toU(a, p));
  return out;
}

/** Returns the VT objective (0.5 sum(ln h + r^2/h)) over u = (u1, u2). */
function vtObjective(r: ArrayLike<number>, s2: number): (u: ArrayLike<number>) => number {
  return (u) => {
    const phi = PHI_MAX * logistic(u[0]);
    const alpha = phi * logistic(u[1]);
    return garchNll(r, s2 * (1 - phi), alpha, phi - alpha, s2);
  };
}

/** Returns the full-MLE objective over x = (ln omega, u1, u2). */
function mleObjective(r: ArrayLike<number>, s2: number): (x: ArrayLike<number>) => number {
  return (x) => {
    const phi = PHI_MAX * logistic(x[1]);
    const alpha = phi * logistic(x[2]);
    return garchNll(r, Math.exp(x[0]), alpha, phi - alpha, s2);
  };
}

/** Returns the grid point with the best LL (first on ties), as VT coordinates. */
export function vtGridStart(r: ArrayLike<number>): number[] {
  const f = vtObjective(r, meanSquare(r));
  let best = gridStarts()[0];
  let fb = Infinity;
  for (const u of gridStarts()) {
    const v = f(u);
    if (v < fb) { fb = v; best = u; }
  }
  return best;
}

/** Fits VT-GARCH (omega = s2 (1 - phi)) by Nelder-Mead from `start` (VT coordinates) or the grid start. */
export function fitGarchVt(r: ArrayLike<number>, start: readonly number[] | null, nm: NmOptions = NM_SPEC): GarchFit {
  const s2 = meanSquare(r);
  const res = nelderMead(vtObjective(r, s2), start ?? vtGridStart(r), nm.step, nm.maxIter, nm.ftol);
  const phi = PHI_MAX * logistic(res.x[0]);
  const alpha = phi * logistic(res.x[1]);
  return finish(r, s2, s2 * (1 - phi), alpha, phi - alpha, res);
}

/**
 * Fits (omega, alpha, beta) by full MLE. Without `start` it runs a multi-start: the VT optimum and
 * the four best grid points (omega = s2 (1 - phi)); each start is restarted from its optimum with
 * a fresh simplex until a restart gains less than 1e-9 in LL (at most 20 times). The best wins.
 */
export function fitGarchMle(r: ArrayLike<number>, start: readonly number[] | null = null, nm: NmOptions = { ...NM_SPEC, maxIter: 2000 }): GarchFit {
  const s2 = meanSquare(r);
  const f = mleObjective(r, s2);
  let starts: number[][];
  if (start !== null) {
    starts = [start.slice()];
  } else {
    const vt = fitGarchVt(r, null);
    const grid = gridStarts().map((u) => [Math.log(s2 * (1 - PHI_MAX * logistic(u[0]))), u[0], u[1]]);
    const order = grid.map((x, i) => ({ i, v: safe(f(x)) })).sort((a, b) => a.v - b.v || a.i - b.i);
    starts = [[Math.log(vt.omega), vt.x[0], vt.x[1]], ...order.slice(0, 4).map((o) => grid[o.i])];
  }
  let best: NmResult | null = null;
  for (const x0 of starts) {
    let res = nelderMead(f, x0, nm.step, nm.maxIter, nm.ftol);
    for (let k = 0; k < 20; k++) {
      const next = nelderMead(f, res.x, nm.step, nm.maxIter, nm.ftol);
      const gain = res.f - next.f;
      if (next.f <= res.f) res = { ...next, iterations: res.iterations + next.iterations };
      if (!(gain > 1e-9)) break;
    }
    if (best === null || res.f < best.f) best = res;
  }
  const b = best as NmResult;
  const phi = PHI_MAX * logistic(b.x[1]);
  const alpha = phi * logistic(b.x[2]);
  return finish(r, s2, Math.exp(b.x[0]), alpha, phi - alpha, b);
}

function finish(r: ArrayLike<number>, s2: number, omega: number, alpha: number, beta: number, res: NmResult): GarchFit {
  return {
    omega, alpha, beta,
    loglik: garchLogLik(r, omega, alpha, beta, s2),
    converged: res.converged,
    iterations: res.iterations,
    x: res.x,
    s2,
  };
}
