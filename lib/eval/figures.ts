/**
 * The evaluation's figures as vega-lite 5 specs (render with lib/viz: `showFigure(spec, name)`):
 * - `metricsFigure`: SR (Wilson 95%), ASAT and ASST (bootstrap 95%) per task and model, one row of panels
 *   per metric, whiskers for the intervals, the timeout dashed on the step panels;
 * - `theoremFigure`: Theorem 3.2's predicted minimal-step success (the product of single-turn accuracies)
 *   against the measured rate, per task and model, with the diagonal (equality under uniqueness) and
 *   Wilson whiskers on the measurement;
 * - `prefixFigure`: Corollary 3.2, predicted and measured success of every prefix subtask.
 */
import type { VegaLiteSpec } from "../viz/render";
import type { MetricsRow } from "./format";
import type { PrefixRow } from "./singleturn";
import type { TheoremRow } from "./theorem";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const CONFIG = { font: "DejaVu Sans", view: { stroke: "#ddd" }, axis: { labelFontSize: 10, titleFontSize: 11 }, header: { labelFontSize: 11 } };

const unique = <T>(xs: T[]) => [...new Set(xs)];

/** A model label without its training task (`sft+grpo@burger` → `sft+grpo`): one colour per recipe. */
const recipeOf = (model: string) => model.replace(/@[^@]*$/, "");

/** The metric rows of `metricsFigure`'s data (long format; null metrics are left out). */
export function metricsFigureData(rows: (MetricsRow & { timeout?: number })[]) {
  return rows.flatMap((r) => {
    const m = r.metrics;
    const base = { task: r.task, model: r.model, n: m.n, timeout: r.timeout ?? null };
    const out = [{ ...base, metric: "SR", value: m.sr, lo: m.sr_ci[0], hi: m.sr_ci[1] }];
    out.push({ ...base, metric: "ASAT", value: m.asat, lo: m.asat_ci[0], hi: m.asat_ci[1] });
    if (m.asst !== null && m.asst_ci) out.push({ ...base, metric: "ASST", value: m.asst, lo: m.asst_ci[0], hi: m.asst_ci[1] });
    return out;
  });
}

/** SR, ASAT, ASST per task (columns) and model (colour), 95% interval whiskers. */
export function metricsFigure(rows: (MetricsRow & { timeout?: number })[], title: string): VegaLiteSpec {
  const values = metricsFigureData(rows);
  const models = unique(rows.map((r) => r.model));
  const tasks = unique(rows.map((r) => r.task));
  const x = { field: "model", type: "nominal", sort: models, axis: { labelAngle: -40, title: null, labelLimit: 0 } };
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: "SR: 95% Wilson interval; ASAT, ASST: 95% bootstrap interval; dashed: the timeout; no ASST point: no success", anchor: "start" },
    data: { values },
    facet: {
      row: { field: "metric", type: "nominal", sort: ["SR", "ASAT", "ASST"], title: null },
      column: { field: "task", type: "nominal", sort: tasks, title: null },
    },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: Math.max(90, 20 * models.length),
      height: 130,
      layer: [
        { mark: { type: "rule", color: "#333" }, encoding: { x, y: { field: "lo", type: "quantitative", title: null, scale: { zero: false } }, y2: { field: "hi" } } },
        {
          mark: { type: "point", filled: true, size: 50 },
          encoding: {
            x,
            y: { field: "value", type: "quantitative" },
            color: { field: "model", type: "nominal", sort: models, legend: null },
            tooltip: [{ field: "model" }, { field: "task" }, { field: "metric" }, { field: "value" }, { field: "lo" }, { field: "hi" }, { field: "n" }],
          },
        },
        {
          transform: [{ filter: "datum.metric !== 'SR' && datum.timeout !== null" }],
          mark: { type: "rule", strokeDash: [4, 3], color: "#b00020" },
          encoding: { y: { field: "timeout", type: "quantitative", aggregate: "max" } },
        },
      ],
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** Predicted (Π p_t) against measured minimal-step success, per task and model; the diagonal is equality. */
export function theoremFigure(rows: (TheoremRow & { model: string })[], title: string): VegaLiteSpec {
  const values = rows
    .filter((r) => r.measured !== null)
    .map((r) => ({ model: r.model, recipe: recipeOf(r.model), task: r.task, predicted: r.predicted, measured: r.measured, lo: r.measured_ci![0], hi: r.measured_ci![1], layouts: r.layouts }));
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: "Theorem 3.2: product of per-state expert-action probabilities vs measured; whiskers: 95% Wilson", anchor: "start" },
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: [{ p: 0 }, { p: 1 }] },
        mark: { type: "line", strokeDash: [4, 3], color: "#888" },
        encoding: { x: { field: "p", type: "quantitative" }, y: { field: "p", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "rule", color: "#999" },
        encoding: { x: { field: "predicted", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
      },
      {
        data: { values },
        mark: { type: "point", filled: true, size: 70 },
        encoding: {
          x: { field: "predicted", type: "quantitative", title: "predicted minimal-step success (Π p_t)", scale: { domain: [0, 1] } },
          y: { field: "measured", type: "quantitative", title: "measured minimal-step success", scale: { domain: [0, 1] } },
          color: { field: "recipe", type: "nominal", title: "model" },
          shape: { field: "task", type: "nominal" },
          tooltip: [{ field: "model" }, { field: "task" }, { field: "predicted" }, { field: "measured" }, { field: "layouts" }],
        },
      },
    ],
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** Corollary 3.2: predicted (solid) and measured (dashed) success of the prefix subtasks, per task. */
export function prefixFigure(rows: (PrefixRow & { model: string })[], title: string): VegaLiteSpec {
  // Every point averages the same layouts: prefixes up to the shortest expert trajectory of the task
  // (beyond it a mean over fewer, longer layouts would read as a drop that is not one).
  const most = new Map<string, number>();
  for (const r of rows) most.set(`${r.model}\u0000${r.task}`, Math.max(most.get(`${r.model}\u0000${r.task}`) ?? 0, r.layouts));
  const values = rows.filter((r) => r.layouts === most.get(`${r.model}\u0000${r.task}`)).flatMap((r) => [
    { model: r.model, recipe: recipeOf(r.model), task: r.task, k: r.k, kind: "predicted", p: r.predicted },
    { model: r.model, recipe: recipeOf(r.model), task: r.task, k: r.k, kind: "measured", p: r.measured },
  ]);
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: ["Corollary 3.2: reach the expert's state s_k in exactly k steps (k = T: finish in T steps)", "solid: predicted Π_{t<k} p_t; dashed: measured; mean over the layouts, k up to the shortest trajectory"], anchor: "start" },
    data: { values },
    facet: { column: { field: "task", type: "nominal", sort: unique(rows.map((r) => r.task)), title: null } },
    spec: {
      width: 170,
      height: 160,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "k", type: "quantitative", title: "prefix length k" },
        y: { field: "p", type: "quantitative", title: "success probability", scale: { domain: [0, 1] } },
        color: { field: "recipe", type: "nominal", title: "model" },
        detail: { field: "model", type: "nominal" },
        strokeDash: { field: "kind", type: "nominal", sort: ["predicted", "measured"] },
      },
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}
