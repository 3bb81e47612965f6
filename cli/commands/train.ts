/**
 * `stgrpo train`: the CPU-scale learners of lib/learn (SFT, single-turn GRPO, multi-turn GRPO).
 * Resumable: rerunning the same command with the same --out continues from the last checkpoint.
 */
import * as fs from "node:fs";
import { Command, intFlag, numberFlag, parseFlags, printJson } from "../command";
import { UserError } from "../../lib/util/errors";
import { terminalProgress } from "../../lib/util/progress";
import { loadSingleTurn, featurizeExamples, SingleTurnExample } from "../../lib/learn/data";
import { LoadedPolicy, loadPolicy, untrainedPolicy } from "../../lib/learn/checkpoint";
import { SFT_DEFAULTS, trainSft } from "../../lib/learn/sft";
import { GRPO_DEFAULTS, trainGrpo } from "../../lib/learn/grpo";
import { MULTITURN_DEFAULTS, StartLayout, trainMultiTurn } from "../../lib/learn/multiturn";
import { DEFAULT_FEATURES } from "../../lib/learn/features";
import { DEFAULT_MODEL } from "../../lib/learn/model";
import { resolveTask } from "../../lib/kitchen/index";
import { parseSeeds } from "../../lib/eval/protocol";

const usage = `usage: stgrpo train --algo sft|grpo|multiturn --out DIR [options]

Train a CPU-scale policy (lib/learn: a log-linear scorer over identity-free text features of
(observation, action)). Writes DIR/config.json, DIR/metrics.jsonl, DIR/checkpoint.json and, when
finished, DIR/policy.json. Rerunning the same command resumes from the last checkpoint.

common:
  --algo A            sft | grpo | multiturn
  --out DIR           run directory (required)
  --data FILE         single-turn dataset JSONL (DESIGN.md format); required for sft and grpo,
                      and gives multiturn's start layouts unless --seeds is given
  --task T            use only this task's records / layouts
  --init P            starting policy (a run directory or policy.json); grpo and multiturn use it
                      as the frozen reference π_ref too (default: untrained, uniform)
  --seed N            training seed (default 0)
  --lr X              Adam learning rate (sft ${SFT_DEFAULTS.lr}, grpo/multiturn ${GRPO_DEFAULTS.lr})
  --eval-data FILE    held-out single-turn states, evaluated at every epoch end
  --json              print the final summary as JSON

sft (paper: 8 epochs, batch 8):
  --epochs N          default ${SFT_DEFAULTS.epochs}
  --batch-size N      default ${SFT_DEFAULTS.batchSize}
  --model K           linear | mlp (default ${DEFAULT_MODEL.kind})
  --hidden H          mlp hidden units (default ${DEFAULT_MODEL.hidden})
  --bits B            log2 hashed feature space (default ${DEFAULT_FEATURES.bits})

grpo (paper: batch 256, 50 epochs, beta 0.001):
  --epochs N          default ${GRPO_DEFAULTS.epochs}
  --batch-size N      states per step, default ${GRPO_DEFAULTS.batchSize}
  --mini-batch-size N states per update, default = batch size
  --ppo-epochs N      default ${GRPO_DEFAULTS.ppoEpochs}
  --group-size G      samples per state, default ${GRPO_DEFAULTS.groupSize}
  --beta B            KL coefficient, default ${GRPO_DEFAULTS.beta}
  --kl exact|k3       KL term, default ${GRPO_DEFAULTS.kl}
  --clip E            PPO clip range, default ${GRPO_DEFAULTS.clipEps}
  --reward R          expert | any-optimal (needs optimal_actions in the data), default expert
  --temperature T     sampling temperature, default 1

multiturn (trajectory-level GRPO, sparse success reward):
  --env-steps N       environment-sample budget (default ${MULTITURN_DEFAULTS.envSteps}); set it to the
                      single-turn run's samples (epochs × states × G) for a matched comparison
  --seeds LIST        start layouts: 1,2,3, 100-199 or default (with --task); default: the data's (task, seed)s
  --layouts-per-step N  default ${MULTITURN_DEFAULTS.layoutsPerStep}
  --group-size G, --beta B, --kl, --clip, --temperature T, --ppo-epochs N  as for grpo
  --timeout N         episode step limit (default: the task's protocol timeout)

example:
  stgrpo train --algo sft --data results/cpu/expert/burger.jsonl --task burger --out results/cpu/learn/burger/sft-s0
  stgrpo train --algo grpo --data results/cpu/expert/burger.jsonl --init results/cpu/learn/burger/sft-s0 \\
               --out results/cpu/learn/burger/grpo-s0`;

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
  summary: "train a CPU-scale policy: SFT, single-turn GRPO or multi-turn GRPO (lib/learn)",
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      algo: { type: "string" },
      out: { type: "string" },
      data: { type: "string" },
      "eval-data": { type: "string" },
      task: { type: "string" },
      init: { type: "string" },
      seed: { type: "string" },
      lr: { type: "string" },
      epochs: { type: "string" },
      "batch-size": { type: "string" },
      "mini-batch-size": { type: "string" },
      "ppo-epochs": { type: "string" },
      "group-size": { type: "string" },
      beta: { type: "string" },
      kl: { type: "string" },
      clip: { type: "string" },
      reward: { type: "string" },
      temperature: { type: "string" },
      model: { type: "string" },
      hidden: { type: "string" },
      bits: { type: "string" },
      "env-steps": { type: "string" },
      seeds: { type: "string" },
      "layouts-per-step": { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
    }, false);
    const algo = values.algo;
    if (algo !== "sft" && algo !== "grpo" && algo !== "multiturn") throw new UserError(`--algo must be sft, grpo or multiturn${algo ? `, got "${algo}"` : ""}`);
    if (!values.out) throw new UserError("--out DIR is required");
    if (values.task) resolveTask(values.task); // unknown task → UserError listing the known ones
    const seed = intFlag("seed", values.seed, 0);
    const kl = values.kl ?? GRPO_DEFAULTS.kl;
    if (kl !== "exact" && kl !== "k3") throw new UserError(`--kl must be exact or k3, got "${kl}"`);
    const reward = values.reward ?? GRPO_DEFAULTS.reward;
    if (reward !== "expert" && reward !== "any-optimal") throw new UserError(`--reward must be expert or any-optimal, got "${reward}"`);
    const modelKind = values.model ?? DEFAULT_MODEL.kind;
    if (modelKind !== "linear" && modelKind !== "mlp") throw new UserError(`--model must be linear or mlp, got "${modelKind}"`);

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

    const bits = intFlag("bits", values.bits, DEFAULT_FEATURES.bits);
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
          epochs: intFlag("epochs", values.epochs, SFT_DEFAULTS.epochs),
          batchSize: intFlag("batch-size", values["batch-size"], SFT_DEFAULTS.batchSize),
          lr: numberFlag("lr", values.lr, SFT_DEFAULTS.lr),
          seed,
          features,
          model: { ...DEFAULT_MODEL, kind: modelKind, bits, hidden: intFlag("hidden", values.hidden, DEFAULT_MODEL.hidden), seed },
        },
        common,
      );
    } else {
      init = init ?? untrainedPolicy(features);
      const shared = {
        groupSize: intFlag("group-size", values["group-size"], GRPO_DEFAULTS.groupSize),
        beta: numberFlag("beta", values.beta, GRPO_DEFAULTS.beta),
        kl: kl as "exact" | "k3",
        clipEps: numberFlag("clip", values.clip, GRPO_DEFAULTS.clipEps),
        temperature: numberFlag("temperature", values.temperature, 1),
        ppoEpochs: intFlag("ppo-epochs", values["ppo-epochs"], 1),
        lr: numberFlag("lr", values.lr, GRPO_DEFAULTS.lr),
        seed,
      };
      if (algo === "grpo") {
        const batchSize = intFlag("batch-size", values["batch-size"], GRPO_DEFAULTS.batchSize);
        result = await trainGrpo(
          states,
          {
            ...shared,
            epochs: intFlag("epochs", values.epochs, GRPO_DEFAULTS.epochs),
            batchSize,
            miniBatchSize: intFlag("mini-batch-size", values["mini-batch-size"], batchSize),
            reward: reward as "expert" | "any-optimal",
          },
          { ...common, init },
        );
      } else {
        let layouts: StartLayout[];
        if (values.seeds) {
          if (!values.task) throw new UserError("--seeds needs --task");
          layouts = parseSeeds(values.seeds).map((s) => ({ task: values.task!, seed: s }));
        } else {
          if (examples.length === 0) throw new UserError("multiturn needs start layouts: --data FILE or --task T --seeds LIST");
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
        result = await trainMultiTurn(
          layouts,
          {
            ...shared,
            envSteps: intFlag("env-steps", values["env-steps"], MULTITURN_DEFAULTS.envSteps),
            layoutsPerStep: intFlag("layouts-per-step", values["layouts-per-step"], MULTITURN_DEFAULTS.layoutsPerStep),
            timeout: values.timeout === undefined ? null : intFlag("timeout", values.timeout),
          },
          { ...common, init },
        );
      }
    }
    const last = [...result.metrics].reverse().find((m) => m.split === "train") ?? null;
    const summary = { algo, out: values.out, steps: result.steps, finished: result.finished, policy: fs.existsSync(`${values.out}/policy.json`) ? `${values.out}/policy.json` : null, last };
    if (values.json) printJson(summary);
    else process.stdout.write(`${algo}: ${result.steps} steps, policy in ${summary.policy}\n`);
    return 0;
  },
};
