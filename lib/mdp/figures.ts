/**
 * The theory notebooks' figures as vega-lite 5 specs (render and save with lib/viz `showFigure`):
 * - `mdpGraphFigure`: an MDP's state graph, columns by distance from the start, expert path highlighted;
 * - `recursionFigure`: p_n over n for a grid of (β, p_ref, ε), as −log10(1 − p_n) ("nines");
 * - `cobwebFigure`: h(p) against the diagonal with the iterates' cobweb and the fixed points;
 * - `finiteGroupFigure`: finite-G GRPO trajectories against the predicted and population fixed points;
 * - `groupSizeFigure`: the stationary point as a function of G, predicted and simulated;
 * - `sweepFigure`: P_0 as one expert probability moves (enumeration vs product);
 * - `amplificationFigure`: per-state p_ref and p* in nines, per β.
 */
import type { VegaLiteSpec } from "../viz/render";
import type { CobwebRow, FiniteGroupStudy, RecursionRow } from "./studies";
import type { SweepRow } from "./theorems";
import type { AmplifiedTask } from "./amplify";
import { ninesOf } from "./format";
import { Mdp, availableActions, expertTrajectory, minimalSteps } from "./mdp";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const CONFIG = { font: "DejaVu Sans", view: { stroke: "#ddd" }, axis: { labelFontSize: 10, titleFontSize: 11 }, header: { labelFontSize: 11 } };
const EXPERT = "#d95f02";
const OTHER = "#9a9a9a";

export interface GraphLayout {
  nodes: { state: string; x: number; y: number; tStar: number; onPath: boolean; goal: boolean; start: boolean }[];
  edges: { from: string; to: string; label: string; x: number; y: number; x2: number; y2: number; lx: number; ly: number; angle: number; expert: boolean }[];
  loops: { state: string; label: string; x: number; y: number; expert: boolean }[];
}

/** Pixels per layout unit. */
const COL = 170;
const ROW = 125;

/**
 * Place states in columns by BFS depth from the start and, inside a column, the expert trajectory's
 * state first (row 0). Edges between the same two states in both directions are bent apart by
 * drawing them offset to either side; self-loops become labels under the node.
 */
export function graphLayout(m: Mdp): GraphLayout {
  const traj = expertTrajectory(m);
  const onPath = new Set(traj.states);
  const depth = new Array<number>(m.states.length).fill(Infinity);
  depth[m.start] = 0;
  const queue = [m.start];
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q];
    for (const a of availableActions(m, s)) {
      const t = m.next[s][a];
      if (depth[t] === Infinity) {
        depth[t] = depth[s] + 1;
        queue.push(t);
      }
    }
  }
  const tStar = minimalSteps(m);
  const rowsUsed = new Map<number, number>();
  const pos = new Map<number, { x: number; y: number }>();
  const order = m.states.map((_, s) => s).filter((s) => depth[s] !== Infinity).sort((a, b) => depth[a] - depth[b] || Number(onPath.has(b)) - Number(onPath.has(a)) || a - b);
  for (const s of order) {
    const d = depth[s];
    const r = onPath.has(s) ? 0 : Math.max(1, rowsUsed.get(d) ?? 1);
    if (!onPath.has(s)) rowsUsed.set(d, r + 1);
    pos.set(s, { x: d, y: r });
  }
  const nodes = order.map((s) => ({ state: m.states[s], ...pos.get(s)!, tStar: tStar[s], onPath: onPath.has(s), goal: m.isGoal[s], start: s === m.start }));
  const edges: GraphLayout["edges"] = [];
  const loops: GraphLayout["loops"] = [];
  for (const s of order) {
    const bySucc = new Map<number, string[]>();
    for (const a of availableActions(m, s)) {
      const t = m.next[s][a];
      const label = `${m.actions[a]} ${m.policy[s][a].toString()}`;
      if (!bySucc.has(t)) bySucc.set(t, []);
      bySucc.get(t)!.push(label);
    }
    for (const [t, labels] of bySucc) {
      const isExpert = m.expert[s] >= 0 && m.next[s][m.expert[s]] === t && onPath.has(s);
      if (t === s) {
        loops.push({ state: m.states[s], label: `↻ ${labels.join(", ")}`, ...pos.get(s)!, expert: false });
        continue;
      }
      const p0 = pos.get(s)!;
      const p1 = pos.get(t)!;
      // Offset perpendicular to the edge when the reverse edge exists too.
      const both = availableActions(m, t).some((a) => m.next[t][a] === s);
      const dx = (p1.x - p0.x) * COL;
      const dy = (p1.y - p0.y) * ROW;
      const len = Math.hypot(dx, dy) || 1;
      const off = both ? 0.09 : 0;
      const ox = (-dy / len) * off * (ROW / COL);
      const oy = (dx / len) * off;
      edges.push({
        from: m.states[s],
        to: m.states[t],
        label: labels.join(", "),
        x: p0.x + ox,
        y: p0.y + oy,
        x2: p1.x + ox,
        y2: p1.y + oy,
        lx: p0.x + (p1.x - p0.x) * 0.5 + ox * 2.2,
        ly: p0.y + (p1.y - p0.y) * 0.5 + oy * 2.2 - 0.08,
        angle: (Math.atan2(dy, dx) * 180) / Math.PI,
        expert: isExpert,
      });
    }
  }
  return { nodes, edges, loops };
}

/** The state graph with the expert trajectory in orange; edge labels are "action π(a|s)". */
export function mdpGraphFigure(m: Mdp, title = "State graph"): VegaLiteSpec {
  const g = graphLayout(m);
  const cols = Math.max(...g.nodes.map((n) => n.x)) + 1;
  const rows = Math.max(...g.nodes.map((n) => n.y)) + 1;
  const x = { field: "x", type: "quantitative", scale: { domain: [-0.5, cols - 0.5] }, axis: null };
  const y = { field: "y", type: "quantitative", scale: { domain: [-0.6, rows - 0.4], reverse: true }, axis: null };
  const colour = { condition: { test: "datum.expert", value: EXPERT }, value: OTHER };
  const arrows = g.edges.map((e) => ({ ...e, ax: e.x + (e.x2 - e.x) * 0.72, ay: e.y + (e.y2 - e.y) * 0.72 }));
  const nodes = g.nodes.map((n) => ({ ...n, role: n.start ? "start" : n.goal ? "goal" : n.onPath ? "expert state" : "other", tLabel: `T*=${n.tStar === Infinity ? "∞" : n.tStar}` }));
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: "orange: the expert trajectory τ^GT; labels: action π(a|s); T* = minimal steps to the goal", anchor: "start" },
    width: cols * COL,
    height: rows * ROW,
    layer: [
      { data: { values: g.edges }, mark: { type: "rule" }, encoding: { x, y, x2: { field: "x2" }, y2: { field: "y2" }, color: colour, strokeWidth: { condition: { test: "datum.expert", value: 3 }, value: 1.2 } } },
      { data: { values: arrows }, mark: { type: "point", shape: "triangle-right", filled: true, size: 70 }, encoding: { x: { ...x, field: "ax" }, y: { ...y, field: "ay" }, angle: { field: "angle", type: "quantitative", scale: { domain: [-180, 180], range: [-180, 180] } }, color: colour } },
      { data: { values: g.edges }, mark: { type: "text", fontSize: 9, color: "#444" }, encoding: { x: { ...x, field: "lx" }, y: { ...y, field: "ly" }, text: { field: "label" } } },
      { data: { values: nodes }, mark: { type: "circle", size: 950, stroke: "#333", strokeWidth: 1, opacity: 1 }, encoding: { x, y, fill: { field: "role", type: "nominal", scale: { domain: ["start", "goal", "expert state", "other"], range: ["#1b9e77", "#7570b3", "#fdd0a2", "#eeeeee"] }, title: null } } },
      { data: { values: nodes }, mark: { type: "text", dy: -25, fontSize: 10, fontWeight: "bold" }, encoding: { x, y, text: { field: "state" } } },
      { data: { values: nodes }, mark: { type: "text", fontSize: 9 }, encoding: { x, y, text: { field: "tLabel" } } },
      { data: { values: g.loops }, mark: { type: "text", dy: 27, fontSize: 9, color: "#666" }, encoding: { x, y, text: { field: "label" } } },
    ],
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** p_n over n as nines, panels by β (columns) and ε (rows), one line per p_ref. */
export function recursionFigure(rows: RecursionRow[]): VegaLiteSpec {
  const values = rows.map((r) => ({ ...r, eps: `ε = ${r.eps}`, beta: r.beta, pRef: String(r.pRef), nines: Math.max(r.nines, 1e-3) }));
  return {
    $schema: SCHEMA,
    title: { text: "Success amplification: p_n = h(p_{n−1}) from p_0 = p_ref", subtitle: "y: −log10(1 − p_n), the number of leading nines (log scale); a line that stops has left float64 (p_n → 1)", anchor: "start" },
    data: { values },
    facet: { column: { field: "beta", type: "ordinal", title: "β" }, row: { field: "eps", type: "nominal", title: null } },
    spec: {
      width: 140,
      height: 150,
      mark: { type: "line", point: { size: 18 } },
      encoding: {
        x: { field: "n", type: "quantitative", title: "iteration n" },
        y: { field: "nines", type: "quantitative", scale: { type: "log" }, title: "−log10(1 − p_n)" },
        color: { field: "pRef", type: "nominal", title: "p_ref" },
        tooltip: [{ field: "n" }, { field: "p" }, { field: "oneMinusP", title: "1 − p" }],
      },
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** h(p) and the diagonal, the iterates' cobweb, fixed points (filled: stable). */
export function cobwebFigure(rows: CobwebRow[]): VegaLiteSpec {
  const lines = rows.filter((r) => r.series !== "fixed point");
  const points = rows.filter((r) => r.series === "fixed point").map((r) => ({ ...r, kind: r.stable ? "stable" : "unstable" }));
  const xy = {
    x: { field: "x", type: "quantitative", scale: { domain: [0, 1] }, title: "p_{n−1}" },
    y: { field: "y", type: "quantitative", scale: { domain: [0, 1] }, title: "p_n" },
  };
  return {
    $schema: SCHEMA,
    title: { text: "Fixed points of h(p) = σ(logit p_ref + 1/(β·sqrt(p(1−p)+ε)))", subtitle: "cobweb from p_ref; filled circle: stable fixed point (|h′| < 1), hollow: unstable", anchor: "start" },
    data: { values: [...lines, ...points] },
    facet: { field: "label", type: "nominal", title: null, sort: [...new Set(rows.map((r) => r.label))] },
    columns: 3,
    spec: {
      width: 190,
      height: 190,
      layer: [
        {
          transform: [{ filter: "datum.series !== 'fixed point'" }],
          mark: { type: "line", strokeWidth: 1.3 },
          encoding: { ...xy, order: { field: "order", type: "quantitative" }, color: { field: "series", type: "nominal", scale: { domain: ["h(p)", "diagonal", "iterates"], range: ["#1f77b4", "#aaaaaa", EXPERT] }, title: null }, detail: { field: "series" } },
        },
        {
          transform: [{ filter: "datum.series === 'fixed point'" }],
          mark: { type: "point", size: 80, strokeWidth: 2, color: "#000" },
          encoding: { ...xy, fill: { field: "kind", type: "nominal", scale: { domain: ["stable", "unstable"], range: ["#000000", "#ffffff"] }, title: "fixed point" } },
        },
      ],
    },
    resolve: { scale: { x: "shared", y: "shared" } },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** π(a*) along finite-G GRPO runs (one line per seed), with the predicted and population fixed points. */
export function finiteGroupFigure(study: FiniteGroupStudy): VegaLiteSpec {
  const traj = study.trajectories.map((t) => ({ ...t, G: `G = ${t.G}` }));
  const refs = study.summary.flatMap((s) => [
    { G: `G = ${s.G}`, kind: "finite-G prediction", p: s.predicted },
    { G: `G = ${s.G}`, kind: "population recursion (G → ∞)", p: study.population },
  ]);
  return {
    $schema: SCHEMA,
    title: { text: `Finite-G GRPO at one state (p_ref = ${study.pRef}, β = ${study.beta})`, subtitle: "lines: simulated π(a*) per seed; dashed: expected finite-G stationary point; black: population fixed point", anchor: "start" },
    facet: { field: "G", type: "nominal", title: null, sort: study.summary.map((s) => `G = ${s.G}`) },
    data: { values: [...traj.map((t) => ({ ...t, layer: "sim" })), ...refs.map((r) => ({ ...r, layer: "ref" }))] },
    spec: {
      width: 170,
      height: 150,
      layer: [
        {
          transform: [{ filter: "datum.layer === 'sim'" }],
          mark: { type: "line", strokeWidth: 0.8, opacity: 0.7 },
          encoding: { x: { field: "step", type: "quantitative", title: "GRPO step" }, y: { field: "p", type: "quantitative", scale: { domain: [0, 1] }, title: "π(a* | s)" }, detail: { field: "seed" }, color: { value: "#1f77b4" } },
        },
        {
          transform: [{ filter: "datum.layer === 'ref'" }],
          mark: { type: "rule" },
          encoding: {
            y: { field: "p", type: "quantitative" },
            strokeDash: { field: "kind", type: "nominal", scale: { domain: ["finite-G prediction", "population recursion (G → ∞)"], range: [[5, 3], [1, 0]] }, title: null },
            color: { field: "kind", type: "nominal", scale: { domain: ["finite-G prediction", "population recursion (G → ∞)"], range: [EXPERT, "#000000"] }, title: null, legend: { labelLimit: 300 } },
          },
        },
      ],
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** The stationary point against G: predicted curve, simulated means with ±1 sd, the population value. */
export function groupSizeFigure(curve: { G: number; p: number }[], study: FiniteGroupStudy): VegaLiteSpec {
  const sims = study.summary.map((s) => ({ G: s.G, p: s.simulatedMean, lo: s.simulatedMean - s.simulatedSd, hi: s.simulatedMean + s.simulatedSd }));
  const x = { field: "G", type: "quantitative", scale: { type: "log", base: 2 }, title: "group size G" };
  return {
    $schema: SCHEMA,
    title: { text: "How the group size moves GRPO's fixed point", subtitle: `p_ref = ${study.pRef}, β = ${study.beta}; line: expected finite-G stationary point; dots: simulation; grey: population recursion`, anchor: "start" },
    width: 360,
    height: 220,
    layer: [
      { data: { values: curve }, mark: { type: "line", color: EXPERT }, encoding: { x, y: { field: "p", type: "quantitative", title: "stationary π(a* | s)", scale: { zero: false } } } },
      { data: { values: sims }, mark: { type: "rule", color: "#1f77b4" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
      { data: { values: sims }, mark: { type: "point", filled: true, color: "#1f77b4", size: 40 }, encoding: { x, y: { field: "p", type: "quantitative" } } },
      { data: { values: [{ p: study.population }] }, mark: { type: "rule", color: "#555", strokeDash: [2, 2] }, encoding: { y: { field: "p", type: "quantitative" } } },
    ],
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** P_0 against one state's expert probability, by enumeration and by the product. */
export function sweepFigure(panels: { title: string; rows: SweepRow[] }[]): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: { text: "Minimal-step success P_0 as one expert-state probability moves", subtitle: "the other actions keep their proportions; enumeration = true P_0, product = Theorem 3.2's Π π(a_t|s_t)", anchor: "start" },
    data: { values: panels.flatMap((p) => p.rows.map((r) => ({ ...r, panel: p.title }))) },
    facet: { field: "panel", type: "nominal", title: null, sort: panels.map((p) => p.title) },
    spec: {
      width: 220,
      height: 170,
      mark: { type: "line", point: { size: 16 } },
      encoding: {
        x: { field: "p", type: "quantitative", title: "π(a^GT | s) at the moved state", scale: { domain: [0, 1] } },
        y: { field: "value", type: "quantitative", title: "P_0" },
        color: { field: "series", type: "nominal", scale: { domain: ["enumeration", "product"], range: ["#1f77b4", EXPERT] }, title: null },
        strokeDash: { field: "series", type: "nominal", scale: { domain: ["enumeration", "product"], range: [[1, 0], [4, 3]] }, legend: null },
      },
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** Per expert state: p_ref and the GRPO limit p* (nines, log scale), one panel per β. */
export function amplificationFigure(study: { beta: number; task: AmplifiedTask }[]): VegaLiteSpec {
  const values = study.flatMap(({ beta, task }) =>
    task.pRef.flatMap((p, t) => [
      { beta, t, series: "π_ref", nines: Math.max(1e-3, ninesOf((1 - p).toExponential(9))) },
      { beta, t, series: "GRPO limit p*", nines: Math.max(1e-3, Math.min(1e6, ninesOf(task.oneMinusPStar[t]))) },
    ]),
  );
  return {
    $schema: SCHEMA,
    title: { text: "Per-state GRPO limits along an expert trajectory", subtitle: "−log10(1 − p) per expert state t; bars capped at 1e6 nines where p* = 1", anchor: "start" },
    data: { values },
    facet: { column: { field: "beta", type: "ordinal", title: "β" } },
    spec: {
      width: 150,
      height: 170,
      mark: { type: "bar" },
      encoding: {
        x: { field: "t", type: "ordinal", title: "expert state t" },
        xOffset: { field: "series", type: "nominal" },
        y: { field: "nines", type: "quantitative", scale: { type: "log", domainMin: 1e-3 }, title: "−log10(1 − p)" },
        // A log scale has no zero: the bars start at the axis' floor.
        y2: { datum: 1e-3 },
        color: { field: "series", type: "nominal", scale: { domain: ["π_ref", "GRPO limit p*"], range: [OTHER, EXPERT] }, title: null },
      },
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}
