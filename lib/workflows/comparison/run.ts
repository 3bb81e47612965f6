/**
 * Run (or resume) the comparison: a list of jobs — the study's expert data and log-linear SFT starts
 * (skipped when the study made them), the other learners' SFT starts, the planner's optimal lengths,
 * every method's training run (to all its budget points), the evaluation of every start and run, the
 * theory checks of every start's methods — worked through by `workers` processes from one queue
 * (queue.ts), then the summary. Each job is skipped when its output exists and resumes inside when it
 * was cut off (the trainers from their checkpoints).
 *
 * Headless: `stgrpo study --comparison [--profile ci|cpu] [--workers 2]`; a notebook calls `runComparison`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../../util/errors";
import { writeFileAtomic } from "../../util/files";
import { ProgressSink, silentProgress, throttled } from "../../util/progress";
import { loadPolicy, LoadedPolicy } from "../../learn/checkpoint";
import { trainGrpo } from "../../learn/grpo";
import { trainGigpo } from "../../learn/gigpo";
import { trainMultiTurn } from "../../learn/multiturn";
import { ExpertPathLabels, trainOnPolicy } from "../../learn/onpolicy";
import { budgetPolicyFile, BudgetSnapshot } from "../../learn/samples";
import { trainSft } from "../../learn/sft";
import { DEFAULT_MODEL } from "../../learn/model";
import { resolveTask } from "../../env/index";
import type { TrainOptions } from "../../learn/sft";
import { studyConfig } from "../study/config";
import { loadTaskData, studyFeatures, studyJobs, TaskData, withStudyLock } from "../study/run";
import { prefixed, spawnWorker } from "../jobs/processes";
import { ComparisonConfig, comparisonTasks } from "./config";
import { evaluateInto, writeOptimalLengths } from "./evaluate";
import { comparisonDirs, comparisonEvalFile, comparisonRuns, comparisonStarts, MethodRun, optimalLengthsFile, StartRun, studyArm } from "./plan";
import { QueueJob, clearStaleClaims, runQueue } from "../jobs/queue";
import { comparisonTheoryFile, runComparisonTheory } from "./theory";
import { ComparisonSummary, writeComparisonSummary } from "./summary";

export const COMPARISON_STAGES = ["expert", "train", "eval", "theory", "summary"] as const;
export type ComparisonStage = (typeof COMPARISON_STAGES)[number];

export interface ComparisonOptions {
  progress?: ProgressSink;
  /** Run only these stages (default: all); a stage's inputs must exist. */
  stages?: readonly ComparisonStage[];
  /** Stop after this many jobs have run in this process (an interruption, for tests). */
  stopAfterJobs?: number;
  /** Processes working through the queue (default 1: this one). */
  workers?: number;
  /** Run as worker k of a --workers run (the child processes). */
  part?: { index: number; count: number };
}

export interface ComparisonResult {
  ran: string[];
  skipped: string[];
  finished: boolean;
  summary: ComparisonSummary | null;
}

/** The study's settings behind the comparison's starts: its SFT recipe, arms and expert data, on the comparison's tasks and seeds. */
function studyFor(cfg: ComparisonConfig) {
  return studyConfig(cfg.profile, { root: cfg.root, tasks: comparisonTasks(cfg), evalTasks: comparisonTasks(cfg), seeds: cfg.seeds }, cfg.env);
}

/**
 * The expert data's trajectories whose states carry their optimal action sets, which pre-fill on-policy
 * labels (a cache: the planner would label those states the same). Only trajectories with a recorded set
 * at every state: CookingWorld's gold data records none, and its gold action is not a label — the gold
 * path's "look around" leaves the state unchanged, so as a state-keyed label it would reward a loop.
 */
function expertPaths(data: TaskData): ExpertPathLabels[] {
  const bySeed = new Map<number | null, TaskData["train"]>();
  for (const s of data.train) bySeed.set(s.example.seed, [...(bySeed.get(s.example.seed) ?? []), s]);
  return [...bySeed]
    .filter(([, states]) => states.every((s) => s.example.acceptable))
    .map(([seed, states]) => ({
      layout: { task: states[0].example.task, seed },
      steps: [...states].sort((a, b) => a.example.t - b.example.t).map((s) => ({ action: s.example.expertAction, optimal: s.example.acceptable! })),
    }));
}

/** Has a run saved its policy at every budget point (and finished)? */
function runDone(run: MethodRun): boolean {
  return fs.existsSync(path.join(run.dir, "policy.json")) && run.budgets.every((b) => fs.existsSync(budgetPolicyFile(run.dir, b)));
}

/** Train one method from its start to all its budget points (resuming its checkpoint). */
async function trainMethod(cfg: ComparisonConfig, run: MethodRun, data: TaskData, progress: ProgressSink): Promise<void> {
  const init = loadPolicy(run.start.dir);
  const last = run.budgets[run.budgets.length - 1];
  const seed = run.start.seed;
  const opts: TrainOptions = { out: run.dir, init, budgets: run.budgets, progress };
  if (run.method === "grpo") {
    // Enough epochs to reach the last budget point (the run stops there).
    const epochs = Math.ceil(last / (data.train.length * (cfg.grpo.groupSize ?? 8)));
    await trainGrpo(data.train, { ...cfg.grpo, epochs, seed }, opts);
  } else if (run.method === "multiturn") {
    await trainMultiTurn(data.layouts, { ...cfg.multiturn, envSteps: last, seed }, opts);
  } else if (run.method === "gigpo") {
    await trainGigpo(data.layouts, { ...cfg.gigpo, envSteps: last, seed }, opts);
  } else {
    await trainOnPolicy(data.layouts, { ...cfg.onpolicy, envSteps: last, seed }, { ...opts, expertPaths: expertPaths(data) });
  }
}

/** A saved policy with its budget snapshot (the start: budget 0). */
function snapshotOf(file: string): { snapshot: BudgetSnapshot; policy: () => LoadedPolicy } {
  const p = loadPolicy(file);
  const m = p.meta as Partial<BudgetSnapshot>;
  const snapshot: BudgetSnapshot = {
    budget: m.budget ?? 0,
    samples: m.samples ?? 0,
    rollout_samples: m.rollout_samples ?? 0,
    group_samples: m.group_samples ?? 0,
    step: m.step ?? 0,
    seconds: m.seconds ?? 0,
    cpu_seconds: m.cpu_seconds ?? 0,
  };
  return { snapshot, policy: () => p };
}

/**
 * A training run's rough cost, to order the queue (measured on 2 cores, notes/learn.md): proportional to
 * the budget and the task's episode length; single-turn GRPO on expert states costs a fifth of a
 * rollout method, on-policy labelling half as much again, the MLP six times the log-linear learner.
 */
function trainCost(run: MethodRun): number {
  const method = { grpo: 0.2, multiturn: 1, gigpo: 1, onpolicy: 1.5 }[run.method];
  const learner = run.start.learner === "linear" ? 1 : 6;
  return run.budgets[run.budgets.length - 1] * resolveTask(run.start.task).optimalSteps * method * learner;
}

/** The comparison's jobs in order (pure apart from the `done` checks, which read files when called). */
export function comparisonJobs(cfg: ComparisonConfig): QueueJob[] {
  const study = studyFor(cfg);
  const starts = comparisonStarts(cfg);
  const runs = comparisonRuns(cfg);
  const data = new Map<string, TaskData>();
  const dataOf = (task: string) => {
    let d = data.get(task);
    if (!d) data.set(task, (d = loadTaskData(study, task)));
    return d;
  };
  const jobs: QueueJob[] = [];
  // The study's own jobs: expert data, and the log-linear SFT starts (its runs `<task>/sft[-light]-s<seed>`).
  const sftKey = (s: StartRun) => `${s.task}/sft${studyArm(s.arm) ? `-${studyArm(s.arm)}` : ""}-s${s.seed}`;
  const wanted = new Set(starts.filter((s) => s.fromStudy).map((s) => `train ${sftKey(s)}`));
  for (const j of studyJobs(study)) {
    if (j.stage === "expert") jobs.push({ id: j.id, stage: "expert", deps: [], done: j.done, run: j.run });
    else if (wanted.has(j.id)) jobs.push({ id: j.id, stage: "train", deps: [`expert ${j.task}`], done: j.done, run: j.run });
  }
  const startJob = (s: StartRun) => (s.fromStudy ? `train ${sftKey(s)}` : `sft ${s.key}`);
  for (const task of comparisonTasks(cfg)) {
    jobs.push({ id: `optimal ${task}`, stage: "eval", deps: [], done: () => fs.existsSync(optimalLengthsFile(cfg, task)), run: async (p) => writeOptimalLengths(cfg, task, p) });
  }
  for (const s of starts.filter((x) => !x.fromStudy)) {
    const arm = study.arms.find((a) => a.id === studyArm(s.arm));
    if (!arm) throw new UserError(`the study has no ${s.arm} arm`);
    jobs.push({
      id: startJob(s),
      stage: "train",
      deps: [`expert ${s.task}`],
      done: () => fs.existsSync(path.join(s.dir, "policy.json")),
      run: async (progress) => {
        await trainSft(dataOf(s.task).train, { ...study.sft, ...arm.sft, features: studyFeatures(study), seed: s.seed, model: { ...DEFAULT_MODEL, ...s.cell.model } }, { out: s.dir, evalStates: dataOf(s.task).val, progress });
      },
    });
  }
  // The costliest runs first, so that the queue's last jobs are short ones on both workers.
  for (const run of [...runs].sort((a, b) => trainCost(b) - trainCost(a))) {
    jobs.push({ id: `train ${run.key}`, stage: "train", deps: [startJob(run.start), `expert ${run.start.task}`], done: () => runDone(run), run: (p) => trainMethod(cfg, run, dataOf(run.start.task), p) });
  }
  for (const s of starts) {
    const file = comparisonEvalFile(cfg, s, "start");
    jobs.push({ id: `eval ${s.key}/start`, stage: "eval", deps: [startJob(s)], done: () => fs.existsSync(file), run: (p) => evaluateInto(cfg, s.task, file, [snapshotOf(path.join(s.dir, "policy.json"))], s.seed, p, true) });
  }
  for (const run of runs) {
    const file = comparisonEvalFile(cfg, run.start, run.method);
    jobs.push({
      id: `eval ${run.key}`,
      stage: "eval",
      deps: [`train ${run.key}`],
      done: () => fs.existsSync(file),
      run: (p) => evaluateInto(cfg, run.start.task, file, run.budgets.map((b) => snapshotOf(budgetPolicyFile(run.dir, b))), run.start.seed, p),
    });
  }
  for (const s of starts) {
    const mine = runs.filter((r) => r.start.key === s.key);
    jobs.push({
      id: `theory ${s.key}`,
      stage: "theory",
      deps: [`eval ${s.key}/start`, ...mine.map((r) => `train ${r.key}`)],
      done: () => fs.existsSync(comparisonTheoryFile(cfg, s)),
      run: async () => runComparisonTheory(cfg, s, mine),
    });
  }
  return jobs;
}

/** Run (or resume) the comparison. */
export async function runComparison(cfg: ComparisonConfig, opts: ComparisonOptions = {}): Promise<ComparisonResult> {
  return opts.part ? runLocked(cfg, opts) : withStudyLock(cfg, () => runLocked(cfg, opts));
}

async function runLocked(cfg: ComparisonConfig, opts: ComparisonOptions): Promise<ComparisonResult> {
  const sink = throttled(opts.progress ?? silentProgress);
  const stages = new Set<string>(opts.stages ?? COMPARISON_STAGES);
  const all = comparisonJobs(cfg);
  // Jobs of other stages count as done (their outputs must exist when a stage needs them).
  const jobs = all.map((j) => (stages.has(j.stage) ? j : { ...j, run: async () => {}, done: () => true }));
  const dirs = comparisonDirs(cfg);
  const queue = (worker: number, show: (t: string) => void, stopAfterJobs?: number) =>
    runQueue(jobs, {
      claims: dirs.claims,
      timings: dirs.timings,
      worker: `w${worker}`,
      stopAfterJobs,
      progress: (job, i) => prefixed({ update: show, done: show }, `${i}/${jobs.length} ${job.id}`),
    });
  if (opts.part) {
    const r = await queue(opts.part.index, (t) => sink.update(t), opts.stopAfterJobs);
    return { ...r, summary: null };
  }
  const started = Date.now();
  clearStaleClaims(dirs.claims);
  // What every worker ran: the jobs not done before (each process reports only its own).
  const before = new Set(jobs.filter((j) => j.done()).map((j) => j.id));
  const workers = opts.workers ?? 1;
  let result: { ran: string[]; skipped: string[]; finished: boolean };
  if (workers <= 1) {
    result = await queue(0, (t) => sink.update(`comparison ${t}`), opts.stopAfterJobs);
  } else {
    const configFile = path.join(dirs.root, "config.json");
    writeFileAtomic(configFile, JSON.stringify({ config: cfg, stages: [...stages] }, null, 2) + "\n");
    const lines: string[] = Array.from({ length: workers }, () => "");
    const show = () => sink.update(lines.map((l, i) => `[${i + 1}] ${l}`).join("  |  "));
    const children = Array.from({ length: workers - 1 }, (_, k) => spawnWorker(configFile, k + 1, workers, (l) => ((lines[k + 1] = l), show()), ["--comparison"]));
    const mine = queue(0, (t) => ((lines[0] = t), show()));
    const settled = await Promise.allSettled([mine, ...children]);
    const failed = settled.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
    result = (settled[0] as PromiseFulfilledResult<{ ran: string[]; skipped: string[]; finished: boolean }>).value;
  }
  if (workers > 1) result = { ...result, ran: jobs.filter((j) => !before.has(j.id) && j.done()).map((j) => j.id), skipped: [...before] };
  if (!result.finished) {
    sink.done(`comparison stopped after ${result.ran.length} job(s); rerun to resume`);
    return { ...result, summary: null };
  }
  const summary = stages.has("summary") ? writeComparisonSummary(cfg) : null;
  sink.done(`comparison: ${result.ran.length} job(s) ran here, ${result.skipped.length} already done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return { ...result, summary };
}
