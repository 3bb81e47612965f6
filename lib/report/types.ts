/**
 * The report's data model. One `ResultSet` holds a whole study in the paper's shape: Table 1 (per task,
 * one row per model) and the cross-task cells behind Tables 2–4 (train × evaluate). The published
 * numbers (data/paper/*.csv) and our runs (episode JSONL) both become a ResultSet, so every renderer,
 * comparison and figure works on either.
 */
import type { Profile } from "../util/profile";

export type Interval = [number, number];

/** SR, ASAT, ASST of one cell, with how sure we are of them. */
export interface CellStats {
  /** Episodes behind the cell (all runs together). */
  n: number;
  /** Successful episodes (all runs together). */
  successes: number;
  /** Runs (training seeds) behind the cell; 1 for a single evaluation, and for published cells. */
  runs: number;
  sr: number;
  asat: number;
  /** null: no episode succeeded (the paper's "—"). */
  asst: number | null;
  /** 95% intervals; null where there is nothing to bound (no success, or one run of several had any). */
  sr_ci: Interval | null;
  asat_ci: Interval | null;
  asst_ci: Interval | null;
  /**
   * How the intervals were made: `episodes` (one run: Wilson for SR, seeded bootstrap for ASAT/ASST),
   * `runs` (several runs: mean of per-run metrics, t interval across runs), `published` (paper cells:
   * Wilson from SR at the paper's 10 episodes; none for ASAT/ASST).
   */
  interval: "episodes" | "runs" | "published";
  /** The episodes' timeout (steps a failure counts in ASAT); null if the cell mixes timeouts. */
  timeout: number | null;
  /** For published cells: the decimals each number was printed with (the round trip keeps them). */
  decimals?: { sr?: number; asat?: number; asst?: number };
  /** Per-run values when the cell has several runs. */
  perRun?: { run: string; n: number; sr: number; asat: number; asst: number | null }[];
}

export interface Table1Row extends CellStats {
  task: string;
  model: string;
}

export interface CrossRow extends CellStats {
  model: string;
  trained_on: string;
  evaluated_on: string;
}

/** One run's metrics in one cell (aggregate.ts: the danfojs group-by). */
export interface RunMetrics {
  table: "table1" | "cross_task";
  model: string;
  /** "" for Table 1 cells. */
  trained_on: string;
  task: string;
  run: string;
  n: number;
  successes: number;
  sr: number;
  asat: number;
  asst: number | null;
  /** null if the run's episodes mix timeouts. */
  timeout: number | null;
}

export interface ResultSet {
  /** `published`: the paper's numbers; `run`: computed from episodes. */
  kind: "published" | "run";
  /** What produced the numbers, for every title: "CPU-scale study (profile cpu) — not the paper's GPU numbers". */
  title: string;
  profile: Profile | null;
  /** Where the numbers come from (a directory, or data/paper). */
  source: string;
  /** Run ids behind the set (empty for published). */
  runs: string[];
  /** Episodes read (0 for published). */
  episodes: number;
  /** Task order of every table (the paper's four first). */
  tasks: string[];
  /** Table 1 model order. */
  models: string[];
  /** Table 1: task-major, in `tasks` × `models` order, only cells that have episodes. */
  table1: Table1Row[];
  /** Every cross-task cell of every model that has a `trained_on`. */
  cross: CrossRow[];
  /** Models with cross-task cells. */
  crossModels: string[];
  /** The model shown in Tables 2–4 and written to cross_task.csv. */
  crossModel: string | null;
  /** Training tasks of `crossModel`, in task order (rows of Tables 2–4). */
  crossTrained: string[];
  /** Evaluated tasks of `crossModel`, in task order (columns of Tables 2–4). */
  crossEvaluated: string[];
  /** Per (cell, run) metrics behind the cells (empty for published). */
  runMetrics: RunMetrics[];
  /** How the set was assembled: skipped files, duplicates, the choice of cross model… */
  notes: string[];
  /** The command that produced it, when known (printed under the tables). */
  command?: string;
}

export type Metric = "sr" | "asat" | "asst";

/** Which way is better: the paper bolds the highest SR and the lowest ASAT and ASST. */
export const BETTER: Record<Metric, "max" | "min"> = { sr: "max", asat: "min", asst: "min" };

export const METRIC_LABEL: Record<Metric, string> = { sr: "SR", asat: "ASAT", asst: "ASST" };

export const METRIC_WORDS: Record<Metric, string> = {
  sr: "success rate",
  asat: "average steps over all episodes (a failure counted at the timeout)",
  asst: "average steps over successful episodes (— when none)",
};
