/**
 * lib/trainer-client's plumbing without training: the per-task plan and its printed commands, --set
 * quoting, following a metrics file that is being written, progress lines, and `stgrpo trainer`'s
 * one-line errors (spawned for real).
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/util/profile";
import { JsonlFollower, metricsLine, setValue, trainerArgs, TrainerMetrics } from "../lib/trainer-client/run";
import { serveArgs } from "../lib/trainer-client/serve";
import { trainerCommandLine, trainerConfigFile, trainingPlan } from "../lib/trainer-client/pipeline";

test("the paper plan: SFT on the task's expert rows, GRPO from SFT's final model, results/paper/trainer/<task>/", (t) => {
  const plan = trainingPlan("3_burger", { profile: "paper" });
  t.is(plan.sft.config, path.join(REPO_ROOT, "trainer", "configs", "paper-sft.yaml"));
  t.is(plan.grpo.config, trainerConfigFile("grpo", "paper"));
  t.is(plan.sft.set.dataset, path.join(REPO_ROOT, "results", "paper", "expert", "burger", "train.jsonl"));
  t.is(plan.sft.outputDir, path.join(REPO_ROOT, "results", "paper", "trainer", "burger", "sft"));
  t.is(plan.grpo.set.model, path.join(plan.sft.outputDir, "final"));
  t.is(trainingPlan("burger", { profile: "ci" }).sft.config, trainerConfigFile("sft", "ci"));
  t.is(
    trainerCommandLine(plan.grpo),
    ".venv/bin/python -m trainer grpo --config trainer/configs/paper-grpo.yaml --set model=results/paper/trainer/burger/sft/final " +
      "--set dataset=results/paper/expert/burger/train.jsonl --set output_dir=results/paper/trainer/burger/grpo",
  );
});

test("--set values are YAML the trainer reads back as meant", (t) => {
  t.is(setValue("results/x/train.jsonl"), "results/x/train.jsonl");
  t.is(setValue(4), "4");
  t.is(setValue(false), "false");
  t.is(setValue("true"), '"true"'); // a string that YAML would read as a boolean
  t.is(setValue("1e-6"), '"1e-6"');
  t.is(setValue("a b: c"), '"a b: c"');
  t.deepEqual(trainerArgs("sft", "c.yaml", { "trl.max_steps": 3 }), ["-m", "trainer", "sft", "--config", "c.yaml", "--set", "trl.max_steps=3"]);
  t.deepEqual(serveArgs({ model: "m", name: "n", backend: "vllm", extra: ["--max-model-len", "8192"] }), [
    "-m", "trainer", "serve", "--model", "m", "--host", "127.0.0.1", "--port", "0", "--name", "n", "--backend", "vllm", "--", "--max-model-len", "8192",
  ]);
});

test("a metrics file is followed line by line while it is written, a torn tail waits", (t) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-follow-")), "metrics.jsonl");
  const f = new JsonlFollower<{ step: number }>(file);
  t.deepEqual(f.read(), []); // not there yet
  fs.writeFileSync(file, '{"step":1}\n{"step":2}\n{"st');
  t.deepEqual(f.read().map((r) => r.step), [1, 2]);
  fs.appendFileSync(file, 'ep":3}\n');
  t.deepEqual(f.read().map((r) => r.step), [3]);
  fs.writeFileSync(file, '{"step":1}\n'); // rewritten shorter (a resume cut it): read from the start
  t.deepEqual(f.read().map((r) => r.step), [1]);
});

test("progress lines carry the stage's numbers", (t) => {
  const base = { kind: "step", epoch: 1.5, time: 0, elapsed_s: 75, trl: {} } as const;
  const grpo: TrainerMetrics = { ...base, stage: "grpo", step: 12, loss: 0.0001, reward: 0.55, accuracy: 0.5, kl: 0.0021, tokens_per_s: 1234.4 };
  t.is(metricsLine(grpo, 200), "grpo step 12/200 · epoch 1.50 · loss 0.0001 · reward 0.550 · acc 0.500 · kl 0.0021 · 1234 tok/s · 1m15s");
  const sft: TrainerMetrics = { ...base, stage: "sft", step: 3, loss: 2.5, token_accuracy: 0.25 };
  t.is(metricsLine(sft), "sft step 3 · epoch 1.50 · loss 2.5000 · acc 0.250 · 1m15s");
});

function stgrpo(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "stgrpo"), ...args], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env } });
}

test("stgrpo trainer: plan prints the commands; the paper profile without a GPU and bad input fail in one line", (t) => {
  const plan = stgrpo(["trainer", "plan", "--task", "burger"], { PROFILE: "paper" });
  t.is(plan.status, 0, plan.stderr);
  const commands = plan.stdout.trim().split("\n").filter((l) => !l.startsWith("# ")); // the other lines: each stage's optimizer steps
  t.deepEqual(commands.map((l) => l.split(" ").slice(0, 4).join(" ")), [
    ".venv/bin/python -m trainer sft",
    ".venv/bin/python -m trainer grpo",
  ]);
  const env = { PROFILE: "paper", PATH: "/usr/bin:/bin" }; // no nvidia-smi on this PATH, whatever the machine
  const all = stgrpo(["trainer", "all", "--task", "burger"], env);
  t.is(all.status, 1);
  t.regex(all.stderr, /^stgrpo trainer: the paper profile needs a CUDA GPU: nvidia-smi not found/);
  t.is(all.stderr.trim().split("\n").length, 1);
  for (const [args, message] of [
    [["trainer"], /needs a command/],
    [["trainer", "fly"], /unknown trainer command "fly"/],
    [["trainer", "sft"], /needs --task T/],
    [["trainer", "sft", "--task", "pizza"], /pizza/],
    [["trainer", "plan", "--task", "burger", "--set", "novalue"], /--set needs KEY=VALUE/],
    [["trainer", "serve"], /serve needs --model/],
  ] as const) {
    const r = stgrpo([...args], { PROFILE: "ci" });
    t.is(r.status, 1, args.join(" "));
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
