/**
 * Paired comparisons across training seeds: the study's findings are statements like "SFT+GRPO has a
 * higher SR than SFT on Burger". Runs are paired by their run id (`s0`, `s1`, …: the GRPO run s0 starts
 * from the SFT run s0), the difference is averaged over the pairs, and its 95% t interval across the
 * pairs decides: a clear difference when the interval excludes 0, "within noise" otherwise.
 */
import { tInterval } from "../../report/aggregate";
import type { Interval } from "../../report/types";

export type Verdict = "a better" | "b better" | "within noise" | "one run";

export interface PairedComparison {
  /** Mean over the paired runs of A's and B's values. */
  a: number;
  b: number;
  /** Mean of a − b over the pairs, and its 95% t interval (null with one pair). */
  diff: number;
  diff_ci: Interval | null;
  pairs: number;
  verdict: Verdict;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Compare two per-run series (run id → value). `higherIsBetter` says which way "better" points (SR:
 * higher; steps: lower). Null when no run id is in both.
 */
export function pairedComparison(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>, higherIsBetter: boolean): PairedComparison | null {
  const runs = [...a.keys()].filter((r) => b.has(r)).sort();
  if (runs.length === 0) return null;
  const av = runs.map((r) => a.get(r)!);
  const bv = runs.map((r) => b.get(r)!);
  const d = runs.map((_, i) => av[i] - bv[i]);
  const ci = tInterval(d);
  const diff = mean(d);
  let verdict: Verdict;
  if (ci === null) verdict = "one run";
  else if (ci[0] > 0 || ci[1] < 0) verdict = (diff > 0) === higherIsBetter ? "a better" : "b better";
  else verdict = "within noise";
  return { a: mean(av), b: mean(bv), diff, diff_ci: ci, pairs: runs.length, verdict };
}
