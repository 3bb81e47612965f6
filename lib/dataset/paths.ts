/**
 * Where expert data lives, so that nobody hard-codes paths:
 *
 *   results/<profile>/expert/<task>/trajectories.jsonl   expert trajectories (every layout, train and val)
 *   results/<profile>/expert/<task>/train.jsonl          single-turn rows of the training layouts
 *   results/<profile>/expert/<task>/val.jsonl            single-turn rows of the validation layouts
 *   results/<profile>/expert/<task>/stats.json           dataset statistics (lengths, ambiguity, sizes)
 *   results/<profile>/expert/<task>/manifest.json        how it was made (seeds, split, prompt config, command)
 *
 * `<task>` is the task's id (the paper name for the four paper tasks: `burger`, not `3_burger`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { resolveTask } from "../env/index";
import { readJsonl } from "../util/files";
import { UserError } from "../util/errors";
import { currentProfile, Profile, resultsDir } from "../util/profile";
import { ExpertTrajectory, validateTrajectory } from "../expert/record";
import { SingleTurnRow, validateSingleTurnRow } from "./rows";

export type Split = "train" | "val";

export interface ExpertPaths {
  dir: string;
  trajectories: string;
  train: string;
  val: string;
  stats: string;
  manifest: string;
}

/** The expert data files of a task under a profile's results (or under `root` when given). */
export function expertPaths(task: string, opts: { profile?: Profile; root?: string } = {}): ExpertPaths {
  const id = resolveTask(task).id;
  const dir = opts.root ? path.join(opts.root, id) : resultsDir(opts.profile ?? currentProfile(), "expert", id);
  return {
    dir,
    trajectories: path.join(dir, "trajectories.jsonl"),
    train: path.join(dir, "train.jsonl"),
    val: path.join(dir, "val.jsonl"),
    stats: path.join(dir, "stats.json"),
    manifest: path.join(dir, "manifest.json"),
  };
}

function needFile(file: string, task: string): void {
  if (!fs.existsSync(file)) {
    throw new UserError(`no expert data at ${file}: generate it with \`stgrpo expert --task ${task}\``);
  }
}

/** The single-turn rows of a task's split (validated). */
export function loadExpertDataset(task: string, opts: { profile?: Profile; root?: string; split?: Split } = {}): SingleTurnRow[] {
  const p = expertPaths(task, opts);
  const file = p[opts.split ?? "train"];
  needFile(file, task);
  const rows = readJsonl<SingleTurnRow>(file);
  rows.forEach((r, i) => validateSingleTurnRow(r, `${file}:${i + 1}`));
  return rows;
}

/** The expert trajectories of a task (validated), optionally only those of one split. */
export function loadExpertTrajectories(task: string, opts: { profile?: Profile; root?: string; split?: Split } = {}): (ExpertTrajectory & { split?: Split })[] {
  const p = expertPaths(task, opts);
  needFile(p.trajectories, task);
  const trajs = readJsonl<ExpertTrajectory & { split?: Split }>(p.trajectories);
  trajs.forEach((r, i) => validateTrajectory(r, `${p.trajectories}:${i + 1}`));
  return opts.split ? trajs.filter((r) => r.split === opts.split) : trajs;
}
