/**
 * How many optimizer steps a training stage takes. The count is the Python trainer's
 * (`python -m trainer steps`, trainer/config.py's optimizer_steps), which trainer/tests/test_steps.py
 * holds equal to what TRL's own dataloader and Trainer do — so there is one implementation of TRL's
 * arithmetic, next to the batch mapping it depends on, and it is checked against TRL itself.
 *
 * The rows come from the stage's dataset when it exists; before `stgrpo expert` has written it, from
 * the planner (lib/expert's plannedTrainRows: the rows the default dataset of the task will have).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { plannedTrainRows } from "../dataset/generate";
import { UserError } from "../util/errors";
import { REPO_ROOT } from "../util/profile";
import { trainerPython } from "./gpu";
import type { StagePlan } from "./pipeline";
import { setValue } from "./run";

/** `python -m trainer steps`' answer, and where its rows came from. */
export interface StageSteps {
  stage: "sft" | "grpo";
  rows: number;
  world_size: number;
  /** What a batch counts: prompts (GRPO, each sampled G times) or examples (SFT). */
  unit: "prompts" | "examples";
  /** Prompts or examples per optimizer step. */
  batch: number;
  steps_per_epoch: number;
  epochs: number;
  /** TRL's max_steps (> 0 overrides the epochs). */
  max_steps: number;
  /** Optimizer steps of the whole stage. */
  steps: number;
  /** Rows no step of an epoch uses (the dropped incomplete batch; a different set each epoch). */
  unused_rows_per_epoch: number;
  /** "dataset": counted in the file; "planned": the rows the default dataset will have; "given". */
  rowsFrom: "dataset" | "planned" | "given";
  dataset: string;
}

/**
 * The optimizer steps of a planned stage. `rows` overrides the row count; otherwise the dataset is
 * read, or, when it is missing and `plannedIfMissing` (the plan uses the task's default dataset),
 * the rows the default `stgrpo expert` dataset will have are planned.
 */
export function stageSteps(
  plan: StagePlan,
  opts: { rows?: number; plannedIfMissing?: boolean; worldSize?: number; python?: string; env?: NodeJS.ProcessEnv } = {},
): StageSteps {
  const dataset = String(plan.set.dataset);
  let rows = opts.rows;
  let rowsFrom: StageSteps["rowsFrom"] = rows === undefined ? "dataset" : "given";
  if (rows === undefined && !fs.existsSync(dataset)) {
    if (!opts.plannedIfMissing) throw new UserError(`no dataset at ${dataset}`);
    rows = plannedTrainRows(plan.task);
    rowsFrom = "planned";
  }
  const args = ["-m", "trainer", "steps", "--config", plan.config];
  for (const [key, value] of Object.entries(plan.set)) args.push("--set", `${key}=${setValue(value)}`);
  if (rows !== undefined) args.push("--rows", String(rows));
  if (opts.worldSize !== undefined) args.push("--world-size", String(opts.worldSize));
  const python = opts.python ?? trainerPython(opts.env);
  const r = spawnSync(python, args, { cwd: REPO_ROOT, env: opts.env ?? process.env, encoding: "utf8", timeout: 120_000 });
  if (r.error) throw new UserError(`cannot run the trainer's Python (${python}): ${r.error.message}; run \`make setup-trainer\``);
  if (r.status !== 0) {
    const last = (r.stderr || r.stdout).trim().split("\n").pop() ?? "";
    throw new UserError(last.replace(/^trainer steps: /, "") || `python -m trainer steps failed (exit ${r.status})`);
  }
  const counted = JSON.parse(r.stdout.trim().split("\n").pop()!) as Omit<StageSteps, "rowsFrom" | "dataset">;
  return { ...counted, rowsFrom, dataset };
}

/** One line: "905 rows, 256 prompts per step → 3 optimizer steps per epoch × 50 epochs = 150 optimizer steps (…)". */
export function stepsLine(s: StageSteps): string {
  const rows = `${s.rows} rows${s.rowsFrom === "planned" ? " (planned: the default dataset is not written yet)" : ""}`;
  const total =
    s.max_steps > 0 ? `max_steps ${s.max_steps} optimizer steps` : `${s.steps_per_epoch} optimizer steps per epoch × ${s.epochs} epochs = ${s.steps} optimizer steps`;
  const n = s.unused_rows_per_epoch;
  const left = n ? ` (${n} row${n === 1 ? "" : "s"} left out of each epoch: the incomplete batch is dropped, a different one each epoch)` : "";
  return `${s.stage}: ${rows}, ${s.batch} ${s.unit} per step → ${total}${left}`;
}
