/**
 * The comparison's evaluation: every saved policy of a run (and its SFT start) on the extended protocol,
 * under each decoding rule, with lib/eval's episode loop (`runEpisode`, the protocol's own) and
 * lib/learn's `LearnedPolicy` (sampling streams seeded by the training seed, task, layout and step, as
 * the study's). What is kept is compact — per layout, the steps of a success or null — in one JSON file
 * per run, written when all its policies are done (a job: rerun to resume); the start's file also keeps
 * its sampled episodes' actions, where the off-path states of the theory checks come from.
 */
import * as fs from "node:fs";
import { familyOf, makeEnv, resolveTask } from "../../env/index";
import type { TextEnv } from "../../env/types";
import { runEpisode } from "../../eval/episode";
import { shortestLength } from "../../expert/experts";
import { readJsonFile, writeFileAtomic } from "../../util/files";
import { Progress, ProgressSink } from "../../util/progress";
import type { LoadedPolicy } from "../../learn/checkpoint";
import { LearnedPolicy } from "../../learn/policy";
import type { BudgetSnapshot } from "../../learn/samples";
import type { ComparisonConfig } from "./config";
import { optimalLengthsFile } from "./plan";

/** Where a policy was saved: its budget point, the sampled actions drawn, training wall and CPU time then. */
export type SavedAt = Omit<BudgetSnapshot, "step">;

/** One policy's evaluation: where it was saved (budget 0 = the SFT start) and, per decoding, each layout's outcome. */
export interface PolicyEval extends SavedAt {
  /** Per decoding id: per evaluation layout, the steps of a success, or null for a failure. */
  steps: Record<string, (number | null)[]>;
}

export interface EvalFile {
  task: string;
  /** The evaluation layouts, in order. */
  layouts: (number | null)[];
  points: PolicyEval[];
  /** The start only: its sampled episodes' actions, per layout. */
  actions?: string[][];
}

/** The layouts of the comparison's extended protocol on a task. */
export function evalLayouts(cfg: ComparisonConfig, task: string): (number | null)[] {
  return familyOf(task).evaluationSeeds(cfg.eval.layouts);
}

// Generating a layout costs as much as playing it: each is built once per process and cloned.
const starts = new Map<string, TextEnv>();
function startOf(task: string, seed: number | null): TextEnv {
  const key = `${task}@${seed}`;
  let s = starts.get(key);
  if (!s) starts.set(key, (s = makeEnv(task, seed)));
  return s;
}

/**
 * Play one policy on the task's evaluation layouts under every decoding. The sampling stream is the
 * training seed's (the study's rule), so two methods from the same start meet the same draws.
 */
export async function evaluatePolicy(
  cfg: ComparisonConfig,
  task: string,
  policy: LoadedPolicy,
  seed: number,
  keepActions = false,
): Promise<{ steps: Record<string, (number | null)[]>; actions: string[][] | null }> {
  const t = resolveTask(task);
  const steps: Record<string, (number | null)[]> = {};
  let actions: string[][] | null = null;
  for (const d of cfg.eval.decodings) {
    const p = new LearnedPolicy(policy, { name: d.id, temperature: d.temperature, seed });
    const out: (number | null)[] = [];
    const acts: string[][] = [];
    for (const layout of evalLayouts(cfg, task)) {
      const { record } = await runEpisode(p, t, layout, { run: `s${seed}`, model: d.id, protocol: `extended-${cfg.eval.layouts}`, start: startOf(task, layout) });
      out.push(record.success ? record.steps : null);
      acts.push(record.actions);
    }
    steps[d.id] = out;
    if (keepActions && d.temperature > 0 && !actions) actions = acts;
  }
  return { steps, actions };
}

/** Evaluate a list of policies (a run's budget points, or a start) into one file. */
export async function evaluateInto(
  cfg: ComparisonConfig,
  task: string,
  file: string,
  policies: { snapshot: BudgetSnapshot; policy: () => LoadedPolicy }[],
  seed: number,
  sink: ProgressSink,
  keepActions = false,
): Promise<void> {
  const progress = new Progress(`eval ${task}`, policies.length, sink);
  const points: PolicyEval[] = [];
  let actions: string[][] | undefined;
  for (const { snapshot, policy } of policies) {
    const r = await evaluatePolicy(cfg, task, policy(), seed, keepActions);
    if (r.actions) actions = r.actions;
    const { budget, samples, rollout_samples, group_samples, seconds, cpu_seconds } = snapshot;
    points.push({ budget, samples, rollout_samples, group_samples, seconds, cpu_seconds, steps: r.steps });
    progress.tick(1, `budget ${budget}`);
  }
  const rec: EvalFile = { task, layouts: evalLayouts(cfg, task), points, ...(actions ? { actions } : {}) };
  writeFileAtomic(file, JSON.stringify(rec) + "\n");
  progress.finish("done");
}

export function readEvalFile(file: string): EvalFile | null {
  return fs.existsSync(file) ? readJsonFile<EvalFile>(file) : null;
}

/** The planner's optimal number of steps on each evaluation layout of a task (T*, for the steps beyond it). */
export function writeOptimalLengths(cfg: ComparisonConfig, task: string, sink: ProgressSink): void {
  const layouts = evalLayouts(cfg, task);
  const progress = new Progress(`optimal ${task}`, layouts.length, sink);
  const lengths = layouts.map((s) => {
    const n = shortestLength(task, s);
    progress.tick(1);
    return n;
  });
  writeFileAtomic(optimalLengthsFile(cfg, task), JSON.stringify({ task, layouts, lengths }) + "\n");
  progress.finish("done");
}

export function readOptimalLengths(cfg: ComparisonConfig, task: string): Map<number | null, number> {
  const f = optimalLengthsFile(cfg, task);
  if (!fs.existsSync(f)) return new Map();
  const r = readJsonFile<{ layouts: (number | null)[]; lengths: number[] }>(f);
  return new Map(r.layouts.map((s, i) => [s, r.lengths[i]]));
}
