/**
 * The comparison's summary record: `comparison.json` (tracked for the cpu profile beside the study's
 * summary, paper-figures/cpu/study/) and what comparison.md, the figures and the notebook are made of.
 * summary.ts builds it, markdown.ts renders it.
 */
import type { PairedComparison } from "../study/compare";
import type { ComparisonConfig, Method } from "./config";

/** `start` (the SFT policy, budget 0) or a method. */
export type Model = "start" | Method;

/** One curve point: a model's mean over training seeds at one budget point, under one decoding. */
export interface CurveRow {
  method: Model;
  task: string;
  learner: string;
  arm: string;
  budget: number;
  decoding: string;
  seeds: number;
  /** Mean sampled actions actually drawn (≥ budget), training wall time and CPU time at the saved policy. */
  samples: number;
  seconds: number;
  cpu_seconds: number;
  sr: number;
  sr_ci: [number, number] | null;
  /** Mean steps beyond the planner's optimum per success (null: no success). */
  excess: number | null;
  excess_ci: [number, number] | null;
}

/** What the data say about the paper's claim in one cell: single-turn GRPO on expert states against the multi-turn methods. */
export type ClaimVerdict = "holds" | "reversed" | "within noise" | "one seed";

/** One row of the findings table: a task, learner, start, budget and decoding. */
export interface FindingRow {
  env: string;
  task: string;
  learner: string;
  arm: string;
  budget: number;
  decoding: string;
  /** Mean SR per method, best first. */
  ranking: { method: Method; sr: number }[];
  /** The best method against the second, paired by seed. */
  margin: PairedComparison | null;
  /** Single-turn GRPO on expert states (A) against the best multi-turn method here (B). */
  paper: { against: Method; comparison: PairedComparison | null; verdict: ClaimVerdict } | null;
  /** On-policy single-turn GRPO (A) against single-turn GRPO on expert states (B): does the planner's labelling help? */
  onPolicy: PairedComparison | null;
}

/** The per-state premises of a method's last policy against its start, pooled over seeds. */
export interface TheoryRow {
  method: Method;
  task: string;
  learner: string;
  arm: string;
  seeds: number;
  /** Corollary 3.1: expert states where π(a^GT|s) did not decrease, mean before → after; split by whether a^GT is the only optimal action. */
  expert: { states: number; improved: number; before: number; after: number; unique: number; uniqueImproved: number; ambiguousImproved: number };
  /** Assumption 3.1: the same at the start's off-path states, for a^GT and for the optimal set. */
  offPath: { states: number; improved: number; before: number; after: number; improvedSet: number; beforeSet: number; afterSet: number };
  deadEnds: number;
  overBudget: number;
}

export interface ComparisonSummary {
  profile: string;
  config: ComparisonConfig;
  /** Every policy (each method × task × learner × start × seed × budget point, and the starts) in one compact table. */
  points: { columns: string[]; rows: (string | number | null)[][] };
  findings: FindingRow[];
  theory: TheoryRow[];
  /**
   * Seconds of job time per stage and in total (workers overlap), the CPU seconds the jobs used (what a
   * quiet machine would need), the wall time from the first job's start to the last one's end, the load.
   */
  timings: { byStage: Record<string, number>; total: number; cpuByStage: Record<string, number>; cpu: number; wall: number | null; jobs: number; meanLoad1: number | null; cores: number };
}
