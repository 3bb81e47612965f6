/**
 * `stgrpo trainer`: the Python trainer (TRL SFT + GRPO with the paper's recipe, trainer/) from the
 * command line, through lib/trainer-client — the same calls notebook 05 makes in the paper profile.
 */
import { Command, printJson } from "../command";
import { flagTable, parseFlags, usageText } from "../flags";
import { writeErr, writeOut } from "../output";
import { UserError } from "../../lib/util/errors";
import { currentProfile } from "../../lib/util/profile";
import { terminalProgress } from "../../lib/util/progress";
import { gpuStatus, requireGpu } from "../../lib/trainer-client/gpu";
import { train } from "../../lib/trainer-client/run";
import { serveModel } from "../../lib/trainer-client/serve";
import { trainerCommandLine, trainingPlan } from "../../lib/trainer-client/pipeline";
import { stageSteps, stepsLine } from "../../lib/trainer-client/steps";

const TRAIN = "options for sft/grpo/all/plan";
const SERVE = "options for serve";

const FLAGS = flagTable({
  task: { type: "string", arg: "T", group: TRAIN, help: "the task to train on (required)" },
  dataset: { type: "string", arg: "FILE", group: TRAIN, help: "another single-turn dataset" },
  set: { type: "strings", arg: "KEY=VALUE", group: TRAIN, help: "override a config key (repeatable), e.g. --set trl.max_steps=10" },
  json: { type: "boolean", group: TRAIN, help: "print the result as JSON" },
  model: { type: "string", arg: "DIR_OR_HUB_ID", group: SERVE, help: "the model to serve (required)" },
  name: { type: "string", arg: "N", group: SERVE, help: "the model name /v1/models reports", defaultText: "the model path" },
  port: { type: "int", arg: "P", max: 65535, group: SERVE, help: "0 picks a free port", default: 0 },
  backend: { type: "choice", choices: ["auto", "transformers", "vllm"], group: SERVE, help: "vllm on a CUDA GPU, transformers on CPU; auto picks", default: "auto" },
});

const usage = usageText({
  synopsis: "usage: stgrpo trainer <sft|grpo|all|plan|serve|gpu> [options]",
  about: `The GPU trainer (trainer/, notes/trainer.md). PROFILE=paper trains Qwen2.5-1.5B-Instruct with
trainer/configs/paper-*.yaml and needs a CUDA GPU; other profiles train the tests' tiny random model
(trainer/configs/ci-*.yaml) on CPU. Runs resume when rerun and are skipped once finished.

  sft  --task T      SFT on results/<profile>/expert/<task>/train.jsonl → results/<profile>/trainer/<task>/sft
  grpo --task T      GRPO from the task's SFT model → results/<profile>/trainer/<task>/grpo
  all  --task T      sft, then grpo (the paper's recipe)
  plan --task T      print the python commands these run and the optimizer steps each stage takes
                     (TRL's count on the task's dataset, planned when not yet written); train nothing
  serve --model DIR_OR_HUB_ID [--name N] [--port P] [--backend auto|transformers|vllm]
                     serve on an OpenAI-compatible endpoint until interrupted (prints the endpoint)
  gpu                say whether a CUDA GPU is usable (exit 1 with the reason if not)`,
  flags: FLAGS,
  after: `example:
  PROFILE=paper stgrpo trainer all --task burger
  stgrpo trainer serve --model results/paper/trainer/burger/grpo/final --name grpo-burger --port 8000`,
});

/** --set KEY=VALUE: VALUE as JSON when it parses (numbers, booleans, null), else as a string. */
function parseSets(items: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const i = item.indexOf("=");
    if (i <= 0) throw new UserError(`--set needs KEY=VALUE, got "${item}"`);
    const raw = item.slice(i + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[item.slice(0, i)] = value;
  }
  return out;
}

export const trainer: Command = {
  name: "trainer",
  summary: "the GPU trainer: TRL SFT + GRPO with the paper's recipe, and model serving (trainer/)",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS);
    const [sub, ...rest] = positionals;
    if (rest.length) throw new UserError(`unexpected argument "${rest[0]}"`);
    const profile = currentProfile();
    if (sub === "gpu") {
      const s = gpuStatus();
      if (values.json) printJson(s);
      else writeOut(s.problem ? `no usable GPU: ${s.problem}\n` : `${s.torchDevices} CUDA device(s): ${s.gpus.join("; ")}\n`);
      return s.problem ? 1 : 0;
    }
    if (sub === "serve") {
      if (!values.model) throw new UserError("serve needs --model DIR_OR_HUB_ID");
      const served = await serveModel({ model: values.model, name: values.name, port: values.port, backend: values.backend });
      printJson({ endpoint: served.endpoint, url: served.url, model: served.model, backend: served.backend });
      writeErr("serving; Ctrl-C stops\n");
      await new Promise<void>((resolve) => {
        const stop = () => served.stop().then(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        served.child.once("exit", () => resolve());
      });
      return 0;
    }
    if (sub !== "sft" && sub !== "grpo" && sub !== "all" && sub !== "plan") {
      throw new UserError(sub ? `unknown trainer command "${sub}" (sft, grpo, all, plan, serve, gpu)` : "trainer needs a command: sft, grpo, all, plan, serve or gpu");
    }
    if (!values.task) throw new UserError(`trainer ${sub} needs --task T`);
    const sets = parseSets(values.set);
    const plan = trainingPlan(values.task, { profile, dataset: values.dataset, set: { sft: sets, grpo: sets } });
    const stages = sub === "all" || sub === "plan" ? [plan.sft, plan.grpo] : [plan[sub]];
    if (sub === "plan") {
      const planned = stages.map((s) => ({ stage: s.stage, command: trainerCommandLine(s), steps: stageSteps(s, { plannedIfMissing: values.dataset === undefined }) }));
      if (values.json) printJson(planned);
      else for (const p of planned) writeOut(`# ${stepsLine(p.steps)}\n${p.command}\n`);
      return 0;
    }
    requireGpu({ profile });
    const results = [];
    for (const s of stages) {
      writeErr(`$ ${trainerCommandLine(s)}\n`);
      results.push(await train({ stage: s.stage, config: s.config, set: s.set, progress: terminalProgress() }));
    }
    const summary = results.map((r) => ({ stage: r.stage, final: r.final, steps: r.steps, metrics: r.metricsFile, already: r.already }));
    if (values.json) printJson(summary);
    else for (const r of summary) writeOut(`${r.stage}: ${r.final} (${r.steps} steps${r.already ? ", already finished" : ""})\n`);
    return 0;
  },
};
