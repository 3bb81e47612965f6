/**
 * The paper profile's evaluation of Table 1–4's models: every model is served in turn (`vllm serve`
 * through lib/trainer-client's `serveModel`), played on the protocol by lib/agent's ReAct `EndpointPolicy`,
 * and stopped before the next one loads, so one GPU holds one model at a time.
 *
 * - the prompted baselines Qwen2.5-1.5B/3B/7B/14B-Instruct: Robotouille's ReAct prompt with its
 *   in-context example (the paper: "with ReAct prompting");
 * - our trained Qwen2.5-1.5B after SFT and after SFT+GRPO, for each training task that has a finished
 *   run under `results/<profile>/trainer/<task>/{sft,grpo}/final`: the prompt they were trained on
 *   (lib/expert's dataset prompt), played on every task (the cross-task Tables 2–4).
 *
 * While a model is served, its single-turn accuracy along the expert trajectories of its layouts is
 * sampled too (Theorem 3.2's product beside its measured minimal-step success), and kept beside its
 * episodes, so a rerun needs no server for it either.
 *
 * Episodes are labelled with the paper's own row names, so lib/report puts them beside the published
 * rows without `--match`. The Llama-3.3-70B expert row is a hosted or self-served endpoint: notebook 06's
 * endpoint section (`STGRPO_ENDPOINT`, `STGRPO_NAME="Llama3.3-70b (expert)"`) evaluates it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_PROMPT_CONFIG, PromptConfig } from "../agent/prompt";
import type { EndpointPolicyOptions } from "../agent/endpoint";
import { DATASET_PROMPT_CONFIG } from "../dataset/rows";
import { PAPER } from "../config/paper";
import { readEpisodes } from "../eval/evaluate";
import { Protocol } from "../eval/protocol";
import type { ExpertTrajectory } from "../expert/index";
import { evaluateSpec, PolicyResult, protocolFile, theoremStudy, TheoremResult } from "./evaluation";
import { readJsonFile, writeFileAtomic } from "../util/files";
import { Profile, repoPath, resultsDir } from "../util/profile";
import { ProgressSink, silentProgress } from "../util/progress";
import { serveModel, ServeOptions } from "../trainer-client/serve";

/** One model to serve and evaluate. */
export interface ServedModelSpec {
  /** The episodes' `model` label: the paper's Table 1 row name. */
  name: string;
  /** What `python -m trainer serve --model` takes: a hub id or a training run's `final/`. */
  model: string;
  /** The model's training task (`trained_on`), null for the prompted baselines. */
  trainedOn: string | null;
  /** The prompt the model is played with. */
  prompt: Partial<PromptConfig>;
}

/** The prompted baselines of Table 1, hub ids beside the paper's row names. */
export const PAPER_BASELINES: readonly { name: string; model: string }[] = [
  { name: "Qwen2.5-1.5b", model: "Qwen/Qwen2.5-1.5B-Instruct" },
  { name: "Qwen2.5-3b", model: "Qwen/Qwen2.5-3B-Instruct" },
  { name: "Qwen2.5-7b", model: "Qwen/Qwen2.5-7B-Instruct" },
  { name: "Qwen2.5-14b", model: "Qwen/Qwen2.5-14B-Instruct" },
];

/** Table 1's names of the trained rows, by trainer stage. */
export const TRAINED_ROW_NAMES = { sft: "Qwen2.5-1.5b (w/ SFT)", grpo: "Qwen2.5-1.5b (w/ SFT & GRPO)" } as const;

/**
 * The models the paper profile evaluates: the four baselines, then SFT and SFT+GRPO of every training
 * task whose trainer run finished (`final/` exists; lib/trainer-client's `trainTask` writes them).
 */
export function paperModelSpecs(profile: Profile, opts: { tasks?: readonly string[]; trainerDir?: string } = {}): ServedModelSpec[] {
  const root = opts.trainerDir ?? resultsDir(profile, "trainer");
  const baselines = PAPER_BASELINES.map((b) => ({ ...b, trainedOn: null, prompt: { ...DEFAULT_PROMPT_CONFIG } }));
  const trained = (opts.tasks ?? Object.keys(PAPER.tasks)).flatMap((task) =>
    (["sft", "grpo"] as const)
      .map((stage) => ({ stage, dir: path.join(root, task, stage, "final") }))
      .filter(({ dir }) => fs.existsSync(dir))
      .map(({ stage, dir }) => ({ name: TRAINED_ROW_NAMES[stage], model: dir, trainedOn: task, prompt: { ...DATASET_PROMPT_CONFIG } })),
  );
  return [...baselines, ...trained];
}

/** Where a served model's episodes go: `<dir>/<protocol>/served/[<trained_on>/]<slug of the name>.jsonl`. */
export function servedEpisodeFile(dir: string, protocol: Protocol, spec: ServedModelSpec): string {
  return protocolFile(dir, protocol, "served", ...(spec.trainedOn ? [spec.trainedOn] : []), slug(spec.name));
}

/** Where a served model's single-turn check is kept: beside its episodes (JSON, so lib/report skips it). */
export function servedSingleTurnFile(episodeFile: string): string {
  return episodeFile.replace(/\.jsonl$/, ".single-turn.json");
}

/** True when `file` already holds every episode of the protocol for this model (nothing to serve). */
function complete(file: string, protocol: Protocol, spec: ServedModelSpec, run: string): boolean {
  if (!fs.existsSync(file)) return false;
  const have = new Set(
    readEpisodes(file)
      .filter((e) => e.model === spec.name && e.run === run && (e.trained_on ?? null) === spec.trainedOn)
      .map((e) => `${e.task}@${e.seed}`),
  );
  return protocol.tasks.every((t) => protocol.seeds.every((s) => have.has(`${t.id}@${s}`)));
}

export interface ServedEvaluationOptions {
  /** Episode files go under this directory (results/<profile>/eval). */
  dir: string;
  /** The run id of the episodes (default: the protocol's name). */
  run?: string;
  /** Request settings for EndpointPolicy (temperature, maxTokens, concurrency, timeouts…). */
  endpoint?: Omit<EndpointPolicyOptions, "endpoint" | "model" | "prompt" | "name">;
  /** How to serve (backend, extra vLLM flags, env…). */
  serve?: Omit<ServeOptions, "model" | "name">;
  /** Episodes in flight per model (default 8). */
  concurrency?: number;
  progress?: ProgressSink;
  /** Called with one line per model (served, skipped as complete). */
  log?: (line: string) => void;
  /**
   * Also sample each model's single-turn accuracy along these expert trajectories (lib/eval's
   * `theoremStudy`: `samples` replies per expert state; a trained model on its own task's layouts).
   */
  singleTurn?: { trajectories: ExpertTrajectory[]; samples: number; rollouts: number };
}

/** One served model's evaluation: its episodes, and its single-turn check when asked for. */
export interface ServedResult extends PolicyResult {
  singleTurn?: TheoremResult;
}

/**
 * Serve each model in turn and evaluate it on the protocol (resumable: a model whose episodes are all
 * there is not served again; a cut-off one resumes from its file). Returns one result per model.
 */
export async function evaluateServedModels(specs: readonly ServedModelSpec[], protocol: Protocol, opts: ServedEvaluationOptions): Promise<ServedResult[]> {
  const run = opts.run ?? protocol.name;
  const log = opts.log ?? (() => {});
  const results: ServedResult[] = [];
  for (const spec of specs) {
    const file = servedEpisodeFile(opts.dir, protocol, spec);
    const stFile = servedSingleTurnFile(file);
    const label = spec.trainedOn ? `${spec.name} (trained on ${spec.trainedOn})` : spec.name;
    const done = complete(file, protocol, spec, run) && (!opts.singleTurn || fs.existsSync(stFile));
    const served = done ? null : await serveModel({ ...opts.serve, model: spec.model, name: servedName(spec) });
    log(served ? `${label}: served ${spec.model} at ${served.endpoint} (${served.backend})` : `${label}: all episodes already in ${path.basename(file)}`);
    try {
      const result: ServedResult = await evaluateSpec(
        {
          kind: "endpoint",
          name: spec.name,
          trainedOn: spec.trainedOn,
          // A complete file is only read back: no server runs, and none is asked anything.
          preflight: served !== null,
          endpoint: { ...opts.endpoint, endpoint: served?.endpoint ?? "http://127.0.0.1:9", model: served?.model ?? servedName(spec), prompt: spec.prompt },
        },
        protocol,
        opts.dir,
        { run, file, progress: opts.progress ?? silentProgress, concurrency: opts.concurrency ?? 8 },
      );
      if (opts.singleTurn) result.singleTurn = await servedSingleTurn(result, stFile, opts.singleTurn, served !== null);
      results.push(result);
    } finally {
      await served?.stop();
    }
  }
  return results;
}

/** The model's single-turn check: read back when on file, else sampled from the running server and kept. */
async function servedSingleTurn(result: PolicyResult, file: string, cfg: NonNullable<ServedEvaluationOptions["singleTurn"]>, serving: boolean): Promise<TheoremResult | undefined> {
  if (!serving) return readJsonFile<TheoremResult>(file); // on file: evaluateServedModels served nothing
  const [check] = await theoremStudy([result], cfg.trajectories, cfg);
  if (check) writeFileAtomic(file, JSON.stringify(check) + "\n");
  return check;
}

/** The name the server reports: one per (row, training task), so two loaded models are never confused. */
function servedName(spec: ServedModelSpec): string {
  return spec.trainedOn ? `${slug(spec.name)}-${spec.trainedOn}` : slug(spec.name);
}

/** "Qwen2.5-1.5b (w/ SFT & GRPO)" → "qwen2.5-1.5b-w-sft-grpo": a file and server name. */
function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9.]+/g, "-").replace(/^-|-$/g, "");
}

/** What notebook 06's paper-profile section shows: the models (and, in the paper profile, their metrics). */
export interface PaperModelsSection {
  specs: ServedModelSpec[];
  results: ServedResult[];
  /** The served models' single-turn checks (when `singleTurn` was given). */
  theorem: TheoremResult[];
  markdown: string;
}

/**
 * Notebook 06's paper-profile section. In the paper profile: serve and evaluate every model of
 * `paperModelSpecs` on the protocol. Elsewhere: only the list of what the paper profile serves, and how.
 */
export async function paperModelsSection(profile: Profile, protocol: Protocol, opts: ServedEvaluationOptions & { trainerDir?: string }): Promise<PaperModelsSection> {
  const specs = paperModelSpecs(profile, { trainerDir: opts.trainerDir });
  const list = [
    "| model (Table 1 row) | served | trained on | prompt |",
    "|---|---|---|---|",
    ...specs.map((s) => `| ${s.name} | \`${repoPath(s.model)}\` | ${s.trainedOn ?? "—"} | ${s.prompt.inContextExample ? "ReAct + in-context example" : "the dataset prompt (no example)"} |`),
  ].join("\n");
  if (profile !== "paper") {
    const note =
      `Profile ${profile}: nothing is served here. In the paper profile (Docker with a GPU) these models are served one at a time ` +
      "with `vllm serve` and evaluated on the paper protocol — the trained rows on every task, for Tables 2–4 — into " +
      "`results/paper/eval/paper/served/`. Trained rows appear once `stgrpo trainer all --task <task>` has finished.";
    return { specs, results: [], theorem: [], markdown: `${note}\n\n${list}` };
  }
  const results = await evaluateServedModels(specs, protocol, opts);
  return { specs, results, theorem: results.flatMap((r) => (r.singleTurn ? [r.singleTurn] : [])), markdown: list };
}
