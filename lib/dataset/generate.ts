/**
 * The expert datasets: expert trajectories on training layouts, their single-turn rows, a
 * train/validation split and statistics, written under results/<profile>/expert/<task>/ (paths.ts).
 *
 * Training layouts come from the task's environment family (lib/env). Robotouille's are procedural
 * layouts for seeds firstSeed, firstSeed+1, … (default 10000…), kept only when disjoint from every evaluation layout: the paper's seeds 42…420 and the
 * extended protocol's 42·k (k = 1…100), compared on the seeds the generator *really* used (it retries
 * seed+1 silently when generation fails: 420 plays 421) and on the layouts themselves. Two training
 * seeds that generate the same layout (seed s fails and becomes s+1) count once.
 */
import { PAPER } from "../config/paper";
import { envFamily, familyOf, resolveTask } from "../env/index";
import type { TrainingLayout } from "../env/family";
export type { TrainingLayout };
import { PromptConfig, promptConfig } from "../agent/prompt";
import { UserError } from "../util/errors";
import { writeFileAtomic } from "../util/files";
import { Profile } from "../util/profile";
import { Progress, ProgressSink, silentProgress } from "../util/progress";
import { DATASET_PROMPT_CONFIG, singleTurnRows, SingleTurnRow } from "./rows";
import { ExpertTrajectory, trajectoryRecord } from "../expert/record";
import { ExpertPaths, expertPaths, Split } from "./paths";
import { expertLength, expertTrajectory } from "../expert/experts";
import { taskIdOf, TrajectoryInfo } from "../expert/trajectory";
import type { ReasoningStyle } from "../expert/reasoning";
import { historyLeak, LeakStats } from "./leak";

export interface DatasetConfig {
  /** Tasks (default: the paper's four). */
  tasks: string[];
  /** Training layouts per task (trajectories). */
  perTask: number;
  /** First candidate seed (default: the family's — Robotouille 10000, far above its evaluation seeds; CookingWorld 0, its train fold). */
  firstSeed?: number;
  /** Fraction of each task's layouts held out for validation (the last ones in seed order). */
  valFraction: number;
  /** Evaluation seeds per task to stay disjoint from: 42·k for k = 1…evalSeedsPerTask. */
  evalSeedsPerTask: number;
  /** Budget of A* expansions per search. */
  maxExpanded?: number;
  /** Explicit training seeds (instead of perTask seeds from firstSeed). */
  seeds?: number[];
  /**
   * Changes to the rows' prompt (default DATASET_PROMPT_CONFIG). A model trained on such rows must be
   * evaluated with the same config; the manifest records it.
   */
  prompt?: Partial<PromptConfig>;
  /**
   * How much of the remaining optimal plan the expert's reasoning spells out (lib/expert/reasoning.ts):
   * "full" (default: the whole plan, as the prompt's instructions ask), "subgoal" (the next subgoal
   * in words) or "none" (no plan). With history in the prompt, "full" puts each later expert action
   * into the prompt verbatim; stats.json's `reasoning.leak` counts how often.
   */
  reasoning: ReasoningStyle;
}

export const DATASET_DEFAULTS: Readonly<DatasetConfig> = Object.freeze({
  tasks: [...envFamily("robotouille").paperTasks],
  perTask: PAPER.expert.trajectoriesPerTask,
  valFraction: 0.1,
  evalSeedsPerTask: 100,
  reasoning: "full",
});

/**
 * A task's training layouts or games: the first `n` from `firstSeed` up that no evaluation of the first
 * `evalSeedsPerTask` seeds plays, or exactly `seeds` (lib/env's family decides what disjoint means).
 */
export function trainingLayouts(
  task: string,
  n: number,
  firstSeed?: number,
  evalSeedsPerTask = DATASET_DEFAULTS.evalSeedsPerTask,
  seeds?: readonly number[],
): TrainingLayout[] {
  const t = resolveTask(task);
  return familyOf(t.id).trainingLayouts(t, { n, firstSeed, evalSeedsPerTask, seeds });
}

/** Ambiguity of a set of expert states: how often the expert action is not the only optimal one. */
export interface AmbiguityStats {
  states: number;
  /** States where more than one action keeps the optimal distance. */
  ambiguous: number;
  fraction: number;
  meanOptimal: number;
  maxOptimal: number;
  meanValid: number;
}

export function ambiguityStats(infos: readonly Pick<TrajectoryInfo, "optimalCounts" | "validCounts">[]): AmbiguityStats {
  let states = 0;
  let ambiguous = 0;
  let sumOpt = 0;
  let maxOpt = 0;
  let sumValid = 0;
  for (const info of infos) {
    info.optimalCounts.forEach((c, t) => {
      states++;
      if (c > 1) ambiguous++;
      sumOpt += c;
      maxOpt = Math.max(maxOpt, c);
      sumValid += info.validCounts[t];
    });
  }
  const div = (a: number) => (states ? a / states : 0);
  return { states, ambiguous, fraction: div(ambiguous), meanOptimal: div(sumOpt), maxOptimal: maxOpt, meanValid: div(sumValid) };
}

/** Statistics of one task's dataset (stats.json). */
export interface DatasetStats {
  task: string;
  layouts: { total: number; train: number; val: number; seeds: [number, number]; effectiveSeedsRetried: number };
  length: { mean: number; min: number; max: number; histogram: Record<string, number> };
  rows: { train: number; val: number };
  ambiguity: AmbiguityStats;
  chars: { promptMean: number; completionMean: number; completionMax: number };
  planner: { ms: number; expanded: number };
  /**
   * The reasoning style of the completions ("llm": the LLM expert's own), and over all rows (train and
   * validation) how often the prompt's previous reasoning already states the expert action (leak.ts).
   */
  reasoning: { style: ReasoningStyle | "llm"; leak: LeakStats };
}

function summarize(
  task: string,
  items: { layout: TrainingLayout; trajectory: ExpertTrajectory; info: TrajectoryInfo; split: Split }[],
  rows: Record<Split, SingleTurnRow[]>,
  style: ReasoningStyle | "llm",
): DatasetStats {
  const lengths = items.map((x) => x.trajectory.length);
  const histogram: Record<string, number> = {};
  for (const L of lengths) histogram[L] = (histogram[L] ?? 0) + 1;
  const all = [...rows.train, ...rows.val];
  const chars = (r: SingleTurnRow) => r.prompt.reduce((n, msg) => n + msg.content.length, 0);
  const completion = all.map((r) => r.completion[0].content.length);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    task,
    layouts: {
      total: items.length,
      train: items.filter((x) => x.split === "train").length,
      val: items.filter((x) => x.split === "val").length,
      seeds: [items[0].layout.seed, items[items.length - 1].layout.seed],
      effectiveSeedsRetried: items.filter((x) => x.layout.seed !== x.layout.effectiveSeed).length,
    },
    length: { mean: mean(lengths), min: Math.min(...lengths), max: Math.max(...lengths), histogram },
    rows: { train: rows.train.length, val: rows.val.length },
    ambiguity: ambiguityStats(items.map((x) => x.info)),
    chars: { promptMean: mean(all.map(chars)), completionMean: mean(completion), completionMax: Math.max(...completion) },
    planner: { ms: items.reduce((a, x) => a + x.info.ms, 0), expanded: items.reduce((a, x) => a + x.info.expanded, 0) },
    reasoning: { style, leak: historyLeak(all) },
  };
}

/** Write one task's dataset files (trajectories with their split, train/val rows, stats, manifest). */
export function writeTaskDataset(
  paths: ExpertPaths,
  items: { layout: TrainingLayout; trajectory: ExpertTrajectory; info: TrajectoryInfo; split: Split }[],
  manifest: Record<string, unknown>,
  prompt: PromptConfig = DATASET_PROMPT_CONFIG,
  reasoning: ReasoningStyle | "llm" = "full",
): DatasetStats {
  if (items.length === 0) throw new UserError(`no expert trajectories to write to ${paths.dir}`);
  const rows: Record<Split, SingleTurnRow[]> = { train: [], val: [] };
  const trajLines: string[] = [];
  for (const x of items) {
    trajLines.push(JSON.stringify({ ...trajectoryRecord(x.trajectory), split: x.split }));
    rows[x.split].push(...singleTurnRows(x.trajectory, prompt));
  }
  const stats = summarize(items[0].trajectory.task, items, rows, reasoning);
  const jsonl = (xs: unknown[]) => xs.map((x) => JSON.stringify(x) + "\n").join("");
  writeFileAtomic(paths.trajectories, trajLines.map((l) => l + "\n").join(""));
  writeFileAtomic(paths.train, jsonl(rows.train));
  writeFileAtomic(paths.val, jsonl(rows.val));
  writeFileAtomic(paths.stats, JSON.stringify(stats, null, 2) + "\n");
  writeFileAtomic(paths.manifest, JSON.stringify({ ...manifest, prompt }, null, 2) + "\n");
  return stats;
}

/** Which layouts of n go to validation: the last ceil(valFraction·n), at least one when n ≥ 2. */
export function splitOf(index: number, n: number, valFraction: number): Split {
  if (!(valFraction >= 0 && valFraction < 1)) throw new UserError(`validation fraction must be in [0, 1), got ${valFraction}`);
  const nVal = valFraction === 0 || n < 2 ? 0 : Math.max(1, Math.ceil(valFraction * n));
  return index >= n - nVal ? "val" : "train";
}

/**
 * Generate the planner's expert datasets for every task of `cfg` and write them (under
 * `root/<task>/` when given, else results/<profile>/expert/<task>/). Returns each task's statistics.
 */
export function generateExpertData(
  overrides: Partial<DatasetConfig> = {},
  opts: { root?: string; profile?: Profile; progress?: ProgressSink; command?: string } = {},
): DatasetStats[] {
  const cfg: DatasetConfig = { ...DATASET_DEFAULTS, ...overrides };
  const out: DatasetStats[] = [];
  for (const task of cfg.tasks) {
    const id = taskIdOf(task);
    const layouts = trainingLayouts(task, cfg.perTask, cfg.firstSeed, cfg.evalSeedsPerTask, cfg.seeds);
    const progress = new Progress(`expert ${id}`, layouts.length, opts.progress ?? silentProgress);
    const items = layouts.map(({ seed, effectiveSeed }, k) => {
      const { trajectory, info } = expertTrajectory(task, seed, { maxExpanded: cfg.maxExpanded, reasoning: cfg.reasoning });
      progress.tick();
      return { layout: { seed, effectiveSeed }, trajectory, info, split: splitOf(k, layouts.length, cfg.valFraction) };
    });
    const manifest = {
      task: id,
      expert: "planner",
      config: cfg,
      seeds: layouts.map((l, k) => ({ seed: l.seed, effective_seed: l.effectiveSeed, split: splitOf(k, layouts.length, cfg.valFraction) })),
      disjoint_from: familyOf(task).trainingDisjointness({ evalSeedsPerTask: cfg.evalSeedsPerTask }),
      command: opts.command ?? null,
    };
    const prompt = cfg.prompt ? promptConfig({ ...DATASET_PROMPT_CONFIG, ...cfg.prompt }) : DATASET_PROMPT_CONFIG;
    const stats = writeTaskDataset(expertPaths(task, { root: opts.root, profile: opts.profile }), items, manifest, prompt, cfg.reasoning);
    progress.finish(`${stats.rows.train + stats.rows.val} rows`);
    out.push(stats);
  }
  return out;
}

/**
 * How many single-turn rows the training split of a task's dataset has, as generateExpertData would
 * write it with these settings (one row per expert state: the optimal plan lengths of the training
 * layouts), counted by planning alone: no trajectory, reasoning or file. `stgrpo trainer plan` uses it
 * before the dataset exists.
 */
export function plannedTrainRows(task: string, overrides: Partial<DatasetConfig> = {}): number {
  const cfg: DatasetConfig = { ...DATASET_DEFAULTS, ...overrides };
  const layouts = trainingLayouts(task, cfg.perTask, cfg.firstSeed, cfg.evalSeedsPerTask, cfg.seeds);
  let rows = 0;
  layouts.forEach(({ seed }, k) => {
    if (splitOf(k, layouts.length, cfg.valFraction) === "train") rows += expertLength(task, seed, { maxExpanded: cfg.maxExpanded });
  });
  return rows;
}
