/**
 * The study's figures as vega-lite 5 specs (notebook 05 shows them with `showFigure`). The tables'
 * figures are lib/report's (`srFigure`, `asstFigure`, `crossTaskHeatmap`, `learningCurvesFigure`);
 * these are the study's own:
 *
 * - `betaSweepFigure`: SR (with its interval across seeds) and the final KL to the SFT policy against β;
 * - `expertStateFigure`: π(a^GT | s) at every expert state before (SFT) and after GRPO — Corollary 3.1
 *   holds on and above the diagonal;
 * - `theoremFigure`: Theorem 3.2's product predictor against the measured minimal-step success;
 * - `prefixFigure`: Corollary 3.2 — measured success on every prefix subtask, before and after.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CurvePoint, loadCurves } from "../../report/curves";
import { taskTitle } from "../../report/paper";
import type { VegaLiteSpec } from "../../viz/render";
import type { StudyConfig } from "./config";
import { parseModelLabel, studyPath, studyRuns } from "./plan";
import type { StudySummary } from "./types";
import { readTheory } from "./theory";
import { GRPO_DEFAULTS } from "../../learn/grpo";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const CONFIG = { font: "DejaVu Sans", view: { stroke: "#ddd" }, axis: { labelFontSize: 10, titleFontSize: 11 }, header: { labelFontSize: 12 } };

/** Training curves of one task and seed: every run's metrics.jsonl (series `task/variant-sN`). */
export function studyCurves(cfg: StudyConfig, task: string, seed: number, maxPoints = 120): CurvePoint[] {
  const files = studyRuns(cfg)
    .filter((r) => r.task === task && r.seed === seed)
    .map((r) => path.join(r.dir, "metrics.jsonl"))
    .filter((f) => fs.existsSync(f));
  return loadCurves(files, studyPath(cfg, "learn"), maxPoints);
}

/** SR against β per task and arm (protocol `protocol`), and the final KL(π_old ‖ π_SFT) of each run against β. */
export function betaSweepFigure(s: StudySummary, protocol: string): VegaLiteSpec {
  const beta0 = s.config.grpo.beta ?? GRPO_DEFAULTS.beta;
  const sweepArms = new Set(s.config.arms.filter((a) => a.betaSweep).map((a) => a.id));
  // A GRPO label of a sweeping arm: its β is the sweep's, or the study's own when it names none.
  const betaOf = (model: string) => {
    const l = parseModelLabel(model);
    return l.recipe === "sft+grpo" && sweepArms.has(l.arm) ? { arm: l.arm || "main", beta: l.beta ?? beta0 } : null;
  };
  const p = s.protocols.find((x) => x.protocol === protocol);
  const sr = (p?.table1 ?? []).flatMap((c) => {
    const b = betaOf(c.model);
    return b ? [{ task: taskTitle(c.task), ...b, sr: c.sr, lo: c.sr_ci?.[0] ?? c.sr, hi: c.sr_ci?.[1] ?? c.sr }] : [];
  });
  const kl = s.training.flatMap((r) => {
    const b = betaOf(r.model);
    return b && typeof r.last.kl === "number" ? [{ task: taskTitle(r.task), ...b, kl: Math.max(r.last.kl, 1e-6), seed: r.seed }] : [];
  });
  const x = { field: "beta", type: "quantitative", scale: { type: "log" }, title: "β (KL coefficient)" };
  const color = { field: "task", type: "nominal", title: null };
  return {
    $schema: SCHEMA,
    title: { text: "The β sweep: single-turn GRPO from the same SFT policy", subtitle: `SR on the ${protocol} protocol (95% interval across seeds) and the last step's KL to the SFT policy (one point per seed)`, anchor: "start" },
    hconcat: [
      {
        data: { values: sr },
        width: 260,
        height: 200,
        layer: [
          { mark: { type: "line", point: true }, encoding: { x, y: { field: "sr", type: "quantitative", scale: { domain: [0, 1] }, title: "SR" }, color } },
          { mark: { type: "rule" }, encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color } },
        ],
      },
      {
        data: { values: kl },
        width: 260,
        height: 200,
        mark: { type: "point", filled: true },
        encoding: { x, y: { field: "kl", type: "quantitative", scale: { type: "log" }, title: "KL(π ‖ π_SFT), last step" }, color },
      },
    ],
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

export interface ExpertStatePoint {
  task: string;
  arm: string;
  variant: string;
  before: number;
  after: number;
  ambiguous: boolean;
}

/**
 * Every expert state's π(a^GT|s) under each GRPO / multi-turn recipe and under its SFT parent, averaged
 * over the training seeds (one point per state and recipe: the figure stays readable and small).
 */
export function expertStatePoints(cfg: StudyConfig): ExpertStatePoint[] {
  const acc = new Map<string, ExpertStatePoint & { n: number }>();
  for (const task of cfg.tasks) {
    const { models } = readTheory(cfg, task);
    const byName = new Map(models.map((m) => [m.name, m]));
    for (const child of models) {
      const parent = child.parent ? byName.get(child.parent) : undefined;
      if (!parent) continue;
      child.report.trajectories.forEach((tr, i) =>
        tr.p.forEach((p, t) => {
          const key = `${task}|${child.variant}|${tr.seed}|${t}`;
          let a = acc.get(key);
          if (!a) acc.set(key, (a = { task: taskTitle(task), arm: child.arm || "main", variant: child.variant, before: 0, after: 0, ambiguous: (child.optimalCounts[i]?.[t] ?? 1) > 1, n: 0 }));
          a.before += parent.report.trajectories[i].p[t];
          a.after += p;
          a.n++;
        }),
      );
    }
  }
  const r3 = (x: number) => Math.round(x * 1e3) / 1e3;
  return [...acc.values()].map(({ n, ...a }) => ({ ...a, before: r3(a.before / n), after: r3(a.after / n) }));
}

/** Two probability axes on [0, 1], and the dashed diagonal y = x drawn under the points. */
function unitSquare(x: string, xTitle: string, y: string, yTitle: string) {
  const xy = {
    x: { field: x, type: "quantitative", scale: { domain: [0, 1] }, title: xTitle },
    y: { field: y, type: "quantitative", scale: { domain: [0, 1] }, title: yTitle },
  };
  const diagonal = { data: { values: [{ [x]: 0, [y]: 0, x2: 1, y2: 1 }] }, mark: { type: "rule", color: "#bbb", strokeDash: [4, 3] }, encoding: { ...xy, x2: { field: "x2" }, y2: { field: "y2" } } };
  return { xy, diagonal };
}

/** Corollary 3.1 on real training: before (SFT) vs after, one point per expert state; panels by arm and child. */
export function expertStateFigure(points: ExpertStatePoint[]): VegaLiteSpec {
  const values = points.map((p) => ({ ...p, panel: `${p.arm} arm: ${p.variant}`, state: p.ambiguous ? "several optimal actions" : "unique optimal action" }));
  const panels = [...new Set(values.map((v) => v.panel))];
  const { xy, diagonal } = unitSquare("before", "π_SFT(a^GT | s)", "after", "after");
  return {
    $schema: SCHEMA,
    title: { text: "Corollary 3.1 on real training: the expert action's probability at each expert state", subtitle: "evaluation layouts' expert trajectories, mean over training seeds; above the diagonal: improved; below: where the per-state improvement fails", anchor: "start" },
    data: { values },
    facet: { field: "panel", type: "nominal", sort: panels, title: null },
    columns: 3,
    spec: {
      width: 180,
      height: 180,
      layer: [
        diagonal,
        { mark: { type: "point", size: 14, opacity: 0.6, filled: true }, encoding: { ...xy, color: { field: "state", type: "nominal", title: null, legend: { labelLimit: 0 } }, shape: { field: "task", type: "nominal", title: null, legend: { labelLimit: 0 } } } },
      ],
    },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** Theorem 3.2: predicted Π π(a_t|s_t) against measured minimal-step success, per task and model. */
export function theoremFigure(s: StudySummary): VegaLiteSpec {
  const values = s.theorems.filter((r) => r.measured !== null).map((r) => ({ task: taskTitle(r.task), model: r.model, predicted: r.predicted, measured: r.measured }));
  const { xy, diagonal } = unitSquare("predicted", "predicted: Π_t π(a_t^GT | s_t^GT)", "measured", "measured minimal-step success");
  return {
    $schema: SCHEMA,
    title: { text: "Theorem 3.2 on trained policies: the product predictor against Monte-Carlo minimal-step success", subtitle: "mean over evaluation layouts and seeds; above the diagonal: other minimal trajectories exist (the product counts a shortcut as a failure)", anchor: "start" },
    width: 320,
    height: 320,
    layer: [
      diagonal,
      { data: { values }, mark: { type: "point", filled: true, size: 60 }, encoding: { ...xy, color: { field: "model", type: "nominal", title: null, legend: { labelLimit: 0 } }, shape: { field: "task", type: "nominal", title: null }, tooltip: [{ field: "task" }, { field: "model" }, { field: "predicted" }, { field: "measured" }] } },
    ],
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}

/** Corollary 3.2: measured success on the prefix subtasks k = 1..T (reach s_k in k steps), per model. */
export function prefixFigure(s: StudySummary, models: readonly string[]): VegaLiteSpec {
  const values = s.theorems.filter((r) => models.includes(r.model)).flatMap((r) => r.prefix.measured.map((measured, i) => ({ task: taskTitle(r.task), model: r.model, k: i + 1, measured })));
  return {
    $schema: SCHEMA,
    title: { text: "Corollary 3.2 on trained policies: success on every prefix subtask of the expert trajectory", subtitle: "fraction of rollouts in the expert's state s_k after exactly k steps (k = T: task done in T steps), mean over layouts and seeds", anchor: "start" },
    data: { values },
    facet: { column: { field: "task", type: "nominal", title: null } },
    spec: {
      width: 170,
      height: 170,
      mark: { type: "line", point: { size: 14 } },
      encoding: {
        x: { field: "k", type: "quantitative", title: "prefix length k" },
        y: { field: "measured", type: "quantitative", scale: { domain: [0, 1] }, title: "measured" },
        color: { field: "model", type: "nominal", sort: [...models], title: null, legend: { labelLimit: 0 } },
      },
    },
    resolve: { scale: { x: "independent" } },
    config: CONFIG,
  } as unknown as VegaLiteSpec;
}
