/**
 * The evaluation study of notebook 06, one function per cell: the profile's settings, the expert and
 * random baselines on the paper and extended protocols, the CPU learners' results, an endpoint named by
 * environment variables, and the single-turn / Theorem 3.2 check. Each evaluation is what
 * `stgrpo eval` does for one policy.
 *
 * Files follow the results tree the CPU study (lib/workflows/study) writes, so that nothing is evaluated
 * twice and the report (`stgrpo tables`) never sees one model under two labels:
 *
 *   results/<profile>/eval/<protocol>/reference/expert.jsonl   the planner (run "planner"), shared with the study
 *   results/<profile>/eval/<protocol>/reference/random.jsonl   uniform random (run "s0")
 *   results/<profile>/eval/<protocol>/<task>/<variant>-s<seed>.jsonl   the learners (written by notebook 05)
 *   results/<profile>/eval/<protocol>/served/<model>.jsonl     an endpoint
 *   results/<profile>/theory/<task>/<variant>-s<seed>.json     the learners' theory checks (notebook 05)
 *
 * A rerun of the notebook resumes every file instead of recomputing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { makeEnv } from "../env/index";
import { gpuStatus } from "../trainer-client/gpu";
import { UserError } from "../util/errors";
import { writeFileAtomic } from "../util/files";
import { currentProfile, Profile, repoPath, resultsDir, byProfile } from "../util/profile";
import { ProgressSink, silentProgress } from "../util/progress";
import { evaluateRun, readEpisodes } from "../eval/evaluate";
import type { EpisodeRecord } from "../eval/episode";
import type { MetricsRow } from "../eval/format";
import { computeMetrics } from "../eval/metrics";
import { CheckpointInfo, findCheckpoints } from "../learn/checkpoints";
import { EvalPolicy } from "../eval/policy";
import { makePolicy, PolicySpec } from "./policies";
import { extendedProtocol, paperProtocol, paperTasks, Protocol } from "../eval/protocol";
import { ExpertTrajectory } from "../expert/index";
import { PrefixRow, singleTurnCheck, SingleTurnReport } from "../eval/singleturn";
import type { TheoremRow } from "../eval/theorem";

/** An endpoint named by the environment: STGRPO_ENDPOINT (URL), STGRPO_MODEL, HF_TOKEN, and optional labels. */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): PolicySpec | null {
  const url = env.STGRPO_ENDPOINT?.trim();
  if (!url) return null;
  return {
    kind: "endpoint",
    name: env.STGRPO_NAME?.trim() || undefined,
    trainedOn: env.STGRPO_TRAINED_ON?.trim() || null,
    endpoint: {
      endpoint: url,
      model: env.STGRPO_MODEL?.trim() || undefined,
      token: env.HF_TOKEN,
      // A model trained on the single-turn datasets saw no in-context example (lib/expert's DATASET_PROMPT_CONFIG).
      prompt: env.STGRPO_NO_EXAMPLE === "1" ? { inContextExample: false } : {},
      seed: env.STGRPO_SAMPLING_SEED ? Number(env.STGRPO_SAMPLING_SEED) : null,
    },
  };
}

/**
 * The paper profile evaluates served models: without an endpoint it needs a GPU (to serve one), and
 * without either it stops here with one line instead of producing baseline-only "paper" results.
 * The GPU check is lib/trainer-client's (a leaf module: nvidia-smi, then torch in the trainer's Python).
 */
export function requireEndpointOrGpu(profile: Profile = currentProfile(), env: NodeJS.ProcessEnv = process.env): void {
  if (profile !== "paper" || endpointFromEnv(env)) return;
  const status = gpuStatus({ env });
  if (status.problem !== null) {
    throw new UserError(
      `the paper profile evaluates served models: set STGRPO_ENDPOINT (and STGRPO_MODEL, HF_TOKEN) to an OpenAI-compatible server, ` +
        `or run it where a GPU can serve one (${status.problem}); PROFILE=cpu evaluates the CPU study`,
    );
  }
}

export interface EvalStudyConfig {
  profile: Profile;
  /** The paper's protocol: four tasks × seeds 42…420. */
  paper: Protocol;
  /** The extended protocol: the paper's four tasks × N seeds 42·k (ci 12, cpu and paper 100: the CPU study's). */
  extended: Protocol;
  /** Monte Carlo rollouts per layout for distribution policies' Theorem 3.2 check. */
  rollouts: number;
  /** Replies sampled per expert state for an endpoint's single-turn accuracy. */
  samples: number;
  /** Episodes at once for endpoints (the CPU policies run one at a time: no gain). */
  concurrency: number;
  /** results/<profile>/eval */
  dir: string;
  /** results/<profile>/learn: where the CPU learners' checkpoints are looked for. */
  learnDir: string;
  /** results/<profile>/theory: the CPU study's theory checks of its learners. */
  theoryDir: string;
  /** The endpoint named by STGRPO_ENDPOINT, or null. */
  endpoint: PolicySpec | null;
}

export function evalStudyConfig(profile: Profile = currentProfile(), env: NodeJS.ProcessEnv = process.env): EvalStudyConfig {
  // The extended protocol uses the paper's four tasks: the planner expert needs minutes per layout on
  // some layouts of tasks 7–9 (`stgrpo eval --protocol extended` runs all ten).
  return {
    profile,
    paper: paperProtocol(),
    extended: extendedProtocol(paperTasks(), byProfile({ ci: 12, cpu: 100, paper: 100 }, profile)),
    rollouts: byProfile({ ci: 200, cpu: 2000, paper: 2000 }, profile),
    samples: byProfile({ ci: 2, cpu: 8, paper: 8 }, profile),
    concurrency: 8,
    dir: resultsDir(profile, "eval"),
    learnDir: resultsDir(profile, "learn"),
    theoryDir: resultsDir(profile, "theory"),
    endpoint: endpointFromEnv(env),
  };
}

/** What the config cell prints: the settings, without the token. */
export function describeConfig(c: EvalStudyConfig): Record<string, unknown> {
  const protocol = (p: Protocol) => ({ name: p.name, tasks: p.tasks.map((t) => `${t.id} (timeout ${t.timeout})`), seeds: p.seeds.length <= 10 ? p.seeds : `${p.seeds[0]}, ${p.seeds[1]}, …, ${p.seeds[p.seeds.length - 1]} (${p.seeds.length})` });
  const e = c.endpoint?.endpoint;
  return {
    profile: c.profile,
    paper: protocol(c.paper),
    extended: protocol(c.extended),
    rollouts: c.rollouts,
    samples: c.samples,
    results: repoPath(c.dir),
    checkpoints: repoPath(c.learnDir),
    endpoint: e ? { url: e.endpoint, model: e.model ?? "(first served)", token: e.token ? "(set)" : "(none)", prompt: e.prompt } : null,
  };
}

/** An episode file under a protocol's directory: `<dir>/<protocol>/<parts…>.jsonl` (`/` in names → `__`). */
export function protocolFile(dir: string, protocol: Protocol, ...parts: string[]): string {
  const clean = parts.map((p) => p.replace(/[/\\:]+/g, "__"));
  clean[clean.length - 1] += ".jsonl";
  return path.join(dir, protocol.name, ...clean);
}

/** One evaluated policy on one protocol: its rows, episodes and the policy (for the single-turn check). */
export interface PolicyResult {
  policy: EvalPolicy;
  run: string;
  file: string;
  rows: (MetricsRow & { timeout: number })[];
  episodes: EpisodeRecord[];
}

/** Evaluate one policy spec on a protocol (resuming its file), e.g. `evaluateSpec({kind: "expert"}, cfg.paper, cfg.dir)`. */
export async function evaluateSpec(
  spec: PolicySpec,
  protocol: Protocol,
  dir: string,
  opts: { run?: string; file?: string; progress?: ProgressSink; concurrency?: number } = {},
): Promise<PolicyResult> {
  const policy = await makePolicy(spec);
  const run = opts.run ?? protocol.name;
  const file = opts.file ?? protocolFile(dir, protocol, "served", policy.model);
  const r = await evaluateRun(policy.policy, {
    run,
    model: policy.model,
    trainedOn: policy.trainedOn,
    tasks: protocol.tasks,
    seeds: protocol.seeds,
    protocol: protocol.name,
    out: file,
    concurrency: spec.kind === "endpoint" ? (opts.concurrency ?? 8) : 1,
    progress: opts.progress ?? silentProgress,
  });
  const label = policy.trainedOn ? `${policy.model}@${policy.trainedOn}` : policy.model;
  const rows = protocol.tasks.map((t) => ({ model: label, task: t.id, metrics: r.metrics[t.id], timeout: t.timeout }));
  return { policy, run, file, rows, episodes: r.episodes };
}

/** The expert and the random policy on a protocol, in the files and runs the CPU study uses for references. */
export async function evaluateBaselines(protocol: Protocol, dir: string, opts: { progress?: ProgressSink } = {}): Promise<PolicyResult[]> {
  const expert = await evaluateSpec({ kind: "expert" }, protocol, dir, { ...opts, run: "planner", file: protocolFile(dir, protocol, "reference", "expert") });
  const random = await evaluateSpec({ kind: "random", seed: 0 }, protocol, dir, { ...opts, run: "s0", file: protocolFile(dir, protocol, "reference", "random") });
  return [expert, random];
}

export const rowsOf = (results: PolicyResult[]) => results.flatMap((r) => r.rows);

// ---- The CPU learners: what notebook 05 (lib/learn's study) trained, evaluated and checked ----

export interface LearnedResults {
  /** Finished runs under results/<profile>/learn (directories holding policy.json). */
  found: CheckpointInfo[];
  /** Checkpoints with no episode file under the protocol (not evaluated yet). */
  unevaluated: CheckpointInfo[];
  /** Per (model@trained_on, task) on the model's own task, episodes of its training seeds pooled. */
  pooled: (MetricsRow & { timeout: number; runs: number })[];
  /** The theory checks of the learners (first training seed of each recipe), as Theorem 3.2 rows. */
  theorem: TheoremResult[];
}

/** Every `*.jsonl` directly under `dir` (sorted); none when `dir` does not exist. */
function jsonlIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort().map((f) => path.join(dir, f));
}

/**
 * The learners' episodes on a protocol (the study's per-task files) pooled per recipe on its own task
 * (Table 1's cells; the cross-task cells are notebook 07's), and their theory checks. Nothing is
 * evaluated here: what exists is loaded, what does not is listed.
 */
export function learnedResults(cfg: Pick<EvalStudyConfig, "dir" | "learnDir" | "theoryDir">, protocol: Protocol): LearnedResults {
  const found = findCheckpoints(cfg.learnDir);
  const episodes: EpisodeRecord[] = [];
  const unevaluated: CheckpointInfo[] = [];
  for (const c of found) {
    const file = path.join(cfg.dir, protocol.name, `${c.run}.jsonl`);
    if (fs.existsSync(file)) episodes.push(...readEpisodes(file));
    else unevaluated.push(c);
  }
  const own = episodes.filter((e) => e.trained_on !== null && e.trained_on === e.task);
  const groups = new Map<string, EpisodeRecord[]>();
  for (const e of own) {
    const key = JSON.stringify([e.model, e.trained_on]);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const pooled = [...groups.values()].map((eps) => {
    const task = protocol.tasks.find((t) => t.id === eps[0].task);
    return { model: `${eps[0].model}@${eps[0].trained_on}`, task: eps[0].task, timeout: task?.timeout ?? eps[0].timeout, runs: new Set(eps.map((e) => e.run)).size, metrics: computeMetrics(eps) };
  });
  const theorem: TheoremResult[] = [];
  for (const task of protocol.tasks) {
    const dir = path.join(cfg.theoryDir, task.id);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((x) => /-s0\.json$/.test(x)).sort()) {
      const rec = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { model?: string; report?: SingleTurnReport };
      if (rec.report && rec.model) theorem.push({ model: `${rec.model}@${task.id}`, report: rec.report });
    }
  }
  return { found, unevaluated, pooled, theorem };
}

// ---- Single-turn accuracy and Theorem 3.2 on the evaluation layouts ----

/**
 * The expert trajectories of a protocol's layouts, made by lib/expert's `expertTrajectory` (passed in:
 * lib/eval plans nothing) and written as the expert trajectory record (docs/design.md) to `file`; read back when it
 * already holds them all.
 */
export function evaluationTrajectories(
  protocol: Protocol,
  expertTrajectory: (task: string, seed: number | null) => { trajectory: ExpertTrajectory },
  file: string,
): ExpertTrajectory[] {
  const want = protocol.tasks.flatMap((t) => protocol.seeds.map((s) => ({ task: t.id, seed: s })));
  if (fs.existsSync(file)) {
    const have = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as ExpertTrajectory);
    const byKey = new Map(have.map((t) => [`${t.task}@${t.seed}`, t]));
    if (want.every((w) => byKey.has(`${w.task}@${w.seed}`))) return want.map((w) => byKey.get(`${w.task}@${w.seed}`)!);
  }
  const trajectories = want.map((w) => expertTrajectory(w.task, w.seed).trajectory);
  writeFileAtomic(file, trajectories.map((t) => JSON.stringify(t)).join("\n") + "\n");
  return trajectories;
}

export interface TheoremResult {
  model: string;
  report: SingleTurnReport;
}

/** The single-turn check of evaluated policies (rows labelled by model) on the trajectories. */
export async function theoremStudy(results: PolicyResult[], trajectories: ExpertTrajectory[], cfg: Pick<EvalStudyConfig, "rollouts" | "samples">): Promise<TheoremResult[]> {
  const out: TheoremResult[] = [];
  for (const r of results) {
    const label = r.rows[0]?.model ?? r.policy.model;
    // A model trained on one task is checked on that task's layouts (its Theorem 3.2 row).
    const own = r.policy.trainedOn ? trajectories.filter((t) => t.task === r.policy.trainedOn) : trajectories;
    if (own.length === 0) continue;
    const report = await singleTurnCheck(r.policy, own, { rollouts: cfg.rollouts, samples: cfg.samples, episodes: r.episodes, start: (task, seed) => makeEnv(task, seed) });
    out.push({ model: label, report });
  }
  return out;
}

export const theoremRowsOf = (rs: TheoremResult[]): (TheoremRow & { model: string })[] => rs.flatMap((r) => r.report.rows.map((row) => ({ ...row, model: r.model })));
/** Prefix rows of the main recipes (variants such as `sft+grpo(beta=0.1)` are notebook 05's), labelled by model. */
export const prefixRowsOf = (rs: TheoremResult[]): (PrefixRow & { model: string })[] =>
  rs.filter((r) => !r.model.includes("(")).flatMap((r) => r.report.prefixes.map((row) => ({ ...row, model: r.model })));
