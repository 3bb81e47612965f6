/**
 * What the comparison trains and evaluates, derived from its config (pure: no file is touched), and
 * where every piece lives:
 *
 *   results/<profile>/learn/<task>/sft[-light]-s<seed>/                     the log-linear SFT starts (the study's own runs)
 *   results/<profile>/comparison/learn/<task>/sft-<learner>[-light]-s<seed>/   other learners' SFT starts
 *   results/<profile>/comparison/learn/<task>/<method>-<learner>-<arm>-s<seed>/  a method's run; budgets/<b>.json at each point
 *   results/<profile>/comparison/eval/<task>/<learner>-<arm>/<name>.json     SR and steps of every policy of a run (or start), both decodings
 *   results/<profile>/comparison/theory/<task>/<learner>-<arm>/s<seed>.json  Corollary 3.1 / Assumption 3.1: every method's last policy vs the start
 *   results/<profile>/comparison/optimal/<task>.json                         the planner's optimal length of every evaluation layout
 *   results/<profile>/comparison/timings.jsonl, summary/                     wall time of every job; the summary
 */
import { studyPath } from "../study/plan";
import type { ArmId, ComparisonConfig, LearnerCell, Method } from "./config";

/** An SFT start: a learner's SFT run from one arm's recipe, on one task and seed. */
export interface StartRun {
  /** `<task>/<learner>-<arm>-s<seed>`. */
  key: string;
  task: string;
  learner: string;
  arm: ArmId;
  seed: number;
  /** The run directory (the study's for the log-linear learner). */
  dir: string;
  /** True when the study trains it (the comparison then runs the study's job). */
  fromStudy: boolean;
  cell: LearnerCell;
}

/** One method's training run from one start, with its budget points. */
export interface MethodRun {
  /** `<task>/<method>-<learner>-<arm>-s<seed>`. */
  key: string;
  method: Method;
  start: StartRun;
  budgets: number[];
  dir: string;
}

/** A path under the comparison's tree (`<root>/comparison/…`). */
export function comparisonPath(cfg: ComparisonConfig, ...parts: string[]): string {
  return studyPath(cfg, "comparison", ...parts);
}

/** The study arm id of a comparison arm (the study calls its main arm ""). */
export const studyArm = (arm: ArmId): string => (arm === "main" ? "" : arm);

/** Every SFT start of the comparison, in cell, task, seed, arm order. */
export function comparisonStarts(cfg: ComparisonConfig): StartRun[] {
  const out: StartRun[] = [];
  for (const cell of cfg.cells)
    for (const task of cell.tasks)
      for (const seed of cfg.seeds)
        for (const arm of cell.arms) {
          const suffix = arm === "main" ? "" : `-${arm}`;
          const fromStudy = cell.learner === "linear";
          const dir = fromStudy
            ? studyPath(cfg, "learn", task, `sft${suffix}-s${seed}`)
            : comparisonPath(cfg, "learn", task, `sft-${cell.learner}${suffix}-s${seed}`);
          out.push({ key: `${task}/${cell.learner}-${arm}-s${seed}`, task, learner: cell.learner, arm, seed, dir, fromStudy, cell });
        }
  return out;
}

/** Every method run, after its start. */
export function comparisonRuns(cfg: ComparisonConfig): MethodRun[] {
  return comparisonStarts(cfg).flatMap((start) =>
    cfg.methods.map((method) => {
      const name = `${method}-${start.learner}-${start.arm}-s${start.seed}`;
      return { key: `${start.task}/${name}`, method, start, budgets: start.cell.budgets, dir: comparisonPath(cfg, "learn", start.task, name) };
    }),
  );
}

/** The file holding the evaluation of a run's policies, or of a start (`name` = `start`). */
export function comparisonEvalFile(cfg: ComparisonConfig, start: StartRun, name: Method | "start"): string {
  return comparisonPath(cfg, "eval", start.task, `${start.learner}-${start.arm}`, `${name}-s${start.seed}.json`);
}

export function optimalLengthsFile(cfg: ComparisonConfig, task: string): string {
  return comparisonPath(cfg, "optimal", `${task}.json`);
}

export function comparisonDirs(cfg: ComparisonConfig) {
  return {
    root: comparisonPath(cfg),
    timings: comparisonPath(cfg, "timings.jsonl"),
    claims: comparisonPath(cfg, "claims"),
    summary: comparisonPath(cfg, "summary"),
  };
}

/** A budget point as tables show it: 12.5k, 100k, 800. */
export function budgetLabel(budget: number): string {
  return budget >= 1000 && budget % 100 === 0 ? `${budget / 1000}k` : String(budget);
}
