/**
 * The paper's values live in lib/config/paper.ts; every copy the code runs with must agree with it:
 * the trainer's paper configs as the trainer itself reads them (trainer.config.load_config), the
 * Python and TypeScript rewards, lib/kitchen's tasks and evaluation seeds, lib/learn's paper defaults
 * and the expert dataset's size.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PAPER } from "../lib/config/paper";
import { scoreReply } from "../lib/agent/parse";
import { DATASET_DEFAULTS } from "../lib/dataset/generate";
import { EVAL_SEEDS, PAPER_TASKS, resolveTask } from "../lib/kitchen/tasks";
import { GRPO_DEFAULTS } from "../lib/learn/grpo";
import { SFT_DEFAULTS } from "../lib/learn/sft";
import { trainerPython } from "../lib/trainer-client/gpu";
import { REPO_ROOT } from "../lib/util/profile";

interface TrainerConfig {
  model: string;
  batch: Record<string, number>;
  trl: Record<string, unknown>;
}

/** The paper configs and reward weights as the Python trainer loads them. */
function pythonSide(): { sft: TrainerConfig; grpo: TrainerConfig; weights: [number, number] } {
  const code = [
    "import json",
    "from trainer.config import load_config",
    "from trainer.reward import FORMAT_WEIGHT, ACTION_WEIGHT",
    "c = lambda s: load_config(f'trainer/configs/paper-{s}.yaml', stage=s)",
    "print(json.dumps({'sft': c('sft'), 'grpo': c('grpo'), 'weights': [FORMAT_WEIGHT, ACTION_WEIGHT]}))",
  ].join("\n");
  const r = spawnSync(trainerPython(), ["-c", code], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`the trainer's Python could not read the configs (run \`make setup-trainer\`): ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout);
}

test("trainer/configs/paper-*.yaml carry the paper's values", (t) => {
  const { sft, grpo, weights } = pythonSide();
  t.is(sft.model, PAPER.model);
  t.is(sft.trl.num_train_epochs, PAPER.sft.epochs);
  t.deepEqual(sft.batch, { examples_per_step: PAPER.sft.batch });
  t.is(grpo.trl.num_train_epochs, PAPER.grpo.epochs);
  t.deepEqual(grpo.batch, { prompts_per_step: PAPER.grpo.batchPrompts });
  t.is(grpo.trl.learning_rate, PAPER.grpo.learningRate);
  t.is(grpo.trl.beta, PAPER.grpo.beta);
  t.deepEqual(weights, [PAPER.reward.format, PAPER.reward.action]);
  t.is(path.basename(String(grpo.model)), "final"); // GRPO starts from the SFT model
});

test("the TypeScript side runs with the paper's values", (t) => {
  t.deepEqual([...PAPER_TASKS], Object.keys(PAPER.tasks));
  for (const [task, v] of Object.entries(PAPER.tasks)) {
    const info = resolveTask(task);
    t.deepEqual({ stepLimit: info.optimalSteps, timeout: info.timeout }, v, task);
  }
  t.deepEqual([...EVAL_SEEDS], [...PAPER.evaluation.seeds]);
  t.deepEqual([SFT_DEFAULTS.epochs, SFT_DEFAULTS.batchSize], [PAPER.sft.epochs, PAPER.sft.batch]);
  t.deepEqual([GRPO_DEFAULTS.epochs, GRPO_DEFAULTS.batchSize, GRPO_DEFAULTS.beta], [PAPER.grpo.epochs, PAPER.grpo.batchPrompts, PAPER.grpo.beta]);
  t.is(DATASET_DEFAULTS.perTask, PAPER.expert.trajectoriesPerTask);
  // lib/agent's reward: the format alone for a valid other action, format + action for the expert's
  const valid = ["Move robot1 from table1 to table2", "Do nothing"];
  t.is(scoreReply("Reasoning: wait.\nAction: Do nothing", valid[0], valid).reward, PAPER.reward.format);
  t.is(scoreReply("Reasoning: go.\nAction: Move robot1 from table1 to table2", valid[0], valid).reward, PAPER.reward.format + PAPER.reward.action);
});
