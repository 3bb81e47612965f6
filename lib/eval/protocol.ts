/**
 * Evaluation protocols. The paper's (Tables 1–4): the four tasks, Robotouille's ten evaluation seeds
 * 42, 84, …, 420, and the per-task timeouts 15/15/23/35 (attempt turns). The extended protocol keeps
 * the same rules with more seeds (42·k, k = 1…N, continuing Robotouille's scheme; its first ten are the
 * paper's) and any task, by default all ten synchronous tasks (their timeouts: ceil(1.5 × Robotouille's
 * optimal_steps)).
 */
import { EVAL_SEEDS, extendedSeeds, PAPER_TASKS, resolveTask, SYNC_STEMS, TaskInfo } from "../kitchen/index";
import { UserError } from "../util/errors";
import { parseSeedText } from "../util/numbers";

export interface Protocol {
  /** "paper", "extended-<N>" or "custom": also the default `run` name of an evaluation. */
  name: string;
  tasks: TaskInfo[];
  /** Layout seeds; null is the task's default (hand-made) layout. */
  seeds: (number | null)[];
}

/** The paper's four tasks, in the paper's order. */
export function paperTasks(): TaskInfo[] {
  return PAPER_TASKS.map((t) => resolveTask(t));
}

/** Robotouille's ten synchronous tasks (the paper's four keep their paper ids). */
export function allSyncTasks(): TaskInfo[] {
  return SYNC_STEMS.map((s) => resolveTask(s));
}

export function paperProtocol(): Protocol {
  return { name: "paper", tasks: paperTasks(), seeds: [...EVAL_SEEDS] };
}

/** The extended protocol: N seeds per task (42·k), on the given tasks (default: all ten synchronous tasks). */
export function extendedProtocol(tasks: string[] | TaskInfo[] = allSyncTasks(), seedsPerTask = 100): Protocol {
  const infos = tasks.map((t) => (typeof t === "string" ? resolveTask(t) : t));
  return { name: `extended-${seedsPerTask}`, tasks: infos, seeds: extendedSeeds(seedsPerTask) };
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
 * Parse a task list: ids separated by commas (paper names or Robotouille stems), or `paper` (the four)
 * or `all` (the ten synchronous tasks). An unknown id is a UserError listing the known ones; a task
 * named twice (`burger,3_burger`) is a mistake.
 */
export function parseTasks(text: string): TaskInfo[] {
  const out: TaskInfo[] = [];
  for (const part of text.split(",").map((s) => s.trim())) {
    if (part === "") continue;
    if (part === "paper") out.push(...paperTasks());
    else if (part === "all") out.push(...allSyncTasks());
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
