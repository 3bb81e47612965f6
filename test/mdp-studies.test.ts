/** Notebook 03's tables: float64 vs log-odds, tilt vs recursion, composite reward, finite G, products. */
import test from "ava";
import { naiveRecursion } from "../lib/mdp/recursion";
import {
  amplificationTable,
  amplifiedTaskStudy,
  compositeTable,
  finiteGroupStudy,
  finiteGroupTable,
  naiveVsLogOddsTable,
  recursionGrid,
  recursionSummaryTable,
  smallBetaTable,
  tiltVsRecursionTable,
} from "../lib/mdp/studies";

test("plain float64 rounds p to a silent 1.0 at β = 0.001; the log-odds form keeps 1 − p", (t) => {
  const naive = naiveRecursion({ beta: 0.001, pRef: 0.2, eps: 1e-4 }, 3);
  t.deepEqual(naive.p.slice(1), [1, 1, 1]);
  t.deepEqual(naive.oneMinusP.slice(1), [0, 0, 0]);
  const table = naiveVsLogOddsTable({ beta: 0.001, pRef: 0.2, eps: 1e-4 }, 2);
  t.true(table.includes("| 1 | 1 | 0 | 2497.832821659187 | 1.603204180e-1085 |"));
  t.true(naiveVsLogOddsTable({ beta: 0.1, pRef: 0.2, eps: 0 }, 3).includes("(> 1e6: p → 1)"));
});

test("tilt vs recursion and the composite reward tables", (t) => {
  const tilt = tiltVsRecursionTable({ beta: 0.001, pRef: 0.2, eps: 1e-4 }, 2);
  t.true(tilt.includes("| 2 | 99998.61370563887 | 99998.6137056387"));
  const comp = compositeTable(0.2, 0.5, [0.001, 1], 1e-4, 20);
  // At small β the format reward weakens the amplification of the expert action (0.9·k instead of k).
  t.true(comp.includes("| 0.001 | 20 | 1.425179826e-43429 | 6.275649835e-39087 |"));
});

test("summary, finite-G, small-β and amplification tables carry the numbers the notebook quotes", (t) => {
  const { summaries } = recursionGrid({ betas: [1], pRefs: [0.05], epss: [0], iters: 10 });
  t.true(recursionSummaryTable(summaries).includes("6.872768968e-1 (-0.404, stable); 2.277068848e-2 (3.20, unstable)"));
  const study = finiteGroupStudy({ pRef: 0.2, beta: 1, groupSizes: [4], seeds: 1, steps: 100 });
  t.regex(finiteGroupTable(study), /\| 4 \| 0\.5033 \| 0\.\d{4} ± 0\.0000 \| \d+\.\d% \| 0\.6813 \|/);
  const small = smallBetaTable(0.2, 0.001, [8]);
  t.true(small.includes("| 8 | 6.040792168e-1075 | 3.233717274e-4 | p → 1 (no interior fixed point) |"));
  const amp = amplificationTable(amplifiedTaskStudy([0.5, 0.6], [10], 0));
  t.regex(amp, /\| 10 \| interior, interior \| 0\.3000 \| 0\.\d+ \| \d\.\d{9}e-1 \|/);
});
