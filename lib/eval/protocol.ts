/**
 * Evaluation protocols. The paper's (Tables 1–4): the four tasks, Robotouille's ten evaluation seeds
 * 42, 84, …, 420, and the per-task timeouts 15/15/23/35 (attempt turns). The extended protocol keeps
 * the same rules with more seeds (42·k, k = 1…N, continuing Robotouille's scheme; its first ten are the
 * paper's) and any task, by default all ten synchronous tasks (their timeouts: ceil(1.5 × Robotouille's
 * optimal_steps)). The same protocols on CookingWorld play the engine's test games in order (lib/env).
 */
import { envFamily, resolveTask } from "../env/index";
import type { EnvName, EnvTask } from "../env/types";
import { UserError } from "../util/errors";
import { parseSeedText } from "../util/numbers";

export interface Protocol {
  /** "paper", "extended-<N>" or "custom": also the default `run` name of an evaluation. */
  name: string;
  /** The tasks, all of one environment family (their seeds are that family's). */
  tasks: EnvTask[];
  /** Layout or game seeds, the same for every task; null is a Robotouille task's default (hand-made) layout. */
  seeds: (number | null)[];
}

/** Layouts per task in the paper's protocol. */
export const PAPER_SEEDS_PER_TASK = 10;

/** A family's paper-style tasks (Robotouille: the paper's four, in the paper's order). */
export function paperTasks(env: EnvName = "robotouille"): EnvTask[] {
  return envFamily(env).paperTasks.map((t) => resolveTask(t));
}

/** Every task of a family (Robotouille: the ten synchronous tasks, the paper's four under their paper ids). */
export function allTasks(env: EnvName = "robotouille"): EnvTask[] {
  return envFamily(env).allTasks.map((t) => resolveTask(t));
}

/** The paper's protocol: ten evaluation layouts per task (Robotouille 42…420; CookingWorld the first ten test games). */
export function paperProtocol(env: EnvName = "robotouille"): Protocol {
  return { name: "paper", tasks: paperTasks(env), seeds: envFamily(env).evaluationSeeds(PAPER_SEEDS_PER_TASK) };
}

/** The extended protocol: N evaluation seeds per task of the same kind (the paper's ten first), on the given tasks. */
export function extendedProtocol(tasks: string[] | EnvTask[] = allTasks(), seedsPerTask = 100): Protocol {
  const infos = tasks.map((t) => (typeof t === "string" ? resolveTask(t) : t));
  const env = oneFamily(infos);
  if (!Number.isInteger(seedsPerTask) || seedsPerTask < 1) throw new UserError(`number of seeds must be a positive integer, got ${seedsPerTask}`);
  return { name: `extended-${seedsPerTask}`, tasks: infos, seeds: envFamily(env).evaluationSeeds(seedsPerTask) };
}

/** The one family of a task list (a protocol's seeds are one family's: mixing families is an error). */
export function oneFamily(tasks: readonly EnvTask[]): EnvName {
  const envs = [...new Set(tasks.map((t) => t.env))];
  if (envs.length > 1) throw new UserError(`tasks of one environment per evaluation: ${tasks.map((t) => t.id).join(", ")} mix ${envs.join(" and ")}`);
  return envs[0] ?? "robotouille";
}

/** Check that every seed may be evaluated on for the protocol's family (CookingWorld: the test fold). */
export function checkProtocolSeeds(p: Protocol): void {
  const family = envFamily(oneFamily(p.tasks));
  for (const s of p.seeds) family.checkEvaluationSeed(s);
}

/**
 * Parse a seed list: `42,84,126`, ranges `100-199`, and `default` for the task's default layout (null).
 * Seeds are non-negative integers; a seed given twice is a mistake (it would be one episode).
 */
export function parseSeeds(text: string): (number | null)[] {
  const seeds: (number | null)[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    if (part === "") continue;
    if (part === "default") {
      seeds.push(null);
      continue;
    }
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (!Number.isSafeInteger(b)) throw new UserError(`seed range "${part}" goes beyond 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, the largest seed a record stores exactly`);
      if (b < a) throw new UserError(`seed range "${part}" is empty`);
      if (b - a >= 1_000_000) throw new UserError(`seed range "${part}" is too large`);
      for (let s = a; s <= b; s++) seeds.push(s);
      continue;
    }
    if (!/^\d+$/.test(part)) throw new UserError(`seed "${part}" is not a non-negative integer (nor a range a-b, nor "default")`);
    const n = parseSeedText("seed", part);
    if (typeof n === "bigint") {
      // Records store seeds as JSON numbers, which JavaScript reads back exactly only up to 2^53 − 1.
      throw new UserError(`seed ${part} is beyond 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, the largest seed an episode or dataset record stores exactly (stgrpo layout, observe, replay and plan take any seed)`);
    }
    seeds.push(n);
  }
  if (!seeds.length) throw new UserError("no seeds given");
  const seen = new Set<number | null>();
  for (const s of seeds) {
    if (seen.has(s)) throw new UserError(`seed ${s ?? "default"} is given twice`);
    seen.add(s);
  }
  return seeds;
}

/**
 * Parse a task list: ids separated by commas (paper names, Robotouille stems, `cookingworld-K`), or
 * `paper` (the paper's four), `all` (Robotouille's ten synchronous tasks) or `cookingworld` (its four
 * levels). An unknown id is a UserError listing the known ones; a task named twice (`burger,3_burger`)
 * is a mistake.
 */
export function parseTasks(text: string): EnvTask[] {
  const out: EnvTask[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    if (part === "") continue;
    if (part === "paper") out.push(...paperTasks());
    else if (part === "all") out.push(...allTasks());
    else if (part === "cookingworld") out.push(...paperTasks("cookingworld"));
    else out.push(resolveTask(part));
  }
  if (!out.length) throw new UserError("no tasks given");
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.id)) throw new UserError(`task ${t.id} is given twice`);
    seen.add(t.id);
  }
  return out;
}
