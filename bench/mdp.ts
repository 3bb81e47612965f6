/**
 * lib/mdp throughput: exact minimal-step success (enumeration + recursion + product) on random MDPs
 * with the BigInt `Rational`, against the same enumeration in mathjs fractions (the alternative the
 * design named), and the log-odds recursion's fixed-point search. Ratios are measured in one run.
 *
 *   npx tsx bench/mdp.ts
 */
import { fraction, add, multiply, Fraction } from "mathjs";
import { Rng } from "../lib/util/rng";
import { randomMdp } from "../lib/mdp/examples";
import { Mdp, availableActions, minimalSteps } from "../lib/mdp/mdp";
import { successReport } from "../lib/mdp/success";
import { fixedPoints, iterationLimit } from "../lib/mdp/recursion";

/** The enumeration of success.ts, with mathjs fractions for the arithmetic. */
function enumerationMathjs(m: Mdp): Fraction {
  const dist = minimalSteps(m);
  const pol = m.policy.map((row) => row.map((r) => fraction(r.num.toString() + "/" + r.den.toString()) as Fraction));
  let total = fraction(0) as Fraction;
  const walk = (s: number, left: number, p: Fraction) => {
    if (left === 0) return void (total = add(total, p) as Fraction);
    if (m.isGoal[s]) return;
    for (const a of availableActions(m, s)) {
      const t = m.next[s][a];
      if (dist[t] <= left - 1) walk(t, left - 1, multiply(p, pol[s][a]) as Fraction);
    }
  };
  walk(m.start, dist[m.start], fraction(1) as Fraction);
  return total;
}

function time(label: string, n: number, f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms  (${((n / ms) * 1000).toFixed(0)}/s)`);
  return ms;
}

const N = 2000;
const rng = new Rng(5);
const mdps = Array.from({ length: N }, () => randomMdp(rng, { states: 2 + rng.int(7), actions: 1 + rng.int(3) }));
const big = time(`successReport (BigInt Rational), ${N} MDPs`, N, () => mdps.forEach((m) => successReport(m)));
const mj = time(`enumeration only (mathjs fractions), ${N} MDPs`, N, () => mdps.forEach((m) => enumerationMathjs(m)));
console.log(`ratio: mathjs enumeration alone takes ${(mj / big).toFixed(1)}× the whole BigInt report`);
const grid: [number, number, number][] = [];
for (const beta of [0.001, 0.01, 0.1, 1, 10]) for (const pRef of [0.05, 0.2, 0.5, 0.8]) for (const eps of [0, 1e-4]) grid.push([beta, pRef, eps]);
time(`fixedPoints + iterationLimit, ${grid.length} (β, p_ref, ε)`, grid.length, () => grid.forEach(([beta, pRef, eps]) => (fixedPoints({ beta, pRef, eps }), iterationLimit({ beta, pRef, eps }))));
// The two arithmetics must agree (mathjs prints integers without "/1").
const differ = mdps.filter((m) => {
  const a = enumerationMathjs(m).toFraction();
  return (a.includes("/") ? a : `${a}/1`) !== successReport(m).enumeration.toString();
}).length;
console.log(`enumerations that differ between the two: ${differ}`);
