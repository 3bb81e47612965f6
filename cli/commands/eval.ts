/**
 * `stgrpo eval`: the paper's multi-turn protocol (or the extended one) for the expert, random, an
 * OpenAI-compatible endpoint, or a CPU learner's checkpoint. Appends episodes to --out and resumes
 * what is there; prints per-task SR/ASAT/ASST (docs/design.md's contract with --json).
 */
import { Command, printJson } from "../command";
import { flagTable, FlagValues, parseFlags, usageText } from "../flags";
import { writeOut } from "../output";
import { UserError } from "../../lib/util/errors";
import { writeFileAtomic } from "../../lib/util/files";
import { parseInteger } from "../../lib/util/numbers";
import { checkInputFile, ensureOutputFile } from "../../lib/util/paths";
import { silentProgress, terminalProgress } from "../../lib/util/progress";
import { makeKitchen } from "../../lib/kitchen/index";
import { ENDPOINT_DEFAULTS, EndpointPolicyOptions, PromptConfig } from "../../lib/agent/index";
import { extendedProtocol, paperProtocol, parseSeeds, parseTasks, Protocol, oneFamily, checkProtocolSeeds } from "../../lib/eval/protocol";
import { episodeSettings, evaluateRun } from "../../lib/eval/evaluate";
import { contractSummary } from "../../lib/eval/metrics";
import { makePolicy, POLICY_KINDS, PolicySpec } from "../../lib/workflows/policies";
import { readExpertTrajectories } from "../../lib/expert/index";
import { singleTurnCheck, SingleTurnReport } from "../../lib/eval/singleturn";
import { evaluationTrajectories } from "../../lib/workflows/evaluation";
import { expertTrajectory } from "../../lib/expert/index";
import { metricsMarkdown, prefixMarkdown, theoremMarkdown } from "../../lib/eval/format";

const WHAT = "what";
const OUTPUT = "output";
const ENDPOINT = "endpoint (any OpenAI-compatible /v1/chat/completions server, through @huggingface/inference)";
const LEARNED = "learned";
const SINGLE = "single-turn accuracy along expert trajectories (Theorem 3.2's product vs measured minimal-step success)";

/** The endpoint's flags, shared with `stgrpo expert --expert llm`. */
export const ENDPOINT_FLAGS = flagTable({
  endpoint: { type: "string", arg: "URL", group: ENDPOINT, help: "http://host:8000, …/v1 or …/v1/chat/completions" },
  model: { type: "string", arg: "NAME", group: ENDPOINT, help: "model name sent", defaultText: "the first id of GET /v1/models" },
  token: { type: "string", arg: "T", group: ENDPOINT, help: "bearer token", defaultText: "$HF_TOKEN" },
  temperature: {
    type: "number", arg: "X", min: 0, group: ENDPOINT,
    help: "sampling temperature (0 = greedy); learned: sampling π as the CPU study and the theory do",
    defaultText: `${ENDPOINT_DEFAULTS.temperature}; learned: 1`,
  },
  "max-tokens": { type: "int", arg: "N", min: 1, group: ENDPOINT, help: "completion cap", default: ENDPOINT_DEFAULTS.maxTokens },
  "top-p": { type: "number", arg: "X", min: 0, max: 1, minExclusive: true, group: ENDPOINT, help: "nucleus sampling", default: ENDPOINT_DEFAULTS.topP },
  "sampling-seed": {
    type: "int", arg: "N", group: ENDPOINT,
    help: "per-request seeds derived from N, so a rerun repeats the samples; random: the policy seed; learned: the sampling seed",
    defaultText: "none; random: 0; learned: the study's training seed, else 0",
  },
  "request-timeout": { type: "number", arg: "S", min: 0, minExclusive: true, group: ENDPOINT, help: "seconds per request", default: ENDPOINT_DEFAULTS.timeoutMs / 1000 },
  retries: { type: "int", arg: "N", group: ENDPOINT, help: "retries per request on connection errors, timeouts, malformed replies, 5xx, 408, 429", default: ENDPOINT_DEFAULTS.retries },
  "backoff-ms": { type: "int", arg: "MS", group: ENDPOINT, help: "first backoff, doubled per retry, capped at 30 s", default: ENDPOINT_DEFAULTS.backoffMs },
  history: { type: "string", arg: "K", group: ENDPOINT, help: "completed steps shown: 0, K, or all (1: the last reasoning and action)", defaultText: "1" },
  "history-observations": { type: "boolean", group: ENDPOINT, help: "show previous observations in the history (Robotouille's 1.4.x prompts)" },
  "no-example": { type: "boolean", group: ENDPOINT, help: "leave out Robotouille's in-context example (about 5–6k tokens per request)" },
  "alternate-roles": { type: "boolean", group: ENDPOINT, help: "merge consecutive same-role messages (strict chat templates)" },
});

export const EVAL_FLAGS = flagTable({
  policy: {
    type: "choice", choices: POLICY_KINDS, group: WHAT,
    help: "expert (lib/expert's optimal planner), random (uniform over the valid actions), endpoint (the ReAct agent on an OpenAI-compatible server), learned (a CPU learner's checkpoint, lib/learn)",
  },
  protocol: {
    type: "choice", choices: ["paper", "extended"], default: "paper", group: WHAT,
    help: "paper: the four paper tasks, seeds 42,84,…,420, timeouts 15/15/23/35; extended: all ten synchronous tasks, --seeds-per-task seeds 42·k (the paper's ten first), the same rules",
  },
  tasks: {
    type: "string", arg: "T[,T…]", group: WHAT, defaultText: "the protocol's",
    help: "task ids (cheese_sandwich, burger, cheese_burger, double_cheese_burger, or a Robotouille stem 0_cheese_sandwich … 9_…), or paper / all",
  },
  seeds: { type: "string", arg: "LIST", group: WHAT, defaultText: "the protocol's", help: "layout seeds: 42,84 ranges 100-199 and default (the hand-made layout); any non-negative integer, as for --seed" },
  "seeds-per-task": { type: "int", arg: "N", min: 1, group: WHAT, defaultText: "100", help: "extended protocol: seeds 42·1 … 42·N" },
  timeout: { type: "int", arg: "N", min: 1, group: WHAT, defaultText: "each task's, ceil(1.5 × optimal_steps)", help: "one step budget for every task" },
  out: {
    type: "string", arg: "FILE", group: OUTPUT,
    help: "episode JSONL (required): {run, model, trained_on, task, seed, success, steps, timeout, actions, invalid_replies, wall_ms, protocol, steps_taken, attempts, retries, exhaustions, gave_up, settings}; steps = the timeout for a failed episode; settings = the options that shape the episodes, checked when a rerun resumes the file",
  },
  traces: { type: "string", arg: "FILE", group: OUTPUT, help: "also append per-episode traces (observations, raw replies, per-turn counts)" },
  run: {
    type: "string", arg: "NAME", group: OUTPUT,
    help: "run id of the records; one per training seed",
    defaultText: "the protocol name: paper, extended-N, or custom when --seeds or --timeout is given; a study checkpoint's s<k>",
  },
  name: {
    type: "string", arg: "NAME", group: OUTPUT, help: "model name in the records",
    defaultText: "expert, random, the endpoint's model, or the checkpoint's algorithm: sft, sft+grpo, multiturn-grpo, untrained",
  },
  "trained-on": { type: "string", arg: "TASK", group: OUTPUT, help: "the task the model was trained on", defaultText: "null; learned: read from the checkpoint's path …/<task>/…" },
  concurrency: { type: "int", arg: "N", min: 1, group: OUTPUT, help: "episodes at once; the file is the same for any N", defaultText: "1; endpoint 8" },
  summary: { type: "string", arg: "FILE", group: OUTPUT, help: "write every metric (bootstrap intervals, counts) and the single-turn check as JSON" },
  json: {
    type: "boolean", group: OUTPUT,
    help: 'print {"<task>": {"n","sr","asat","asst","sr_ci":[lo,hi]}} (asst null when nothing succeeded); otherwise a Markdown table with every interval',
  },
  quiet: { type: "boolean", group: OUTPUT, help: "no progress line on stderr" },
  ...ENDPOINT_FLAGS,
  checkpoint: {
    type: "string", arg: "DIR", group: LEARNED,
    help: "a lib/learn run directory (its policy.json) or a policy file. A CPU study run (its study.json) gives the defaults of --name, --trained-on, --run (s<k>) and --sampling-seed (k): the study's own episodes, so its files resume",
  },
  "expert-trajectories": {
    type: "string", arg: "FILE", group: SINGLE,
    help: "lib/expert trajectory JSONL of the evaluated layouts; when FILE does not exist, the planner's trajectories of the evaluated layouts are written there",
  },
  samples: { type: "int", arg: "K", min: 1, group: SINGLE, help: "endpoint: replies sampled per expert state", default: 8 },
  rollouts: { type: "int", arg: "N", min: 1, group: SINGLE, help: "random/learned: Monte Carlo rollouts per layout", default: 1000 },
});

const usage = usageText({
  synopsis: "usage: stgrpo eval --policy expert|random|endpoint|learned --out FILE.jsonl [options]",
  about: `Run the multi-turn protocol: at each state the policy picks one valid action until the goal holds
(success) or the task's timeout is reached; malformed or invalid replies are re-prompted with error
feedback, up to 5 replies per step (retries are not steps), and after 3 steps without an accepted
reply the agent gives up (Robotouille's rules). Episodes are appended to FILE as they finish, in
protocol order; rerunning the same command resumes and never counts an episode twice. A rerun with
options that would change the episodes (another --sampling-seed, temperature, prompt, model…) is
refused, naming them: use another --out or --run.`,
  flags: EVAL_FLAGS,
  after: `examples:
  stgrpo eval --policy expert --out results/cpu/eval/paper/expert.jsonl --json
  stgrpo eval --policy random --protocol extended --seeds-per-task 100 --out results/cpu/eval/extended/random.jsonl
  stgrpo eval --policy endpoint --endpoint http://localhost:8000 --model Qwen/Qwen2.5-1.5B-Instruct \\
              --tasks burger --out results/paper/eval/paper/qwen1.5b.jsonl --json
  stgrpo eval --policy learned --checkpoint results/cpu/learn/burger/grpo-s0 --run grpo-s0 \\
              --out results/cpu/eval/paper/learned.jsonl`,
});

type Values = FlagValues<typeof EVAL_FLAGS>;
type Given = Set<keyof typeof EVAL_FLAGS & string>;

/** The protocol the flags describe: --protocol, narrowed by --tasks, replaced by --seeds. */
function protocolOf(v: Values): Protocol {
  const name = v.protocol;
  if (v["seeds-per-task"] !== undefined && name !== "extended") throw new UserError("--seeds-per-task needs --protocol extended");
  // The tasks decide the environment family, whose evaluation seeds the protocol plays.
  const tasks = v.tasks !== undefined ? parseTasks(v.tasks) : undefined;
  const env = tasks ? oneFamily(tasks) : "robotouille";
  const base = name === "paper" ? paperProtocol(env) : extendedProtocol(tasks ?? undefined, v["seeds-per-task"] ?? 100);
  const seeds = v.seeds !== undefined ? parseSeeds(v.seeds) : base.seeds;
  const custom = v.seeds !== undefined || v.timeout !== undefined;
  const protocol = { name: custom ? "custom" : base.name, tasks: tasks ?? base.tasks, seeds };
  checkProtocolSeeds(protocol);
  return protocol;
}

/** `--history K`: 0, K or all. */
export function historyTurns(flag: string, text: string): number {
  return text === "all" ? Infinity : parseInteger(flag, text);
}

function endpointOptions(v: Values, concurrency: number): EndpointPolicyOptions {
  if (!v.endpoint) throw new UserError("--policy endpoint needs --endpoint URL");
  const prompt: Partial<PromptConfig> = {};
  if (v.history !== undefined) prompt.historyTurns = historyTurns("--history", v.history);
  if (v["history-observations"]) prompt.historyObservations = true;
  if (v["no-example"]) prompt.inContextExample = false;
  if (v["alternate-roles"]) prompt.alternateRoles = true;
  return {
    endpoint: v.endpoint,
    model: v.model,
    token: v.token,
    temperature: v.temperature ?? ENDPOINT_DEFAULTS.temperature,
    maxTokens: v["max-tokens"],
    topP: v["top-p"],
    seed: v["sampling-seed"] ?? null,
    timeoutMs: v["request-timeout"] * 1000,
    retries: v.retries,
    backoffMs: v["backoff-ms"],
    concurrency,
    prompt,
  };
}

/** Flags only the endpoint policy takes. */
const ENDPOINT_ONLY = ["endpoint", "model", "token", "max-tokens", "top-p", "request-timeout", "retries", "backoff-ms", "history", "history-observations", "no-example", "alternate-roles", "samples"] as const;

/** The policy spec the flags describe (flags of another policy kind are refused, so typos surface). */
export function policySpecOf(v: Values, given: Given, concurrency: number): PolicySpec {
  const kind = v.policy;
  if (!kind) throw new UserError(`--policy is required (${POLICY_KINDS.join(", ")})`);
  for (const f of ENDPOINT_ONLY) if (kind !== "endpoint" && given.has(f)) throw new UserError(`--${f} is for --policy endpoint`);
  if (kind !== "learned" && given.has("checkpoint")) throw new UserError("--checkpoint is for --policy learned");
  if (kind !== "endpoint" && kind !== "learned" && given.has("temperature")) throw new UserError("--temperature is for --policy endpoint or learned");
  const spec: PolicySpec = { kind, name: v.name, trainedOn: v["trained-on"] ?? null };
  if (kind === "endpoint") spec.endpoint = endpointOptions(v, concurrency);
  if (kind === "learned") {
    spec.checkpoint = v.checkpoint;
    spec.temperature = v.temperature ?? 1;
    if (v["sampling-seed"] !== undefined) spec.seed = v["sampling-seed"];
  }
  if (kind === "random") spec.seed = v["sampling-seed"] ?? 0;
  return spec;
}

export const evalCommand: Command = {
  name: "eval",
  summary: "multi-turn evaluation (paper or extended protocol): SR, ASAT, ASST with intervals",
  usage,
  flags: [EVAL_FLAGS],
  async run(argv) {
    const { values: v, given, positionals } = parseFlags(argv, EVAL_FLAGS);
    if (positionals.length) throw new UserError(`unexpected argument "${positionals[0]}" (tasks go in --tasks)`);
    if (!v.out) throw new UserError("--out FILE.jsonl is required");
    const protocol = protocolOf(v);
    const concurrency = v.concurrency ?? (v.policy === "endpoint" ? 8 : 1);
    const spec = policySpecOf(v, given, concurrency);
    if (v["expert-trajectories"] === undefined && (given.has("samples") || given.has("rollouts"))) {
      throw new UserError("--samples and --rollouts need --expert-trajectories FILE");
    }
    // Every output path is checked (and its directory made) before any work: a bad path fails at once.
    ensureOutputFile(v.out, "--out");
    if (v.traces) ensureOutputFile(v.traces, "--traces");
    if (v.summary) ensureOutputFile(v.summary, "--summary");
    // Read the trajectories before the (long) run, so a wrong file fails at once.
    const trajFile = v["expert-trajectories"];
    let trajectories: ReturnType<typeof readExpertTrajectories> | null = null;
    if (trajFile) {
      const exists = checkInputFile(trajFile, "--expert-trajectories", true);
      if (!exists) ensureOutputFile(trajFile, "--expert-trajectories");
      trajectories = (exists ? readExpertTrajectories(trajFile) : evaluationTrajectories(protocol, expertTrajectory, trajFile)).filter((t) => protocol.tasks.some((x) => x.id === t.task));
      if (trajectories.length === 0) throw new UserError(`${trajFile} has no trajectory of the evaluated tasks`);
    }

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
      timeout: v.timeout,
      settings: episodeSettings(p.config),
      progress: v.quiet ? silentProgress : terminalProgress(),
    });
    let single: SingleTurnReport | null = null;
    if (trajectories) {
      single = await singleTurnCheck(p, trajectories, { samples: v.samples, rollouts: v.rollouts, episodes: result.episodes, start: (task, seed) => makeKitchen(task, seed) });
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
    writeOut(out.join("\n") + "\n");
    return 0;
  },
};
