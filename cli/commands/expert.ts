/**
 * `stgrpo expert` — the expert datasets: expert trajectories on training layouts disjoint from every
 * evaluation layout, their single-turn rows (TRL prompt–completion), a train/validation split and
 * statistics, under results/<profile>/expert/<task>/ (or --out DIR/<task>/). The planner is the
 * default expert; `--expert llm` is the paper's way (rejection sampling an LLM through the protocol).
 */
import * as path from "node:path";
import { Command, intFlag, numberFlag, parseFlags, printJson } from "../command";
import { EVAL_FLAGS, policySpecOf } from "./eval";
import { UserError } from "../../lib/util/errors";
import { currentProfile, resultsDir } from "../../lib/util/profile";
import { Progress, silentProgress, terminalProgress } from "../../lib/util/progress";
import { PAPER_TASKS } from "../../lib/kitchen/tasks";
import { EndpointPolicy } from "../../lib/agent/endpoint";
import { promptConfig } from "../../lib/agent/prompt";
import { DATASET_PROMPT_CONFIG } from "../../lib/expert/dataset";
import { DATASET_DEFAULTS, DatasetStats, generateExpertData, splitOf, trainingLayouts, writeTaskDataset } from "../../lib/expert/generate";
import { REASONING_STYLES, ReasoningStyle } from "../../lib/expert/reasoning";
import { expertPaths } from "../../lib/expert/paths";
import { rejectionSample } from "../../lib/expert/llm";
import { taskIdOf } from "../../lib/expert/trajectory";
import { parseSeeds, parseTasks } from "../../lib/eval/protocol";

const usage = `usage: stgrpo expert [--tasks T,…] [--n N] [--first-seed S | --seeds LIST] [--val F] [--out DIR] [--json]
       stgrpo expert --expert llm --endpoint URL [--model NAME] [--attempts K] [--minimal] [options]

Generate expert data for each task: DIR/<task>/trajectories.jsonl (expert trajectories, each with its
split), train.jsonl and val.jsonl (single-turn rows: {prompt, completion, expert_action, valid_actions,
task, seed, t, optimal_actions}), stats.json and manifest.json. DIR defaults to
results/<PROFILE>/expert. Training layouts are Robotouille's procedural layouts for seeds S, S+1, …,
skipping every layout that an evaluation plays (the default layout and seeds 42·k, k = 1…100, compared
on the seed the generator really used and on the layout itself) and repeated layouts.

  --tasks T,…        tasks (default: ${PAPER_TASKS.join(",")}); --task is the same
  --n N              training layouts (trajectories) per task (default ${DATASET_DEFAULTS.perTask})
  --first-seed S     first candidate seed (default ${DATASET_DEFAULTS.firstSeed})
  --seeds LIST       exactly these seeds instead (10000-10099 or 1,2,3); an evaluation layout among
                     them is an error
  --val F            fraction of layouts held out for validation, the last in seed order (default ${DATASET_DEFAULTS.valFraction})
  --eval-seeds K     stay disjoint from seeds 42·k for k = 1…K (default ${DATASET_DEFAULTS.evalSeedsPerTask})
  --max-expanded N   A* budget per search (default 5000000)
  --dataset-history K  completed steps shown in the rows' prompts: 0, K or all (default 1, as
                     DATASET_PROMPT_CONFIG); evaluate a model trained on them with the same --history
  --reasoning R      how much of the remaining optimal plan the expert's reasoning spells out: full
                     (default: the whole plan, as the prompt asks), subgoal (the next subgoal in words)
                     or none (no plan); with history, "full" puts each later expert action into the
                     prompt verbatim (stats.json reasoning.leak counts the rows)
  --out DIR          output root (default results/<PROFILE>/expert)
  --json             print the statistics of every task as JSON
  --quiet            no progress on stderr

LLM expert (the paper's way: rejection sampling through the multi-turn protocol):
  --expert llm       instead of the planner (default: planner)
  --attempts K       episodes per layout before it is given up (default 4)
  --minimal          keep only successes of optimal length (default: any success)
  --max-layouts N    layouts tried per task at most (default 3·N); stops once N are kept
  --endpoint URL, --model NAME, --token T, --temperature X, --max-tokens N, --top-p X,
  --sampling-seed B (attempt a uses B + a), --request-timeout S, --retries N, --backoff-ms MS,
  --history K, --history-observations, --no-example, --alternate-roles, --concurrency N
                     as for stgrpo eval --policy endpoint
  The log DIR/<task>/llm-log.jsonl records every layout tried; a rerun resumes from it.

examples:
  stgrpo expert                                   # 100 planner trajectories for each paper task
  stgrpo expert --tasks burger --seeds 10000-10049 --out /tmp/expert --json
  stgrpo expert --expert llm --endpoint http://localhost:8000 --model meta-llama/Llama-3.3-70B-Instruct --tasks burger`;

const FLAGS = {
  tasks: { type: "string" },
  task: { type: "string" },
  n: { type: "string" },
  "first-seed": { type: "string" },
  seeds: { type: "string" },
  val: { type: "string" },
  "eval-seeds": { type: "string" },
  "max-expanded": { type: "string" },
  "dataset-history": { type: "string" },
  reasoning: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  expert: { type: "string" },
  attempts: { type: "string" },
  minimal: { type: "boolean" },
  "max-layouts": { type: "string" },
  endpoint: EVAL_FLAGS.endpoint,
  model: EVAL_FLAGS.model,
  token: EVAL_FLAGS.token,
  temperature: EVAL_FLAGS.temperature,
  "max-tokens": EVAL_FLAGS["max-tokens"],
  "top-p": EVAL_FLAGS["top-p"],
  "sampling-seed": EVAL_FLAGS["sampling-seed"],
  "request-timeout": EVAL_FLAGS["request-timeout"],
  retries: EVAL_FLAGS.retries,
  "backoff-ms": EVAL_FLAGS["backoff-ms"],
  history: EVAL_FLAGS.history,
  "history-observations": EVAL_FLAGS["history-observations"],
  "no-example": EVAL_FLAGS["no-example"],
  "alternate-roles": EVAL_FLAGS["alternate-roles"],
  concurrency: EVAL_FLAGS.concurrency,
} as const;

const LLM_ONLY = ["attempts", "minimal", "max-layouts", "endpoint", "model", "token", "temperature", "max-tokens", "top-p", "sampling-seed", "request-timeout", "retries", "backoff-ms", "history", "history-observations", "no-example", "alternate-roles", "concurrency"] as const;

/** "10000-10099" or "1,2,3" (or a mix) → training seeds (lib/eval's seed-list syntax, without "default"). */
export function parseSeedList(text: string): number[] {
  const seeds = parseSeeds(text);
  if (seeds.includes(null)) throw new UserError("--seeds: training layouts are seeded; \"default\" is the evaluation's default layout");
  return seeds as number[];
}

function positive(name: string, value: string | undefined, fallback: number): number {
  const x = intFlag(name, value, fallback);
  if (x < 1) throw new UserError(`--${name} must be a positive integer, got "${value}"`);
  return x;
}

function printSummary(stats: DatasetStats[]): void {
  for (const s of stats) {
    process.stdout.write(
      `${s.task}: ${s.layouts.total} trajectories (${s.layouts.train} train, ${s.layouts.val} val), ` +
        `${s.rows.train + s.rows.val} single-turn rows, length ${s.length.min}–${s.length.max} (mean ${s.length.mean.toFixed(2)}), ` +
        `ambiguous states ${(100 * s.ambiguity.fraction).toFixed(1)}%, ` +
        `expert action already in the prompt's previous reasoning ${(100 * s.reasoning.leak.verbatim / Math.max(1, s.reasoning.leak.rows)).toFixed(1)}% (${s.reasoning.style})\n`,
    );
  }
}

export const expert: Command = {
  name: "expert",
  summary: "generate expert trajectories and single-turn datasets (planner or LLM rejection sampling)",
  usage,
  async run(argv) {
    const { values: v, positionals } = parseFlags(argv, FLAGS, false);
    void positionals;
    const kind = v.expert ?? "planner";
    if (kind !== "planner" && kind !== "llm") throw new UserError(`--expert must be planner or llm, got "${kind}"`);
    if (kind === "planner") for (const f of LLM_ONLY) if (v[f] !== undefined) throw new UserError(`--${f} is for --expert llm`);
    if (v.task !== undefined && v.tasks !== undefined) throw new UserError("give --tasks or --task, not both");
    const tasks = v.tasks ?? v.task;
    const taskIds = tasks === undefined ? [...PAPER_TASKS] : parseTasks(tasks).map((t) => t.id);
    if (v.seeds !== undefined && (v.n !== undefined || v["first-seed"] !== undefined)) throw new UserError("--seeds replaces --n and --first-seed");
    const perTask = positive("n", v.n, DATASET_DEFAULTS.perTask);
    const firstSeed = intFlag("first-seed", v["first-seed"], DATASET_DEFAULTS.firstSeed);
    const seeds = v.seeds === undefined ? undefined : parseSeedList(v.seeds);
    const valFraction = numberFlag("val", v.val, DATASET_DEFAULTS.valFraction);
    if (!(valFraction >= 0 && valFraction < 1)) throw new UserError(`--val must be in [0, 1), got "${v.val}"`);
    const evalSeedsPerTask = positive("eval-seeds", v["eval-seeds"], DATASET_DEFAULTS.evalSeedsPerTask);
    const maxExpanded = positive("max-expanded", v["max-expanded"], 5_000_000);
    const root = v.out ? path.resolve(v.out) : resultsDir(currentProfile(), "expert");
    const h = v["dataset-history"];
    const prompt = h === undefined ? undefined : { historyTurns: h === "all" ? Infinity : intFlag("dataset-history", h) };
    if (kind === "llm" && v.reasoning !== undefined) throw new UserError("--reasoning is for the planner expert (an LLM expert writes its own reasoning)");
    const reasoning = (v.reasoning ?? DATASET_DEFAULTS.reasoning) as ReasoningStyle;
    if (!(REASONING_STYLES as readonly string[]).includes(reasoning)) throw new UserError(`--reasoning must be ${REASONING_STYLES.join(", ")}, got "${v.reasoning}"`);
    const sink = v.quiet ? silentProgress : terminalProgress();
    const command = ["stgrpo", "expert", ...argv].join(" ");

    let stats: DatasetStats[];
    if (kind === "planner") {
      stats = generateExpertData({ tasks: taskIds, perTask, firstSeed, valFraction, evalSeedsPerTask, maxExpanded, seeds, prompt, reasoning }, { root, progress: sink, command });
    } else {
      const concurrency = positive("concurrency", v.concurrency, 8);
      const spec = policySpecOf({ ...v, policy: "endpoint" } as Parameters<typeof policySpecOf>[0], concurrency);
      const attempts = positive("attempts", v.attempts, 4);
      const maxLayouts = positive("max-layouts", v["max-layouts"], 3 * perTask);
      const base = spec.endpoint!.seed ?? null;
      const policies = new Map<number, EndpointPolicy>();
      const makePolicy = (a: number) => {
        let p = policies.get(a);
        if (!p) {
          p = new EndpointPolicy({ ...spec.endpoint!, seed: base === null ? null : base + a });
          policies.set(a, p);
        }
        return p;
      };
      await makePolicy(0).client.preflight();
      stats = [];
      for (const task of taskIds) {
        const paths = expertPaths(task, { root });
        const layouts = trainingLayouts(task, seeds ? seeds.length : maxLayouts, firstSeed, evalSeedsPerTask, seeds);
        const log = path.join(paths.dir, "llm-log.jsonl");
        const progress = new Progress(`llm expert ${taskIdOf(task)}`, layouts.length, sink);
        const records = await rejectionSample(makePolicy, task, layouts, { attempts, minimalOnly: v.minimal ?? false, keep: perTask, log, progress: { update: () => progress.tick(), done: () => {} } });
        const kept = records.filter((r) => r.trajectory);
        progress.finish(`${kept.length} kept`);
        if (!kept.length) throw new UserError(`the LLM expert solved none of the ${records.length} ${taskIdOf(task)} layouts tried (log: ${log})`);
        const items = kept.map((r, k) => ({
          layout: { seed: r.seed, effectiveSeed: r.effective_seed },
          trajectory: r.trajectory!,
          info: { optimalCounts: [], validCounts: [], expanded: 0, ms: 0 },
          split: splitOf(k, kept.length, valFraction),
        }));
        const manifest = {
          task: taskIdOf(task),
          expert: `llm:${makePolicy(0).name}`,
          config: { perTask, firstSeed, seeds: seeds ?? null, valFraction, evalSeedsPerTask, attempts, minimal: v.minimal ?? false, maxLayouts },
          tried: records.length,
          kept: kept.length,
          optimal: kept.filter((r) => r.trajectory!.optimal).length,
          seeds: items.map((x) => ({ seed: x.layout.seed, effective_seed: x.layout.effectiveSeed, split: x.split })),
          command,
        };
        stats.push(writeTaskDataset(paths, items, manifest, prompt ? promptConfig({ ...DATASET_PROMPT_CONFIG, ...prompt }) : DATASET_PROMPT_CONFIG, "llm"));
      }
    }
    if (v.json) printJson(stats);
    else printSummary(stats);
    return 0;
  },
};
