/**
 * What the study trains and evaluates, derived from its config (pure: no file is touched here), and
 * where every piece lives:
 *
 *   results/<profile>/expert/<task>/…                       expert data (lib/expert's paths)
 *   results/<profile>/learn/<task>/<variant>-s<seed>/       a training run (config, metrics, checkpoint, policy)
 *   results/<profile>/eval/<protocol>/<task>/<variant>-s<seed>.jsonl   its episodes on every evaluated task
 *   results/<profile>/eval/<protocol>/reference/<name>.jsonl           untrained (per sampling seed) and expert
 *   results/<profile>/theory/<task>/<variant>-s<seed>.json  the theory checks of one model
 *   results/<profile>/study/timings.jsonl                   wall time of every job that ran
 *   results/<profile>/summary/summary.{json,md}             the study's tables and findings
 *
 * Episode labels (what lib/report groups by): `model` names the recipe (`sft`, `sft+grpo`,
 * `multiturn-grpo`, `sft+grpo(beta=0.1)`, `sft(light)`, …), `trained_on` the training task and `run` the
 * training seed (`s0`), so a cell's runs are its training seeds.
 */
import * as path from "node:path";
import { resultsDir } from "../../util/profile";
import { ArmConfig, StudyConfig } from "./config";

export type Algo = "sft" | "grpo" | "multiturn";

/** One training run of the study. */
export interface ModelRun {
  /** `<task>/<variant>-s<seed>`: unique within the study. */
  key: string;
  task: string;
  seed: number;
  algo: Algo;
  arm: string;
  /** GRPO's KL coefficient (grpo and multiturn). */
  beta: number | null;
  /** Directory-name stem: `sft`, `grpo`, `grpo-beta0.1`, `multiturn`, `sft-light`, … */
  variant: string;
  /** Episode `model` label. */
  model: string;
  /** The run this one starts from (its SFT policy), by key. */
  parent: string | null;
  /** Multi-turn only: the GRPO run whose number of sampled actions is this run's budget. */
  budgetOf: string | null;
  /** Tasks this model is evaluated on. */
  evalTasks: string[];
  dir: string;
}

/** A path under the study's results tree: `cfg.root`, else results/<profile>[/<env>] (Robotouille's at the top). */
export function studyPath(cfg: Pick<StudyConfig, "profile" | "root" | "env">, ...parts: string[]): string {
  return cfg.root ? path.join(cfg.root, ...parts) : resultsDir(cfg.profile, ...envDir(cfg), ...parts);
}

/** The study's environment sub-directory: none for Robotouille (the paper's), the family's name otherwise. */
export function envDir(cfg: Pick<StudyConfig, "env">): string[] {
  return cfg.env && cfg.env !== "robotouille" ? [cfg.env] : [];
}

/** lib/expert's `root` option for the study's expert data (undefined: its default, results/<profile>/expert). */
export function expertRoot(cfg: StudyConfig): string | undefined {
  return cfg.root || envDir(cfg).length ? studyPath(cfg, "expert") : undefined;
}

const armSuffix = (arm: string) => (arm ? `-${arm}` : "");

/**
 * A model's label: the recipe, then its qualifiers in parentheses — the arm and, for a β-sweep run,
 * its β: `sft`, `sft+grpo(light)`, `sft+grpo(beta=0.1)`, `sft+grpo(light,beta=0.1)`.
 */
export function modelLabel(recipe: string, arm: string, beta: number | null = null): string {
  const quals = [arm, beta === null ? "" : `beta=${beta}`].filter(Boolean);
  return quals.length ? `${recipe}(${quals.join(",")})` : recipe;
}

/** The arm and sweep β a label names (the inverse of `modelLabel`; β null for the study's own β). */
export function parseModelLabel(label: string): { recipe: string; arm: string; beta: number | null } {
  const m = /^([^(]+)(?:\(([^)]*)\))?$/.exec(label);
  const quals = m?.[2] ? m[2].split(",") : [];
  const beta = quals.find((q) => q.startsWith("beta="));
  return { recipe: m?.[1] ?? label, arm: quals.find((q) => !q.startsWith("beta=")) ?? "", beta: beta ? Number(beta.slice(5)) : null };
}

/** The models of one arm, task and seed, parents first. */
function armRuns(cfg: StudyConfig, arm: ArmConfig, task: string, seed: number): ModelRun[] {
  const root = studyPath(cfg, "learn", task);
  const evalTasks = arm.crossTask ? cfg.evalTasks : [task];
  const mk = (algo: Algo, variant: string, recipe: string, extra: Partial<ModelRun> & { sweep?: number } = {}): ModelRun => {
    const { sweep, ...rest } = extra;
    const v = variant + armSuffix(arm.id);
    return {
      key: `${task}/${v}-s${seed}`,
      task,
      seed,
      algo,
      arm: arm.id,
      beta: null,
      variant: v,
      model: modelLabel(recipe, arm.id, sweep ?? null),
      parent: null,
      budgetOf: null,
      evalTasks,
      dir: path.join(root, `${v}-s${seed}`),
      ...rest,
    };
  };
  const sft = mk("sft", "sft", "sft");
  const grpo = mk("grpo", "grpo", "sft+grpo", { parent: sft.key, beta: cfg.grpo.beta ?? null });
  const out = [sft, grpo];
  if (arm.betaSweep) {
    // Sweep runs are evaluated on their training task only (the β question is per task).
    for (const beta of cfg.betaSweep) out.push(mk("grpo", `grpo-beta${beta}`, "sft+grpo", { parent: sft.key, beta, sweep: beta, evalTasks: [task] }));
  }
  if (arm.multiturn) out.push(mk("multiturn", "multiturn", "multiturn-grpo", { parent: sft.key, budgetOf: grpo.key, beta: cfg.multiturn.beta ?? null }));
  return out;
}

/** Every training run of the study, in an order where each run's parent and budget come first. */
export function studyRuns(cfg: StudyConfig): ModelRun[] {
  const out: ModelRun[] = [];
  for (const task of cfg.tasks) for (const seed of cfg.seeds) for (const arm of cfg.arms) out.push(...armRuns(cfg, arm, task, seed));
  return out;
}

/** The protocols every model is evaluated on: the paper's (10 seeds) and the extended one. */
export function studyProtocols(cfg: StudyConfig): { name: string; seeds: number }[] {
  return [
    { name: "paper", seeds: 10 },
    { name: `extended-${cfg.eval.extendedSeeds}`, seeds: cfg.eval.extendedSeeds },
  ];
}

/** The episode file of a training run under a protocol. */
export function evalFile(cfg: StudyConfig, protocol: string, run: ModelRun): string {
  return studyPath(cfg, "eval", protocol, run.task, `${run.variant}-s${run.seed}.jsonl`);
}

/** The episode file of a reference policy (`untrained-s0`, `expert`) under a protocol. */
export function referenceFile(cfg: StudyConfig, protocol: string, name: string): string {
  return studyPath(cfg, "eval", protocol, "reference", `${name}.jsonl`);
}

/** The theory checks of one model (a run, or the untrained reference of a task). */
export function theoryFile(cfg: StudyConfig, task: string, name: string): string {
  return studyPath(cfg, "theory", task, `${name}.json`);
}

export function studyDirs(cfg: Pick<StudyConfig, "profile" | "root">) {
  return {
    results: studyPath(cfg),
    learn: studyPath(cfg, "learn"),
    eval: studyPath(cfg, "eval"),
    theory: studyPath(cfg, "theory"),
    timings: studyPath(cfg, "study", "timings.jsonl"),
    summary: studyPath(cfg, "summary"),
  };
}
