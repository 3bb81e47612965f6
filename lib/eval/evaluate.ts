/**
 * Evaluate a policy on a protocol, resumably. Episodes are appended to an episode JSONL as they finish,
 * in the protocol's canonical order (tasks × seeds) whatever the concurrency, so an interrupted run and
 * an uninterrupted one write the same file. Episodes are keyed by (run, model, trained_on, task, seed):
 * a rerun skips what is already there and never counts an episode twice.
 *
 * A failure (the server is unreachable after its retries, a bug) stops the run: no new episode is
 * started, the episodes that finished are written, and the error is rethrown. Rerun to continue.
 *
 * Resuming is only sound when the rerun would play the same episodes: each record carries the
 * `settings` that shape it (the policy's sampling seed, temperature, top_p, max_tokens, prompt, model
 * — not transport settings such as the URL, retries or concurrency), and a rerun whose settings or
 * step budget differ from the records it would resume is refused, naming every difference.
 */
import { appendJsonl, readJsonl } from "../util/files";
import { Progress, ProgressSink, terminalProgress } from "../util/progress";
import { UserError } from "../util/errors";
import type { EnvTask } from "../env/types";
import type { Policy } from "../agent/index";
import { EpisodeRecord, EpisodeTrace, runEpisode, validateEpisode } from "./episode";
import { computeMetrics, Metrics } from "./metrics";

export interface EvaluateOptions {
  run: string;
  model: string;
  trainedOn?: string | null;
  tasks: EnvTask[];
  seeds: (number | null)[];
  /** Protocol name written into each record (default "custom"). */
  protocol?: string;
  /** Episode JSONL to append to (and resume from). */
  out: string;
  /** Optional JSONL of per-episode traces (observations, replies). */
  traces?: string;
  /** Episodes run at once (model calls overlap; the environment is cheap). Default 1. */
  concurrency?: number;
  /** Step budget for every task (default: each task's protocol timeout). */
  timeout?: number;
  /**
   * What shapes the episodes beyond their key (`episodeSettings(policy config)`): written into every
   * new record as `settings`, and compared with the records a rerun resumes. Default: not recorded.
   */
  settings?: Record<string, unknown>;
  progress?: ProgressSink;
}

export interface EvaluateResult {
  /** Per task id, over this run's episodes of the requested seeds. */
  metrics: Record<string, Metrics>;
  /** This run's episodes in protocol order (resumed and new). */
  episodes: EpisodeRecord[];
  /** Episodes run now, and found in the file from an earlier run. */
  ran: number;
  resumed: number;
}

type EpisodeId = { run: string; model: string; trained_on?: string | null; task: string; seed: number | null };

export function episodeKey(e: EpisodeId): string {
  return JSON.stringify([e.run, e.model, e.trained_on ?? null, e.task, e.seed]);
}

/** Policy-config keys that do not change an episode: where and how requests travel, and file locations. */
const TRANSPORT_KEYS = new Set(["endpoint", "timeoutMs", "retries", "backoffMs", "maxBackoffMs", "concurrency", "checkpoint"]);

/**
 * The settings that shape a policy's episodes, from its config (lib/eval/policies' `config`): everything
 * but transport, as JSON would store it (Infinity history → null), so a record read back compares equal.
 */
export function episodeSettings(config: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(config).filter(([k]) => !TRANSPORT_KEYS.has(k)))));
}

/** Leaf differences between two settings objects: ["seed 0 → 1", "prompt.historyTurns 1 → 2"]. */
function settingsDiff(old: unknown, now: unknown, prefix = ""): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);
  if (isObj(old) && isObj(now)) {
    const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])];
    return keys.flatMap((k) => settingsDiff(old[k], now[k], prefix ? `${prefix}.${k}` : k));
  }
  const a = JSON.stringify(old ?? null);
  const b = JSON.stringify(now ?? null);
  return a === b ? [] : [`${prefix} ${a} → ${b}`];
}

/**
 * Refuse to resume records written with other settings or another step budget (they would be pooled
 * with episodes of a different experiment). Records without `settings` (older files) are checked on
 * their timeout only.
 */
function checkResumable(out: string, model: string, run: string, pairs: { old: EpisodeRecord; timeout: number }[], settings: Record<string, unknown> | undefined): void {
  const diffs = new Set<string>();
  let n = 0;
  for (const { old, timeout } of pairs) {
    const here: string[] = [];
    if (old.timeout !== timeout) here.push(`timeout ${old.timeout} → ${timeout}`);
    const stored = (old as { settings?: unknown }).settings;
    if (settings && stored !== undefined) here.push(...settingsDiff(stored, settings));
    if (here.length) n++;
    for (const d of here) diffs.add(d);
  }
  if (!diffs.size) return;
  throw new UserError(
    `${out} already has ${n} episode(s) of ${model} (run ${run}) that this run would resume with other settings ` +
      `(file → now: ${[...diffs].join(", ")}): use another --out or --run, or the file's settings`,
  );
}

/** Read an episode file (missing = empty), checking every record. */
export function readEpisodes(file: string): EpisodeRecord[] {
  return readJsonl<unknown>(file).map((r, i) => validateEpisode(r, `${file}: record ${i + 1}`));
}

export async function evaluate(policy: Policy, opts: EvaluateOptions): Promise<Record<string, Metrics>> {
  return (await evaluateRun(policy, opts)).metrics;
}

export async function evaluateRun(policy: Policy, opts: EvaluateOptions): Promise<EvaluateResult> {
  const trainedOn = opts.trainedOn ?? null;
  const concurrency = opts.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new UserError(`concurrency must be a positive integer, got ${opts.concurrency}`);
  const idOf = (task: EnvTask, seed: number | null): EpisodeId => ({ run: opts.run, model: opts.model, trained_on: trainedOn, task: task.id, seed });
  const existing = new Map(readEpisodes(opts.out).map((e) => [episodeKey(e), e]));
  const plan = opts.tasks.flatMap((task) => opts.seeds.map((seed) => ({ task, seed })));
  const settings = opts.settings === undefined ? undefined : episodeSettings(opts.settings);
  const resumed = plan.flatMap(({ task, seed }) => {
    const old = existing.get(episodeKey(idOf(task, seed)));
    return old ? [{ old, timeout: opts.timeout ?? task.timeout }] : [];
  });
  checkResumable(opts.out, opts.model, opts.run, resumed, settings);
  const todo = plan.filter(({ task, seed }) => !existing.has(episodeKey(idOf(task, seed))));
  const progress = new Progress(`eval ${opts.model}`, plan.length, opts.progress ?? terminalProgress());
  let successes = plan.filter(({ task, seed }) => existing.get(episodeKey(idOf(task, seed)))?.success).length;
  progress.tick(plan.length - todo.length, `success ${successes}`);

  // Bounded concurrency; finished episodes are written in plan order (a prefix of `todo` at any time).
  const results: ({ record: EpisodeRecord; trace: EpisodeTrace | null } | null)[] = new Array(todo.length).fill(null);
  let next = 0;
  let flushed = 0;
  let failure: { error: unknown } | null = null;
  const flush = () => {
    const batch: EpisodeRecord[] = [];
    const traces: EpisodeTrace[] = [];
    while (flushed < todo.length && results[flushed]) {
      const r = results[flushed]!;
      if (settings) r.record = { ...r.record, settings } as EpisodeRecord;
      batch.push(r.record);
      if (r.trace) traces.push(r.trace);
      existing.set(episodeKey(r.record), r.record);
      results[flushed] = null; // free the trace memory
      flushed++;
    }
    // Traces first: a kill between the two appends then repeats a trace (readers keep the last one)
    // rather than losing it, since the episode itself reruns on resume.
    if (traces.length && opts.traces) appendJsonl(opts.traces, traces);
    if (batch.length) appendJsonl(opts.out, batch);
  };
  const worker = async () => {
    while (next < todo.length && !failure) {
      const i = next++;
      const { task, seed } = todo[i];
      try {
        results[i] = await runEpisode(policy, task, seed, {
          run: opts.run,
          model: opts.model,
          trainedOn,
          protocol: opts.protocol,
          timeout: opts.timeout,
          trace: Boolean(opts.traces),
        });
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (results[i]!.record.success) successes++;
      progress.tick(1, `success ${successes}`);
      flush();
    }
  };
  const width = Math.max(1, Math.min(concurrency, todo.length || 1));
  await Promise.all(Array.from({ length: width }, worker));
  if (failure) {
    const f: { error: unknown } = failure;
    progress.finish(`stopped after ${flushed} new episode(s); rerun to resume`);
    throw f.error;
  }
  progress.finish(`success ${successes}/${plan.length}`);

  const episodes = plan.map(({ task, seed }) => existing.get(episodeKey(idOf(task, seed)))!);
  const metrics: Record<string, Metrics> = {};
  for (const task of opts.tasks) metrics[task.id] = computeMetrics(episodes.filter((e) => e.task === task.id));
  return { metrics, episodes, ran: todo.length, resumed: plan.length - todo.length };
}
