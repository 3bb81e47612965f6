/**
 * The policies an evaluation can run, built from one spec (the CLI flags, a notebook cell): the planner
 * expert, uniform random, any OpenAI-compatible endpoint (the ReAct agent), and a CPU learner's
 * checkpoint (lib/learn).
 */
import { EndpointPolicy, EndpointPolicyOptions, ExpertPolicy, RandomPolicy, uniformDistribution } from "../agent/index";
import type { EvalPolicy } from "../eval/policy";
import { resolveTask } from "../env/index";
import { describeCheckpoint } from "../learn/checkpoints";
import { loadPolicy } from "../learn/checkpoint";
import { LearnedPolicy } from "../learn/policy";
import { UserError } from "../util/errors";

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
      const loaded = loadPolicy(spec.checkpoint);
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

