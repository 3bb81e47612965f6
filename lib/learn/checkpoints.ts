/**
 * The CPU learners' checkpoints on disk, with the labels their episodes get: the paper's model name of
 * a run (`sft`, `sft+grpo`, …, with the CPU study's variants), its training task and run id.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isTaskId, resolveTask } from "../env/index";
import { UserError } from "../util/errors";

/** A checkpoint found on disk, with the labels its episodes get. */
export interface CheckpointInfo {
  /** The run directory (or policy file). */
  path: string;
  /** `untrained`, `sft`, `sft+grpo` (GRPO from an SFT policy), `grpo`, `multiturn-grpo`. */
  model: string;
  /** The training task, read from the path (`…/learn/<task>/…`) or the run's config; null when neither names one. */
  trainedOn: string | null;
  /** The run id: the checkpoint's directory relative to the search root (one per training seed). */
  run: string;
  algo: string;
  /** From the CPU study's `study.json` beside the policy, when present: its episodes' run id and sampling seed. */
  studyRun: string | null;
  seed: number | null;
}

/**
 * The paper's model names for lib/learn's algorithms (meta.algo, following `parent` for GRPO's start):
 * `untrained`, `sft`, `sft+grpo` (GRPO from SFT; `grpo` from anything else), `multiturn-grpo`. A run
 * directory's variant beyond the algorithm (the CPU study's `grpo-beta0.1`, `sft-light`) is appended
 * as the study labels it: `sft+grpo(beta=0.1)`, `sft(light)`.
 */
export function modelNameOfMeta(meta: Record<string, unknown>, variant = ""): string {
  const algo = String(meta.algo ?? "policy");
  const parent = (meta.parent ?? null) as Record<string, unknown> | null;
  const base = algo === "grpo" ? (parent?.algo === "sft" ? "sft+grpo" : "grpo") : algo === "multiturn" ? "multiturn-grpo" : algo;
  const rest = variant.startsWith(`${algo}-`) ? variant.slice(algo.length + 1) : "";
  if (!rest) return base;
  return rest
    .split("-")
    .map((part) => (/^beta[\d.e-]+$/.test(part) ? `(beta=${part.slice(4)})` : `(${part})`))
    .reduce((name, label) => name + label, base);
}

function readJsonQuiet(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** Labels of one checkpoint: model name from its meta, training task from its path or config. */
export function describeCheckpoint(fileOrDir: string, root?: string): CheckpointInfo {
  const isDir = fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory();
  const policyFile = isDir ? path.join(fileOrDir, "policy.json") : fileOrDir;
  const dir = isDir ? fileOrDir : path.dirname(fileOrDir);
  const pol = readJsonQuiet(policyFile);
  if (!pol) throw new UserError(`policy ${policyFile} does not exist or is not JSON`);
  const meta = (pol.meta ?? {}) as Record<string, unknown>;
  const config = readJsonQuiet(path.join(dir, "config.json"));
  const fromPath = path
    .resolve(dir)
    .split(path.sep)
    .reverse()
    .find((part) => isTaskId(part));
  const fromConfig = typeof config?.task === "string" && isTaskId(config.task) ? config.task : null;
  // The CPU study labels its runs in study.json (model, trained_on, run, seed): those win.
  const study = readJsonQuiet(path.join(dir, "study.json")) as { model?: unknown; trained_on?: unknown; run?: unknown; seed?: unknown } | null;
  const studyTask = typeof study?.trained_on === "string" && isTaskId(study.trained_on) ? study.trained_on : null;
  const task = studyTask ?? fromConfig ?? fromPath ?? null;
  const rel = root ? path.relative(root, dir) : path.basename(dir);
  const variant = path.basename(dir).replace(/-s\d+$/, "");
  return {
    path: fileOrDir,
    model: typeof study?.model === "string" && study.model ? study.model : modelNameOfMeta(meta, variant),
    trainedOn: task ? resolveTask(task).id : null,
    run: rel === "" ? path.basename(dir) : rel.split(path.sep).join("/"),
    algo: String(meta.algo ?? "policy"),
    studyRun: typeof study?.run === "string" ? study.run : null,
    seed: Number.isInteger(study?.seed) ? (study!.seed as number) : null,
  };
}

/** Every finished CPU learner under `root` (a directory holding `policy.json`), sorted by path; none → []. */
export function findCheckpoints(root: string): CheckpointInfo[] {
  if (!fs.existsSync(root)) return [];
  const out: CheckpointInfo[] = [];
  const walk = (d: string) => {
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.some((e) => e.isFile() && e.name === "policy.json")) out.push(describeCheckpoint(d, root));
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(root);
  return out;
}
