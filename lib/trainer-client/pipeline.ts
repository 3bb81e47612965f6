/**
 * The paper's training recipe per task, as trainer runs: SFT on the task's expert dataset, then GRPO
 * from the SFT model (π_ref = the SFT model). Paths follow the project's layout:
 *
 *   results/<profile>/expert/<task>/train.jsonl      the single-turn dataset (lib/expert writes it)
 *   results/<profile>/trainer/<task>/sft/            SFT run (config.json, metrics.jsonl, checkpoints, final/)
 *   results/<profile>/trainer/<task>/grpo/           GRPO run from sft/final
 *
 * Configs: trainer/configs/paper-{sft,grpo}.yaml in the paper profile (Qwen2.5-1.5B-Instruct, GPU);
 * trainer/configs/ci-{sft,grpo}.yaml otherwise (the tests' tiny random model, CPU).
 */
import * as path from "node:path";
import { resolveTask } from "../env/index";
import { expertPaths } from "../dataset/paths";
import { currentProfile, Profile, REPO_ROOT, repoPath, resultsDir } from "../util/profile";
import type { ProgressSink } from "../util/progress";
import { requireGpu } from "./gpu";
import { Stage, TrainerMetrics, train, trainerArgs, TrainingResult } from "./run";

export interface StagePlan {
  stage: Stage;
  task: string;
  config: string;
  set: Record<string, unknown>;
  outputDir: string;
}

/** The config file a profile trains with. */
export function trainerConfigFile(stage: Stage, profile: Profile = currentProfile()): string {
  return path.join(REPO_ROOT, "trainer", "configs", `${profile === "paper" ? "paper" : "ci"}-${stage}.yaml`);
}

/** Where a task's run of a stage lives. */
export function trainerRunDir(task: string, stage: Stage, profile: Profile = currentProfile()): string {
  return resultsDir(profile, "trainer", resolveTask(task).id, stage);
}

/** SFT then GRPO for one task: configs, overrides and output directories. */
export function trainingPlan(
  task: string,
  opts: { profile?: Profile; dataset?: string; set?: Partial<Record<Stage, Record<string, unknown>>> } = {},
): { sft: StagePlan; grpo: StagePlan } {
  const profile = opts.profile ?? currentProfile();
  const id = resolveTask(task).id;
  const dataset = opts.dataset ?? expertPaths(id, { profile }).train;
  const sftDir = trainerRunDir(id, "sft", profile);
  const grpoDir = trainerRunDir(id, "grpo", profile);
  const sft: StagePlan = {
    stage: "sft",
    task: id,
    config: trainerConfigFile("sft", profile),
    set: { dataset, output_dir: sftDir, ...(opts.set?.sft ?? {}) },
    outputDir: sftDir,
  };
  const grpo: StagePlan = {
    stage: "grpo",
    task: id,
    config: trainerConfigFile("grpo", profile),
    set: { model: path.join(sftDir, "final"), dataset, output_dir: grpoDir, ...(opts.set?.grpo ?? {}) },
    outputDir: grpoDir,
  };
  return { sft, grpo };
}

/** The shell command a plan runs (shown in notebooks next to the cell that runs it). */
export function trainerCommandLine(plan: StagePlan): string {
  const args = trainerArgs(plan.stage, repoPath(plan.config), Object.fromEntries(Object.entries(plan.set).map(([k, v]) => [k, typeof v === "string" ? repoPath(v) : v])));
  return [".venv/bin/python", ...args].map((a) => (/^[\w./=:,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

export interface TrainTaskOptions {
  profile?: Profile;
  dataset?: string;
  set?: Partial<Record<Stage, Record<string, unknown>>>;
  progress?: ProgressSink;
  onMetrics?: (m: TrainerMetrics) => void;
  python?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Train a task with the paper's recipe: SFT, then GRPO from the SFT model. Each stage resumes when
 * rerun and is skipped once finished. The paper profile fails fast without a GPU.
 */
export async function trainTask(task: string, opts: TrainTaskOptions = {}): Promise<{ sft: TrainingResult; grpo: TrainingResult }> {
  const profile = opts.profile ?? currentProfile();
  requireGpu({ profile, env: opts.env, python: opts.python });
  const plan = trainingPlan(task, opts);
  const run = (p: StagePlan) =>
    train({ stage: p.stage, config: p.config, set: p.set, progress: opts.progress, onMetrics: opts.onMetrics, python: opts.python, env: opts.env });
  const sft = await run(plan.sft);
  const grpo = await run(plan.grpo);
  return { sft, grpo };
}
