/**
 * `stgrpo train`: the CPU-scale learners of lib/learn (SFT, single-turn GRPO, multi-turn GRPO, GiGPO,
 * on-policy single-turn GRPO), optionally to budget points of sampled actions (`--budgets`).
 * Resumable: rerunning the same command with the same --out continues from the last checkpoint.
 */
import * as fs from "node:fs";
import { Command, printJson } from "../command";
import { flagTable, parseFlags, parseNumberList, usageText } from "../flags";
import { writeOut } from "../output";
import { ensureOutputDir } from "../../lib/util/paths";
import { UserError } from "../../lib/util/errors";
import { terminalProgress } from "../../lib/util/progress";
import { loadSingleTurn, featurizeExamples, SingleTurnExample } from "../../lib/learn/data";
import { LoadedPolicy, loadPolicy, untrainedPolicy } from "../../lib/learn/checkpoint";
import { SFT_DEFAULTS, trainSft } from "../../lib/learn/sft";
import { GRPO_DEFAULTS, trainGrpo } from "../../lib/learn/grpo";
import { MULTITURN_DEFAULTS, StartLayout, trainMultiTurn } from "../../lib/learn/multiturn";
import { GIGPO_DEFAULTS, trainGigpo } from "../../lib/learn/gigpo";
import { ONPOLICY_DEFAULTS, trainOnPolicy } from "../../lib/learn/onpolicy";
import { checkBudgets } from "../../lib/learn/samples";
import { DEFAULT_FEATURES } from "../../lib/learn/features";
import { DEFAULT_MODEL } from "../../lib/learn/model";
import { resolveTask } from "../../lib/kitchen/index";
import { parseSeeds } from "../../lib/eval/protocol";

const SFT = "sft (paper: 8 epochs, batch 8)";
const GRPO = "grpo (paper: batch 256, 50 epochs, beta 0.001); multiturn takes the same";
const MULTI = "multiturn (trajectory-level GRPO, sparse success reward); gigpo and onpolicy take the same";
const GIGPO = "gigpo (GiGPO: multiturn plus step-level advantages at anchor states)";
const ONPOLICY = "onpolicy (single-turn GRPO at the states the current policy visits, labelled by the planner)";

const FLAGS = flagTable({
  algo: { type: "choice", choices: ["sft", "grpo", "multiturn", "gigpo", "onpolicy"], help: "the learner (required)" },
  out: { type: "string", arg: "DIR", help: "run directory (required)" },
  data: { type: "string", arg: "FILE", help: "single-turn dataset JSONL (docs/design.md format); required for sft and grpo, and gives multiturn's start layouts unless --seeds is given" },
  task: { type: "string", arg: "T", help: "use only this task's records / layouts" },
  init: { type: "string", arg: "P", help: "starting policy (a run directory or policy.json); grpo and multiturn use it as the frozen reference π_ref too", defaultText: "untrained, uniform" },
  seed: { type: "int", arg: "N", help: "training seed", default: 0 },
  lr: { type: "number", arg: "X", min: 0, minExclusive: true, help: "Adam learning rate", defaultText: `sft ${SFT_DEFAULTS.lr}, grpo/multiturn ${GRPO_DEFAULTS.lr}` },
  "eval-data": { type: "string", arg: "FILE", help: "held-out single-turn states, evaluated at every epoch end" },
  json: { type: "boolean", help: "print the final summary as JSON" },
  epochs: { type: "int", arg: "N", min: 1, group: SFT, help: "epochs (grpo too)", defaultText: `sft ${SFT_DEFAULTS.epochs}, grpo ${GRPO_DEFAULTS.epochs}` },
  "batch-size": { type: "int", arg: "N", min: 1, group: SFT, help: "examples per step (grpo: states per step)", defaultText: `sft ${SFT_DEFAULTS.batchSize}, grpo ${GRPO_DEFAULTS.batchSize}` },
  model: { type: "choice", choices: ["linear", "mlp"], group: SFT, help: "the scorer", default: DEFAULT_MODEL.kind },
  hidden: { type: "int", arg: "H", min: 1, group: SFT, help: "mlp hidden units", default: DEFAULT_MODEL.hidden },
  bits: { type: "int", arg: "B", min: 1, max: 26, group: SFT, help: "log2 hashed feature space", default: DEFAULT_FEATURES.bits },
  "mini-batch-size": { type: "int", arg: "N", min: 1, group: GRPO, help: "states per update", defaultText: "the batch size" },
  "ppo-epochs": { type: "int", arg: "N", min: 1, group: GRPO, help: "updates per batch", default: GRPO_DEFAULTS.ppoEpochs },
  "group-size": { type: "int", arg: "G", min: 2, group: GRPO, help: "samples per state", default: GRPO_DEFAULTS.groupSize },
  beta: { type: "number", arg: "B", min: 0, group: GRPO, help: "KL coefficient", default: GRPO_DEFAULTS.beta },
  kl: { type: "choice", choices: ["exact", "k3"], group: GRPO, help: "KL term", default: GRPO_DEFAULTS.kl },
  clip: { type: "number", arg: "E", min: 0, minExclusive: true, group: GRPO, help: "PPO clip range", default: GRPO_DEFAULTS.clipEps },
  reward: { type: "choice", choices: ["expert", "any-optimal"], group: GRPO, help: "any-optimal needs optimal_actions in the data", default: GRPO_DEFAULTS.reward },
  temperature: { type: "number", arg: "T", min: 0, minExclusive: true, group: GRPO, help: "sampling temperature", default: 1 },
  "env-steps": {
    type: "int", arg: "N", min: 1, group: MULTI, default: MULTITURN_DEFAULTS.envSteps,
    help: "environment-sample budget; set it to the single-turn run's samples (epochs × states × G) for a matched comparison",
  },
  seeds: { type: "string", arg: "LIST", group: MULTI, help: "start layouts: 1,2,3, 100-199 or default (with --task)", defaultText: "the data's (task, seed)s" },
  "layouts-per-step": { type: "int", arg: "N", min: 1, group: MULTI, help: "start layouts per step", default: MULTITURN_DEFAULTS.layoutsPerStep },
  timeout: { type: "int", arg: "N", min: 1, group: MULTI, help: "episode step limit", defaultText: "the task's protocol timeout" },
  budgets: {
    type: "string", arg: "LIST", group: GRPO,
    help: "budget points in sampled actions, ascending (e.g. 25000,50000,100000): the policy is saved at each (DIR/budgets/<b>.json) and training stops at the last",
  },
  gamma: { type: "number", arg: "G", min: 0, max: 1, group: GIGPO, help: "discount of the step-level returns", default: GIGPO_DEFAULTS.gamma },
  omega: { type: "number", arg: "W", min: 0, group: GIGPO, help: "weight of the step-level advantage", default: GIGPO_DEFAULTS.omega },
  "adv-std": { type: "choice", choices: ["unbiased", "population", "none"], group: GIGPO, help: "group normaliser F_norm (none = mean only, GiGPO w/o std)", default: GIGPO_DEFAULTS.advStd },
  "plan-budget": { type: "int", arg: "N", min: 1, group: ONPOLICY, help: "A* expansions per labelling search (states past it get no group)", default: ONPOLICY_DEFAULTS.planBudget },
});

const usage = usageText({
  synopsis: "usage: stgrpo train --algo sft|grpo|multiturn|gigpo|onpolicy --out DIR [options]",
  about: `Train a CPU-scale policy (lib/learn: a log-linear scorer over identity-free text features of
(observation, action)). Writes DIR/config.json, DIR/metrics.jsonl, DIR/checkpoint.json and, when
finished, DIR/policy.json. Rerunning the same command resumes from the last checkpoint.`,
  flags: FLAGS,
  after: `example:
  stgrpo train --algo sft --data results/cpu/expert/burger.jsonl --task burger --out results/cpu/learn/burger/sft-s0
  stgrpo train --algo grpo --data results/cpu/expert/burger.jsonl --init results/cpu/learn/burger/sft-s0 \\
               --out results/cpu/learn/burger/grpo-s0`,
});

function sameTask(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return resolveTask(a).id === resolveTask(b).id;
  } catch {
    return false;
  }
}

export const train: Command = {
  name: "train",
  summary: "train a CPU-scale policy: SFT, single-turn GRPO, multi-turn GRPO, GiGPO or on-policy single-turn GRPO (lib/learn)",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS, { positionals: false });
    const algo = values.algo;
    if (algo === undefined) throw new UserError("--algo must be sft, grpo, multiturn, gigpo or onpolicy");
    const budgets = values.budgets ? checkBudgets(parseNumberList("--budgets", values.budgets, { type: "int" })) : undefined;
    if (budgets && algo === "sft") throw new UserError("--budgets: SFT draws no sampled action (budgets are for grpo, multiturn, gigpo, onpolicy)");
    if (!values.out) throw new UserError("--out DIR is required");
    if (values.task) resolveTask(values.task); // unknown task → UserError listing the known ones
    ensureOutputDir(values.out, "--out");
    const seed = values.seed;
    const kl = values.kl;
    const reward = values.reward;
    const modelKind = values.model;

    const load = (file: string | undefined, what: string): SingleTurnExample[] => {
      if (!file) return [];
      let ex = loadSingleTurn(file);
      if (values.task) ex = ex.filter((e) => sameTask(e.task, values.task!));
      if (ex.length === 0) throw new UserError(`${what} ${file} has no records${values.task ? ` for task ${values.task}` : ""}`);
      return ex;
    };
    const examples = load(values.data, "--data");
    const evalExamples = load(values["eval-data"], "--eval-data");
    if ((algo === "sft" || algo === "grpo") && examples.length === 0) throw new UserError(`--data FILE is required for --algo ${algo}`);

    const bits = values.bits;
    let init: LoadedPolicy | undefined = values.init ? loadPolicy(values.init) : undefined;
    const features = init?.features ?? { ...DEFAULT_FEATURES, bits };
    const states = featurizeExamples(examples, features);
    const evalStates = featurizeExamples(evalExamples, features);
    const progress = terminalProgress();
    const common = { out: values.out, init, evalStates, progress };

    let result;
    if (algo === "sft") {
      result = await trainSft(
        states,
        {
          epochs: values.epochs ?? SFT_DEFAULTS.epochs,
          batchSize: values["batch-size"] ?? SFT_DEFAULTS.batchSize,
          lr: values.lr ?? SFT_DEFAULTS.lr,
          seed,
          features,
          model: { ...DEFAULT_MODEL, kind: modelKind, bits, hidden: values.hidden, seed },
        },
        common,
      );
    } else {
      init = init ?? untrainedPolicy(features);
      const shared = {
        groupSize: values["group-size"],
        beta: values.beta,
        kl,
        clipEps: values.clip,
        temperature: values.temperature,
        ppoEpochs: values["ppo-epochs"],
        lr: values.lr ?? GRPO_DEFAULTS.lr,
        seed,
      };
      if (algo === "grpo") {
        const batchSize = values["batch-size"] ?? GRPO_DEFAULTS.batchSize;
        result = await trainGrpo(
          states,
          {
            ...shared,
            epochs: values.epochs ?? GRPO_DEFAULTS.epochs,
            batchSize,
            miniBatchSize: values["mini-batch-size"] ?? batchSize,
            reward,
          },
          { ...common, init, budgets },
        );
      } else {
        let layouts: StartLayout[];
        if (values.seeds) {
          if (!values.task) throw new UserError("--seeds needs --task");
          layouts = parseSeeds(values.seeds).map((s) => ({ task: values.task!, seed: s }));
        } else {
          if (examples.length === 0) throw new UserError(`${algo} needs start layouts: --data FILE or --task T --seeds LIST`);
          const seen = new Set<string>();
          layouts = [];
          for (const e of examples) {
            const k = `${e.task}@${e.seed}`;
            if (!seen.has(k)) {
              seen.add(k);
              layouts.push({ task: e.task, seed: e.seed });
            }
          }
        }
        const episodes = {
          ...shared,
          // The last budget point is the run's budget when given.
          envSteps: budgets ? budgets[budgets.length - 1] : values["env-steps"],
          layoutsPerStep: values["layouts-per-step"],
          timeout: values.timeout ?? null,
        };
        const opts = { ...common, init, budgets };
        if (algo === "multiturn") result = await trainMultiTurn(layouts, episodes, opts);
        else if (algo === "gigpo") result = await trainGigpo(layouts, { ...episodes, gamma: values.gamma, omega: values.omega, advStd: values["adv-std"] }, opts);
        else result = await trainOnPolicy(layouts, { ...episodes, reward, planBudget: values["plan-budget"] }, opts);
      }
    }
    const last = [...result.metrics].reverse().find((m) => m.split === "train") ?? null;
    const summary = { algo, out: values.out, steps: result.steps, finished: result.finished, policy: fs.existsSync(`${values.out}/policy.json`) ? `${values.out}/policy.json` : null, last };
    if (values.json) printJson(summary);
    else writeOut(`${algo}: ${result.steps} steps, policy in ${summary.policy}\n`);
    return 0;
  },
};
