/**
 * Run the study: a list of jobs (expert data → training → evaluation → theory checks → summary), each
 * skipped when its output exists, so rerunning continues where an interrupted run stopped (a job that
 * was cut off resumes inside: the trainers from their checkpoint, evaluate() from its episode JSONL).
 * Every job that ran appends its wall time to `results/<profile>/study/timings.jsonl`.
 *
 * Headless: `stgrpo study [--profile ci|cpu]`; notebook 05 calls the same `runStudy`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { envFamily, familyOf, resolveTask } from "../../env/index";
import type { EnvTask } from "../../env/types";
import { ExpertPolicy, Policy } from "../../agent/index";
import { evaluateRun } from "../../eval/evaluate";
import { expertPaths, loadExpertDataset } from "../../dataset/paths";
import { generateExpertData } from "../../dataset/generate";
import { UserError } from "../../util/errors";
import { appendJsonl, readJsonFile, readJsonl, writeFileAtomic } from "../../util/files";
import { ProgressSink, silentProgress, throttled } from "../../util/progress";
import { loadPolicy, untrainedPolicy } from "../../learn/checkpoint";
import { exampleFromRecord, featurizeExamples, TrainState } from "../../learn/data";
import { DEFAULT_FEATURES, FeatureConfig } from "../../learn/features";
import { trainGrpo } from "../../learn/grpo";
import { StartLayout, trainMultiTurn } from "../../learn/multiturn";
import { LearnedPolicy } from "../../learn/policy";
import { trainSft } from "../../learn/sft";
import type { StudyConfig } from "./config";
import { evalFile, expertRoot, ModelRun, referenceFile, studyDirs, studyProtocols, studyRuns } from "./plan";
import { runTheory, theoryDone } from "./theory";
import { writeSummary, StudySummary } from "./summary";
import { prefixed, spawnWorker, withLock } from "../jobs/processes";

export const STAGES = ["expert", "train", "eval", "theory", "summary"] as const;
export type Stage = (typeof STAGES)[number];

export interface StudyOptions {
  progress?: ProgressSink;
  /** Run only these stages (default: all, in order). A stage's inputs must exist. */
  stages?: readonly Stage[];
  /** Stop after this many jobs have run (an interruption, for tests); skipped jobs do not count. */
  stopAfterJobs?: number;
  /** Called with every training-metrics record (live curves). */
  onMetrics?: (job: string, m: Record<string, unknown>) => void;
  /** Processes to run the jobs in (default 1: this one); > 1 splits the training tasks over child processes. */
  workers?: number;
  /** Run one worker's share only (the child processes of `workers`). */
  part?: { index: number; tasks: string[] };
}

export interface StudyResult {
  /** Jobs that ran now, and jobs found done. */
  ran: string[];
  skipped: string[];
  /** False when stopped by `stopAfterJobs`. */
  finished: boolean;
  summary: StudySummary | null;
}

interface Job {
  id: string;
  stage: Stage;
  /** The training task the job belongs to (null: the references, run by the first worker). */
  task: string | null;
  done: () => boolean;
  run: (progress: ProgressSink) => Promise<void>;
}

/** The expert data's settings, as lib/expert's manifest records them (an absent first seed is the family's default). */
function expertSettings(cfg: StudyConfig) {
  return { perTask: cfg.expert.perTask, firstSeed: cfg.expert.firstSeed, valFraction: cfg.expert.valFraction, evalSeedsPerTask: Math.max(100, cfg.eval.extendedSeeds) };
}

/**
 * Whether a task's expert data exists with the study's settings (notebook 04 writes the same files with
 * the same settings in every profile; data made with others is refused, not silently reused).
 */
function expertDone(cfg: StudyConfig, task: string): boolean {
  const p = expertPaths(task, { profile: cfg.profile, root: expertRoot(cfg) });
  if (!fs.existsSync(p.manifest) || !fs.existsSync(p.train)) return false;
  const m = readJsonFile<{ config?: Record<string, unknown> }>(p.manifest);
  const want = expertSettings(cfg);
  // Data made with the default first seed and data made with that seed named are the same data.
  const firstSeed = envFamily(cfg.env ?? "robotouille").firstTrainingSeed;
  const resolved = (k: string, v: unknown) => (k === "firstSeed" ? (v ?? firstSeed) : v);
  for (const [k, v] of Object.entries(want)) {
    const have = resolved(k, m.config?.[k]);
    if (JSON.stringify(have) !== JSON.stringify(resolved(k, v))) {
      throw new UserError(`${p.dir} holds expert data made with ${k} = ${JSON.stringify(have)}, the study needs ${JSON.stringify(resolved(k, v))}: move it away or regenerate it with \`stgrpo expert\``);
    }
  }
  return true;
}

/** The learners' feature config: lib/learn's defaults with the study's changes (CookingWorld: the text featuriser). */
export function studyFeatures(cfg: StudyConfig): FeatureConfig {
  return { ...DEFAULT_FEATURES, ...cfg.sft.features, ...cfg.features };
}

/** A task's training data, featurised once per process. */
export interface TaskData {
  train: TrainState[];
  val: TrainState[];
  layouts: StartLayout[];
}

export function loadTaskData(cfg: StudyConfig, task: string): TaskData {
  const rows = (split: "train" | "val") => loadExpertDataset(task, { profile: cfg.profile, root: expertRoot(cfg), split }).map((r, i) => exampleFromRecord(r, `${task} ${split} row ${i + 1}`));
  const features = studyFeatures(cfg);
  const train = featurizeExamples(rows("train"), features);
  const val = cfg.expert.valFraction > 0 ? featurizeExamples(rows("val"), features) : [];
  const seen = new Set<string>();
  const layouts: StartLayout[] = [];
  for (const s of train) {
    const k = `${s.example.seed}`;
    if (!seen.has(k)) {
      seen.add(k);
      layouts.push({ task, seed: s.example.seed });
    }
  }
  return { train, val, layouts };
}

/** Train one run of the study (resuming its checkpoint if any). */
async function trainRun(cfg: StudyConfig, run: ModelRun, byKey: Map<string, ModelRun>, data: TaskData, progress: ProgressSink, onMetrics?: (m: Record<string, unknown>) => void): Promise<void> {
  const arm = cfg.arms.find((a) => a.id === run.arm)!;
  const common = { out: run.dir, evalStates: data.val, progress, onMetrics };
  const init = run.parent ? loadPolicy(byKey.get(run.parent)!.dir) : undefined;
  if (run.algo === "sft") {
    await trainSft(data.train, { ...cfg.sft, ...arm.sft, features: studyFeatures(cfg), seed: run.seed }, common);
  } else if (run.algo === "grpo") {
    await trainGrpo(data.train, { ...cfg.grpo, beta: run.beta ?? cfg.grpo.beta, seed: run.seed }, { ...common, init });
  } else {
    // The equal-budget comparison: as many sampled actions (environment steps) as the GRPO run drew.
    const budget = Number(loadPolicy(byKey.get(run.budgetOf!)!.dir).meta.samples);
    if (!(budget > 0)) throw new Error(`${run.key}: the GRPO run ${run.budgetOf} recorded no samples`);
    await trainMultiTurn(data.layouts, { ...cfg.multiturn, envSteps: budget, seed: run.seed }, { out: run.dir, init, progress, onMetrics });
  }
}

/** A protocol's evaluation seeds for the study's environment (the paper protocol plays ten). */
function protocolSeeds(cfg: StudyConfig, name: string, n: number): (number | null)[] {
  return familyOf(cfg.tasks[0]).evaluationSeeds(name === "paper" ? 10 : n);
}

/** Whether an episode file already holds `n` episodes of this run and model. */
function episodesDone(file: string, run: string, model: string, n: number): boolean {
  if (!fs.existsSync(file)) return false;
  return readJsonl<{ run: string; model: string }>(file).filter((e) => e.run === run && e.model === model).length >= n;
}

/** The study's jobs in order (pure apart from the `done` checks, which read files when called). */
export function studyJobs(cfg: StudyConfig, opts: Pick<StudyOptions, "onMetrics"> = {}): Job[] {
  const runs = studyRuns(cfg);
  const byKey = new Map(runs.map((r) => [r.key, r]));
  const data = new Map<string, TaskData>();
  const dataOf = (task: string) => {
    let d = data.get(task);
    if (!d) data.set(task, (d = loadTaskData(cfg, task)));
    return d;
  };
  const jobs: Job[] = [];
  for (const task of cfg.tasks) {
    jobs.push({
      id: `expert ${task}`,
      stage: "expert",
      task,
      done: () => expertDone(cfg, task),
      run: async (progress) => {
        generateExpertData({ ...expertSettings(cfg), tasks: [task] }, { profile: cfg.profile, root: expertRoot(cfg), progress, command: `stgrpo study${cfg.env && cfg.env !== "robotouille" ? ` --env ${cfg.env}` : ""} --profile ${cfg.profile}` });
      },
    });
  }
  for (const run of runs) {
    jobs.push({
      id: `train ${run.key}`,
      stage: "train",
      task: run.task,
      done: () => fs.existsSync(`${run.dir}/policy.json`),
      run: (progress) => trainRun(cfg, run, byKey, dataOf(run.task), progress, opts.onMetrics ? (m) => opts.onMetrics!(run.key, m) : undefined),
    });
  }
  for (const protocol of studyProtocols(cfg)) {
    const seeds = protocolSeeds(cfg, protocol.name, protocol.seeds);
    const tasks = cfg.evalTasks.map((t) => resolveTask(t));
    const evalJob = (id: string, task: string | null, file: string, runId: string, model: string, n: number, make: () => { policy: Policy; trainedOn: string | null; tasks: EnvTask[] }): Job => ({
      id,
      stage: "eval",
      task,
      done: () => episodesDone(file, runId, model, n),
      run: async (progress) => {
        const m = make();
        await evaluateRun(m.policy, { run: runId, model, trainedOn: m.trainedOn, tasks: m.tasks, seeds, protocol: protocol.name, out: file, progress });
      },
    });
    // The untrained reference samples uniformly whatever the decoding (greedy on w = 0 is "always the first action").
    for (const seed of cfg.seeds) {
      jobs.push(
        evalJob(`eval ${protocol.name} untrained-s${seed}`, null, referenceFile(cfg, protocol.name, `untrained-s${seed}`), `s${seed}`, "untrained", tasks.length * seeds.length, () => ({
          policy: new LearnedPolicy(untrainedPolicy(cfg.features), { name: "untrained", temperature: 1, seed }),
          trainedOn: null,
          tasks,
        })),
      );
    }
    if (cfg.eval.expert) {
      jobs.push(
        evalJob(`eval ${protocol.name} expert`, null, referenceFile(cfg, protocol.name, "expert"), "planner", "expert", tasks.length * seeds.length, () => ({
          policy: new ExpertPolicy({ name: "expert" }),
          trainedOn: null,
          tasks,
        })),
      );
    }
    for (const run of runs) {
      const runTasks = run.evalTasks.map((t) => resolveTask(t));
      jobs.push(
        evalJob(`eval ${protocol.name} ${run.key}`, run.task, evalFile(cfg, protocol.name, run), `s${run.seed}`, run.model, runTasks.length * seeds.length, () => ({
          policy: new LearnedPolicy(loadPolicy(run.dir), { name: run.model, temperature: cfg.eval.temperature, seed: run.seed }),
          trainedOn: run.task,
          tasks: runTasks,
        })),
      );
    }
  }
  for (const task of cfg.tasks) {
    jobs.push({ id: `theory ${task}`, stage: "theory", task, done: () => theoryDone(cfg, task), run: (progress) => runTheory(cfg, task, progress) });
  }
  return jobs;
}

/**
 * Split the training tasks over `n` workers, balancing their expert rows (a task's training and
 * evaluation cost grows with its number of expert states): largest first, to the least-loaded worker.
 */
export function partitionTasks(tasks: readonly string[], weight: (task: string) => number, n: number): string[][] {
  const parts: { tasks: string[]; load: number }[] = Array.from({ length: n }, () => ({ tasks: [], load: 0 }));
  const order = [...tasks].sort((a, b) => weight(b) - weight(a) || tasks.indexOf(a) - tasks.indexOf(b));
  for (const t of order) {
    const p = parts.reduce((best, x) => (x.load < best.load ? x : best), parts[0]);
    p.tasks.push(t);
    p.load += weight(t);
  }
  return parts.map((p) => tasks.filter((t) => p.tasks.includes(t)));
}

function expertRows(cfg: StudyConfig, task: string): number {
  const stats = expertPaths(task, { profile: cfg.profile, root: expertRoot(cfg) }).stats;
  return fs.existsSync(stats) ? Number(readJsonFile<{ rows?: { train?: number } }>(stats).rows?.train ?? 1) : 1;
}

/**
 * `study.json` in every finished run directory: the labels the study's episodes carry (model, training
 * task, seed, arm, β), for other readers of results/<profile>/learn/ (a checkpoint's own meta names
 * only its algorithm, so a light-arm SFT and a main-arm one look alike there).
 */
export function writeRunLabels(cfg: StudyConfig): void {
  for (const r of studyRuns(cfg)) {
    const file = path.join(r.dir, "study.json");
    if (fs.existsSync(path.join(r.dir, "policy.json")) && !fs.existsSync(file)) {
      writeFileAtomic(file, JSON.stringify({ model: r.model, trained_on: r.task, run: `s${r.seed}`, seed: r.seed, arm: r.arm || "main", variant: r.variant, algo: r.algo, beta: r.beta }, null, 1) + "\n");
    }
  }
}

/** Run jobs in order, skipping the done ones; false when stopped by `stopAfterJobs`. */
async function runJobs(cfg: StudyConfig, jobs: Job[], sink: ProgressSink, ran: string[], skipped: string[], stopAfterJobs?: number): Promise<boolean> {
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i];
    if (job.done()) {
      skipped.push(job.id);
      continue;
    }
    if (stopAfterJobs !== undefined && ran.length >= stopAfterJobs) return false;
    const t0 = Date.now();
    await job.run(prefixed(sink, `${i + 1}/${jobs.length} ${job.id}`));
    const seconds = (Date.now() - t0) / 1000;
    // The 1-minute load average says how busy the machine was (the timing targets assume a quiet one).
    appendJsonl(studyDirs(cfg).timings, [{ job: job.id, stage: job.stage, seconds, load1: Math.round(os.loadavg()[0] * 100) / 100, finished_at: new Date().toISOString() }]);
    ran.push(job.id);
  }
  return true;
}

/**
 * Hold the study's lock (results/<profile>[/<env>]/study/lock) while `f` runs: two studies writing one
 * results tree would interleave their checkpoints and episode files.
 */
export function withStudyLock<T>(cfg: Pick<StudyConfig, "profile" | "root" | "env">, f: () => Promise<T>): Promise<T> {
  const lock = path.join(path.dirname(studyDirs(cfg).timings), "lock");
  return withLock(lock, `another stgrpo study (pid {pid}) is running on ${studyDirs(cfg).results}; wait for it to finish or stop it`, f);
}

/** Run (or resume) the study. */
export async function runStudy(cfg: StudyConfig, opts: StudyOptions = {}): Promise<StudyResult> {
  return opts.part ? runStudyLocked(cfg, opts) : withStudyLock(cfg, () => runStudyLocked(cfg, opts));
}

async function runStudyLocked(cfg: StudyConfig, opts: StudyOptions): Promise<StudyResult> {
  const sink = throttled(opts.progress ?? silentProgress);
  const stages = new Set(opts.stages ?? STAGES);
  const jobs = studyJobs(cfg, opts).filter((j) => stages.has(j.stage));
  const ran: string[] = [];
  const skipped: string[] = [];
  const started = Date.now();
  const workers = opts.workers ?? 1;
  const finish = (finished: boolean, summary: StudySummary | null): StudyResult => ({ ran, skipped, finished, summary });

  if (opts.part) {
    // One worker's share: the jobs of its training tasks (the first worker also runs the references).
    const mine = new Set(opts.part.tasks);
    const own = jobs.filter((j) => j.stage !== "expert" && (j.task === null ? opts.part!.index === 0 : mine.has(j.task)));
    return finish(await runJobs(cfg, own, sink, ran, skipped, opts.stopAfterJobs), null);
  }
  let finished: boolean;
  if (workers <= 1) {
    finished = await runJobs(cfg, jobs, prefixed(sink, "study"), ran, skipped, opts.stopAfterJobs);
  } else {
    // Expert data first (every worker reads it), then the workers' shares side by side.
    finished = await runJobs(cfg, jobs.filter((j) => j.stage === "expert"), prefixed(sink, "study"), ran, skipped, opts.stopAfterJobs);
    if (finished) {
      const parts = partitionTasks(cfg.tasks, (t) => expertRows(cfg, t), workers);
      const configFile = path.join(path.dirname(studyDirs(cfg).timings), "config.json");
      writeFileAtomic(configFile, JSON.stringify({ config: cfg, stages: [...stages], parts }, null, 2) + "\n");
      const lines: string[] = parts.map(() => "");
      const show = () => sink.update(lines.map((l, i) => `[${i + 1}] ${l}`).join("  |  "));
      const children = parts.slice(1).map((_, k) => spawnWorker(configFile, k + 1, workers, (l) => ((lines[k + 1] = l), show())));
      const mine = runStudyLocked(cfg, { ...opts, workers: 1, part: { index: 0, tasks: parts[0] }, progress: { update: (t) => ((lines[0] = t), show()), done: (t) => ((lines[0] = t), show()) } });
      const results = await Promise.allSettled([mine, ...children]);
      const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
      if (failed) throw failed.reason;
      const own = (results[0] as PromiseFulfilledResult<StudyResult>).value;
      ran.push(...own.ran);
      skipped.push(...own.skipped);
      finished = own.finished;
    }
  }
  if (!finished) {
    sink.done(`study stopped after ${ran.length} job(s); rerun to resume`);
    return finish(false, null);
  }
  if (stages.has("summary")) writeRunLabels(cfg);
  const summary = stages.has("summary") ? writeSummary(cfg) : null;
  sink.done(`study: ${ran.length} job(s) ran here, ${skipped.length} already done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return finish(true, summary);
}
