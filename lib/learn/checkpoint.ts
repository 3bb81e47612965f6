/**
 * Policy files and run directories of the CPU learners.
 *
 * A run directory (`--out DIR`) holds:
 * - `config.json`     the trainer's full config (a resumed run must be given the same one);
 * - `metrics.jsonl`   one record per optimisation step (and per evaluation), append-only;
 * - `checkpoint.json` the latest training state (policy + Adam moments + step), written atomically;
 * - `policy.json`     the final policy (features + model), the file `--init` and evaluation read.
 *
 * Resume: when `checkpoint.json` exists the trainer restarts from its step, first dropping metric
 * records past that step (written after the checkpoint by the interrupted run). Every step draws its
 * random numbers from `streamRng(seed, tag, step)`, so the resumed run is bit-identical to an
 * uninterrupted one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { appendJsonl, readJsonFile, readJsonl, writeFileAtomic } from "../util/files";
import { UserError } from "../util/errors";
import { DEFAULT_FEATURES, FeatureConfig } from "./features";
import { Adam, AdamJson, DEFAULT_ADAM, ModelConfig, ModelJson, PolicyModel, adamFromJson, adamToJson, cloneModel, createModel, modelFromJson, modelToJson } from "./model";

/** A trained (or initial) policy: how to featurise plus the weights. */
export interface PolicyFile {
  format: "stgrpo-learn-policy-v1";
  features: FeatureConfig;
  model: ModelJson;
  /** Free-form provenance: algo, task, seed, steps, parent. */
  meta: Record<string, unknown>;
}

export interface LoadedPolicy {
  features: FeatureConfig;
  model: PolicyModel;
  meta: Record<string, unknown>;
}

export function policyToJson(p: LoadedPolicy): PolicyFile {
  return { format: "stgrpo-learn-policy-v1", features: p.features, model: modelToJson(p.model), meta: p.meta };
}

export function policyFromJson(j: PolicyFile, where = "policy"): LoadedPolicy {
  if (j?.format !== "stgrpo-learn-policy-v1") throw new UserError(`${where} is not a stgrpo learned policy (format ${JSON.stringify((j as any)?.format)})`);
  return { features: { ...DEFAULT_FEATURES, ...j.features }, model: modelFromJson(j.model), meta: j.meta ?? {} };
}

export function savePolicy(file: string, p: LoadedPolicy): void {
  writeFileAtomic(file, JSON.stringify(policyToJson(p)));
}

/** Load a policy file, or the `policy.json` inside a run directory. */
export function loadPolicy(fileOrDir: string): LoadedPolicy {
  const file = fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory() ? path.join(fileOrDir, "policy.json") : fileOrDir;
  if (!fs.existsSync(file)) throw new UserError(`policy ${file} does not exist`);
  return policyFromJson(readJsonFile<PolicyFile>(file), file);
}

export interface TrainCheckpoint {
  format: "stgrpo-learn-ckpt-v1";
  algo: string;
  /** Optimisation steps completed. */
  step: number;
  policy: PolicyFile;
  /** The frozen reference policy (GRPO's π_ref), when the algorithm has one. */
  reference?: PolicyFile;
  adam: AdamJson;
  /** Counters: the sampled actions so far (samples.ts), training milliseconds, algorithm-specific ones. */
  state: Record<string, number>;
}

export interface RunFiles {
  dir: string;
  config: string;
  metrics: string;
  checkpoint: string;
  policy: string;
}

export function runFiles(dir: string): RunFiles {
  return {
    dir,
    config: path.join(dir, "config.json"),
    metrics: path.join(dir, "metrics.jsonl"),
    checkpoint: path.join(dir, "checkpoint.json"),
    policy: path.join(dir, "policy.json"),
  };
}

/**
 * Open a run directory for `config`. Returns the checkpoint to resume from, if any. A directory that
 * holds a different config is a user mistake (two runs must not share a directory).
 */
export function openRun(dir: string, config: unknown): { files: RunFiles; resume: TrainCheckpoint | null } {
  const files = runFiles(dir);
  fs.mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(config, null, 2);
  if (fs.existsSync(files.config)) {
    const old = fs.readFileSync(files.config, "utf8");
    if (old.trim() !== text.trim()) {
      throw new UserError(`${dir} holds a run with a different config (see ${files.config}); use a new --out or delete it`);
    }
  } else writeFileAtomic(files.config, text + "\n");
  let resume: TrainCheckpoint | null = null;
  if (fs.existsSync(files.checkpoint)) {
    resume = readJsonFile<TrainCheckpoint>(files.checkpoint);
    if (resume.format !== "stgrpo-learn-ckpt-v1") throw new UserError(`${files.checkpoint} is not a training checkpoint`);
  }
  // Keep metrics consistent with the checkpoint: drop records of steps the checkpoint does not hold.
  const upto = resume?.step ?? 0;
  const recs = readJsonl<{ step?: number }>(files.metrics);
  const kept = recs.filter((r) => (r.step ?? 0) <= upto);
  if (kept.length !== recs.length || (recs.length > 0 && !fs.readFileSync(files.metrics, "utf8").endsWith("\n"))) {
    writeFileAtomic(files.metrics, kept.map((r) => JSON.stringify(r) + "\n").join(""));
  }
  return { files, resume };
}

export function saveCheckpoint(
  files: RunFiles,
  algo: string,
  step: number,
  policy: LoadedPolicy,
  adam: Adam,
  state: Record<string, number> = {},
  reference?: LoadedPolicy,
): void {
  const ck: TrainCheckpoint = {
    format: "stgrpo-learn-ckpt-v1",
    algo,
    step,
    policy: policyToJson(policy),
    reference: reference ? policyToJson(reference) : undefined,
    adam: adamToJson(adam),
    state,
  };
  writeFileAtomic(files.checkpoint, JSON.stringify(ck));
}

export function restoreCheckpoint(ck: TrainCheckpoint): { policy: LoadedPolicy; adam: Adam; reference?: LoadedPolicy } {
  const policy = policyFromJson(ck.policy, "checkpoint");
  const adam = adamFromJson(policy.model, ck.adam);
  const reference = ck.reference ? policyFromJson(ck.reference, "checkpoint reference") : undefined;
  return { policy, adam, reference };
}

/**
 * Where a KL-regularised run (single-turn or multi-turn GRPO) starts: its checkpoint when resuming,
 * else a trainable copy of `init` (with `meta`), a frozen copy of it as π_ref, and a fresh Adam.
 */
export function startKlRun(
  resume: TrainCheckpoint | null,
  init: LoadedPolicy,
  meta: Record<string, unknown>,
  lr: number,
): { policy: LoadedPolicy; reference: LoadedPolicy; adam: Adam; step: number } {
  if (resume) {
    const r = restoreCheckpoint(resume);
    return { policy: r.policy, reference: r.reference!, adam: r.adam, step: resume.step };
  }
  const reference = { features: init.features, model: cloneModel(init.model), meta: init.meta };
  const policy = { features: init.features, model: cloneModel(init.model), meta: { ...meta, parent: init.meta } };
  return { policy, reference, adam: new Adam(policy.model, { ...DEFAULT_ADAM, lr }), step: 0 };
}

/** A run's metrics: kept in memory, handed to `onMetrics`, and appended to metrics.jsonl when the run has a directory. */
export function metricsLog(run: { files: RunFiles } | null, onMetrics?: (m: Record<string, unknown>) => void) {
  const metrics: Record<string, unknown>[] = [];
  const emit = (m: Record<string, unknown>) => {
    metrics.push(m);
    onMetrics?.(m);
    if (run) appendJsonl(run.files.metrics, [m]);
  };
  return { metrics, emit };
}

/** The untrained policy (all scores 0: uniform over the valid actions) — the reference policy (d). */
export function untrainedPolicy(features: Partial<FeatureConfig> = {}, model: Partial<ModelConfig> = {}): LoadedPolicy {
  const f = { ...DEFAULT_FEATURES, ...features };
  return { features: f, model: createModel({ ...model, bits: model.bits ?? f.bits }), meta: { algo: "untrained" } };
}
