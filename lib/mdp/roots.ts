/**
 * Roots of a continuous scalar function on an interval that may span 1e-3 to 1e5 in logit units: scan
 * with a step that grows with |x| (fine near 0 where p(1 − p) changes, coarse in the tails where it no
 * longer does), then bisect every sign change to full float64 precision. Two roots closer than one
 * step (a near-tangency) can be missed; the callers' functions have a handful of well-separated roots.
 */
export interface ScanOptions {
  /** Smallest step (near 0). Default 1e-3. */
  minStep?: number;
  /** Step relative to |x| away from 0. Default 1e-3. */
  relStep?: number;
  /** Cap on the number of scan points. Default 400 000. */
  maxPoints?: number;
}

export function scanRoots(F: (x: number) => number, lo: number, hi: number, opts: ScanOptions = {}): number[] {
  const minStep = opts.minStep ?? 1e-3;
  const relStep = opts.relStep ?? 1e-3;
  const maxPoints = opts.maxPoints ?? 400_000;
  const roots: number[] = [];
  if (!(hi > lo)) return roots;
  // Enough points to cover the interval even at the cap.
  const floorStep = (hi - lo) / maxPoints;
  let x0 = lo;
  let f0 = F(x0);
  if (f0 === 0) roots.push(x0);
  while (x0 < hi) {
    const x1 = Math.min(hi, x0 + Math.max(minStep, relStep * Math.abs(x0), floorStep));
    const f1 = F(x1);
    if (f1 === 0) roots.push(x1);
    else if (f0 !== 0 && Math.sign(f0) !== Math.sign(f1)) roots.push(bisect(F, x0, x1, f0));
    x0 = x1;
    f0 = f1;
  }
  return roots;
}

/** Bisection on [a, b] with F(a) = fa and a sign change, until the interval is one ulp wide. */
export function bisect(F: (x: number) => number, a: number, b: number, fa = F(a)): number {
  for (let i = 0; i < 2000; i++) {
    const mid = a + (b - a) / 2;
    if (mid <= a || mid >= b) break;
    const fm = F(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(fa)) {
      a = mid;
      fa = fm;
    } else b = mid;
  }
  return a + (b - a) / 2;
}
