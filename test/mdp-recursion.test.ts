/**
 * The log-odds success recursion (Theorem 3.1): finite at the paper's β = 0.001 and below, p_n > p_ref,
 * 1 − p strings checked against 80-digit decimal arithmetic (mathjs BigNumber), fixed points and their
 * stability, the no-interior-fixed-point case, non-monotone iterates and a 2-cycle.
 */
import test from "ava";
import fc from "fast-check";
import { all, create } from "mathjs";
import {
  fixedPoints,
  fixedPointSlope,
  iterationLimit,
  isMonotone,
  MAX_LOGIT,
  nextLogit,
  recursionJson,
  successMap,
  successRecursion,
} from "../lib/mdp/recursion";
import { formatLogProbability, logSigmoid, logit, oneMinusSigmoidString, parseLogProbability, sigmoid } from "../lib/mdp/logodds";
import { recursionGrid } from "../lib/mdp/studies";

const SCI = /^[1-9]\.\d{9}e[+-]?\d+$/;
const math = create(all, { number: "BigNumber", precision: 80 });

/** The recursion in 80-digit decimals: 1 − p_n for n = 0 … iters. */
function highPrecisionOneMinusP(beta: number, pRef: number, eps: number, iters: number): string[] {
  const B = (x: number | string) => math.bignumber(x);
  const one = B(1);
  const lRef = math.log(math.divide(B(pRef), math.subtract(one, B(pRef))) as any);
  let l: any = lRef;
  const out: string[] = [];
  for (let n = 0; n <= iters; n++) {
    out.push((math.divide(one, math.add(one, math.exp(l))) as any).toExponential(9));
    const e = math.exp(math.unaryMinus(l));
    const v = math.divide(e, math.square(math.add(one, e)));
    l = math.add(lRef, math.divide(one, math.multiply(B(beta), math.sqrt(math.add(v, B(eps)) as any))));
  }
  return out;
}

function sameProbability(t: any, a: string, b: string, what: string) {
  const d = Math.abs(parseLogProbability(a) - parseLogProbability(b));
  t.true(d <= 2e-10 * Math.max(1, Math.abs(parseLogProbability(b)) * 1e-5), `${what}: ${a} vs ${b}`);
}

test("formatLogProbability: 10 significant digits above and far below float64", (t) => {
  t.is(formatLogProbability(Math.log(0.5)), "5.000000000e-1");
  t.is(formatLogProbability(-1000), "5.075958898e-435");
  t.is(formatLogProbability(-Infinity), "0");
  t.is(oneMinusSigmoidString(1000), "5.075958898e-435");
  t.is(oneMinusSigmoidString(Infinity), "0");
  t.regex(formatLogProbability(-123456.789), SCI);
  // Rounding up to 10.0 carries into the exponent.
  t.is(formatLogProbability(Math.log(9.99999999996) - 800 * Math.LN10), "1.000000000e-799");
  t.is(parseLogProbability("5.075958898e-435"), Math.log(5.075958898) - 435 * Math.LN10);
  t.throws(() => formatLogProbability(0.5), { instanceOf: RangeError });
});

test("β = 0.001 and β ≤ 0.1: every iterate finite, p_n > p_ref, 1 − p exact against 80-digit decimals", (t) => {
  for (const beta of [0.001, 0.01, 0.1]) {
    for (const pRef of [0.05, 0.2, 0.5, 0.8]) {
      for (const eps of [0, 1e-4]) {
        const it = successRecursion({ beta, pRef, eps }, 6);
        const what = `β=${beta} p_ref=${pRef} ε=${eps}`;
        t.true(it.logit.every(Number.isFinite) && it.p.every(Number.isFinite), what);
        t.true(it.p.slice(1).every((p) => p > pRef) && it.logit.slice(1).every((l) => l > it.logit[0]), what);
        t.true(it.oneMinusP.every((s) => SCI.test(s)), what);
        // Never a silent 1.0: no iterate's 1 − p is "0", though p itself rounds to 1.
        t.true(it.oneMinusP.every((s) => s !== "0"), what);
        if (eps === 0) t.true(it.stoppedEarly && it.logit.length <= 3, what);
        else t.is(it.logit.length, 7, what);
        const hp = highPrecisionOneMinusP(beta, pRef, eps, it.logit.length - 1);
        it.oneMinusP.forEach((s, n) => sameProbability(t, s, hp[n], `${what} n=${n}`));
      }
    }
  }
  // The contract's example magnitude: 1 − p* ≈ e^-1000 for β = 0.1, p_ref = 1/2, ε = 1e-4.
  t.is(recursionJson({ beta: 0.1, pRef: 0.5, eps: 1e-4 }, 4).fixed_point!.one_minus_p, "5.075958898e-435");
});

test("recursionJson has the contract's shape; ε = 0 at small β: p_n → 1, the arrays stop early", (t) => {
  const r = recursionJson({ beta: 0.001, pRef: 0.5, eps: 0 }, 10);
  t.deepEqual(Object.keys(r), ["p", "one_minus_p", "logit", "fixed_point"]);
  t.deepEqual(r.p, [0.5, 1]);
  t.deepEqual(r.logit, [0, 2000]);
  t.is(r.one_minus_p[1], "2.576535873e-869"); // 1/(1 + e^2000)
  t.deepEqual(r.fixed_point, { p: 1, one_minus_p: "0", slope: 0 });
  t.notThrows(() => JSON.parse(JSON.stringify(r)));
});

test("β = 1: two interior fixed points for p_ref ∈ {0.05, 0.2} (stable, unstable); ε = 1e-4 adds a third near 1", (t) => {
  for (const pRef of [0.05, 0.2]) {
    const fp0 = fixedPoints({ beta: 1, pRef, eps: 0 });
    t.is(fp0.length, 2);
    t.deepEqual(fp0.map((f) => f.stable), [true, false]);
    const fp1 = fixedPoints({ beta: 1, pRef, eps: 1e-4 });
    t.is(fp1.length, 3);
    t.deepEqual(fp1.map((f) => f.stable), [true, false, true]);
    for (const f of [...fp0, ...fp1]) {
      const params = { beta: 1, pRef, eps: fp1.includes(f) ? 1e-4 : 0 };
      t.true(Math.abs(nextLogit(f.logit, params) - f.logit) <= 1e-9 * Math.max(1, Math.abs(f.logit)));
      // h′(p*) against a central difference of h in p (interior points away from 1 only).
      if (f.p < 0.999) {
        const h = 1e-6;
        const numeric = (successMap(f.p + h, params) - successMap(f.p - h, params)) / (2 * h);
        t.true(Math.abs(numeric - f.slope) < 1e-5, `${numeric} vs ${f.slope}`);
      }
    }
    // The iteration from p_ref reaches the lower, stable one.
    const lim = iterationLimit({ beta: 1, pRef, eps: 0 });
    t.is(lim.kind, "interior");
    if (lim.kind === "interior") t.is(lim.fixedPoint.logit, fp0[0].logit);
  }
  const a = fixedPoints({ beta: 1, pRef: 0.05, eps: 0 })[0];
  t.is(a.p.toFixed(6), "0.312723");
  t.is(a.slope.toFixed(4), "-0.4040");
});

test("no interior fixed point: β = 1, p_ref = 0.5, ε = 0 — p_n → 1; with ε > 0 there is always one", (t) => {
  t.deepEqual(fixedPoints({ beta: 1, pRef: 0.5, eps: 0 }), []);
  t.is(iterationLimit({ beta: 1, pRef: 0.5, eps: 0 }).kind, "one");
  const fp = fixedPoints({ beta: 1, pRef: 0.5, eps: 1e-4 });
  t.is(fp.length, 1);
  t.true(fp[0].stable);
  t.is(fp[0].oneMinusP, oneMinusSigmoidString(fp[0].logit));
  t.deepEqual(recursionJson({ beta: 1, pRef: 0.5, eps: 1e-4 }, 3).fixed_point, { p: fp[0].p, one_minus_p: fp[0].oneMinusP, slope: fp[0].slope });
});

test("iterates need not be monotone; a slope below −1 gives a 2-cycle and no limit (fixed_point null)", (t) => {
  const it = successRecursion({ beta: 1, pRef: 0.05, eps: 0 }, 10);
  t.false(isMonotone(it.p));
  t.true(it.p[1] > it.p[2]);
  const fps = fixedPoints({ beta: 2, pRef: 0.0015, eps: 0 });
  t.true(fps[0].slope < -1);
  t.is(iterationLimit({ beta: 2, pRef: 0.0015, eps: 0 }).kind, "none");
  t.is(recursionJson({ beta: 2, pRef: 0.0015, eps: 0 }, 5).fixed_point, null);
  const cyc = successRecursion({ beta: 2, pRef: 0.0015, eps: 0 }, 60).p;
  t.true(Math.abs(cyc[58] - cyc[59]) > 0.5 && Math.abs(cyc[58] - cyc[56]) < 0.01);
});

test("property: random (β, p_ref, ε) — finite iterates above p_ref, fixed points are roots, limits are stable (500 draws)", (t) => {
  fc.assert(
    fc.property(
      fc.double({ min: -3, max: 1, noNaN: true }),
      fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      fc.constantFrom(0, 1e-6, 1e-4, 1e-2),
      (lb, pRef, eps) => {
        const params = { beta: 10 ** lb, pRef, eps };
        const it = successRecursion(params, 30);
        if (!it.logit.every(Number.isFinite) || !it.logit.slice(1).every((l) => l > it.logit[0])) return false;
        // With ε > 0 the logit is bounded by logit p_ref + 1/(β√ε); only beyond MAX_LOGIT may it stop.
        if (eps > 0 && it.stoppedEarly && logit(pRef) + 1 / (params.beta * Math.sqrt(eps)) <= MAX_LOGIT) return false;
        const fps = fixedPoints(params);
        if (eps > 0 && fps.length === 0) return false;
        for (const f of fps) if (Math.abs(nextLogit(f.logit, params) - f.logit) > 1e-8 * Math.max(1, Math.abs(f.logit))) return false;
        const lim = iterationLimit(params);
        return lim.kind !== "interior" || Math.abs(lim.fixedPoint.slope) <= 1;
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});

test("fixedPointSlope stays finite at p* within 1e-400 of 1 and tends to 0", (t) => {
  const s = fixedPointSlope(1e5, { beta: 0.001, pRef: 0.5, eps: 1e-4 });
  t.true(Number.isFinite(s) && s >= 0 && s < 1e-30);
  t.is(sigmoid(logit(0.25)), 0.25);
  t.is(logSigmoid(-1000), -1000);
});

test("recursionGrid: the notebook's 5 × 4 × 2 grid, with p_n > p_ref everywhere and a limit for each", (t) => {
  const { rows, summaries } = recursionGrid({ betas: [0.001, 0.01, 0.1, 1, 10], pRefs: [0.05, 0.2, 0.5, 0.8], epss: [0, 1e-4], iters: 30 });
  t.is(summaries.length, 40);
  t.true(summaries.every((s) => s.aboveRef));
  t.true(rows.every((r) => Number.isFinite(r.p) && r.nines >= 0));
  // ε = 0 and β ≤ 0.1: no interior fixed point, p_n → 1; ε > 0: always an interior limit.
  t.true(summaries.filter((s) => s.eps === 0 && s.beta <= 0.1).every((s) => s.limit === "one" && s.fixedPoints.length === 0));
  t.true(summaries.filter((s) => s.eps > 0).every((s) => s.limit === "interior"));
  t.true(summaries.some((s) => !s.monotone));
});
