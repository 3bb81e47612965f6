/**
 * `stgrpo trainer plan` prints the optimizer steps of each stage: TRL's count (trainer/tests/test_steps.py
 * holds the Python count equal to TRL's own dataloader and a real run) on the task's dataset, or on the
 * rows the default dataset will have when it is not written yet (planned, and equal to what
 * `stgrpo expert` then writes).
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PAPER } from "../lib/config/paper";
import { expertPaths } from "../lib/dataset/paths";
import { plannedTrainRows } from "../lib/dataset/generate";
import { REPO_ROOT } from "../lib/util/profile";

function stgrpo(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "stgrpo"), ...args], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env } });
}

const lines = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).length;

/** The paper recipe's counts: whole batches only (TRL's GRPO sampler and, as verl, the SFT loader drop the rest). */
const expected = (rows: number) => ({
  sft: Math.floor(rows / PAPER.sft.batch) * PAPER.sft.epochs,
  grpo: Math.floor(rows / PAPER.grpo.batchPrompts) * PAPER.grpo.epochs,
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-steps-"));
const made = stgrpo(["expert", "--tasks", "burger", "--n", "40", "--out", dir, "--quiet"]);

test("plan prints each stage's optimizer steps on a given dataset", (t) => {
  t.is(made.status, 0, made.stderr);
  const file = expertPaths("burger", { root: dir }).train;
  const rows = lines(file);
  t.true(rows >= PAPER.grpo.batchPrompts, `${rows} rows`);
  const r = stgrpo(["trainer", "plan", "--task", "burger", "--dataset", file, "--json"], { PROFILE: "paper" });
  t.is(r.status, 0, r.stderr);
  const [sft, grpo] = JSON.parse(r.stdout) as { stage: string; command: string; steps: { rows: number; steps: number; rowsFrom: string; unused_rows_per_epoch: number } }[];
  t.deepEqual([sft.stage, grpo.stage], ["sft", "grpo"]);
  t.deepEqual([sft.steps.rows, grpo.steps.rows, sft.steps.rowsFrom], [rows, rows, "dataset"]);
  t.deepEqual({ sft: sft.steps.steps, grpo: grpo.steps.steps }, expected(rows));
  t.is(grpo.steps.unused_rows_per_epoch, rows % PAPER.grpo.batchPrompts);
  const text = stgrpo(["trainer", "plan", "--task", "burger", "--dataset", file], { PROFILE: "paper" });
  t.is(text.status, 0, text.stderr);
  const comments = text.stdout.split("\n").filter((l) => l.startsWith("# "));
  t.is(comments.length, 2);
  t.true(comments[0].includes(` = ${expected(rows).sft} optimizer steps`), comments[0]);
  t.true(comments[1].includes(` = ${expected(rows).grpo} optimizer steps`), comments[1]);
});

test("before the dataset exists the rows are planned, and equal what stgrpo expert writes", (t) => {
  t.is(made.status, 0, made.stderr);
  t.is(plannedTrainRows("burger", { perTask: 40 }), lines(expertPaths("burger", { root: dir }).train));
  const file = expertPaths("burger", { profile: "paper" }).train;
  const rows = fs.existsSync(file) ? lines(file) : plannedTrainRows("burger");
  const r = stgrpo(["trainer", "plan", "--task", "burger", "--json"], { PROFILE: "paper" });
  t.is(r.status, 0, r.stderr);
  const stages = JSON.parse(r.stdout) as { steps: { rows: number; steps: number } }[];
  t.deepEqual(stages.map((s) => s.steps.rows), [rows, rows]);
  t.deepEqual(stages.map((s) => s.steps.steps), [expected(rows).sft, expected(rows).grpo]);
});

test("plan: a missing dataset that was named, or too few rows for one batch, is one line", (t) => {
  const missing = stgrpo(["trainer", "plan", "--task", "burger", "--dataset", path.join(dir, "nope.jsonl")], { PROFILE: "paper" });
  t.is(missing.status, 1);
  t.regex(missing.stderr, /^stgrpo trainer: no dataset at .*nope\.jsonl\n$/);
  const few = path.join(dir, "few.jsonl");
  fs.writeFileSync(few, fs.readFileSync(expertPaths("burger", { root: dir }).train, "utf8").split("\n").slice(0, 100).join("\n") + "\n");
  const r = stgrpo(["trainer", "plan", "--task", "burger", "--dataset", few], { PROFILE: "paper" });
  t.is(r.status, 1);
  t.regex(r.stderr, /^stgrpo trainer: 100 rows are fewer than one batch of 256 prompts: TRL would take no step\n$/);
});
