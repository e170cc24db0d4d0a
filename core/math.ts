// Exact helpers of SPEC §0.5 shared by components.

/** ramp(x; lo, hi) = min(1, max(0, (x-lo)/(hi-lo))). */
export function ramp(x: number, lo: number, hi: number): number {
  return Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
}

/** Standard normal CDF via erfc; about 1e-15 relative error near the centre. */
export function phi(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/**
 * Complementary error function, W. J. Cody's rational approximations (as in many libm ports),
 * accurate to about 1e-15 relative: good enough for Phi(1) = 0.841344746068543.
 */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.5) {
    r = 1 - erfSmall(x);
    return r;
  }
  r = ax < 4 ? erfcMid(ax) : erfcLarge(ax);
  return x < 0 ? 2 - r : r;
}

function erfSmall(x: number): number {
  const a = [3.1611237438705656, 113.86415415105016, 377.485237685302, 3209.3775891384695, 0.18577770618460315];
  const b = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
  const z = x * x;
  let num = a[4] * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + a[i]) * z;
    den = (den + b[i]) * z;
  }
  return (x * (num + a[3])) / (den + b[3]);
}

function erfcMid(x: number): number {
  const c = [0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
    1712.0476126340707, 2051.0783778260716, 1230.339354797997, 2.1531153547440383e-8];
  const d = [15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
    4362.619090143247, 3439.3676741437216, 1230.3393548037495];
  let num = c[8] * x;
  let den = x;
  for (let i = 0; i < 7; i++) {
    num = (num + c[i]) * x;
    den = (den + d[i]) * x;
  }
  const r = (num + c[7]) / (den + d[7]);
  return expSquared(x) * r;
}

function erfcLarge(x: number): number {
  const p = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
    6.587491615298378e-4, 0.016315387137302097];
  const q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
  const z = 1 / (x * x);
  let num = p[5] * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + p[i]) * z;
    den = (den + q[i]) * z;
  }
  let r = (z * (num + p[4])) / (den + q[4]);
  r = (0.5641895835477563 - r) / x;
  return expSquared(x) * r;
}

/** exp(-x^2) computed in two parts to keep precision for large x. */
function expSquared(x: number): number {
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp(-xs * xs) * Math.exp(-del);
}

/** Share of values in `xs` (current included by the caller) that are <= x. */
export function pctRank(xs: ArrayLike<number>, x: number): number {
  let k = 0;
  for (let i = 0; i < xs.length; i++) if (xs[i] <= x) k++;
  return k / xs.length;
}
