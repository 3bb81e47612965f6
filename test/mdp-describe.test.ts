/** §2's definitions on the sandwich MDP (notebook 01): rollouts, the single-turn dataset, Remark 2.1. */
import test from "ava";
import { Rng } from "../lib/util/rng";
import { sandwichMdp } from "../lib/mdp/examples";
import { expertVariants, mdpTable, recursionFrom, remark21Table, rollout, sampleRollouts, singleTurnDataset, singleTurnTable, threeWaysTable, trajectoryTable } from "../lib/mdp/describe";
import { expertTrajectory } from "../lib/mdp/mdp";
import { productSuccess, successReport } from "../lib/mdp/success";

test("rollouts follow f and π; the Monte Carlo minimal-step rate approaches the exact P_0 = 3/50", (t) => {
  const m = sandwichMdp();
  const r = rollout(m, new Rng(1), 50);
  r.actions.forEach((a, i) => t.is(m.next[r.states[i]][a], r.states[i + 1]));
  const s = sampleRollouts(m, 0, 60, 4000);
  t.truthy(s.firstSuccess);
  t.true(s.firstSuccess!.success && s.firstSuccess!.actions.length >= 6);
  // 4000 draws of a 6% event: ±4 standard errors is ±0.015.
  t.true(Math.abs(s.minimal / s.tries - 0.06) < 0.015, `${s.minimal}/${s.tries}`);
  t.true(s.successes > s.minimal);
  t.regex(trajectoryTable(m, s.firstSuccess!), /\| t \| s_t \| T\*\(s_t\)/);
});

test("the single-turn dataset: one bandit per expert state, expected reward = the product's factor", (t) => {
  const m = sandwichMdp();
  const d = singleTurnDataset(m);
  t.deepEqual(d.map((x) => x.expectedReward.toString()), ["1/2", "3/5", "1/2", "2/3", "3/4", "4/5"]);
  t.deepEqual(d[4].validActions, ["pick bread", "wait"]);
  t.true(d.reduce((acc, x) => acc.mul(x.expectedReward), d[0].expectedReward.div(d[0].expectedReward)).equals(productSuccess(m)));
  t.true(mdpTable(m).includes("empty table (s0)"));
});

test("Remark 2.1: expert policies that differ off τ^GT share the trajectory and P_0, not the off-path recursion", (t) => {
  const m = sandwichMdp();
  const v = expertVariants(m);
  t.deepEqual(v.offTrajectory, ["holding cheese first", "holding bread early", "bread on bread"]);
  t.is(v.count, 2n * 3n * 2n);
  t.deepEqual(expertTrajectory(v.minimal), expertTrajectory(v.other));
  t.true(successReport(v.minimal).product.equals(successReport(v.other).product));
  const s = m.states.indexOf("holding cheese first");
  t.is(recursionFrom(v.minimal, s).toString(), "3/100");
  t.is(recursionFrom(v.other, s).toString(), "0/1");
  t.true(remark21Table(m).includes("| holding cheese first | put back | 3/100 | wait | 0/1 | 3/100 |"));
});

test("the notebook's tables: the single-turn dataset and P_0 three ways", (t) => {
  const m = sandwichMdp();
  t.true(singleTurnTable(m).includes("| 4 | cheese on bread | pick bread, wait | pick bread | 3/4 |"));
  t.true(threeWaysTable(m, { minimal: 12, tries: 200 }).includes("| 3/50 | 3/50 | 3/50 | true | 12/200 = 0.060 |"));
});
