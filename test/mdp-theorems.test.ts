/** Notebook 02's tables: Theorem 3.2 along a chain and on random MDPs, the counterexample, prefixes. */
import test from "ava";
import { chainMdp, sandwichMdp, shortcutMdp } from "../lib/mdp/examples";
import { expertTrajectory } from "../lib/mdp/mdp";
import { Rational } from "../lib/mdp/rational";
import { successReport, withExpertProbability } from "../lib/mdp/success";
import { expertStates, improvementExceptOne, prefixComparisonTable, randomCheckTable, randomMdpCheck, subtaskTable, successTable, suffixTable, theorem33, theorem33Table, trajectoriesTable } from "../lib/mdp/theorems";

test("suffixTable: recursion = enumeration = suffix product at every expert state of a chain", (t) => {
  const table = suffixTable(chainMdp([Rational.of(1, 2), Rational.of(2, 3), Rational.of(3, 4)]));
  t.true(table.includes("| 0 | s0 | 1/2 | 1/4 | 1/4 | 1/4 |"));
  t.true(table.includes("| 2 | s2 | 3/4 | 3/4 | 3/4 | 3/4 |"));
});

test("randomMdpCheck: all unique MDPs agree, some non-unique ones undercount, no violations", (t) => {
  const checks = randomMdpCheck(150, 11);
  t.is(checks[0].unique, 150);
  t.is(checks[0].uniqueAgree, 150);
  t.true(checks[1].unique < 150 && checks[1].uniqueAgree === checks[1].unique);
  t.true(checks[1].undercounted > 0);
  t.true(checks.every((c) => c.violations === 0));
  t.true(randomCheckTable(checks).includes("| repaired to be unique | 150 | 150 | 150 | 0 | 0 |"));
});

test("trajectoriesTable lists both minimal successes of the shortcut MDP with their probabilities", (t) => {
  const table = trajectoriesTable(shortcutMdp());
  t.true(table.includes("| s0 → s1 → goal | a, a | 1/4 | yes |"));
  t.true(table.includes("| s0 → s2 → goal | b, a | 5/18 | no |"));
});

test("subtask and prefix tables; lowering one expert state changes only the prefixes through it", (t) => {
  const m = sandwichMdp();
  t.true(subtaskTable(m).includes("| 5 | place at holding top bread | 6 | 3/50 | 3/50 | 3/50 | true |"));
  const s3 = expertTrajectory(m).states[3];
  const table = prefixComparisonTable(m, withExpertProbability(m, s3, Rational.of(1, 3)));
  t.is((table.match(/\| same \|/g) ?? []).length, 3);
  t.is((table.match(/\| down \|/g) ?? []).length, 3);
  const rows = theorem33(m, (p) => p.add(Rational.of(1).sub(p).div(Rational.of(2))), expertStates(m));
  t.true(theorem33Table(rows).includes("| empty table | true | 3/50 | 189/640 | true |"));
});

test("successTable and improvementExceptOne: one failing state can undo the gains everywhere else", (t) => {
  t.true(successTable([{ name: "shortcut", mdp: shortcutMdp() }]).includes("| shortcut | 2 | 19/36 ≈ 0.5278 | 1/4 | 1/4 ≈ 0.2500 | false |"));
  const m = sandwichMdp();
  const s4 = expertTrajectory(m).states[4]; // π(pick bread | cheese on bread) = 3/4
  const P0 = (x: typeof m) => successReport(x).enumeration;
  const mild = improvementExceptOne(m, s4, Rational.of(1, 2), Rational.of(9, 10));
  const harsh = improvementExceptOne(m, s4, Rational.of(1, 2), Rational.of(1, 10));
  t.is(mild.policy[s4][m.expert[s4]].toString(), "27/40");
  t.true(P0(mild).cmp(P0(m)) > 0);
  t.true(P0(harsh).cmp(P0(m)) < 0);
  const table = prefixComparisonTable(m, harsh);
  t.true(table.includes("| 0 | empty table | 1/2 → 3/4 | 1/2 | 3/4 | up |"));
  t.true(table.includes("| 5 | holding top bread | 4/5 → 9/10 |"));
  t.true(table.trim().endsWith("| down |"));
});
