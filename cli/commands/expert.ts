/**
 * `stgrpo expert` — the expert datasets: expert trajectories on training layouts disjoint from every
 * evaluation layout, their single-turn rows (TRL prompt–completion), a train/validation split and
 * statistics, under results/<profile>/expert/<task>/ (or --out DIR/<task>/). The planner is the
 * default expert; `--expert llm` is the paper's way (rejection sampling an LLM through the protocol).
 */
import * as path from "node:path";
import { Command, printJson } from "../command";
import { flagTable, parseFlags, regroup, usageText } from "../flags";
import { writeOut } from "../output";
import { ENDPOINT_FLAGS, EVAL_FLAGS, historyTurns, policySpecOf } from "./eval";
import { ensureOutputDir } from "../../lib/util/paths";
import { UserError } from "../../lib/util/errors";
import { currentProfile, resultsDir } from "../../lib/util/profile";
import { Progress, silentProgress, terminalProgress } from "../../lib/util/progress";
import { PAPER_TASKS } from "../../lib/kitchen/tasks";
import { ENDPOINT_DEFAULTS, EndpointPolicy } from "../../lib/agent/endpoint";
import { promptConfig } from "../../lib/agent/prompt";
import { DATASET_PROMPT_CONFIG } from "../../lib/dataset/rows";
import { DATASET_DEFAULTS, DatasetStats, generateExpertData, splitOf, trainingLayouts, writeTaskDataset } from "../../lib/dataset/generate";
import { expertPaths } from "../../lib/dataset/paths";
import { REASONING_STYLES } from "../../lib/expert/reasoning";
import { rejectionSample } from "../../lib/workflows/llm-expert";
import { taskIdOf } from "../../lib/expert/trajectory";
import { parseSeeds, parseTasks } from "../../lib/eval/protocol";

const LLM = "LLM expert (the paper's way: rejection sampling through the multi-turn protocol)";

const FLAGS = flagTable({
  tasks: { type: "string", arg: "T,…", help: "tasks; --task is the same", defaultText: PAPER_TASKS.join(",") },
  task: { type: "string", arg: "T", help: "the same as --tasks" },
  n: { type: "int", arg: "N", min: 1, help: "training layouts (trajectories) per task", default: DATASET_DEFAULTS.perTask },
  "first-seed": { type: "int", arg: "S", help: "first candidate seed", defaultText: "the environment's: Robotouille 10000, CookingWorld 0" },
  seeds: { type: "string", arg: "LIST", help: "exactly these seeds instead (10000-10099 or 1,2,3); an evaluation layout among them is an error" },
  val: { type: "number", arg: "F", min: 0, max: 1, maxExclusive: true, help: "fraction of layouts held out for validation, the last in seed order", default: DATASET_DEFAULTS.valFraction },
  "eval-seeds": { type: "int", arg: "K", min: 1, help: "stay disjoint from seeds 42·k for k = 1…K", default: DATASET_DEFAULTS.evalSeedsPerTask },
  "max-expanded": { type: "int", arg: "N", min: 1, help: "A* budget per search", default: 5_000_000 },
  "dataset-history": {
    type: "string", arg: "K", defaultText: "1, as DATASET_PROMPT_CONFIG",
    help: "completed steps shown in the rows' prompts: 0, K or all; evaluate a model trained on them with the same --history",
  },
  reasoning: {
    type: "choice", choices: [...REASONING_STYLES], default: DATASET_DEFAULTS.reasoning,
    help: "how much of the remaining optimal plan the expert's reasoning spells out: full (the whole plan, as the prompt asks), subgoal (the next subgoal in words) or none (no plan); with history, full puts each later expert action into the prompt verbatim (stats.json reasoning.leak counts the rows)",
  },
  out: { type: "string", arg: "DIR", help: "output root", defaultText: "results/<PROFILE>/expert" },
  json: { type: "boolean", help: "print the statistics of every task as JSON" },
  quiet: { type: "boolean", help: "no progress on stderr" },
  expert: { type: "choice", choices: ["planner", "llm"], default: "planner", group: LLM, help: "llm instead of the planner" },
  attempts: { type: "int", arg: "K", min: 1, group: LLM, help: "episodes per layout before it is given up", default: 4 },
  minimal: { type: "boolean", group: LLM, help: "keep only successes of optimal length (default: any success)" },
  "max-layouts": { type: "int", arg: "N", min: 1, group: LLM, help: "layouts tried per task at most; stops once N are kept", defaultText: "3·N" },
  ...regroup(ENDPOINT_FLAGS, LLM),
  temperature: { ...ENDPOINT_FLAGS.temperature, group: LLM, help: "sampling temperature (0 = greedy)", defaultText: String(ENDPOINT_DEFAULTS.temperature) },
  "sampling-seed": { ...ENDPOINT_FLAGS["sampling-seed"], group: LLM, help: "per-request seeds derived from N; attempt a uses N + a", defaultText: "none" },
  concurrency: { type: "int", arg: "N", min: 1, group: LLM, help: "requests at once", default: 8 },
});

/** Flags only `--expert llm` takes. */
const LLM_ONLY = ["attempts", "minimal", "max-layouts", "concurrency", ...Object.keys(ENDPOINT_FLAGS)] as (keyof typeof FLAGS & string)[];

const usage = usageText({
  synopsis: `usage: stgrpo expert [--tasks T,…] [--n N] [--first-seed S | --seeds LIST] [--val F] [--out DIR] [--json]
       stgrpo expert --expert llm --endpoint URL [--model NAME] [--attempts K] [--minimal] [options]`,
  about: `Generate expert data for each task: DIR/<task>/trajectories.jsonl (expert trajectories, each with its
split), train.jsonl and val.jsonl (single-turn rows: {prompt, completion, expert_action, valid_actions,
task, seed, t, optimal_actions}), stats.json and manifest.json. DIR defaults to
results/<PROFILE>/expert. Training layouts are Robotouille's procedural layouts for seeds S, S+1, …,
skipping every layout that an evaluation plays (the default layout and seeds 42·k, k = 1…100, compared
on the seed the generator really used and on the layout itself) and repeated layouts. With --expert llm,
the log DIR/<task>/llm-log.jsonl records every layout tried; a rerun resumes from it.`,
  flags: FLAGS,
  after: `examples:
  stgrpo expert                                   # 100 planner trajectories for each paper task
  stgrpo expert --tasks burger --seeds 10000-10049 --out /tmp/expert --json
  stgrpo expert --expert llm --endpoint http://localhost:8000 --model meta-llama/Llama-3.3-70B-Instruct --tasks burger`,
});

/** "10000-10099" or "1,2,3" (or a mix) → training seeds (lib/eval's seed-list syntax, without "default"). */
export function parseSeedList(text: string): number[] {
  const seeds = parseSeeds(text);
  if (seeds.includes(null)) throw new UserError("--seeds: training layouts are seeded; \"default\" is the evaluation's default layout");
  return seeds as number[];
}

function printSummary(stats: DatasetStats[]): void {
  for (const s of stats) {
    writeOut(
      `${s.task}: ${s.layouts.total} trajectories (${s.layouts.train} train, ${s.layouts.val} val), ` +
        `${s.rows.train + s.rows.val} single-turn rows, length ${s.length.min}–${s.length.max} (mean ${s.length.mean.toFixed(2)}), ` +
        `ambiguous states ${s.ambiguity.states ? `${(100 * s.ambiguity.fraction).toFixed(1)}%` : "not measured"}, ` +
        `expert action already in the prompt's previous reasoning ${(100 * s.reasoning.leak.verbatim / Math.max(1, s.reasoning.leak.rows)).toFixed(1)}% (${s.reasoning.style})\n`,
    );
  }
}

export const expert: Command = {
  name: "expert",
  summary: "generate expert trajectories and single-turn datasets (planner or LLM rejection sampling)",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { values: v, given } = parseFlags(argv, FLAGS, { positionals: false });
    const kind = v.expert;
    if (kind === "planner") for (const f of LLM_ONLY) if (given.has(f)) throw new UserError(`--${f} is for --expert llm`);
    if (v.task !== undefined && v.tasks !== undefined) throw new UserError("give --tasks or --task, not both");
    const tasks = v.tasks ?? v.task;
    const taskIds = tasks === undefined ? [...PAPER_TASKS] : parseTasks(tasks).map((t) => t.id);
    if (v.seeds !== undefined && (given.has("n") || given.has("first-seed"))) throw new UserError("--seeds replaces --n and --first-seed");
    const perTask = v.n;
    const firstSeed = v["first-seed"];
    const seeds = v.seeds === undefined ? undefined : parseSeedList(v.seeds);
    const valFraction = v.val;
    const evalSeedsPerTask = v["eval-seeds"];
    const maxExpanded = v["max-expanded"];
    if (kind === "llm" && !v.endpoint) throw new UserError("--expert llm needs --endpoint URL");
    if (kind === "llm" && given.has("reasoning")) throw new UserError("--reasoning is for the planner expert (an LLM expert writes its own reasoning)");
    const reasoning = v.reasoning;
    const root = ensureOutputDir(v.out ?? resultsDir(currentProfile(), "expert"), "--out");
    const h = v["dataset-history"];
    const prompt = h === undefined ? undefined : { historyTurns: historyTurns("--dataset-history", h) };
    const sink = v.quiet ? silentProgress : terminalProgress();
    const command = ["stgrpo", "expert", ...argv].join(" ");

    let stats: DatasetStats[];
    if (kind === "planner") {
      stats = generateExpertData({ tasks: taskIds, perTask, firstSeed, valFraction, evalSeedsPerTask, maxExpanded, seeds, prompt, reasoning }, { root, progress: sink, command });
    } else {
      const concurrency = v.concurrency;
      const evalDefaults = parseFlags([], EVAL_FLAGS).values;
      const spec = policySpecOf({ ...evalDefaults, ...v, policy: "endpoint" }, given as Parameters<typeof policySpecOf>[1], concurrency);
      const attempts = v.attempts;
      const maxLayouts = v["max-layouts"] ?? 3 * perTask;
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
        const records = await rejectionSample(makePolicy, task, layouts, { attempts, minimalOnly: v.minimal, keep: perTask, log, progress: { update: () => progress.tick(), done: () => {} } });
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
          config: { perTask, firstSeed, seeds: seeds ?? null, valFraction, evalSeedsPerTask, attempts, minimal: v.minimal, maxLayouts },
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
