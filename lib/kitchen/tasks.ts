/**
 * The task registry: the paper's four tasks and Robotouille's ten synchronous tasks, their step budgets,
 * and the vendored task JSONs (data/robotouille/, MIT, see data/robotouille/SOURCE.md).
 *
 * Budgets. Robotouille stores no step budget in the task files: its evaluation config
 * `conf/experiments/ReAct/synchronous/last-reasoning-action-mpc.yaml` (branch `release`, c8236a2e) lists
 * `evaluation.optimal_steps: [10, 14, 24, 10, 15, 23, 36, 44, 63, 57]` for tasks 0…9, and `main.py::evaluate`
 * runs each episode while `steps < optimal_steps × max_step_multiplier` with `game.max_step_multiplier: 1.5`,
 * i.e. ceil(1.5 × optimal_steps) actions. The paper names four of these tasks with the same step limits
 * (10, 10, 15, 23) and timeouts 15, 15, 23, 35.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PAPER as PAPER_VALUES } from "../config/paper";
import { UserError } from "../util/errors";
import { REPO_ROOT } from "../util/profile";
import type { EnvironmentJson } from "./generator";

/** The paper's task names (Tables 1–4), in the paper's order. */
export const PAPER_TASKS = ["cheese_sandwich", "burger", "cheese_burger", "double_cheese_burger"] as const;
export type PaperTask = (typeof PAPER_TASKS)[number];

/** Robotouille's ten synchronous tasks (file stems under environments/env_generator/examples/synchronous/). */
export const SYNC_STEMS = [
  "0_cheese_sandwich",
  "1_lettuce_sandwich",
  "2_lettuce_tomato_sandwich",
  "3_burger",
  "4_cheeseburger",
  "5_double_cheeseburger",
  "6_lettuce_tomato_cheeseburger",
  "7_two_lettuce_chicken_sandwich",
  "8_two_lettuce_tomato_burger",
  "9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich",
] as const;
export type SyncStem = (typeof SYNC_STEMS)[number];

/** Every task id the project accepts: the paper names, then the ten stems. */
export const TASK_IDS = [...PAPER_TASKS, ...SYNC_STEMS] as const;
export type TaskId = (typeof TASK_IDS)[number];

/** Robotouille's evaluation seeds (`testing_seeds`), the paper's 10 "unseen layouts" per task. */
export const EVAL_SEEDS: readonly number[] = PAPER_VALUES.evaluation.seeds;

/** Seeds 42·k for k = 1…n, Robotouille's evaluation scheme continued: the paper's ten first (the extended protocol, and what training layouts stay disjoint from). */
export function extendedSeeds(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new UserError(`number of seeds must be a positive integer, got ${n}`);
  return Array.from({ length: n }, (_, k) => 42 * (k + 1));
}

/**
 * The training task of Robotouille's synchronous in-context example: `loadLayout(TRAIN_TASK, 26)` is the
 * layout the human-annotated ReAct episode was played on. Not an evaluation task (no step budget).
 */
export const TRAIN_TASK = "synchronous_train/0_cheese_onion_sandwich";
export const IN_CONTEXT_EXAMPLE = {
  task: TRAIN_TASK,
  seed: 26,
  file: "data/robotouille/in_context_examples/synchronous/react_examples_omitted_obs/0_cheese_onion_sandwich_26.txt",
} as const;

/** `evaluation.optimal_steps` of last-reasoning-action-mpc.yaml, per stem. */
export const CONFIG_OPTIMAL_STEPS: Readonly<Record<SyncStem, number>> = {
  "0_cheese_sandwich": 10,
  "1_lettuce_sandwich": 14,
  "2_lettuce_tomato_sandwich": 24,
  "3_burger": 10,
  "4_cheeseburger": 15,
  "5_double_cheeseburger": 23,
  "6_lettuce_tomato_cheeseburger": 36,
  "7_two_lettuce_chicken_sandwich": 44,
  "8_two_lettuce_tomato_burger": 63,
  "9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich": 57,
};

/** `game.max_step_multiplier` of the same config. */
export const MAX_STEP_MULTIPLIER = 1.5;

const GOAL_DESCRIPTIONS: Readonly<Record<SyncStem, string>> = {
  "0_cheese_sandwich": "Prepare a cheese sandwich on a table",
  "1_lettuce_sandwich": "Prepare a lettuce sandwich on a table",
  "2_lettuce_tomato_sandwich": "Prepare a sandwich with lettuce and tomato on a table",
  "3_burger": "Prepare a hamburger on a table",
  "4_cheeseburger": "Prepare a cheeseburger on a table",
  "5_double_cheeseburger":
    "Prepare a double cheeseburger on a table which contains two patties and two cheese slices interleaved (starting with a patty)",
  "6_lettuce_tomato_cheeseburger": "Prepare a lettuce tomato cheeseburger on a table",
  "7_two_lettuce_chicken_sandwich": "Prepare two lettuce chicken sandwiches on separate tables",
  "8_two_lettuce_tomato_burger": "Prepare two lettuce tomato burgers on separate tables",
  "9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich":
    "Prepare a burger with cheese and onions on one table and a chicken sandwich with lettuce and tomato on another table",
};

/** The paper's tasks: Robotouille's synchronous tasks 0, 3, 4, 5, with the paper's limits and timeouts. */
const PAPER: Readonly<Record<PaperTask, { stem: SyncStem; title: string; stepLimit: number; timeout: number }>> = {
  cheese_sandwich: { stem: "0_cheese_sandwich", title: "Cheese Sandwich", ...PAPER_VALUES.tasks.cheese_sandwich },
  burger: { stem: "3_burger", title: "Burger", ...PAPER_VALUES.tasks.burger },
  cheese_burger: { stem: "4_cheeseburger", title: "Cheese Burger", ...PAPER_VALUES.tasks.cheese_burger },
  double_cheese_burger: { stem: "5_double_cheeseburger", title: "Double Cheese Burger", ...PAPER_VALUES.tasks.double_cheese_burger },
};

export interface TaskInfo {
  /** Canonical id: the paper name when the task has one (`burger`), else the stem. */
  id: string;
  /** The environment family (lib/env's seam names Robotouille so). */
  env: "robotouille";
  /** Robotouille's file stem (`3_burger`). */
  stem: string;
  /** The paper's name (`burger`) or null for tasks the paper does not use. */
  paperName: string | null;
  /** Episode budget in actions: the paper's timeout (15, 15, 23, 35), else ceil(1.5 × optimalSteps). */
  timeout: number;
  /** Robotouille's configured `optimal_steps` (= the paper's step limit for its four tasks). */
  optimalSteps: number;
  /** The task's `goal_description` (the observation's last line). */
  goalDescription: string;
  /** A display name: the paper's ("Cheese Burger"), else the stem in words ("Lettuce Sandwich"). */
  title: string;
  /** The vendored task JSON, relative to the repository root. */
  file: string;
}

const STEM_TO_PAPER = new Map<string, PaperTask>(PAPER_TASKS.map((p) => [PAPER[p].stem, p]));

function titleOfStem(stem: string): string {
  return stem
    .replace(/^\d+_/, "")
    .split("_")
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
}

function info(stem: SyncStem): TaskInfo {
  const paper = STEM_TO_PAPER.get(stem) ?? null;
  const optimalSteps = CONFIG_OPTIMAL_STEPS[stem];
  return {
    id: paper ?? stem,
    env: "robotouille",
    stem,
    paperName: paper,
    timeout: paper ? PAPER[paper].timeout : Math.ceil(MAX_STEP_MULTIPLIER * optimalSteps),
    optimalSteps: paper ? PAPER[paper].stepLimit : optimalSteps,
    goalDescription: GOAL_DESCRIPTIONS[stem],
    title: paper ? PAPER[paper].title : titleOfStem(stem),
    file: `data/robotouille/synchronous/${stem}.json`,
  };
}

/**
 * A task id → its TaskInfo. Accepts the paper names, the ten stems, and the original's qualified names
 * (`synchronous/3_burger`); `burger` and `3_burger` resolve to the same task (id `burger`).
 * Unknown ids are a UserError listing the known ones.
 */
export function resolveTask(id: string): TaskInfo {
  const key = typeof id === "string" ? id.trim() : id;
  if (typeof key === "string") {
    if ((PAPER_TASKS as readonly string[]).includes(key)) return info(PAPER[key as PaperTask].stem);
    const stem = key.startsWith("synchronous/") ? key.slice("synchronous/".length) : key;
    if ((SYNC_STEMS as readonly string[]).includes(stem)) return info(stem as SyncStem);
  }
  throw new UserError(`unknown task ${JSON.stringify(id)} (known: ${TASK_IDS.join(", ")})`);
}

/** Is this a task id that resolveTask accepts? */
export function isTaskId(id: string): boolean {
  try {
    resolveTask(id);
    return true;
  } catch {
    return false;
  }
}

/** The vendored JSON file of a task id, or of the training task (`synchronous_train/0_cheese_onion_sandwich`). */
export function taskFile(task: string): string {
  const t = typeof task === "string" ? task.trim() : task;
  if (t === TRAIN_TASK || t === "0_cheese_onion_sandwich") {
    return path.join(REPO_ROOT, "data", "robotouille", "synchronous_train", "0_cheese_onion_sandwich.json");
  }
  return path.join(REPO_ROOT, resolveTask(task).file);
}

const jsonCache = new Map<string, EnvironmentJson>();

/**
 * A task's JSON exactly as vendored (a fresh copy each call). A missing file, malformed JSON or a JSON of
 * the wrong shape is a UserError naming the file (and the field).
 */
export function loadTaskJson(task: string): EnvironmentJson {
  const file = taskFile(task);
  let cached = jsonCache.get(file);
  if (!cached) {
    cached = parseTaskJson(readText(file), file);
    jsonCache.set(file, cached);
  }
  return structuredClone(cached);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e: any) {
    throw new UserError(`cannot read task file ${file}: ${e.code ?? e.message}`);
  }
}

/** Parse and shape-check a task JSON text (`where` names it in errors). */
export function parseTaskJson(text: string, where = "task JSON"): EnvironmentJson {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e: any) {
    throw new UserError(`${where} is not valid JSON: ${e.message}`);
  }
  return checkTaskJson(obj, where);
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/** Check the fields the builder and the generator read; a UserError names the field and the entity. */
export function checkTaskJson(obj: unknown, where = "task JSON"): EnvironmentJson {
  const bad = (msg: string): never => {
    throw new UserError(`${where}: ${msg}`);
  };
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) bad("must be a JSON object");
  const env = obj as Record<string, any>;
  for (const f of ["width", "height"]) if (!isInt(env[f]) || env[f] <= 0) bad(`"${f}" must be a positive integer`);
  for (const f of ["stations", "items", "players"]) {
    if (!Array.isArray(env[f])) bad(`"${f}" must be an array`);
    env[f].forEach((e: any, i: number) => {
      const at = `${f}[${i}]`;
      if (typeof e !== "object" || e === null || Array.isArray(e)) bad(`${at} must be an object`);
      if (typeof e.name !== "string" || !e.name) bad(`${at}: "name" must be a non-empty string`);
      const label = `${at} (${e.name})`;
      if (!isInt(e.x) || !isInt(e.y)) bad(`${label}: "x" and "y" must be integers`);
      if (e.x < 0 || e.x >= env.width || e.y < 0 || e.y >= env.height) bad(`${label}: (${e.x}, ${e.y}) is outside the ${env.width}×${env.height} grid`);
      if (e.predicates !== undefined && (!Array.isArray(e.predicates) || !e.predicates.every((p: unknown) => typeof p === "string"))) {
        bad(`${label}: "predicates" must be an array of strings`);
      }
      if (f === "items" && (!isInt(e["stack-level"]) || e["stack-level"] < 0)) bad(`${label}: "stack-level" must be a non-negative integer`);
      if (f === "players" && (!Array.isArray(e.direction) || e.direction.length !== 2 || !e.direction.every(isInt))) {
        bad(`${label}: "direction" must be [dx, dy] with integers`);
      }
    });
  }
  if (!Array.isArray(env.goal)) bad(`"goal" must be an array`);
  env.goal.forEach((g: any, i: number) => {
    const at = `goal[${i}]`;
    if (typeof g !== "object" || g === null) bad(`${at} must be an object`);
    if (typeof g.predicate !== "string") bad(`${at}: "predicate" must be a string`);
    if (!Array.isArray(g.args) || !g.args.every((a: unknown) => typeof a === "string")) bad(`${at} (${g.predicate}): "args" must be an array of strings`);
    if (!Array.isArray(g.ids) || g.ids.length !== g.args.length) bad(`${at} (${g.predicate}): "ids" must be an array as long as "args"`);
  });
  if (typeof env.goal_description !== "string") bad(`"goal_description" must be a string`);
  return env as EnvironmentJson;
}
