/**
 * The single-turn vs multi-turn comparison (issue 17): one typed configuration per profile.
 *
 * Four methods from the same SFT start, at equal sampled actions (lib/learn/samples.ts), each trained to
 * a list of budget points with its policy saved at each: single-turn GRPO on expert states (the paper's
 * method, grpo.ts), trajectory-level multi-turn GRPO with the sparse success reward (multiturn.ts), GiGPO
 * (gigpo.ts) and on-policy single-turn GRPO with planner labels (onpolicy.ts). Every policy (and the SFT
 * start, budget 0) is evaluated on the extended protocol under sampling (temperature 1, the study's
 * rule) and greedy decoding.
 *
 * Learners × SFT starts ("cells"): the log-linear learner from the study's two SFT arms (light and main,
 * the study's own runs) and the MLP (hidden 16) from the light recipe. What the cpu profile cuts to fit
 * its 15 minutes on 2 cores (each measured: notes/learn.md, "The comparison"):
 *
 * - the largest budget is 100 000 sampled actions (the study's 50-epoch GRPO draws 0.3–0.8 M): the
 *   curves flatten by then (GRPO from 50–100 k, the multi-turn methods from 100 k) and the ranking at
 *   100 k is the one at 400 k where it was measured (Burger, double cheese burger, light arm);
 * - the MLP costs 6–10× the log-linear learner per sampled action: it gets the two short tasks (Cheese
 *   Sandwich, Burger), the light start and budgets up to 50 000 — enough to see whether the ranking is
 *   the log-linear learner's (on the double cheese burger alone it would cost ≈ 700 CPU seconds);
 * - on-policy labelling plans on states no expert visited; a labelling search gets 5 000 A* expansions
 *   (the states over it — under 2% on the double cheese burger — get no group, counted).
 */
import { UserError } from "../../util/errors";
import type { Profile } from "../../util/profile";
import { envFamily } from "../../env/index";
import { GRPO_DEFAULTS, GrpoConfig } from "../../learn/grpo";
import { GIGPO_DEFAULTS, GigpoConfig } from "../../learn/gigpo";
import { MULTITURN_DEFAULTS, MultiTurnConfig } from "../../learn/multiturn";
import { ONPOLICY_DEFAULTS, OnPolicyConfig } from "../../learn/onpolicy";
import type { ModelConfig } from "../../learn/model";
import type { EnvName } from "../../env/types";
import { CPU_COOKINGWORLD_STUDY, CPU_STUDY } from "../study/config";

const PAPER_TASKS = envFamily("robotouille").paperTasks;

/** The methods compared, in the order tables list them (the paper's first). */
export const METHODS = ["grpo", "multiturn", "gigpo", "onpolicy"] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_TITLES: Record<Method, string> = {
  grpo: "single-turn GRPO (expert states)",
  multiturn: "multi-turn GRPO",
  gigpo: "GiGPO",
  onpolicy: "on-policy single-turn GRPO",
};

/** The methods that learn from whole episodes with the sparse success reward (the paper's "multi-turn RL"). */
export const MULTI_TURN_METHODS: readonly Method[] = ["multiturn", "gigpo"];

/** An SFT start: the study's arm (`light`, or `main` = the paper's recipe). */
export type ArmId = "light" | "main";

/** A learner and the starts, tasks and budget points it is compared on. */
export interface LearnerCell {
  /** `linear` or `mlp`: directory and table names. */
  learner: string;
  /** The scorer (lib/learn/model.ts); `linear` reuses the study's SFT runs. */
  model: Partial<ModelConfig>;
  arms: ArmId[];
  tasks: string[];
  /** Budget points in sampled actions, ascending (each method saves its policy at each and stops at the last). */
  budgets: number[];
}

export interface ComparisonConfig {
  profile: Profile;
  /** The environment (default Robotouille); its study's SFT starts and results tree (results/<profile>[/<env>]). */
  env?: EnvName;
  /** Results tree (default results/<profile>; the comparison lives in its `comparison/`). */
  root?: string;
  methods: Method[];
  seeds: number[];
  cells: LearnerCell[];
  /** Method settings (their budgets come from the cell). */
  grpo: Partial<GrpoConfig>;
  multiturn: Partial<Omit<MultiTurnConfig, "envSteps">>;
  gigpo: Partial<Omit<GigpoConfig, "envSteps">>;
  onpolicy: Partial<Omit<OnPolicyConfig, "envSteps">>;
  eval: {
    /** Extended protocol: the first n evaluation layouts of each task. */
    layouts: number;
    /** Decoding rules, each a temperature (0 = greedy). */
    decodings: { id: string; temperature: number }[];
  };
  theory: {
    /** Evaluation layouts whose expert trajectories give the expert states (Corollary 3.1). */
    layouts: number;
    /** Off-expert states per SFT start, from its own sampled evaluation episodes (Assumption 3.1). */
    offPathStates: number;
  };
}

const SHARED = { groupSize: GRPO_DEFAULTS.groupSize, beta: GRPO_DEFAULTS.beta, lr: GRPO_DEFAULTS.lr };

/** `make reproduce`'s comparison (see the file comment for what it cuts). */
export const CPU_COMPARISON: ComparisonConfig = {
  profile: "cpu",
  methods: [...METHODS],
  seeds: [0, 1, 2],
  cells: [
    { learner: "linear", model: { kind: "linear" }, arms: ["light", "main"], tasks: [...PAPER_TASKS], budgets: [12_500, 25_000, 50_000, 100_000] },
    { learner: "mlp", model: { kind: "mlp", hidden: 16 }, arms: ["light"], tasks: ["cheese_sandwich", "burger"], budgets: [12_500, 25_000, 50_000] },
  ],
  grpo: { batchSize: GRPO_DEFAULTS.batchSize, ...SHARED },
  multiturn: { layoutsPerStep: MULTITURN_DEFAULTS.layoutsPerStep, ...SHARED },
  gigpo: { layoutsPerStep: GIGPO_DEFAULTS.layoutsPerStep, gamma: GIGPO_DEFAULTS.gamma, omega: GIGPO_DEFAULTS.omega, advStd: GIGPO_DEFAULTS.advStd, ...SHARED },
  onpolicy: { layoutsPerStep: ONPOLICY_DEFAULTS.layoutsPerStep, planBudget: 5_000, reward: "expert", ...SHARED },
  eval: { layouts: CPU_STUDY.eval.extendedSeeds, decodings: [{ id: "sample", temperature: 1 }, { id: "greedy", temperature: 0 }] },
  theory: { layouts: 10, offPathStates: 20 },
};

/** `make test`'s: the same code on one task's ci data, two seeds, tiny budgets, 12 layouts. */
export const CI_COMPARISON: ComparisonConfig = {
  ...CPU_COMPARISON,
  profile: "ci",
  seeds: [0, 1],
  cells: [
    { learner: "linear", model: { kind: "linear" }, arms: ["light"], tasks: ["cheese_sandwich"], budgets: [1_000, 2_000] },
    { learner: "mlp", model: { kind: "mlp", hidden: 16 }, arms: ["light"], tasks: ["cheese_sandwich"], budgets: [1_000] },
  ],
  multiturn: { ...CPU_COMPARISON.multiturn, layoutsPerStep: 3 },
  gigpo: { ...CPU_COMPARISON.gigpo, layoutsPerStep: 3 },
  onpolicy: { ...CPU_COMPARISON.onpolicy, layoutsPerStep: 3 },
  grpo: { ...CPU_COMPARISON.grpo, batchSize: 16 },
  eval: { ...CPU_COMPARISON.eval, layouts: 12 },
  theory: { layouts: 2, offPathStates: 4 },
};

/**
 * CookingWorld's: the same four methods from its study's SFT start (the paper's recipe, the study's one
 * arm) on the two levels where that start succeeds at all (levels 3 and 4 are at SR 0 for every learner
 * in notebook 08, so their curves would be flat zeros), the log-linear learner only. A CookingWorld step
 * costs the JVM and ~1 ms of text features where a Robotouille step costs microseconds, so the budgets
 * are a fifth of Robotouille's and the extended protocol is the study's 30 test games.
 */
export const CPU_COOKINGWORLD_COMPARISON: ComparisonConfig = {
  ...CPU_COMPARISON,
  env: "cookingworld",
  cells: [{ learner: "linear", model: { kind: "linear" }, arms: ["main"], tasks: ["cookingworld-1", "cookingworld-2"], budgets: [2_500, 5_000, 10_000, 20_000] }],
  eval: { ...CPU_COMPARISON.eval, layouts: CPU_COOKINGWORLD_STUDY.eval.extendedSeeds },
  theory: { layouts: 5, offPathStates: 10 },
};

/** `make test`'s CookingWorld comparison: level 1, two seeds, one small budget. */
export const CI_COOKINGWORLD_COMPARISON: ComparisonConfig = {
  ...CI_COMPARISON,
  env: "cookingworld",
  cells: [{ learner: "linear", model: { kind: "linear" }, arms: ["main"], tasks: ["cookingworld-1"], budgets: [300] }],
  eval: { ...CI_COMPARISON.eval, layouts: 6 },
  theory: { layouts: 2, offPathStates: 3 },
};

export const COMPARISON_CONFIGS: Record<EnvName, Partial<Record<Profile, ComparisonConfig>>> = {
  robotouille: { ci: CI_COMPARISON, cpu: CPU_COMPARISON },
  cookingworld: { ci: CI_COOKINGWORLD_COMPARISON, cpu: CPU_COOKINGWORLD_COMPARISON },
};

/** The tasks of every cell, in first-seen order. */
export function comparisonTasks(cfg: ComparisonConfig): string[] {
  return [...new Set(cfg.cells.flatMap((c) => c.tasks))];
}

/** The comparison of a profile, with overrides (the CLI's --methods, --tasks, --seeds, --learners, --root). */
export function comparisonConfig(profile: Profile, overrides: Partial<ComparisonConfig> & { tasks?: string[]; learners?: string[] } = {}, env: EnvName = "robotouille"): ComparisonConfig {
  const base = COMPARISON_CONFIGS[env][profile];
  if (!base) throw new UserError(`the comparison runs the ci and cpu profiles (the ${profile} profile trains the LLM through lib/trainer)`);
  const { tasks, learners, ...rest } = overrides;
  const cfg: ComparisonConfig = { ...base, ...rest };
  if (learners) {
    const unknown = learners.filter((l) => !base.cells.some((c) => c.learner === l));
    if (unknown.length) throw new UserError(`--learners: unknown learner ${unknown.join(", ")} (known: ${base.cells.map((c) => c.learner).join(", ")})`);
    cfg.cells = cfg.cells.filter((c) => learners.includes(c.learner));
  }
  if (tasks) cfg.cells = cfg.cells.map((c) => ({ ...c, tasks: c.tasks.filter((t) => tasks.includes(t)) })).filter((c) => c.tasks.length > 0);
  if (cfg.cells.length === 0) throw new UserError(`no learner is compared on ${tasks?.join(", ") ?? "any task"} (the ${profile} profile compares ${base.cells.map((c) => `${c.learner} on ${c.tasks.join(", ")}`).join("; ")})`);
  if (cfg.methods.length === 0) throw new UserError("the comparison needs at least one method");
  if (cfg.seeds.length === 0) throw new UserError("the comparison needs at least one training seed");
  if (new Set(cfg.seeds).size !== cfg.seeds.length) throw new UserError(`training seeds must differ: ${cfg.seeds.join(",")}`);
  return cfg;
}
