/**
 * `stgrpo eval`: the paper's multi-turn protocol (or the extended one) for the expert, random, an
 * OpenAI-compatible endpoint, or a CPU learner's checkpoint. Appends episodes to --out and resumes
 * what is there; prints per-task SR/ASAT/ASST (DESIGN.md's contract with --json).
 */
import * as fs from "node:fs";
import { Command, intFlag, numberFlag, parseFlags, printJson } from "../command";
import { UserError } from "../../lib/util/errors";
import { writeFileAtomic } from "../../lib/util/files";
import { silentProgress, terminalProgress } from "../../lib/util/progress";
import { makeKitchen } from "../../lib/kitchen/index";
import { ENDPOINT_DEFAULTS, EndpointPolicyOptions, PromptConfig } from "../../lib/agent/index";
import { extendedProtocol, paperProtocol, parseSeeds, parseTasks, Protocol } from "../../lib/eval/protocol";
import { evaluateRun } from "../../lib/eval/evaluate";
import { contractSummary } from "../../lib/eval/metrics";
import { makePolicy, POLICY_KINDS, PolicyKind, PolicySpec } from "../../lib/eval/policies";
import { readExpertTrajectories, singleTurnCheck, SingleTurnReport } from "../../lib/eval/singleturn";
import { evaluationTrajectories } from "../../lib/eval/study";
import { expertTrajectory } from "../../lib/expert/index";
import { metricsMarkdown, prefixMarkdown, theoremMarkdown } from "../../lib/eval/format";

const usage = `usage: stgrpo eval --policy expert|random|endpoint|learned --out FILE.jsonl [options]

Run the multi-turn protocol: at each state the policy picks one valid action until the goal holds
(success) or the task's timeout is reached; malformed or invalid replies are re-prompted with error
feedback, up to 5 replies per step (retries are not steps), and after 3 steps without an accepted
reply the agent gives up (Robotouille's rules). Episodes are appended to FILE as they finish, in
protocol order; rerunning the same command resumes and never counts an episode twice.

what:
  --policy P              expert (lib/expert's optimal planner), random (uniform over the valid
                          actions), endpoint (the ReAct agent on an OpenAI-compatible server),
                          learned (a CPU learner's checkpoint, lib/learn)
  --protocol NAME         paper (default): the four paper tasks, seeds 42,84,…,420, timeouts
                          15/15/23/35; extended: all ten synchronous tasks, --seeds-per-task seeds
                          42·k (the paper's ten first), the same rules
  --tasks T[,T…]          task ids (cheese_sandwich, burger, cheese_burger, double_cheese_burger, or a
                          Robotouille stem 0_cheese_sandwich … 9_…), or paper / all (default: the protocol's)
  --seeds LIST            layout seeds: 42,84 ranges 100-199 and default (the hand-made layout);
                          default: the protocol's
  --seeds-per-task N      extended protocol: seeds 42·1 … 42·N (default 100)
  --timeout N             one step budget for every task (default: each task's, ceil(1.5 × optimal_steps))

output:
  --out FILE              episode JSONL (required): {run, model, trained_on, task, seed, success, steps,
                          timeout, actions, invalid_replies, wall_ms, protocol, steps_taken, attempts,
                          retries, exhaustions, gave_up}; steps = the timeout for a failed episode
  --traces FILE           also append per-episode traces (observations, raw replies, per-turn counts)
  --run NAME              run id of the records (default: the protocol name: paper, extended-N, or
                          custom when --seeds or --timeout is given; a study checkpoint's s<k>); one per
                          training seed
  --name NAME             model name in the records (default: expert, random, the endpoint's model,
                          or the checkpoint's algorithm: sft, sft+grpo, multiturn-grpo, untrained)
  --trained-on TASK       the task the model was trained on (default null; learned: read from the
                          checkpoint's path …/<task>/…)
  --concurrency N         episodes at once (default 1; endpoint 8); the file is the same for any N
  --summary FILE          write every metric (bootstrap intervals, counts) and the single-turn
                          check as JSON
  --json                  print {"<task>": {"n","sr","asat","asst","sr_ci":[lo,hi]}} (asst null when
                          nothing succeeded); otherwise a Markdown table with every interval
  --quiet                 no progress line on stderr

endpoint (any OpenAI-compatible /v1/chat/completions server, through @huggingface/inference):
  --endpoint URL          http://host:8000, …/v1 or …/v1/chat/completions
  --model NAME            model name sent (default: the first id of GET /v1/models)
  --token T               bearer token (default: $HF_TOKEN)
  --temperature X         sampling temperature (default ${ENDPOINT_DEFAULTS.temperature}; learned: default 1, sampling
                          π as the CPU study and the theory do; 0 = greedy)
  --max-tokens N          completion cap (default ${ENDPOINT_DEFAULTS.maxTokens})
  --top-p X               nucleus sampling (default ${ENDPOINT_DEFAULTS.topP})
  --sampling-seed N       per-request seeds derived from N, so a rerun repeats the samples (default:
                          none); random: the policy seed (default 0); learned: the sampling seed
  --request-timeout S     seconds per request (default ${ENDPOINT_DEFAULTS.timeoutMs / 1000})
  --retries N             retries per request on connection errors, timeouts, 5xx, 408, 429
                          (default ${ENDPOINT_DEFAULTS.retries})
  --backoff-ms MS         first backoff, doubled per retry, capped at 30 s (default ${ENDPOINT_DEFAULTS.backoffMs})
  --history K             completed steps shown: 0, K, or all (default 1: the last reasoning and action)
  --history-observations  show previous observations in the history (Robotouille's 1.4.x prompts)
  --no-example            leave out Robotouille's in-context example (about 5–6k tokens per request)
  --alternate-roles       merge consecutive same-role messages (strict chat templates)

learned:
  --checkpoint DIR        a lib/learn run directory (its policy.json) or a policy file. A CPU study run
                          (its study.json) gives the defaults of --name, --trained-on, --run (s<k>) and
                          --sampling-seed (k): the study's own episodes, so its files resume

single-turn accuracy along expert trajectories (Theorem 3.2's product vs measured minimal-step success):
  --expert-trajectories FILE   lib/expert trajectory JSONL of the evaluated layouts; when FILE does
                          not exist, the planner's trajectories of the evaluated layouts are written there
  --samples K             endpoint: replies sampled per expert state (default 8)
  --rollouts N            random/learned: Monte Carlo rollouts per layout (default 1000)

examples:
  stgrpo eval --policy expert --out results/cpu/eval/paper/expert.jsonl --json
  stgrpo eval --policy random --protocol extended --seeds-per-task 100 --out results/cpu/eval/extended/random.jsonl
  stgrpo eval --policy endpoint --endpoint http://localhost:8000 --model Qwen/Qwen2.5-1.5B-Instruct \\
              --tasks burger --out results/paper/eval/paper/qwen1.5b.jsonl --json
  stgrpo eval --policy learned --checkpoint results/cpu/learn/burger/grpo-s0 --run grpo-s0 \\
              --out results/cpu/eval/paper/learned.jsonl`;

export const EVAL_FLAGS = {
  policy: { type: "string" },
  protocol: { type: "string" },
  tasks: { type: "string" },
  seeds: { type: "string" },
  "seeds-per-task": { type: "string" },
  timeout: { type: "string" },
  out: { type: "string" },
  traces: { type: "string" },
  run: { type: "string" },
  name: { type: "string" },
  "trained-on": { type: "string" },
  concurrency: { type: "string" },
  summary: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  endpoint: { type: "string" },
  model: { type: "string" },
  token: { type: "string" },
  temperature: { type: "string" },
  "max-tokens": { type: "string" },
  "top-p": { type: "string" },
  "sampling-seed": { type: "string" },
  "request-timeout": { type: "string" },
  retries: { type: "string" },
  "backoff-ms": { type: "string" },
  history: { type: "string" },
  "history-observations": { type: "boolean" },
  "no-example": { type: "boolean" },
  "alternate-roles": { type: "boolean" },
  checkpoint: { type: "string" },
  "expert-trajectories": { type: "string" },
  samples: { type: "string" },
  rollouts: { type: "string" },
} as const;

type Values = ReturnType<typeof parseFlags<typeof EVAL_FLAGS>>["values"];

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  const x = intFlag(name, value, fallback);
  if (x < 1) throw new UserError(`--${name} must be a positive integer, got "${value}"`);
  return x;
}

/** The protocol the flags describe: --protocol, narrowed by --tasks, replaced by --seeds. */
export function protocolOf(v: Values): Protocol {
  const name = v.protocol ?? "paper";
  if (name !== "paper" && name !== "extended") throw new UserError(`--protocol must be paper or extended, got "${name}"`);
  if (v["seeds-per-task"] !== undefined && name !== "extended") throw new UserError("--seeds-per-task needs --protocol extended");
  const base = name === "paper" ? paperProtocol() : extendedProtocol(undefined, positiveInt("seeds-per-task", v["seeds-per-task"], 100));
  const tasks = v.tasks !== undefined ? parseTasks(v.tasks) : base.tasks;
  const seeds = v.seeds !== undefined ? parseSeeds(v.seeds) : base.seeds;
  const custom = v.seeds !== undefined || v.timeout !== undefined;
  return { name: custom ? "custom" : base.name, tasks, seeds };
}

function endpointOptions(v: Values, concurrency: number): EndpointPolicyOptions {
  if (!v.endpoint) throw new UserError("--policy endpoint needs --endpoint URL");
  const prompt: Partial<PromptConfig> = {};
  if (v.history !== undefined) prompt.historyTurns = v.history === "all" ? Infinity : intFlag("history", v.history);
  if (v["history-observations"]) prompt.historyObservations = true;
  if (v["no-example"]) prompt.inContextExample = false;
  if (v["alternate-roles"]) prompt.alternateRoles = true;
  const temperature = numberFlag("temperature", v.temperature, ENDPOINT_DEFAULTS.temperature);
  if (temperature < 0) throw new UserError(`--temperature must be ≥ 0, got "${v.temperature}"`);
  const requestTimeout = numberFlag("request-timeout", v["request-timeout"], ENDPOINT_DEFAULTS.timeoutMs / 1000);
  if (!(requestTimeout > 0)) throw new UserError(`--request-timeout must be positive, got "${v["request-timeout"]}"`);
  return {
    endpoint: v.endpoint,
    model: v.model,
    token: v.token,
    temperature,
    maxTokens: positiveInt("max-tokens", v["max-tokens"], ENDPOINT_DEFAULTS.maxTokens),
    topP: numberFlag("top-p", v["top-p"], ENDPOINT_DEFAULTS.topP),
    seed: v["sampling-seed"] === undefined ? null : intFlag("sampling-seed", v["sampling-seed"]),
    timeoutMs: requestTimeout * 1000,
    retries: intFlag("retries", v.retries, ENDPOINT_DEFAULTS.retries),
    backoffMs: intFlag("backoff-ms", v["backoff-ms"], ENDPOINT_DEFAULTS.backoffMs),
    concurrency,
    prompt,
  };
}

/** The policy spec the flags describe (flags of another policy kind are refused, so typos surface). */
export function policySpecOf(v: Values, concurrency: number): PolicySpec {
  const kind = v.policy as PolicyKind | undefined;
  if (!kind) throw new UserError(`--policy is required (${POLICY_KINDS.join(", ")})`);
  if (!(POLICY_KINDS as readonly string[]).includes(kind)) throw new UserError(`--policy must be one of ${POLICY_KINDS.join(", ")}, got "${kind}"`);
  const endpointOnly = ["endpoint", "model", "token", "max-tokens", "top-p", "request-timeout", "retries", "backoff-ms", "history", "history-observations", "no-example", "alternate-roles", "samples"] as const;
  for (const f of endpointOnly) if (kind !== "endpoint" && v[f] !== undefined) throw new UserError(`--${f} is for --policy endpoint`);
  if (kind !== "learned" && v.checkpoint !== undefined) throw new UserError("--checkpoint is for --policy learned");
  if (kind !== "endpoint" && kind !== "learned" && v.temperature !== undefined) throw new UserError("--temperature is for --policy endpoint or learned");
  const spec: PolicySpec = { kind, name: v.name, trainedOn: v["trained-on"] ?? null };
  if (kind === "endpoint") spec.endpoint = endpointOptions(v, concurrency);
  if (kind === "learned") {
    spec.checkpoint = v.checkpoint;
    spec.temperature = numberFlag("temperature", v.temperature, 1);
    if (spec.temperature < 0) throw new UserError(`--temperature must be ≥ 0, got "${v.temperature}"`);
  }
  if (kind === "random") spec.seed = intFlag("sampling-seed", v["sampling-seed"], 0);
  if (kind === "learned" && v["sampling-seed"] !== undefined) spec.seed = intFlag("sampling-seed", v["sampling-seed"]);
  return spec;
}

export const evalCommand: Command = {
  name: "eval",
  summary: "multi-turn evaluation (paper or extended protocol): SR, ASAT, ASST with intervals",
  usage,
  async run(argv) {
    const { values: v, positionals } = parseFlags(argv, EVAL_FLAGS);
    if (positionals.length) throw new UserError(`unexpected argument "${positionals[0]}" (tasks go in --tasks)`);
    if (!v.out) throw new UserError("--out FILE.jsonl is required");
    const protocol = protocolOf(v);
    const timeout = v.timeout === undefined ? undefined : positiveInt("timeout", v.timeout, 1);
    const concurrency = positiveInt("concurrency", v.concurrency, v.policy === "endpoint" ? 8 : 1);
    const spec = policySpecOf(v, concurrency);
    if (v["expert-trajectories"] === undefined && (v.samples !== undefined || v.rollouts !== undefined)) {
      throw new UserError("--samples and --rollouts need --expert-trajectories FILE");
    }
    // Read the trajectories before the (long) run, so a wrong file fails at once.
    const trajFile = v["expert-trajectories"];
    const trajectories = trajFile
      ? (fs.existsSync(trajFile) ? readExpertTrajectories(trajFile) : evaluationTrajectories(protocol, expertTrajectory, trajFile)).filter((t) =>
          protocol.tasks.some((x) => x.id === t.task),
        )
      : null;
    if (trajectories && trajectories.length === 0) throw new UserError(`${v["expert-trajectories"]} has no trajectory of the evaluated tasks`);
    const samples = positiveInt("samples", v.samples, 8);
    const rollouts = positiveInt("rollouts", v.rollouts, 1000);

    const p = await makePolicy(spec);
    const run = v.run ?? p.run ?? protocol.name;
    const result = await evaluateRun(p.policy, {
      run,
      model: p.model,
      trainedOn: p.trainedOn,
      tasks: protocol.tasks,
      seeds: protocol.seeds,
      protocol: protocol.name,
      out: v.out,
      traces: v.traces,
      concurrency,
      timeout,
      progress: v.quiet ? silentProgress : terminalProgress(),
    });
    let single: SingleTurnReport | null = null;
    if (trajectories) {
      single = await singleTurnCheck(p, trajectories, { samples, rollouts, episodes: result.episodes, start: (task, seed) => makeKitchen(task, seed) });
    }
    if (v.summary) {
      const summary = { command: ["stgrpo", "eval", ...argv], config: p.config, protocol: protocol.name, run, model: p.model, trained_on: p.trainedOn, ran: result.ran, resumed: result.resumed, metrics: result.metrics, single_turn: single };
      writeFileAtomic(v.summary, JSON.stringify(summary, null, 2) + "\n");
    }
    if (v.json) {
      printJson(Object.fromEntries(Object.entries(result.metrics).map(([task, m]) => [task, contractSummary(m)])));
      return 0;
    }
    const out: string[] = [metricsMarkdown(Object.entries(result.metrics).map(([task, metrics]) => ({ model: p.model, task, metrics })))];
    if (single) {
      out.push("", `single-turn accuracy along ${trajectories!.length} expert trajectories (${single.method}):`, theoremMarkdown(single.rows));
      if (single.prefixes.length) out.push("", prefixMarkdown(single.prefixes));
    }
    out.push("", `${v.out}: ${result.ran} episode(s) run, ${result.resumed} resumed`);
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  },
};
