/**
 * The study summary record (docs/design.md, "Records"): what `summary.json` holds and summary.md,
 * notebook 05 and the README's findings are made of. summary.ts builds it, markdown.ts renders it.
 */
import type { StudyConfig } from "./config";
import type { PairedComparison } from "./compare";
import type { CLAIMS } from "./claims";

/** A table cell as the summary keeps it (rounded; no per-episode data). */
export interface SummaryCell {
  model: string;
  trained_on: string | null;
  task: string;
  runs: number;
  n: number;
  sr: number;
  sr_ci: [number, number] | null;
  asat: number;
  asat_ci: [number, number] | null;
  asst: number | null;
  asst_ci: [number, number] | null;
}

export interface ProtocolSummary {
  protocol: string;
  title: string;
  table1: SummaryCell[];
  cross: SummaryCell[];
  /** Mean excess steps over the minimal ones (steps − T*) of successful episodes, per cell (needs the expert's episodes). */
  excess: (Omit<SummaryCell, "sr" | "sr_ci" | "asat" | "asat_ci" | "asst" | "asst_ci"> & { excess: number | null; excess_ci: [number, number] | null })[];
}

export interface Finding {
  id: keyof typeof CLAIMS;
  protocol: string;
  task: string;
  arm: string;
  /** What is compared: "sft+grpo vs sft (SR)". */
  what: string;
  comparison: PairedComparison | null;
}

export interface TrainingRow {
  key: string;
  task: string;
  variant: string;
  model: string;
  seed: number;
  /** Final training-split metrics (last record) and final held-out ones (last eval record). */
  last: Record<string, number>;
  lastEval: Record<string, number> | null;
  steps: number;
  samples: number | null;
  seconds: number | null;
}

export interface TheoryPairRow {
  task: string;
  arm: string;
  /** The child variant compared with its SFT parent (`grpo`, `multiturn`, `grpo-beta0.1`). */
  variant: string;
  where: "expert states" | "off-path states";
  states: number;
  /** Fraction of states where π(a^GT|s) did not decrease (Corollary 3.1 / Assumption 3.1). */
  improved: number;
  meanBefore: number;
  meanAfter: number;
  /** The same split by whether the expert's action is the only optimal one. */
  ambiguous: { states: number; improved: number };
  unique: { states: number; improved: number };
  /** Off-path only: the same for π(optimal set | s). */
  optimalSet?: { improved: number; meanBefore: number; meanAfter: number };
  /** The largest drops: layout seed, step, expert action, before → after. */
  worst: { seed: number | null; t: number; action: string; before: number; after: number }[];
}

export interface TheoremSummaryRow {
  task: string;
  variant: string;
  model: string;
  seeds: number;
  /** Mean single-turn accuracy on expert states, predicted (Π p_t) and measured minimal-step success. */
  accuracy: number;
  predicted: number;
  measured: number | null;
  /** Corollary 3.2: predicted and measured prefix success for k = 1, 2, … (index k − 1; averaged over the layouts and seeds whose T reaches k). */
  prefix: { predicted: number[]; measured: number[] };
}

export interface StudySummary {
  profile: string;
  config: StudyConfig;
  protocols: ProtocolSummary[];
  findings: Finding[];
  training: TrainingRow[];
  /** Theorem 3.3 per task, arm and child: measured minimal-step success after vs before, paired by seed. */
  theorem33: { task: string; arm: string; variant: string; comparison: PairedComparison | null }[];
  theoryPairs: TheoryPairRow[];
  theorems: TheoremSummaryRow[];
  /** Seconds per stage and in total (summed over jobs, so workers count twice), the wall time, the machine's load. */
  timings: { byStage: Record<string, number>; total: number; wall: number | null; jobs: number; meanLoad1: number | null; cores: number };
}

