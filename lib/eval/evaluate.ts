/**
 * Evaluate a policy on a protocol, resumably. Episodes are appended to an episode JSONL as they finish
 * (in the protocol's canonical order, so an interrupted run and an uninterrupted one write the same
 * file), keyed by (run, model, task, seed): a rerun skips what is already there and never counts an
 * episode twice.
 */
import { appendJsonl, readJsonl } from "../util/files";
import { Progress, ProgressSink, terminalProgress } from "../util/progress";
import { UserError } from "../util/errors";
import type { TaskInfo } from "../kitchen/index";
import type { Policy } from "../agent/index";
import { EpisodeRecord, EpisodeTrace, runEpisode } from "./episode";
import { computeMetrics, Metrics } from "./metrics";

export interface EvaluateOptions {
  run: string;
  model: string;
  trainedOn?: string | null;
  tasks: TaskInfo[];
  seeds: (number | null)[];
  /** Episode JSONL to append to (and resume from). */
  out: string;
  /** Optional JSONL of per-episode traces (observations, replies). */
  traces?: string;
  /** Episodes run at once (model calls overlap; the kitchen is cheap). */
  concurrency?: number;
  timeout?: number;
  progress?: ProgressSink;
}

export function episodeKey(e: { run: string; model: string; task: string; seed: number | null }): string {
  return JSON.stringify([e.run, e.model, e.task, e.seed]);
}

/** Read an episode file, checking each line has the contract's fields. */
export function readEpisodes(file: string): EpisodeRecord[] {
  const rows = readJsonl<EpisodeRecord>(file);
  rows.forEach((r, i) => {
    for (const f of ["run", "model", "task", "success", "steps", "timeout"] as const) {
      if (!(f in (r as object))) throw new UserError(`${file}: episode ${i + 1} lacks "${f}" (not an episode JSONL?)`);
    }
  });
  return rows;
}

export async function evaluate(policy: Policy, opts: EvaluateOptions): Promise<Record<string, Metrics>> {
  const existing = new Map(readEpisodes(opts.out).map((e) => [episodeKey(e), e]));
  const plan = opts.tasks.flatMap((task) => opts.seeds.map((seed) => ({ task, seed })));
  const todo = plan.filter(({ task, seed }) => !existing.has(episodeKey({ run: opts.run, model: opts.model, task: task.id, seed })));
  const progress = new Progress(`eval ${opts.model}`, plan.length, opts.progress ?? terminalProgress());
  progress.tick(plan.length - todo.length);

  // Run with bounded concurrency; flush finished episodes in plan order.
  const results: ({ record: EpisodeRecord; trace: EpisodeTrace | null } | undefined)[] = new Array(todo.length);
  let next = 0;
  let flushed = 0;
  let successes = [...existing.values()].filter((e) => e.success).length;
  const flush = () => {
    const batch: EpisodeRecord[] = [];
    const traces: EpisodeTrace[] = [];
    while (flushed < todo.length && results[flushed]) {
      const r = results[flushed]!;
      batch.push(r.record);
      if (r.trace) traces.push(r.trace);
      existing.set(episodeKey(r.record), r.record);
      results[flushed] = undefined as any; // free the trace memory
      flushed++;
    }
    if (batch.length) appendJsonl(opts.out, batch);
    if (traces.length && opts.traces) appendJsonl(opts.traces, traces);
  };
  const worker = async () => {
    while (next < todo.length) {
      const i = next++;
      const { task, seed } = todo[i];
      results[i] = await runEpisode(policy, task, seed, {
        run: opts.run,
        model: opts.model,
        trainedOn: opts.trainedOn ?? null,
        timeout: opts.timeout,
        trace: Boolean(opts.traces),
      });
      if (results[i]!.record.success) successes++;
      progress.tick(1, `success ${successes}`);
      flush();
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 1, todo.length || 1)) }, worker);
  await Promise.all(workers);
  progress.finish(`success ${successes}/${plan.length}`);

  const metrics: Record<string, Metrics> = {};
  for (const task of opts.tasks) {
    const eps = opts.seeds.map((seed) => existing.get(episodeKey({ run: opts.run, model: opts.model, task: task.id, seed }))!);
    metrics[task.id] = computeMetrics(eps);
  }
  return metrics;
}
