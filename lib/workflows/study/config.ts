/**
 * The CPU-scale study's configuration: one typed object per profile, the paper's values as defaults
 * where they apply (SFT 8 epochs × batch 8; GRPO batch 256, 50 epochs, β = 0.001; the paper's evaluation
 * protocol), `ci` the same code on a tiny budget.
 *
 * The study (issue 7): expert data (lib/expert, training layouts disjoint from every evaluation layout)
 * → SFT → single-turn GRPO from SFT with the expert-action reward (β = 0.001, plus a β sweep) → a
 * multi-turn baseline (trajectory-level GRPO with the sparse success reward at the same number of
 * sampled actions) → the untrained reference; per-task training on every task of `tasks`, each model
 * evaluated on every task of `evalTasks` (the cross-task matrix), with several training seeds, on the
 * paper protocol and on the extended one.
 *
 * Two SFT strengths ("arms"). The paper's SFT leaves room for GRPO (its SFT model reaches SR 0.0–0.6);
 * the CPU learner's SFT at the paper's 8 epochs fits the expert states exactly (p(a^GT|s) → 1 on
 * them), so single-turn GRPO has nothing left to learn there — every group gets equal rewards. The
 * `light` arm is the same recipe with a 50× smaller SFT step (still 8 epochs, batch 8), which stops
 * SFT at p(a^GT|s) ≈ 0.85 on its training states: the regime in which the paper's mechanism (GRPO
 * amplifies the expert-action probability, Theorem 3.1) can show. Both are reported.
 */
import { UserError } from "../../util/errors";
import type { Profile } from "../../util/profile";
import { envFamily } from "../../env/index";
import type { EnvName } from "../../env/types";
import type { FeatureConfig } from "../../learn/features";

const PAPER_TASKS = envFamily("robotouille").paperTasks;
import { SFT_DEFAULTS, SftConfig } from "../../learn/sft";
import { GRPO_DEFAULTS, GrpoConfig } from "../../learn/grpo";
import { MULTITURN_DEFAULTS, MultiTurnConfig } from "../../learn/multiturn";

/** One SFT strength and the models trained from it. */
export interface ArmConfig {
  /** "" for the main arm (paper recipe); else a suffix of directory and model names (`light`). */
  id: string;
  /** SFT settings on top of the study's `sft`. */
  sft: Partial<SftConfig>;
  /** Also run the β sweep from this arm's SFT. */
  betaSweep: boolean;
  /** Also run the multi-turn baseline from this arm's SFT. */
  multiturn: boolean;
  /** Evaluate this arm's models on every task of `evalTasks` (else on their training task only). */
  crossTask: boolean;
}

export interface StudyConfig {
  profile: Profile;
  /** The environment family (default robotouille, the paper's); its results go to results/<profile>/<env>/. */
  env?: EnvName;
  /** Results tree (default: results/<profile>; tests use a temporary one). */
  root?: string;
  /** Training tasks (one set of models per task). */
  tasks: string[];
  /** Tasks every model is evaluated on (the cross-task matrix: train on one, evaluate on all). */
  evalTasks: string[];
  /** Training seeds (runs); the report takes mean and 95% t interval across them. */
  seeds: number[];
  /** Expert data (lib/expert's generateExpertData): layouts per task, validation fraction, first seed. */
  expert: { perTask: number; valFraction: number; firstSeed?: number };
  /** The learners' features (default: lib/learn's, Robotouille's scene featuriser; "text" for any environment). */
  features?: Partial<FeatureConfig>;
  sft: Partial<SftConfig>;
  grpo: Partial<GrpoConfig>;
  /** Multi-turn GRPO settings; its budget `envSteps` is always the matching GRPO run's samples. */
  multiturn: Partial<Omit<MultiTurnConfig, "envSteps">>;
  /** β values besides grpo.beta (each a `sft+grpo(beta=…)` model). */
  betaSweep: number[];
  arms: ArmConfig[];
  eval: {
    /** Extended protocol: this many seeds per task (42·k); the paper protocol is always run. */
    extendedSeeds: number;
    /** Decoding: 1 = sample from π (the distribution the theory is about); 0 = greedy. */
    temperature: number;
    /** Evaluate the planner expert (the lower bound on steps; its episodes give T* per layout). */
    expert: boolean;
  };
  theory: {
    /** Monte-Carlo rollouts per layout for the measured minimal-step success. */
    rollouts: number;
    /** Evaluation layouts per task whose expert trajectories are checked (paper protocol seeds first). */
    layouts: number;
    /** Off-expert states per task (visited by the SFT policy) where Assumption 3.1 is checked. */
    offPathStates: number;
  };
}

// The β sweep runs from the light SFT policy: from the main arm's, GRPO has no signal whatever β is.
const MAIN_ARM: ArmConfig = { id: "", sft: {}, betaSweep: false, multiturn: true, crossTask: true };
const LIGHT_ARM: ArmConfig = { id: "light", sft: { lr: 1e-4 }, betaSweep: true, multiturn: true, crossTask: true };

/** `make reproduce`: the four paper tasks, three training seeds, ~100 expert layouts per task. */
export const CPU_STUDY: StudyConfig = {
  profile: "cpu",
  tasks: [...PAPER_TASKS],
  evalTasks: [...PAPER_TASKS],
  seeds: [0, 1, 2],
  expert: { perTask: 100, valFraction: 0.1 },
  sft: { epochs: SFT_DEFAULTS.epochs, batchSize: SFT_DEFAULTS.batchSize, lr: SFT_DEFAULTS.lr },
  grpo: { epochs: GRPO_DEFAULTS.epochs, batchSize: GRPO_DEFAULTS.batchSize, groupSize: GRPO_DEFAULTS.groupSize, beta: GRPO_DEFAULTS.beta },
  multiturn: { layoutsPerStep: MULTITURN_DEFAULTS.layoutsPerStep, groupSize: GRPO_DEFAULTS.groupSize, beta: GRPO_DEFAULTS.beta },
  betaSweep: [0.01, 0.1, 1],
  arms: [MAIN_ARM, LIGHT_ARM],
  eval: { extendedSeeds: 100, temperature: 1, expert: true },
  theory: { rollouts: 200, layouts: 10, offPathStates: 20 },
};

/** `make test`: the same code on two tasks, two seeds, ten layouts and a few GRPO epochs. */
export const CI_STUDY: StudyConfig = {
  ...CPU_STUDY,
  profile: "ci",
  tasks: ["cheese_sandwich", "burger"],
  evalTasks: ["cheese_sandwich", "burger"],
  seeds: [0, 1],
  // Notebook 04's ci data (4 layouts per task, one of them held out): the two notebooks share it.
  expert: { perTask: 4, valFraction: 0.1 },
  grpo: { ...CPU_STUDY.grpo, epochs: 4 },
  betaSweep: [0.1],
  eval: { extendedSeeds: 12, temperature: 1, expert: true },
  theory: { rollouts: 50, layouts: 3, offPathStates: 4 },
};

const COOKINGWORLD_TASKS = envFamily("cookingworld").paperTasks;

/**
 * The same study on CookingWorld's four levels (the second environment): the engine's gold path as the
 * expert (its train games), the text featuriser (CookingWorld has no scene parser), every model on every
 * level (the 4×4 cross-level matrix), the test games as evaluation. One SFT arm, the paper's recipe, and no
 * β sweep: the Robotouille study measures those; here the question is whether the findings carry over.
 */
export const CPU_COOKINGWORLD_STUDY: StudyConfig = {
  ...CPU_STUDY,
  env: "cookingworld",
  tasks: [...COOKINGWORLD_TASKS],
  evalTasks: [...COOKINGWORLD_TASKS],
  // Budgets sized for the CPU (make reproduce's CookingWorld share is about 12 minutes on 2 cores): a
  // CookingWorld step costs the JVM and ~1 ms of text features, where a Robotouille step costs microseconds.
  expert: { perTask: 50, valFraction: 0.1 },
  features: { kind: "text" },
  grpo: { ...CPU_STUDY.grpo, epochs: 5 },
  betaSweep: [],
  arms: [MAIN_ARM],
  eval: { extendedSeeds: 30, temperature: 1, expert: true },
  theory: { rollouts: 100, layouts: 5, offPathStates: 10 },
};

/** `make test`'s CookingWorld study: the first two levels, two seeds, a few games. */
export const CI_COOKINGWORLD_STUDY: StudyConfig = {
  ...CPU_COOKINGWORLD_STUDY,
  profile: "ci",
  tasks: COOKINGWORLD_TASKS.slice(0, 2),
  evalTasks: COOKINGWORLD_TASKS.slice(0, 2),
  seeds: [0, 1],
  expert: { perTask: 6, valFraction: 0.1 },
  grpo: { ...CPU_STUDY.grpo, epochs: 2 },
  eval: { extendedSeeds: 12, temperature: 1, expert: true },
  theory: { rollouts: 50, layouts: 3, offPathStates: 4 },
};

export const STUDY_CONFIGS: Record<EnvName, Partial<Record<Profile, StudyConfig>>> = {
  robotouille: { ci: CI_STUDY, cpu: CPU_STUDY },
  cookingworld: { ci: CI_COOKINGWORLD_STUDY, cpu: CPU_COOKINGWORLD_STUDY },
};

/** The study of a profile and environment (the paper profile trains the LLM on GPU through lib/trainer-client, not here). */
export function studyConfig(profile: Profile, overrides: Partial<StudyConfig> = {}, env: EnvName = "robotouille"): StudyConfig {
  const base = STUDY_CONFIGS[env][profile];
  if (!base) {
    throw new UserError(`the ${profile} profile trains Qwen2.5-1.5B on GPU through lib/trainer-client (notes/trainer.md); the CPU-scale study runs the ci and cpu profiles`);
  }
  const cfg = { ...base, ...overrides };
  if (cfg.seeds.length === 0) throw new UserError("the study needs at least one training seed");
  if (new Set(cfg.seeds).size !== cfg.seeds.length) throw new UserError(`training seeds must differ: ${cfg.seeds.join(",")}`);
  if (cfg.tasks.length === 0) throw new UserError("the study needs at least one training task");
  return cfg;
}
