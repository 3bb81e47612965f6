/**
 * The paper's expert, as an option: an LLM (any policy, typically `EndpointPolicy`) run through the
 * multi-turn protocol (lib/eval's `runEpisode`) on training layouts, keeping successful episodes —
 * rejection sampling. With `minimalOnly`, a success is kept only when its length equals the planner's
 * optimum (the closest an LLM expert gets to Def 2.2's minimal expert; uniqueness is not ensured).
 * The kept episodes become expert trajectories in the same format as the planner's, with the model's
 * own reasoning, and are written with the same dataset writer.
 *
 * Long runs resume: every layout tried is appended to a log (seed, attempts, successes, kept
 * trajectory or null), and a rerun skips the layouts already in it.
 */
import { runEpisode } from "../eval/episode";
import type { Policy } from "../agent/types";
import { resolveTask } from "../env/index";
import { appendJsonl, readJsonl } from "../util/files";
import { ProgressSink, silentProgress } from "../util/progress";
import type { ExpertStep, ExpertTrajectory } from "../expert/record";
import { expertLength } from "../expert/experts";
import type { TrainingLayout } from "../env/family";

export interface RejectionSamplingOptions {
  /** Episodes tried per layout before giving up on it (default 4). */
  attempts?: number;
  /** Keep only successes of optimal length (default false: any success, as the paper). */
  minimalOnly?: boolean;
  /** Episode step limit (default: the task's protocol timeout). */
  timeout?: number;
  /** Stop once this many trajectories are kept (default: all layouts are tried). */
  keep?: number;
  /** Append-only log of tried layouts (JSONL); layouts already in it are skipped (resume). */
  log?: string;
  progress?: ProgressSink;
}

/** One line of the rejection-sampling log. */
export interface SamplingLogRecord {
  task: string;
  seed: number;
  effective_seed: number;
  attempts: number;
  successes: number;
  optimal_length: number;
  trajectory: ExpertTrajectory | null;
}

/**
 * Rejection-sample expert trajectories. `makePolicy(attempt)` gives the policy of the attempt-th
 * episode on a layout (a different sampling seed per attempt when the server is seeded).
 */
export async function rejectionSample(
  makePolicy: (attempt: number) => Policy,
  task: string,
  layouts: readonly TrainingLayout[],
  opts: RejectionSamplingOptions = {},
): Promise<SamplingLogRecord[]> {
  const info = resolveTask(task);
  const attempts = opts.attempts ?? 4;
  const done = opts.log ? readJsonl<SamplingLogRecord>(opts.log).filter((r) => r.task === info.id) : [];
  const tried = new Set(done.map((r) => r.seed));
  const out = done.slice();
  const progress = opts.progress ?? silentProgress;
  for (const { seed, effectiveSeed } of layouts) {
    if (opts.keep !== undefined && out.filter((r) => r.trajectory).length >= opts.keep) break;
    if (tried.has(seed)) continue;
    const optimal = expertLength(task, seed);
    let successes = 0;
    let kept: ExpertTrajectory | null = null;
    let a = 0;
    while (a < attempts && !kept) {
      const policy = makePolicy(a++);
      const { record, trace } = await runEpisode(policy, info, seed, { run: "llm-expert", model: policy.name, timeout: opts.timeout, trace: true });
      if (!record.success || !trace) continue;
      successes++;
      const steps: ExpertStep[] = trace.turns
        .filter((turn) => turn.action !== null)
        .map((turn) => ({ observation: turn.observation, valid_actions: turn.valid_actions, action: turn.action!, reasoning: turn.reasoning ?? "" }));
      if (opts.minimalOnly && steps.length !== optimal) continue;
      kept = { task: info.id, seed, steps, length: steps.length, optimal: steps.length === optimal, expert: `llm:${policy.name}`, effective_seed: effectiveSeed };
    }
    const rec: SamplingLogRecord = { task: info.id, seed, effective_seed: effectiveSeed, attempts: a, successes, optimal_length: optimal, trajectory: kept };
    if (opts.log) appendJsonl(opts.log, [rec]);
    out.push(rec);
    progress.update(`llm expert ${info.id}: ${out.filter((r) => r.trajectory).length} kept of ${out.length} layouts`);
  }
  return out;
}
