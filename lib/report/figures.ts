/**
 * The paper's figures as vega-lite 5 specs (render with lib/viz: SVG + PNG):
 * - `srFigure`: SR per task and model, with 95% interval whiskers;
 * - `srComparisonFigure`: ours beside the paper's, per paper row and task, whiskers on both;
 * - `asstFigure`: ASST per task and model (no bar where nothing succeeded), with interval whiskers;
 * - `crossTaskHeatmap`: Table 2 as a heatmap; given several sets (the paper's and ours) they sit side by
 *   side on one colour scale fixed to [0, 1];
 * - `learningCurvesFigure`: training curves from metrics JSONL, a panel per algorithm and metric.
 */
import type { VegaLiteSpec } from "../viz/render";
import { ComparisonRow, srNoiseInterval } from "./compare";
import type { CurvePoint } from "./curves";
import { DISPLAY, formatCell } from "./numbers";
import { taskTitle } from "./paper";
import type { ResultSet } from "./types";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const CONFIG = { font: "DejaVu Sans", view: { stroke: "#ddd" }, axis: { labelFontSize: 10, titleFontSize: 11 }, header: { labelFontSize: 12 } };

function whiskers(xField: string, xSort: string[], yLo: string, yHi: string) {
  return {
    mark: { type: "rule", color: "#333" },
    encoding: { x: { field: xField, type: "nominal", sort: xSort }, y: { field: yLo, type: "quantitative" }, y2: { field: yHi } },
  };
}

/** Bars of one metric per task (panels) and model, with 95% interval whiskers; no bar where it is null. */
function perTaskBars(rs: ResultSet, metric: "sr" | "asst", title: string, subtitle: string, y: Record<string, unknown>, more: { layers?: unknown[]; resolve?: unknown } = {}): VegaLiteSpec {
  const ci = metric === "sr" ? "sr_ci" : "asst_ci";
  const values = rs.table1
    .filter((r) => r[metric] !== null)
    .map((r) => ({ task: taskTitle(r.task), model: r.model, [metric]: r[metric], lo: r[ci]?.[0] ?? r[metric], hi: r[ci]?.[1] ?? r[metric], n: r.n, timeout: r.timeout }));
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: `${rs.title} — ${subtitle}`, anchor: "start" },
    data: { values },
    facet: { column: { field: "task", type: "nominal", sort: rs.tasks.map(taskTitle), title: null } },
    ...(more.resolve ? { resolve: more.resolve } : {}),
    spec: {
      width: Math.max(120, 22 * rs.models.length),
      height: 200,
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x: { field: "model", type: "nominal", sort: rs.models, scale: { domain: rs.models }, axis: { labelAngle: -40, title: null, labelLimit: 0 } },
            y: { field: metric, type: "quantitative", ...y },
            color: { field: "model", type: "nominal", sort: rs.models, legend: null },
            tooltip: [{ field: "model" }, { field: metric }, { field: "lo" }, { field: "hi" }, { field: "n" }],
          },
        },
        whiskers("model", rs.models, "lo", "hi"),
        ...(more.layers ?? []),
      ],
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** SR per task (panels) and model (bars), with interval whiskers. */
export function srFigure(rs: ResultSet): VegaLiteSpec {
  return perTaskBars(rs, "sr", "Success rate per task and model", "whiskers: 95% intervals", { scale: { domain: [0, 1] }, title: "SR" });
}

/** ASST per task and model with interval whiskers; models with no success have no bar; dashed: the timeout. */
export function asstFigure(rs: ResultSet): VegaLiteSpec {
  const timeout = { mark: { type: "rule", strokeDash: [4, 3], color: "#b00020" }, encoding: { y: { field: "timeout", type: "quantitative", aggregate: "max" } } };
  return perTaskBars(rs, "asst", "Average steps of successful episodes (ASST) per task", "no bar: no success; dashed: the timeout", { title: "ASST (steps)", scale: { zero: true } }, {
    layers: [timeout],
    resolve: { scale: { y: "independent" } },
  });
}

/** Ours beside the paper's, SR per paper row (x) and task (panels); only rows with both sides. */
export function srComparisonFigure(rows: ComparisonRow[], ours: ResultSet, paper: ResultSet): VegaLiteSpec {
  const paired = rows.filter((r) => r.table === "table1" && r.ours && r.paper);
  const values = paired.flatMap((r) => [
    { task: taskTitle(r.task), row: r.paperModel, source: `ours: ${r.model}`, side: "ours", sr: r.ours!.sr, lo: srNoiseInterval(r.ours!)?.[0] ?? r.ours!.sr, hi: srNoiseInterval(r.ours!)?.[1] ?? r.ours!.sr },
    { task: taskTitle(r.task), row: r.paperModel, source: "paper", side: "paper", sr: r.paper!.sr, lo: r.paper!.sr_ci?.[0] ?? r.paper!.sr, hi: r.paper!.sr_ci?.[1] ?? r.paper!.sr },
  ]);
  const rowsOrder = paper.models.filter((m) => paired.some((r) => r.paperModel === m));
  const tasks = paper.tasks.filter((t) => paired.some((r) => r.task === t)).map(taskTitle);
  return {
    $schema: SCHEMA,
    title: { text: "Success rate: ours beside the paper's", subtitle: `${ours.title} vs the paper — 95% intervals`, anchor: "start" },
    data: { values },
    facet: { column: { field: "task", type: "nominal", sort: tasks, title: null } },
    spec: {
      width: Math.max(120, 34 * rowsOrder.length),
      height: 200,
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x: { field: "row", type: "nominal", sort: rowsOrder, axis: { labelAngle: -40, title: null, labelLimit: 0 } },
            xOffset: { field: "side", type: "nominal", sort: ["paper", "ours"] },
            y: { field: "sr", type: "quantitative", scale: { domain: [0, 1] }, title: "SR" },
            color: { field: "side", type: "nominal", sort: ["paper", "ours"], scale: { range: ["#9e9e9e", "#1f77b4"] }, title: null },
            tooltip: [{ field: "source" }, { field: "sr" }, { field: "lo" }, { field: "hi" }],
          },
        },
        {
          mark: { type: "rule", color: "#333" },
          encoding: {
            x: { field: "row", type: "nominal", sort: rowsOrder },
            xOffset: { field: "side", type: "nominal", sort: ["paper", "ours"] },
            y: { field: "lo", type: "quantitative" },
            y2: { field: "hi" },
          },
        },
      ],
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

function heatmapPanel(rs: ResultSet, metric: "sr" | "asat" | "asst") {
  const order = [...new Set([...rs.crossTrained, ...rs.crossEvaluated])];
  const titles = order.map(taskTitle);
  const values = rs.cross
    .filter((r) => r.model === rs.crossModel)
    .map((r) => ({ trained: taskTitle(r.trained_on), evaluated: taskTitle(r.evaluated_on), value: r[metric], label: formatCell(r[metric], r.decimals?.[metric], DISPLAY) }));
  return {
    title: { text: rs.title, fontSize: 12, anchor: "start" },
    data: { values },
    width: 60 * rs.crossEvaluated.length,
    height: 44 * rs.crossTrained.length,
    encoding: {
      x: { field: "evaluated", type: "nominal", sort: titles.filter((t) => values.some((v) => v.evaluated === t)), title: "Evaluated on", axis: { labelAngle: -30, labelLimit: 0 } },
      y: { field: "trained", type: "nominal", sort: titles.filter((t) => values.some((v) => v.trained === t)), title: "Trained on", axis: { labelLimit: 0 } },
    },
    layer: [
      { mark: { type: "rect", stroke: "white" }, encoding: { color: { field: "value", type: "quantitative", scale: { domain: [0, 1], scheme: "blues" }, title: metric.toUpperCase() } } },
      {
        mark: { type: "text", fontSize: 12 },
        encoding: {
          text: { field: "label" },
          color: { condition: { test: "datum.value > 0.55", value: "white" }, value: "black" },
        },
      },
    ],
  };
}

/** Table 2 as heatmaps: one panel per set, side by side, one colour scale fixed to [0, 1]. */
export function crossTaskHeatmap(sets: ResultSet[]): VegaLiteSpec {
  const panels = sets.filter((s) => s.crossModel).map((s) => heatmapPanel(s, "sr"));
  return {
    $schema: SCHEMA,
    title: { text: "Cross-task success rate (Table 2): trained on a row, evaluated on a column", anchor: "start" },
    hconcat: panels,
    resolve: { scale: { color: "shared" } },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/**
 * Learning curves: a row of panels per algorithm (SFT, GRPO, …; their steps are not comparable), a
 * panel per metric it logs, one line per recipe and task — the mean over its training seeds at each
 * step. (Rows are concatenated, not a row × column facet: vega-lite does not cross facets, so a metric
 * one algorithm lacks would shift that row's panels under the wrong headers.)
 */
export function learningCurvesFigure(points: CurvePoint[], title: string): VegaLiteSpec {
  const algos = [...new Set(points.map((p) => p.algo))];
  const seeds = Math.max(...[...new Set(points.map((p) => p.group))].map((g) => new Set(points.filter((p) => p.group === g).map((p) => p.series)).size));
  const row = (algo: string) => {
    const values = points.filter((p) => p.algo === algo);
    return {
      data: { values },
      facet: { column: { field: "metric", type: "nominal", sort: [...new Set(values.map((p) => p.metric))], title: null } },
      resolve: { scale: { y: "independent" } },
      title: { text: algo || "training", anchor: "start", fontSize: 12 },
      spec: {
        width: 220,
        height: 140,
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: { field: "step", type: "quantitative", title: "step" },
          y: { field: "value", type: "quantitative", aggregate: "mean", title: null, scale: { zero: false } },
          color: { field: "group", type: "nominal", title: "run", legend: { labelLimit: 0, orient: "right" } },
        },
      },
    };
  };
  return {
    $schema: SCHEMA,
    title: { text: "Learning curves", subtitle: `${title} — per optimisation step (binned means${seeds > 1 ? "; lines: mean over training seeds" : ""})`, anchor: "start" },
    vconcat: algos.map(row),
    resolve: { scale: { color: "independent" } },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}
