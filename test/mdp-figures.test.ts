/** The theory notebooks' figures: every spec compiles and renders to SVG with the marks it should have. */
import test from "ava";
import { toSvg } from "../lib/viz/render";
import { sandwichMdp, shortcutMdp } from "../lib/mdp/examples";
import { graphLayout, mdpGraphFigure, recursionFigure, cobwebFigure, finiteGroupFigure, groupSizeFigure, sweepFigure, amplificationFigure } from "../lib/mdp/figures";
import { amplifiedTaskStudy, cobwebRows, finiteGroupCurve, finiteGroupStudy, recursionGrid } from "../lib/mdp/studies";
import { expertProbabilitySweep } from "../lib/mdp/theorems";
import { Rational } from "../lib/mdp/rational";

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

test("graphLayout: the expert path on row 0, one column per BFS depth, self-loops as labels", (t) => {
  const m = sandwichMdp();
  const g = graphLayout(m);
  const path = g.nodes.filter((n) => n.onPath);
  t.deepEqual(path.map((n) => [n.x, n.y]), [0, 1, 2, 3, 4, 5, 6].map((x) => [x, 0]));
  t.is(g.nodes.length, m.states.length);
  t.is(g.edges.filter((e) => e.expert).length, 6);
  t.true(g.loops.every((l) => l.label.startsWith("↻ wait")));
  t.true(g.nodes.filter((n) => !n.onPath).every((n) => n.y >= 1));
});

test("mdpGraphFigure renders nodes, edges and labels", async (t) => {
  const svg = await toSvg(mdpGraphFigure(sandwichMdp(), "Sandwich"));
  t.true(svg.startsWith("<svg"));
  t.true(svg.includes("holding cheese first"));
  t.true(svg.includes("pick bread 1/2"));
  const s2 = await toSvg(mdpGraphFigure(shortcutMdp()));
  t.true(s2.includes("dead end"));
});

test("recursion, cobweb, finite-G, group-size, sweep and amplification figures render", async (t) => {
  const { rows } = recursionGrid({ betas: [0.1, 1], pRefs: [0.05, 0.5], epss: [0, 1e-4], iters: 6 });
  const rec = await toSvg(recursionFigure(rows));
  t.true(rec.includes("−log10(1 − p_n)"));
  const cob = await toSvg(cobwebFigure(cobwebRows([{ beta: 1, pRef: 0.05, eps: 0 }], 6, 50)));
  t.is(count(cob, /<path[^>]*aria-roledescription="point"/g), 2);
  const study = finiteGroupStudy({ pRef: 0.2, beta: 1, groupSizes: [2, 4], seeds: 1, steps: 40 });
  t.true((await toSvg(finiteGroupFigure(study))).includes("G = 4"));
  t.true((await toSvg(groupSizeFigure(finiteGroupCurve(0.2, 1, [2, 4, 8]), study))).includes("group size G"));
  const m = shortcutMdp();
  const sweep = expertProbabilitySweep(m, m.start, [0, 1, 2, 3, 4].map((i) => Rational.of(i, 4)));
  t.true((await toSvg(sweepFigure([{ title: "shortcut", rows: sweep }]))).includes("enumeration"));
  const amp = amplifiedTaskStudy([0.5, 0.2, 0.8], [0.1, 1], 1e-4);
  t.true((await toSvg(amplificationFigure(amp))).includes("GRPO limit p*"));
});
