/**
 * Episodes → the paper's tables. danfojs does the grouping; the metrics are lib/eval's definitions.
 *
 * Which episodes go where (the paper's layout):
 * - **Table 1** cell (task, model): episodes of that model on that task whose `trained_on` is null (a
 *   model not trained here), equal to the task (the paper's trained rows are the diagonal of Tables 2–4:
 *   its SFT+GRPO row for Burger is the model trained on Burger), or a task that no episode evaluates
 *   (a model trained on something else, e.g. a mixture).
 * - **Tables 2–4** cell (model, trained_on, evaluated_on): every episode with a `trained_on`.
 *
 * Metrics (paper §4, lib/eval/metrics.ts): SR = mean(success); ASAT = mean steps with a failure counted
 * at the episode's `timeout`, whatever `steps` says; ASST = mean steps over successes, null ("—") when none.
 *
 * **Several runs per cell** (training seeds): `runMetrics` is one row per (cell, run). A cell with one
 * run gets that run's metrics, a Wilson 95% interval for SR and a seeded percentile bootstrap for ASAT
 * and ASST (lib/eval's functions and seed, so the numbers are those `stgrpo eval` prints). A cell with
 * several runs gets the mean of the per-run metrics (ASST over the runs that had a success) with a 95%
 * t interval across runs — the seed-to-seed spread, which is what a reader needs to judge a training
 * method. Give each training seed its own `run` id and the same `model` name; a model name ending in
 * `@<trained_on>` is read as `model` (so `sft+grpo@burger` with trained_on burger is `sft+grpo`).
 */
import type { DataFrame } from "danfojs";
import { bootstrapMeanInterval, stepsForAsat, wilsonInterval } from "../eval/metrics";
import { UserError } from "../util/errors";
import type { Profile } from "../util/profile";
import type { EpisodeLike } from "./load";
import { ModelMatches, orderModels, paperModelFor } from "./models";
import { canonicalTask, orderTasks, PAPER_CROSS_MODEL, taskTimeout } from "./paper";
import type { CellStats, CrossRow, Interval, ResultSet, RunMetrics, Table1Row } from "./types";

let danfo: typeof import("danfojs") | null = null;
/** danfojs takes about a second to load: load it on first use, not on `require("lib/report")`. */
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

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** 95% t interval of the mean of `xs`, clipped to [lo, hi]; null with fewer than two values. */
export function tInterval(xs: number[], lo = -Infinity, hi = Infinity): Interval | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  const h = (tQuantile975(xs.length - 1) * sd) / Math.sqrt(xs.length);
  return [Math.max(lo, m - h), Math.min(hi, m + h)];
}

/** One episode as it counts in one cell (an episode of a trained model counts in Table 1 and in Tables 2–4). */
export interface CellEpisode {
  table: "table1" | "cross_task";
  model: string;
  /** "" in Table 1 cells (the cell is per task and model). */
  trained_on: string;
  task: string;
  run: string;
  success: 0 | 1;
  /** Steps this episode adds to ASAT: its steps on success, else its timeout. */
  asat_steps: number;
  /** Its steps on success, else 0 (ASST = sum / successes). */
  success_steps: number;
  timeout: number;
}

const CELL_KEYS = ["table", "model", "trained_on", "task"] as const;
const cellKey = (r: Pick<CellEpisode, (typeof CELL_KEYS)[number]>) => JSON.stringify(CELL_KEYS.map((k) => r[k]));

/** An episode with its model family, canonical task names and a known timeout. */
export interface NormalEpisode {
  run: string;
  model: string;
  trained_on: string | null;
  task: string;
  success: boolean;
  steps: number;
  timeout: number;
}

/** Strip a trailing `@<trained_on>` from a model name (one model trained on several tasks). */
export function modelFamily(model: string, trainedOn: string | null | undefined): string {
  return trainedOn && model.endsWith(`@${trainedOn}`) ? model.slice(0, -trainedOn.length - 1) : model;
}

function normalise(episodes: EpisodeLike[], timeouts: Record<string, number>): NormalEpisode[] {
  return episodes.map((e) => {
    const task = canonicalTask(e.task);
    const timeout = e.timeout ?? timeouts[task] ?? taskTimeout(task);
    if (timeout === undefined || timeout === null) throw new UserError(`episode of ${e.model} on ${e.task} (run ${e.run}) has no timeout, and the task has no known one`);
    const trained = e.trained_on === undefined || e.trained_on === null ? null : canonicalTask(e.trained_on);
    return { run: e.run, model: modelFamily(e.model, e.trained_on), trained_on: trained, task, success: e.success, steps: e.steps, timeout };
  });
}

/** The paper's layout: the cells each episode counts in (see the module comment). */
export function assignCells(episodes: NormalEpisode[]): CellEpisode[] {
  const evaluated = new Set(episodes.map((e) => e.task));
  const out: CellEpisode[] = [];
  for (const e of episodes) {
    const counts = { run: e.run, success: e.success ? (1 as const) : (0 as const), asat_steps: stepsForAsat(e), success_steps: e.success ? e.steps : 0, timeout: e.timeout };
    if (e.trained_on === null || e.trained_on === e.task || !evaluated.has(e.trained_on)) {
      out.push({ table: "table1", model: e.model, trained_on: "", task: e.task, ...counts });
    }
    if (e.trained_on !== null) out.push({ table: "cross_task", model: e.model, trained_on: e.trained_on, task: e.task, ...counts });
  }
  return out;
}

/**
 * Per (cell, run): n, successes, SR, ASAT, ASST — a danfojs group-by over the cell episodes. Returned as
 * the DataFrame (the notebook prints it) and as records.
 */
export function runMetricsFrame(rows: CellEpisode[]): { frame: DataFrame; records: RunMetrics[] } {
  const d = dfd();
  const g = new d.DataFrame(rows)
    .groupby([...CELL_KEYS, "run"])
    .agg({ success: ["sum", "count"], asat_steps: "sum", success_steps: "sum", timeout: ["min", "max"] });
  g.rename({ success_count: "n", success_sum: "successes" }, { inplace: true });
  g.addColumn("sr", g["successes"].div(g["n"]), { inplace: true });
  g.addColumn("asat", g["asat_steps_sum"].div(g["n"]), { inplace: true });
  g.addColumn("asst", g["success_steps_sum"].div(g["successes"]), { inplace: true }); // 0/0 → NaN: no success
  const frame = g.loc({ columns: [...CELL_KEYS, "run", "n", "successes", "sr", "asat", "asst", "timeout_min", "timeout_max"] });
  const records = (d.toJSON(frame) as Record<string, unknown>[]).map((r) => ({
    table: r.table as RunMetrics["table"],
    model: String(r.model),
    trained_on: String(r.trained_on),
    task: String(r.task),
    run: String(r.run),
    n: Number(r.n),
    successes: Number(r.successes),
    sr: Number(r.sr),
    asat: Number(r.asat),
    asst: Number(r.successes) > 0 ? Number(r.asst) : null,
    timeout: r.timeout_min === r.timeout_max ? Number(r.timeout_min) : null,
  }));
  return { frame, records };
}

/** A cell from its runs (and, for the bootstrap of a one-run cell, its episodes). */
export function cellStats(runs: RunMetrics[], episodes: CellEpisode[]): CellStats {
  const timeouts = new Set(runs.map((r) => r.timeout));
  const timeout = timeouts.size === 1 ? runs[0].timeout : null;
  if (runs.length === 1) {
    const [r] = runs;
    const ok = episodes.filter((e) => e.success === 1).map((e) => e.success_steps);
    return {
      n: r.n,
      successes: r.successes,
      runs: 1,
      sr: r.sr,
      asat: r.asat,
      asst: r.asst,
      sr_ci: wilsonInterval(r.successes, r.n),
      asat_ci: bootstrapMeanInterval(episodes.map((e) => e.asat_steps)),
      asst_ci: ok.length ? bootstrapMeanInterval(ok) : null,
      interval: "episodes",
      timeout,
    };
  }
  const assts = runs.map((r) => r.asst).filter((a): a is number => a !== null);
  const maxT = timeout ?? Infinity;
  return {
    n: runs.reduce((a, r) => a + r.n, 0),
    successes: runs.reduce((a, r) => a + r.successes, 0),
    runs: runs.length,
    sr: mean(runs.map((r) => r.sr)),
    asat: mean(runs.map((r) => r.asat)),
    asst: assts.length ? mean(assts) : null,
    sr_ci: tInterval(runs.map((r) => r.sr), 0, 1),
    asat_ci: tInterval(runs.map((r) => r.asat), 0, maxT),
    asst_ci: tInterval(assts, 0, maxT),
    interval: "runs",
    timeout,
    perRun: runs.map((r) => ({ run: r.run, n: r.n, sr: r.sr, asat: r.asat, asst: r.asst })),
  };
}

export interface SummarizeOptions {
  /** Our model → paper row overrides (`--match`). */
  matches?: ModelMatches;
  /** The model whose cross-task cells make Tables 2–4 (default: the one standing for SFT+GRPO). */
  crossModel?: string;
  /** Timeouts for episodes that lack the field (default: the kitchen's, i.e. the paper's for its four tasks). */
  timeouts?: Record<string, number>;
  title?: string;
  profile?: Profile | null;
  source?: string;
  command?: string;
  notes?: string[];
}

/** Episodes → ResultSet (Table 1 and the cross-task cells). */
export function summarizeEpisodes(episodes: EpisodeLike[], opts: SummarizeOptions = {}): ResultSet {
  if (episodes.length === 0) throw new UserError("no episodes found");
  const matches = opts.matches ?? {};
  const norm = normalise(episodes, opts.timeouts ?? {});
  const rows = assignCells(norm);
  const { records } = runMetricsFrame(rows);

  const runsOf = new Map<string, RunMetrics[]>();
  for (const r of records) runsOf.set(cellKey(r), [...(runsOf.get(cellKey(r)) ?? []), r]);
  const episodesOf = new Map<string, CellEpisode[]>();
  for (const e of rows) episodesOf.set(cellKey(e), [...(episodesOf.get(cellKey(e)) ?? []), e]);
  const stats = (table: CellEpisode["table"], model: string, trained_on: string, task: string): CellStats | null => {
    const key = cellKey({ table, model, trained_on, task });
    const runs = runsOf.get(key);
    return runs ? cellStats([...runs].sort((a, b) => a.run.localeCompare(b.run)), episodesOf.get(key)!) : null;
  };

  const tasks = orderTasks(norm.map((e) => e.task));
  const models = orderModels(records.filter((r) => r.table === "table1").map((r) => r.model), matches);
  const table1: Table1Row[] = [];
  for (const task of tasks) {
    for (const model of models) {
      const c = stats("table1", model, "", task);
      if (c) table1.push({ task, model, ...c });
    }
  }
  const crossRecords = records.filter((r) => r.table === "cross_task");
  const crossModels = orderModels(crossRecords.map((r) => r.model), matches);
  const cross: CrossRow[] = [];
  for (const model of crossModels) {
    for (const trained of orderTasks(crossRecords.map((r) => r.trained_on))) {
      for (const task of tasks) {
        const c = stats("cross_task", model, trained, task);
        if (c) cross.push({ model, trained_on: trained, evaluated_on: task, ...c });
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
  if ([...table1, ...cross].some((c) => c.runs > 1)) notes.push("Cells with several runs (training seeds) show the mean of per-run metrics with a 95% t interval across runs.");
  return {
    kind: "run",
    title: opts.title ?? "Our run",
    profile: opts.profile ?? null,
    source: opts.source ?? "",
    runs: [...new Set(norm.map((e) => e.run))].sort(),
    episodes: norm.length,
    tasks,
    models,
    table1,
    cross,
    crossModels,
    crossModel,
    crossTrained: orderTasks(mine.map((r) => r.trained_on)),
    crossEvaluated: orderTasks(mine.map((r) => r.evaluated_on)),
    runMetrics: records,
    notes,
    command: opts.command,
  };
}
