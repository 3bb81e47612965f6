/**
 * Notebook 05's paper-profile section: the same recipe on the GPU path (lib/trainer-client: Qwen2.5-1.5B-Instruct,
 * TRL SFT then GRPO from the SFT model, the paper's hyperparameters in trainer/configs/paper-*.yaml).
 *
 * In the paper profile the notebook trains every task (lib/trainer-client's `trainTask`, which fails fast
 * with `requireGpu()` when no CUDA GPU is visible — never a faked result); in the ci and cpu profiles
 * it shows the commands that would run, and the CPU-scale study above stands in for it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PAPER } from "../config/paper";

/** The paper's four tasks, in its order. */
const PAPER_TASKS = Object.keys(PAPER.tasks);
import { loadCurves } from "../report/curves";
import { learningCurvesFigure } from "../report/figures";
import { Profile, resultsDir } from "../util/profile";
import type { ProgressSink } from "../util/progress";
import type { VegaLiteSpec } from "../viz/render";
import { trainerCommandLine, trainerRunDir, trainingPlan, trainTask } from "../trainer-client/pipeline";
import type { TrainerMetrics } from "../trainer-client/run";

/** The profile whose CPU-scale study a notebook run shows: the paper profile trains on GPU and shows the cpu study. */
export function studyProfileOf(profile: Profile): "ci" | "cpu" {
  return profile === "ci" ? "ci" : "cpu";
}

/** The trainer commands of the paper profile, per task (SFT, then GRPO from SFT's final model). */
export function paperCommandsMarkdown(tasks: readonly string[] = PAPER_TASKS): string {
  const lines = tasks.flatMap((task) => {
    const plan = trainingPlan(task, { profile: "paper" });
    return [`# ${task}`, trainerCommandLine(plan.sft), trainerCommandLine(plan.grpo)];
  });
  return (
    "```sh\nPROFILE=paper  # results/paper/trainer/<task>/{sft,grpo}/\n" +
    lines.join("\n") +
    "\n```\n\nThe same through the `stgrpo` CLI: `PROFILE=paper stgrpo trainer all --task <task>` for each task " +
    "(`stgrpo trainer plan --task <task>` prints the commands alone).\n"
  );
}

/**
 * The learning curves of the paper profile's trainer runs (SFT and GRPO per task, from their
 * metrics.jsonl): in the paper profile, once they exist; none elsewhere.
 */
export function paperCurveFigures(profile: Profile, tasks: readonly string[] = PAPER_TASKS): { name: string; spec: VegaLiteSpec }[] {
  if (profile !== "paper") return [];
  return tasks.flatMap((task) => {
    const files = (["sft", "grpo"] as const).map((stage) => path.join(trainerRunDir(task, stage, profile), "metrics.jsonl")).filter((f) => fs.existsSync(f));
    return files.length ? [{ name: `05-paper-curves-${task}`, spec: learningCurvesFigure(loadCurves(files, resultsDir(profile, "trainer")), `${task}: Qwen2.5-1.5B-Instruct, SFT then GRPO (TRL)`) }] : [];
  });
}

/**
 * The paper profile's training: every task's SFT and GRPO through lib/trainer-client (resumable; each stage
 * is skipped once finished). Other profiles train nothing here and say so. Returns Markdown.
 */
export async function paperTraining(profile: Profile, opts: { tasks?: readonly string[]; progress?: ProgressSink } = {}): Promise<string> {
  if (profile !== "paper") {
    return `Profile ${profile}: the GPU path is not run here (PROFILE=paper in the Docker image with a GPU runs it); the commands above are what it runs.\n`;
  }
  const rows: string[] = [];
  for (const task of opts.tasks ?? PAPER_TASKS) {
    const r = await trainTask(task, { profile, progress: opts.progress });
    const last = (xs: TrainerMetrics[]): Partial<TrainerMetrics> => xs.filter((m) => m.kind === "step").slice(-1)[0] ?? {};
    const sft = last(r.sft.metrics);
    const grpo = last(r.grpo.metrics);
    rows.push(`| ${task} | ${r.sft.steps} | ${sft.loss ?? "—"} | ${r.grpo.steps} | ${grpo.reward ?? "—"} | ${grpo.kl ?? "—"} | \`${r.grpo.final}\` |`);
  }
  return ["| task | SFT steps | SFT final loss | GRPO steps | GRPO final reward | GRPO final KL | model |", "|---|---|---|---|---|---|---|", ...rows].join("\n") + "\n";
}
