/**
 * Evaluation protocols. The paper's (Tables 1–4): the four tasks, Robotouille's ten evaluation seeds
 * 42, 84, …, 420, and the per-task timeouts 15/15/23/35 (attempt turns). The extended protocol keeps
 * the same rules with more seeds (42·k, k = 1…N, continuing Robotouille's scheme) and any task.
 */
import { EVAL_SEEDS, PAPER_TASKS, resolveTask, TaskInfo } from "../kitchen/index";
import { UserError } from "../util/errors";

export interface Protocol {
  name: string;
  tasks: TaskInfo[];
  seeds: number[];
}

export function paperProtocol(): Protocol {
  return { name: "paper", tasks: PAPER_TASKS.map((t) => resolveTask(t)), seeds: [...EVAL_SEEDS] };
}

/** Seeds 42·k for k = 1…n: the paper's ten first, then more of the same scheme. */
export function extendedSeeds(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new UserError(`number of seeds must be a positive integer, got ${n}`);
  return Array.from({ length: n }, (_, k) => 42 * (k + 1));
}

export function extendedProtocol(tasks: string[], seedsPerTask: number): Protocol {
  return { name: `extended-${seedsPerTask}`, tasks: tasks.map((t) => resolveTask(t)), seeds: extendedSeeds(seedsPerTask) };
}

/** Parse "42,84,126" or "42..420:42"-free simple lists; seeds are non-negative integers. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(",").map((s) => s.trim()).filter(Boolean).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new UserError(`seed "${s}" is not a non-negative integer`);
    return n;
  });
  if (!seeds.length) throw new UserError("no seeds given");
  return seeds;
}
