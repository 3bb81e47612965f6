/**
 * The comparison's figures as vega-lite 5 specs (a notebook shows them with `showFigure`): the
 * sample-efficiency curves — SR against sampled actions, or against training wall time — one panel per
 * task, one line per method from the shared SFT start, the 95% interval across seeds as a band.
 */
import { taskTitle } from "../../report/paper";
import type { VegaLiteSpec } from "../../viz/render";
import { METHOD_TITLES, Method } from "./config";
import { summaryCurves } from "./curves";
import type { ComparisonSummary } from "./types";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const CONFIG = { font: "DejaVu Sans", view: { stroke: "#ddd" }, axis: { labelFontSize: 10, titleFontSize: 11 }, header: { labelFontSize: 12 } };

/**
 * SR against sampled actions (`x: "samples"`), training wall time (`"seconds"`) or the training
 * process's CPU time (`"cpu_seconds"`: steadier on a shared machine) for one learner, SFT start and
 * decoding. The start (budget 0) begins every method's line.
 */
export function sampleEfficiencyFigure(s: ComparisonSummary, sel: { learner: string; arm: string; decoding: string; x?: "samples" | "seconds" | "cpu_seconds" }): VegaLiteSpec {
  const x = sel.x ?? "samples";
  const xTitle = { samples: "sampled actions", seconds: "training wall time (s)", cpu_seconds: "training CPU time (s)" }[x];
  const rows = summaryCurves(s).filter((c) => c.learner === sel.learner && c.arm === sel.arm && c.decoding === sel.decoding);
  const methods = [...new Set(rows.filter((c) => c.method !== "start").map((c) => c.method as Method))];
  const values = rows.flatMap((c) => {
    const point = { task: taskTitle(c.task), x: c[x], sr: c.sr, lo: c.sr_ci?.[0] ?? c.sr, hi: c.sr_ci?.[1] ?? c.sr };
    // The start is every method's first point.
    return c.method === "start" ? methods.map((m) => ({ ...point, method: METHOD_TITLES[m] })) : [{ ...point, method: METHOD_TITLES[c.method as Method] }];
  });
  const enc = {
    x: { field: "x", type: "quantitative", title: xTitle },
    color: { field: "method", type: "nominal", title: null, sort: methods.map((m) => METHOD_TITLES[m]) },
  };
  return {
    $schema: SCHEMA,
    title: {
      text: `SR against ${xTitle.replace(/ \(s\)$/, "")}: ${sel.learner} learner, ${sel.arm} SFT start, ${sel.decoding} decoding`,
      subtitle: `mean over ${s.config.seeds.length} training seeds with the 95% interval; ${s.config.eval.layouts} evaluation layouts per task`,
      anchor: "start",
    },
    data: { values },
    facet: { field: "task", type: "nominal", title: null },
    columns: 4,
    spec: {
      width: 200,
      height: 170,
      layer: [
        { mark: { type: "area", opacity: 0.15 }, encoding: { ...enc, y: { field: "lo", type: "quantitative", scale: { domain: [0, 1] }, title: "SR" }, y2: { field: "hi" } } },
        { mark: { type: "line", point: true }, encoding: { ...enc, y: { field: "sr", type: "quantitative" } } },
      ],
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** The (learner, SFT start) pairs a summary holds, in its cells' order: one set of curves each. */
export function curveSets(s: ComparisonSummary): { learner: string; arm: string }[] {
  return s.config.cells.flatMap((c) => c.arms.map((arm) => ({ learner: c.learner, arm })));
}
