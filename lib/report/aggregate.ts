/**
 * Episodes → the paper's tables, with danfojs doing the grouping.
 *
 * Which episodes go where (the paper's layout):
 * - **Table 1** cell (task, model): episodes of that model on that task whose `trained_on` is null (a
 *   model not trained here), equal to the task (the paper's trained rows are the diagonal of Tables 2–4:
 *   its SFT+GRPO row for Burger is the model trained on Burger), or a task that no episode evaluates
 *   (a model trained on something else, e.g. a mixture).
 * - **Tables 2–4** cell (model, trained_on, evaluated_on): every episode with a `trained_on`.
 *
 * Metrics (paper §4): SR = mean(success); ASAT = mean steps with a failure counted at the episode's
 * `timeout`, whatever `steps` says; ASST = mean steps over successes, null ("—") when none.
 *
 * **Several runs per cell** (training seeds): a cell's episodes are split by `run`. One run: the metrics
 * of its episodes, Wilson 95% interval for SR, seeded percentile bootstrap for ASAT/ASST (the same
 * functions and seed as `stgrpo eval`). Several runs: each run's metrics, then their mean (ASST over the
 * runs that had a success) with a 95% t interval across runs — the seed-to-seed spread, which is what a
 * reader needs to judge a training method. Give each training seed its own `run` id and the same
 * `model` name; a model name ending in `@<trained_on>` is read as `model` (so `sft+grpo@burger` with
 * trained_on burger is `sft+grpo`).
 */
import type { DataFrame } from "danfojs";
import { bootstrapMeanInterval, wilsonInterval } from "../eval/metrics";
import { UserError } from "../util/errors";
import type { EpisodeLike } from "./load";
import { ModelMatches, orderModels, paperModelFor } from "./models";
import { orderTasks, PAPER_CROSS_MODEL } from "./paper";
import type { CellStats, CrossRow, Interval, ResultSet, Table1Row } from "./types";
import type { Profile } from "../util/profile";

let danfo: typeof import("danfojs") | null = null;
/** danfojs takes ~0.6 s to load: load it on first use, not on `require("lib/report")`. */
export function dfd(): typeof import("danfojs") {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (!danfo) danfo = require("danfojs") as typeof import("danfojs");
  return danfo;
}

/** Two-sided 97.5% quantiles of Student's t for df = 1…30 (beyond: the normal 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  return df >= 1 && df <= 30 ? T975[df - 1] : 1.959963984540054;
}

/** 95% t interval of the mean of `xs`, clipped to [lo, hi]; null with fewer than two values. */
export function tInterval(xs: number[], lo = -Infinity, hi = Infinity): Interval | null {
  if (xs.length < 2) return null;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  const h = (tQuantile975(xs.length - 1) * sd) / Math.sqrt(xs.length);
  return [Math.max(lo, m - h), Math.min(hi, m + h)];
}

/** The steps an episode adds to ASAT: its steps on success, else its timeout (the paper's rule). */
export function asatSteps(e: { success: boolean; steps: number; timeout: number }): number {
  return e.success ? e.steps : e.timeout;
}

interface Unit {
  run: string;
  n: number;
  k: number;
  asatSum: number;
  successSum: number;
}

/** Cell stats from one run's episodes (the values arrays) — Wilson and bootstrap intervals. */
export function cellFromEpisodes(success: number[], asat: number[], timeout: number | null): CellStats {
  const n = success.length;
  const k = success.reduce((a, b) => a + b, 0);
  const okSteps = asat.filter((_, i) => success[i] === 1);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    n,
    successes: k,
    runs: 1,
    sr: k / n,
    asat: mean(asat),
    asst: k ? mean(okSteps) : null,
    sr_ci: wilsonInterval(k, n),
    asat_ci: bootstrapMeanInterval(asat),
    asst_ci: k ? bootstrapMeanInterval(okSteps) : null,
    interval: "episodes",
    timeout,
  };
}

/** Cell stats from several runs: mean of per-run metrics, t interval across runs. */
export function cellFromRuns(units: Unit[], timeout: number | null): CellStats {
  const per = units.map((u) => ({ run: u.run, n: u.n, sr: u.k / u.n, asat: u.asatSum / u.n, asst: u.k ? u.successSum / u.k : null }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const assts = per.map((p) => p.asst).filter((a): a is number => a !== null);
  const maxT = timeout ?? Infinity;
  return {
    n: units.reduce((a, u) => a + u.n, 0),
    successes: units.reduce((a, u) => a + u.k, 0),
    runs: units.length,
    sr: mean(per.map((p) => p.sr)),
    asat: mean(per.map((p) => p.asat)),
    asst: assts.length ? mean(assts) : null,
    sr_ci: tInterval(per.map((p) => p.sr), 0, 1),
    asat_ci: tInterval(per.map((p) => p.asat), 0, maxT),
    asst_ci: tInterval(assts, 0, maxT),
    interval: "runs",
    timeout,
    perRun: per,
  };
}

export interface SummarizeOptions {
  /** Our model → paper row overrides (`--match`). */
  matches?: ModelMatches;
  /** The model whose cross-task cells make Tables 2–4 (default: the one standing for SFT+GRPO). */
  crossModel?: string;
  /** Timeouts for episodes that lack the field (default: none; the paper's are in setup.csv). */
  timeouts?: Record<string, number>;
  title?: string;
  profile?: Profile | null;
  source?: string;
  command?: string;
  notes?: string[];
}

/** Strip a trailing `@<trained_on>` from a model name (one model trained on several tasks). */
export function modelFamily(model: string, trainedOn: string | null | undefined): string {
  return trainedOn && model.endsWith(`@${trainedOn}`) ? model.slice(0, -trainedOn.length - 1) : model;
}

interface Row {
  cell: string;
  unit: string;
  success: number;
  asat_steps: number;
  success_steps: number;
  timeout: number;
}

/**
 * Group rows by cell and by (cell, run) with danfojs; return per-cell value arrays (for the bootstrap)
 * and per-unit sums (for per-run metrics).
 */
function groupCells(rows: Row[], unitRun: Map<string, { cell: string; run: string }>) {
  const d = dfd();
  const df: DataFrame = new d.DataFrame(rows);
  const units = df.groupby(["unit"]).agg({ success: ["sum", "count"], asat_steps: "sum", success_steps: "sum" });
  const cols = units.columns;
  const at = (name: string) => cols.indexOf(name);
  const byCell = new Map<string, Unit[]>();
  for (const r of units.values as unknown[][]) {
    const key = String(r[at("unit")]);
    const { cell, run } = unitRun.get(key)!;
    const u: Unit = { run, n: Number(r[at("success_count")]), k: Number(r[at("success_sum")]), asatSum: Number(r[at("asat_steps_sum")]), successSum: Number(r[at("success_steps_sum")]) };
    if (!byCell.has(cell)) byCell.set(cell, []);
    byCell.get(cell)!.push(u);
  }
  const groups = df.groupby(["cell"]).groups as Record<string, Record<string, unknown[]>>;
  const values = new Map<string, { success: number[]; asat: number[]; timeouts: number[] }>();
  for (const [cell, g] of Object.entries(groups)) {
    values.set(cell, { success: g.success.map(Number), asat: g.asat_steps.map(Number), timeouts: g.timeout.map(Number) });
  }
  return { byCell, values };
}

function statsFor(cell: string, byCell: Map<string, Unit[]>, values: Map<string, { success: number[]; asat: number[]; timeouts: number[] }>): CellStats {
  const v = values.get(cell)!;
  const ts = new Set(v.timeouts);
  const timeout = ts.size === 1 ? v.timeouts[0] : null;
  const units = byCell.get(cell)!.sort((a, b) => a.run.localeCompare(b.run));
  return units.length === 1 ? cellFromEpisodes(v.success, v.asat, timeout) : cellFromRuns(units, timeout);
}

/** Episodes → ResultSet (Table 1 and the cross-task cells). */
export function summarizeEpisodes(episodes: EpisodeLike[], opts: SummarizeOptions = {}): ResultSet {
  if (episodes.length === 0) throw new UserError("no episodes found");
  const matches = opts.matches ?? {};
  const norm = episodes.map((e) => {
    const timeout = e.timeout ?? opts.timeouts?.[e.task];
    if (timeout === undefined || timeout === null) throw new UserError(`episode of ${e.model} on ${e.task} (run ${e.run}) has no timeout, and the task has no known one`);
    const trained = e.trained_on ?? null;
    return { ...e, model: modelFamily(e.model, trained), trained_on: trained, timeout };
  });
  const evaluated = new Set(norm.map((e) => e.task));
  const tasks = orderTasks(evaluated);

  const rows: Row[] = [];
  const unitRun = new Map<string, { cell: string; run: string }>();
  const t1Cells = new Map<string, { task: string; model: string }>();
  const crossCells = new Map<string, { model: string; trained_on: string; evaluated_on: string }>();
  const push = (cell: string, e: (typeof norm)[number]) => {
    const unit = JSON.stringify([cell, e.run]);
    unitRun.set(unit, { cell, run: e.run });
    rows.push({ cell, unit, success: e.success ? 1 : 0, asat_steps: asatSteps(e), success_steps: e.success ? e.steps : 0, timeout: e.timeout });
  };
  for (const e of norm) {
    if (e.trained_on === null || e.trained_on === e.task || !evaluated.has(e.trained_on)) {
      const cell = JSON.stringify(["t1", e.task, e.model]);
      t1Cells.set(cell, { task: e.task, model: e.model });
      push(cell, e);
    }
    if (e.trained_on !== null) {
      const cell = JSON.stringify(["x", e.model, e.trained_on, e.task]);
      crossCells.set(cell, { model: e.model, trained_on: e.trained_on, evaluated_on: e.task });
      push(cell, e);
    }
  }
  const { byCell, values } = groupCells(rows, unitRun);

  const models = orderModels([...t1Cells.values()].map((c) => c.model), matches);
  const table1: Table1Row[] = [];
  for (const task of tasks) {
    for (const model of models) {
      const cell = JSON.stringify(["t1", task, model]);
      if (t1Cells.has(cell)) table1.push({ task, model, ...statsFor(cell, byCell, values) });
    }
  }
  const crossModels = orderModels([...crossCells.values()].map((c) => c.model), matches);
  const cross: CrossRow[] = [];
  for (const model of crossModels) {
    for (const trained of orderTasks([...crossCells.values()].map((c) => c.trained_on))) {
      for (const task of tasks) {
        const cell = JSON.stringify(["x", model, trained, task]);
        if (crossCells.has(cell)) cross.push({ model, trained_on: trained, evaluated_on: task, ...statsFor(cell, byCell, values) });
      }
    }
  }

  const notes = [...(opts.notes ?? [])];
  let crossModel: string | null = null;
  if (opts.crossModel !== undefined) {
    if (!crossModels.includes(opts.crossModel)) {
      throw new UserError(`--cross-model ${opts.crossModel} has no episodes with a trained_on (models with one: ${crossModels.join(", ") || "none"})`);
    }
    crossModel = opts.crossModel;
  } else if (crossModels.length) {
    crossModel = crossModels.find((m) => paperModelFor(m, matches) === PAPER_CROSS_MODEL) ?? crossModels[0];
    if (crossModels.length > 1) {
      notes.push(`Tables 2–4 and cross_task.csv show ${crossModel} (the model standing for the paper's SFT+GRPO, else the first); other models with a trained_on: ${crossModels.filter((m) => m !== crossModel).join(", ")} (cross_task.<model>.csv).`);
    }
  }
  const mine = cross.filter((r) => r.model === crossModel);
  const runs = [...new Set(norm.map((e) => e.run))].sort();
  const multi = [...table1, ...cross].some((c) => c.runs > 1);
  if (multi) notes.push("Cells with several runs (training seeds) show the mean of per-run metrics with a 95% t interval across runs.");
  return {
    kind: "run",
    title: opts.title ?? "Our run",
    profile: opts.profile ?? null,
    source: opts.source ?? "",
    runs,
    episodes: norm.length,
    tasks,
    models,
    table1,
    cross,
    crossModels,
    crossModel,
    crossTrained: orderTasks(mine.map((r) => r.trained_on)),
    crossEvaluated: orderTasks(mine.map((r) => r.evaluated_on)),
    notes,
    command: opts.command,
  };
}
