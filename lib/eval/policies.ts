/**
 * The policies an evaluation can run, built from one spec (the CLI flags, a notebook cell): the planner
 * expert, uniform random, any OpenAI-compatible endpoint (the ReAct agent), and a CPU learner's
 * checkpoint (lib/learn). lib/learn depends on lib/eval, so it is loaded lazily here, on first use of
 * `learned`, and never imported statically (the same way lib/agent loads lib/expert).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EndpointPolicy, EndpointPolicyOptions, ExpertPolicy, Policy, RandomPolicy } from "../agent/index";
import { isTaskId, resolveTask } from "../kitchen/index";
import { UserError } from "../util/errors";
import type { ChatModel } from "./singleturn";

export const POLICY_KINDS = ["expert", "random", "endpoint", "learned"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export interface PolicySpec {
  kind: PolicyKind;
  /** Name in the episode records (`model`); default: expert, random, the endpoint's model, the checkpoint's algorithm. */
  name?: string;
  /** The model's training task (`trained_on`); default null, or what a checkpoint's path says. */
  trainedOn?: string | null;
  /** endpoint: the server and request settings (endpoint URL required). */
  endpoint?: EndpointPolicyOptions;
  /** learned: a run directory or policy.json. */
  checkpoint?: string;
  /** learned: 1 samples π (default: the CPU study's decoding, the distribution the theory is about); 0 = greedy. */
  temperature?: number;
  /** random: the policy seed (default 0); learned: the sampling-stream seed (default: the study's training seed, else 0). */
  seed?: number;
  /**
   * endpoint: check first that the server answers and serves the model (default true). False only to
   * read back an evaluation whose episodes are all on file, with no server running.
   */
  preflight?: boolean;
}

/** A policy ready to evaluate, with what its records are labelled and how it was configured. */
export interface EvalPolicy {
  policy: Policy;
  model: string;
  trainedOn: string | null;
  /** The run id the policy's episodes carry by default (a CPU study checkpoint's `s<seed>`), if it has one. */
  run?: string;
  /** The settings in effect, for the config printout of a run. */
  config: Record<string, unknown>;
  /** π(·|s) over the valid actions, for policies that have one (random, learned): exact single-turn accuracy. */
  distribution?: ActionDistribution;
  /** For endpoints: the chat model and its prompt, to sample single-turn replies. */
  chatModel?: ChatModel;
  /** For endpoints: the policy (its client's counters). */
  endpoint?: EndpointPolicy;
}

/** A policy's action distribution at a state: probabilities aligned with `validActions`. */
export type ActionDistribution = (observation: string, validActions: readonly string[]) => ArrayLike<number>;

/** Uniform over the valid actions: the random policy's π(·|s). */
export const uniformDistribution: ActionDistribution = (_obs, valid) => new Float64Array(valid.length).fill(1 / valid.length);

/** Build the policy of a spec; endpoints are checked first (reachable, model served: one-line errors). */
export async function makePolicy(spec: PolicySpec): Promise<EvalPolicy> {
  const trainedOn = spec.trainedOn === undefined || spec.trainedOn === null ? null : resolveTask(spec.trainedOn).id;
  switch (spec.kind) {
    case "expert": {
      const policy = new ExpertPolicy({ name: spec.name ?? "expert" });
      return { policy, model: policy.name, trainedOn, config: { policy: "expert", planner: "lib/expert planOptimal" } };
    }
    case "random": {
      const policy = new RandomPolicy(spec.seed ?? 0, spec.name ?? "random");
      return { policy, model: policy.name, trainedOn, config: { policy: "random", seed: policy.seed }, distribution: uniformDistribution };
    }
    case "endpoint": {
      if (!spec.endpoint?.endpoint) throw new UserError("--policy endpoint needs --endpoint URL");
      const policy = new EndpointPolicy({ ...spec.endpoint, name: spec.name ?? spec.endpoint.name });
      const served = spec.preflight === false ? (spec.endpoint.model ?? "endpoint") : await policy.client.preflight(); // the model name requests carry
      const model = spec.name ?? spec.endpoint.name ?? served;
      const { exampleMessages, ...prompt } = policy.prompt;
      const config = { policy: "endpoint", ...policy.client.settings, model: served, prompt: { ...prompt, exampleMessages: exampleMessages?.length ?? 0 } };
      const chatModel = { chat: policy.client.complete.bind(policy.client), prompt: policy.prompt };
      return { policy, model, trainedOn, config, endpoint: policy, chatModel };
    }
    case "learned": {
      if (!spec.checkpoint) throw new UserError("--policy learned needs --checkpoint DIR");
      const found = describeCheckpoint(spec.checkpoint);
      const loaded = learnModule().loadPolicy(spec.checkpoint);
      const LearnedPolicy = learnPolicyModule().LearnedPolicy;
      const model = spec.name ?? found.model;
      const policy = new LearnedPolicy(loaded, { name: model, temperature: spec.temperature ?? 1, seed: spec.seed ?? found.seed ?? 0 });
      return {
        policy,
        model,
        trainedOn: trainedOn ?? found.trainedOn,
        run: found.studyRun ?? undefined,
        config: { policy: "learned", checkpoint: spec.checkpoint, algo: loaded.meta.algo ?? null, temperature: policy.temperature, seed: policy.seed },
        distribution: (obs, valid) => policy.probs(obs, valid),
      };
    }
    default:
      throw new UserError(`unknown policy "${(spec as { kind: string }).kind}" (known: ${POLICY_KINDS.join(", ")})`);
  }
}

// ---- CPU learners' checkpoints (lib/learn, loaded lazily) ----

interface LearnCheckpointModule {
  loadPolicy(fileOrDir: string): { meta: Record<string, unknown> };
}
interface LearnPolicyModule {
  LearnedPolicy: new (
    p: any,
    o: { name?: string; temperature?: number; seed?: number },
  ) => Policy & { temperature: number; seed: number; probs(o: string, v: readonly string[]): Float64Array };
}

function learnModule(): LearnCheckpointModule {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("../learn/checkpoint");
}
function learnPolicyModule(): LearnPolicyModule {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("../learn/policy");
}

/** A checkpoint found on disk, with the labels its episodes get. */
export interface CheckpointInfo {
  /** The run directory (or policy file). */
  path: string;
  /** `untrained`, `sft`, `sft+grpo` (GRPO from an SFT policy), `grpo`, `multiturn-grpo`. */
  model: string;
  /** The training task, read from the path (`…/learn/<task>/…`) or the run's config; null when neither names one. */
  trainedOn: string | null;
  /** The run id: the checkpoint's directory relative to the search root (one per training seed). */
  run: string;
  algo: string;
  /** From the CPU study's `study.json` beside the policy, when present: its episodes' run id and sampling seed. */
  studyRun: string | null;
  seed: number | null;
}

/**
 * The paper's model names for lib/learn's algorithms (meta.algo, following `parent` for GRPO's start):
 * `untrained`, `sft`, `sft+grpo` (GRPO from SFT; `grpo` from anything else), `multiturn-grpo`. A run
 * directory's variant beyond the algorithm (the CPU study's `grpo-beta0.1`, `sft-light`) is appended
 * as the study labels it: `sft+grpo(beta=0.1)`, `sft(light)`.
 */
export function modelNameOfMeta(meta: Record<string, unknown>, variant = ""): string {
  const algo = String(meta.algo ?? "policy");
  const parent = (meta.parent ?? null) as Record<string, unknown> | null;
  const base = algo === "grpo" ? (parent?.algo === "sft" ? "sft+grpo" : "grpo") : algo === "multiturn" ? "multiturn-grpo" : algo;
  const rest = variant.startsWith(`${algo}-`) ? variant.slice(algo.length + 1) : "";
  if (!rest) return base;
  return rest
    .split("-")
    .map((part) => (/^beta[\d.e-]+$/.test(part) ? `(beta=${part.slice(4)})` : `(${part})`))
    .reduce((name, label) => name + label, base);
}

function readJsonQuiet(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** Labels of one checkpoint: model name from its meta, training task from its path or config. */
export function describeCheckpoint(fileOrDir: string, root?: string): CheckpointInfo {
  const isDir = fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory();
  const policyFile = isDir ? path.join(fileOrDir, "policy.json") : fileOrDir;
  const dir = isDir ? fileOrDir : path.dirname(fileOrDir);
  const pol = readJsonQuiet(policyFile);
  if (!pol) throw new UserError(`policy ${policyFile} does not exist or is not JSON`);
  const meta = (pol.meta ?? {}) as Record<string, unknown>;
  const config = readJsonQuiet(path.join(dir, "config.json"));
  const fromPath = path
    .resolve(dir)
    .split(path.sep)
    .reverse()
    .find((part) => isTaskId(part));
  const fromConfig = typeof config?.task === "string" && isTaskId(config.task) ? config.task : null;
  // The CPU study labels its runs in study.json (model, trained_on, run, seed): those win.
  const study = readJsonQuiet(path.join(dir, "study.json")) as { model?: unknown; trained_on?: unknown; run?: unknown; seed?: unknown } | null;
  const studyTask = typeof study?.trained_on === "string" && isTaskId(study.trained_on) ? study.trained_on : null;
  const task = studyTask ?? fromConfig ?? fromPath ?? null;
  const rel = root ? path.relative(root, dir) : path.basename(dir);
  const variant = path.basename(dir).replace(/-s\d+$/, "");
  return {
    path: fileOrDir,
    model: typeof study?.model === "string" && study.model ? study.model : modelNameOfMeta(meta, variant),
    trainedOn: task ? resolveTask(task).id : null,
    run: rel === "" ? path.basename(dir) : rel.split(path.sep).join("/"),
    algo: String(meta.algo ?? "policy"),
    studyRun: typeof study?.run === "string" ? study.run : null,
    seed: Number.isInteger(study?.seed) ? (study!.seed as number) : null,
  };
}

/** Every finished CPU learner under `root` (a directory holding `policy.json`), sorted by path; none → []. */
export function findCheckpoints(root: string): CheckpointInfo[] {
  if (!fs.existsSync(root)) return [];
  const out: CheckpointInfo[] = [];
  const walk = (d: string) => {
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.some((e) => e.isFile() && e.name === "policy.json")) out.push(describeCheckpoint(d, root));
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(root);
  return out;
}
