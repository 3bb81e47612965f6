/**
 * GRPO's per-state dynamics: the Gibbs tilt is eq. 6's exact maximiser and reproduces the scalar
 * recursion; the composite reward's three-class map; the finite-G tabular simulator against its
 * closed-form expected stationary point and the population fixed point.
 */
import test from "ava";
import fc from "fast-check";
import { BINARY_REWARDS, COMPOSITE_REWARDS, compositeReference, gibbsTilt, logRewardVariance, tiltRecursion } from "../lib/mdp/tilt";
import { expectedSignalOverFailure, finiteGroupFixedPoints, groupAdvantages, simulateGrpo, softmax } from "../lib/mdp/grpoSim";
import { fixedPoints, successRecursion } from "../lib/mdp/recursion";
import { amplifiedTask } from "../lib/mdp/amplify";
import { finiteGroupCurve, finiteGroupStudy } from "../lib/mdp/studies";
import { logit, sigmoid } from "../lib/mdp/logodds";

/** Σ_a π(a) A(a) − β KL(π ‖ π_ref): eq. 6 without clipping, at one state. */
function objective(pi: number[], piRef: number[], A: number[], beta: number): number {
  return pi.reduce((acc, p, a) => acc + p * A[a] - (p > 0 ? beta * p * Math.log(p / piRef[a]) : 0), 0);
}

test("the Gibbs tilt maximises eq. 6: no random policy scores higher (300 draws)", (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 2, maxLength: 5 }),
      fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
      fc.array(fc.constantFrom(0, 0.1, 1), { minLength: 5, maxLength: 5 }),
      fc.double({ min: 0.05, max: 5, noNaN: true }),
      fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
      (w, wPrev, r, beta, wOther) => {
        const K = w.length;
        const norm = (x: number[]) => x.slice(0, K).map((v, _, xs) => v / xs.reduce((a, b) => a + b, 0));
        const piRef = norm(w);
        const piPrev = norm(wPrev);
        const rewards = r.slice(0, K);
        const mean = piPrev.reduce((a, p, i) => a + p * rewards[i], 0);
        const sd = Math.sqrt(Math.exp(logRewardVariance(piPrev.map(Math.log), rewards)) + 1e-3);
        const A = rewards.map((x) => (x - mean) / sd);
        const tilt = gibbsTilt(piRef.map(Math.log), rewards, piPrev.map(Math.log), beta, 1e-3).map(Math.exp);
        const best = objective(tilt, piRef, A, beta);
        return best >= objective(norm(wOther), piRef, A, beta) - 1e-12 && Math.abs(tilt.reduce((a, b) => a + b, 0) - 1) < 1e-12;
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test("the binary tilt is the scalar recursion, also at β = 0.001 where 1 − p ≈ 1e-869", (t) => {
  for (const [beta, pRef, eps] of [[1, 0.2, 0], [0.1, 0.05, 1e-4], [0.001, 0.5, 1e-4], [0.001, 0.5, 0]]) {
    const scalar = successRecursion({ beta, pRef, eps }, 5);
    const tilt = tiltRecursion([pRef, 1 - pRef], BINARY_REWARDS, beta, eps, scalar.logit.length - 1);
    scalar.logit.forEach((l, n) => {
      const tl = tilt.logPi[n][0] - tilt.logPi[n][1];
      t.true(Math.abs(tl - l) <= 1e-9 * Math.max(1, Math.abs(l)), `β=${beta} n=${n}: ${tl} vs ${l}`);
      t.is(tilt.oneMinusSuccess[n].slice(0, 8), scalar.oneMinusP[n].slice(0, 8));
    });
  }
});

test("the composite reward 0.1·format + 0.9·action: three classes, amplified above p_ref, normalised and finite", (t) => {
  // (ε = 0 at β = 0.001 reaches the p → 1 limit, "0", within a few steps, like the scalar recursion.)
  for (const [beta, eps] of [[0.001, 1e-4], [1, 0], [10, 0]]) {
    const piRef = compositeReference(0.2, 0.5);
    const it = tiltRecursion(piRef, COMPOSITE_REWARDS, beta, eps, 8);
    for (const lp of it.logPi) {
      t.true(lp.every((x) => !Number.isNaN(x)));
      t.true(Math.abs(lp.map(Math.exp).reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
    t.true(it.success.slice(1).every((p) => p > 0.2));
    t.true(it.oneMinusSuccess.every((s) => s !== "0"));
  }
  // The format reward's 0.1 for a wrong but well-formed action leaves malformed replies lowest.
  const lp = tiltRecursion(compositeReference(0.2, 0.5), COMPOSITE_REWARDS, 1, 0, 5).logPi[5];
  t.true(lp[0] > lp[1] && lp[1] > lp[2]);
});

test("group advantages: (r − mean)/(std + δ), zero for a flat group; sample vs population std", (t) => {
  t.deepEqual(groupAdvantages([1, 1, 1, 1], 1e-6, "sample"), [0, 0, 0, 0]);
  const s = groupAdvantages([1, 0, 0, 0], 0, "sample"); // std = 1/2
  t.is(s[0], 1.5);
  t.is(s[1], -0.5);
  const p = groupAdvantages([1, 0], 0, "population"); // std = 1/2
  t.deepEqual(p, [1, -1]);
});

test("the simulator is seeded, and with one inner step the clip never binds (ratio 1)", (t) => {
  const piRef = [0.2, 0.3, 0.5];
  const r = [1, 0, 0];
  const a = simulateGrpo(piRef, r, { groupSize: 4, steps: 50, seed: 7, beta: 0.1 });
  t.deepEqual(simulateGrpo(piRef, r, { groupSize: 4, steps: 50, seed: 7, beta: 0.1 }), a);
  t.notDeepEqual(simulateGrpo(piRef, r, { groupSize: 4, steps: 50, seed: 8, beta: 0.1 }).success, a.success);
  t.deepEqual(simulateGrpo(piRef, r, { groupSize: 4, steps: 50, seed: 7, beta: 0.1, clip: 1e9 }), a);
  // Several inner steps: the clip now changes the run.
  const multi = { groupSize: 4, steps: 50, seed: 7, beta: 0.1, innerSteps: 8, lr: 0.5 };
  t.notDeepEqual(simulateGrpo(piRef, r, { ...multi, clip: 0.2 }).success, simulateGrpo(piRef, r, { ...multi, clip: 1e9 }).success);
  t.true(Math.abs(softmax([1, 2, 3]).reduce((x, y) => x + y, 0) - 1) < 1e-15);
});

test("finite-G simulation sits at the expected finite-G stationary point, below the population fixed point", (t) => {
  const study = finiteGroupStudy({ pRef: 0.2, beta: 1, groupSizes: [2, 8], seeds: 2, steps: 1500, groups: 4, lr: 0.05 });
  const population = fixedPoints({ beta: 1, pRef: 0.2, eps: 0 })[0].p;
  t.is(study.population, population);
  for (const s of study.summary) {
    t.true(Math.abs(s.simulatedMean - s.predicted) < 0.02, `G=${s.G}: simulated ${s.simulatedMean} vs predicted ${s.predicted}`);
    t.true(s.predicted < population);
  }
  t.true(study.summary[0].predicted < study.summary[1].predicted);
  t.true(study.summary[0].flatGroups > study.summary[1].flatGroups);
});

test("the finite-G prediction rises with G to the population fixed point; its signal tends to sqrt(p(1−p))", (t) => {
  const curve = finiteGroupCurve(0.2, 1, [2, 4, 8, 32, 128, 512]);
  for (let i = 1; i < curve.length; i++) t.true(curve[i].p > curve[i - 1].p);
  const population = fixedPoints({ beta: 1, pRef: 0.2, eps: 0 })[0].p;
  t.true(Math.abs(curve[curve.length - 1].p - population) < 0.005);
  const l = logit(0.3);
  const p = sigmoid(l);
  t.true(Math.abs(expectedSignalOverFailure(l, 4000, 0, "population") * (1 - p) - Math.sqrt(p * (1 - p))) < 2e-3);
});

test("β = 0.001: finite G gives an interior stationary point (ε = 0 has none), and verl's k3 KL a far lower one", (t) => {
  t.deepEqual(fixedPoints({ beta: 0.001, pRef: 0.2, eps: 0 }), []);
  const exact = finiteGroupFixedPoints(0.2, 0.001, 8, { kl: "exact" });
  const k3 = finiteGroupFixedPoints(0.2, 0.001, 8, { kl: "k3" });
  t.is(exact.length, 1);
  t.is(k3.length, 1);
  // logit* ≈ logit p_ref + c_G/β with c_G ≈ (G − 1)/√G for small 1 − p.
  t.true(Math.abs(exact[0].logit - (logit(0.2) + 7 / Math.sqrt(8) / 0.001)) < 5);
  t.true(k3[0].logit > 5 && k3[0].logit < 12);
});

test("amplifiedTask: per-state limits in the product, 1 − P_0 exact when every 1 − p* is tiny", (t) => {
  const task = amplifiedTask([0.5, 0.2, 0.8], { beta: 0.1, eps: 1e-4 });
  t.deepEqual(task.limit, ["interior", "interior", "interior"]);
  t.is(task.successStar, 1);
  t.true(/e-43[45]$/.test(task.oneMinusSuccessStar));
  const loose = amplifiedTask([0.05, 0.2], { beta: 1, eps: 0 });
  t.true(loose.successStar > loose.successRef);
  t.true(Math.abs(loose.successStar - loose.pStar[0] * loose.pStar[1]) < 1e-15);
  const one = amplifiedTask([0.5], { beta: 1, eps: 0 });
  t.deepEqual(one.limit, ["one"]);
  t.is(one.oneMinusSuccessStar, "0");
});
