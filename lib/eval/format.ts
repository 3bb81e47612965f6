/**
 * Markdown tables of evaluation results, for the CLI's human-readable output and the notebook: SR with
 * its Wilson interval, ASAT and ASST with bootstrap intervals, and the single-turn / Theorem 3.2 check.
 */
import { repoPath } from "../util/profile";
import type { Metrics } from "./metrics";
import type { PrefixRow } from "./singleturn";
import type { TheoremRow } from "./theorem";

/** `0.70 [0.40, 0.89]`; `—` for a missing value (the paper's sign for "no success"). */
function withInterval(x: number | null, ci: [number, number] | null, digits = 2): string {
  if (x === null || !Number.isFinite(x)) return "—";
  return ci ? `${x.toFixed(digits)} [${ci[0].toFixed(digits)}, ${ci[1].toFixed(digits)}]` : x.toFixed(digits);
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export interface MetricsRow {
  model: string;
  task: string;
  metrics: Metrics;
}

/** One row per (model, task): n, SR [Wilson 95%], ASAT [bootstrap 95%], ASST [bootstrap 95%]. */
export function metricsMarkdown(rows: MetricsRow[]): string {
  return table(
    ["model", "task", "n", "SR [95% Wilson]", "ASAT [95% bootstrap]", "ASST [95% bootstrap]"],
    rows.map((r) => [
      r.model,
      r.task,
      String(r.metrics.n),
      withInterval(r.metrics.sr, r.metrics.sr_ci),
      withInterval(r.metrics.asat, r.metrics.asat_ci, 1),
      withInterval(r.metrics.asst, r.metrics.asst_ci, 1),
    ]),
  );
}

/** Small probabilities stay readable: 3 decimals, scientific below 0.001. */
export function prob(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return "—";
  return x === 0 || x >= 0.001 ? x.toFixed(3) : x.toExponential(2);
}

/** Theorem 3.2: mean single-turn accuracy, the predicted (product) and the measured minimal-step success. */
export function theoremMarkdown(rows: (TheoremRow & { model?: string })[]): string {
  const withModel = rows.some((r) => r.model !== undefined);
  const accepted = rows.some((r) => r.predicted_accepted !== null);
  return table(
    [
      ...(withModel ? ["model"] : []),
      "task",
      "layouts",
      "states",
      "single-turn acc.",
      "predicted Π p_t",
      ...(accepted ? ["predicted Π p(·|accepted)"] : []),
      "measured minimal-step SR [95% Wilson]",
    ],
    rows.map((r) => [
      ...(withModel ? [r.model ?? ""] : []),
      r.task,
      String(r.layouts),
      String(r.states),
      prob(r.accuracy),
      prob(r.predicted),
      ...(accepted ? [prob(r.predicted_accepted)] : []),
      r.measured === null ? "— (no episodes)" : `${prob(r.measured)} [${prob(r.measured_ci![0])}, ${prob(r.measured_ci![1])}] (n=${r.measured_n})`,
    ]),
  );
}

/** Corollary 3.2: predicted vs measured success on every prefix subtask, per task. */
export function prefixMarkdown(rows: (PrefixRow & { model?: string })[]): string {
  const withModel = rows.some((r) => r.model !== undefined);
  return table(
    [...(withModel ? ["model"] : []), "task", "prefix k", "layouts", "predicted", "measured"],
    rows.map((r) => [...(withModel ? [r.model ?? ""] : []), r.task, String(r.k), String(r.layouts), prob(r.predicted), prob(r.measured)]),
  );
}

/** The CPU learners found, their results on their own task (pooled over training seeds), or a plain statement that there are none. */
export function checkpointsMarkdown(
  learned: { found: { run: string; model: string; trainedOn: string | null }[]; unevaluated: { run: string }[]; pooled: (MetricsRow & { runs: number })[] },
  root: string,
): string {
  if (learned.found.length === 0) {
    return `**No CPU learner checkpoints** under \`${repoPath(root)}\` (no directory holding a \`policy.json\`): run notebook 05 (or \`stgrpo study\`) first. No learner result is shown.`;
  }
  const parts = [`${learned.found.length} checkpoint(s) under \`${repoPath(root)}\`.`];
  if (learned.unevaluated.length) {
    parts.push(`Not evaluated yet (no episode file; rerun notebook 05, or \`stgrpo eval --policy learned --checkpoint …\`): ${learned.unevaluated.map((c) => `\`${c.run}\``).join(", ")}.`);
  }
  if (learned.pooled.length) {
    parts.push(
      table(
        ["model@trained_on", "task", "runs", "episodes", "SR [95% Wilson, pooled]", "ASAT [95% bootstrap]", "ASST [95% bootstrap]"],
        learned.pooled.map((r) => [r.model, r.task, String(r.runs), String(r.metrics.n), withInterval(r.metrics.sr, r.metrics.sr_ci), withInterval(r.metrics.asat, r.metrics.asat_ci, 1), withInterval(r.metrics.asst, r.metrics.asst_ci, 1)]),
      ),
    );
  }
  return parts.join("\n\n");
}

/** What the endpoint section says when no endpoint is named. */
export function noEndpointMessage(): string {
  return "**No endpoint named**: `STGRPO_ENDPOINT` is not set, so no served model is evaluated here. Set it (with `STGRPO_MODEL`, and `HF_TOKEN` for hosted providers) to evaluate one, e.g. `STGRPO_ENDPOINT=http://localhost:8000 STGRPO_MODEL=Qwen/Qwen2.5-1.5B-Instruct`.";
}
