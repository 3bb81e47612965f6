/**
 * The expert trajectory record (docs/design.md, "Records"): one JSONL line per trajectory,
 *
 *   {task, seed, steps:[{observation, valid_actions, action, reasoning?, optimal_actions?}],
 *    length, optimal, expert?, effective_seed?}
 *
 * its one type and its one validator. The planner writes it (trajectory.ts), the LLM expert too
 * (lib/workflows/llm-expert.ts); evaluation reads it from any source (reasoning optional there),
 * single-turn datasets need the reasoning (lib/dataset/rows.ts).
 */
import * as fs from "node:fs";
import { resolveTask } from "../env/index";
import { UserError } from "../util/errors";
import { readJsonl } from "../util/files";

/** One step of an expert trajectory: the state's observation and valid actions, the expert's choice. */
export interface ExpertStep {
  observation: string;
  valid_actions: string[];
  action: string;
  /** The expert's ReAct reasoning (the planner always writes it; single-turn datasets require it). */
  reasoning?: string;
  /** Every valid action that keeps the optimal remaining distance (the expert's action among them). */
  optimal_actions?: string[];
}

/** An expert trajectory record (one JSONL line). */
export interface ExpertTrajectory {
  task: string;
  /** Layout seed as requested (null = the default layout). */
  seed: number | null;
  steps: ExpertStep[];
  /** Number of steps (= steps.length). */
  length: number;
  /** True when the trajectory is known to be of minimal length (the planner's; an LLM's only when checked). */
  optimal: boolean;
  /** Who produced it: "planner" or "llm:<model>". */
  expert?: string;
  /** The seed the generator actually used (Robotouille retries seed+1 silently when generation fails). */
  effective_seed?: number | null;
}

/** The trajectory JSONL record (checks that it is well formed: every action valid at its state). */
export function trajectoryRecord(traj: ExpertTrajectory): ExpertTrajectory {
  validateTrajectory(traj, `${traj.task}@${traj.seed ?? "default"}`);
  const rec: ExpertTrajectory = {
    task: traj.task,
    seed: traj.seed,
    steps: traj.steps.map((s) => {
      const step: ExpertStep = { observation: s.observation, valid_actions: s.valid_actions, action: s.action, reasoning: s.reasoning };
      if (s.optimal_actions) step.optimal_actions = s.optimal_actions;
      return step;
    }),
    length: traj.steps.length,
    optimal: traj.optimal,
  };
  if (traj.expert !== undefined) rec.expert = traj.expert;
  if (traj.effective_seed !== undefined) rec.effective_seed = traj.effective_seed;
  return rec;
}

function fail(where: string, what: string): never {
  throw new UserError(`${where}: ${what}`);
}

/**
 * Check a trajectory record's shape (a one-line UserError naming the record and the field).
 * `requireReasoning: false` accepts steps without reasoning (evaluation reads trajectories from any
 * source; SFT data needs the reasoning).
 */
export function validateTrajectory(x: unknown, where: string, { requireReasoning = true } = {}): asserts x is ExpertTrajectory {
  const r = x as ExpertTrajectory;
  if (!r || typeof r !== "object") fail(where, "not an object");
  if (typeof r.task !== "string" || !r.task) fail(where, `"task" must be a non-empty string`);
  if (!(r.seed === null || Number.isInteger(r.seed))) fail(where, `"seed" must be an integer or null`);
  if (!Array.isArray(r.steps)) fail(where, `"steps" must be an array`);
  if (typeof r.optimal !== "boolean") fail(where, `"optimal" must be a boolean`);
  r.steps.forEach((s, t) => {
    const at = `${where} step ${t}`;
    if (!s || typeof s !== "object") fail(at, "not an object");
    if (typeof s.observation !== "string" || !s.observation) fail(at, `"observation" must be a non-empty string`);
    if (!Array.isArray(s.valid_actions) || s.valid_actions.length === 0 || s.valid_actions.some((a) => typeof a !== "string")) {
      fail(at, `"valid_actions" must be a non-empty array of strings`);
    }
    if (typeof s.action !== "string" || !s.valid_actions.includes(s.action)) fail(at, `action ${JSON.stringify(s.action)} is not among its valid actions`);
    if (s.reasoning !== undefined || requireReasoning) {
      if (typeof s.reasoning !== "string" || !s.reasoning.trim()) fail(at, `"reasoning" must be a non-empty string`);
      if (s.reasoning.split("\n").some((line) => line.startsWith("Action:"))) fail(at, `"reasoning" must not contain a line starting with "Action:"`);
    }
    if (s.optimal_actions !== undefined) {
      if (!Array.isArray(s.optimal_actions) || !s.optimal_actions.includes(s.action)) fail(at, `"optimal_actions" must contain the action`);
      if (s.optimal_actions.some((a) => !s.valid_actions.includes(a))) fail(at, `"optimal_actions" must be valid actions`);
    }
  });
  if (r.length !== undefined && r.length !== r.steps.length) fail(where, `"length" ${r.length} differs from the ${r.steps.length} steps`);
}

/**
 * Check one trajectory record read from a file (one-line errors naming where); task ids are
 * canonicalised (`3_burger` → `burger`) and a missing `optimal` means the planner's (true).
 */
export function checkTrajectory(r: any, where: string): ExpertTrajectory {
  if (!r || typeof r !== "object") throw new UserError(`${where} is not a JSON object`);
  if (typeof r.task !== "string") throw new UserError(`${where}: "task" must be a task id`);
  if (!Array.isArray(r.steps) || r.steps.length === 0) throw new UserError(`${where}: "steps" must be a non-empty array (not an expert trajectory JSONL?)`);
  const traj = { ...r, task: resolveTask(r.task).id, seed: r.seed ?? null, optimal: r.optimal !== false };
  validateTrajectory(traj, where, { requireReasoning: false });
  return { ...traj, length: traj.steps.length };
}

/** Read an expert trajectory JSONL (lib/expert's output). */
export function readExpertTrajectories(file: string): ExpertTrajectory[] {
  if (!fs.existsSync(file)) throw new UserError(`expert trajectories ${file} do not exist`);
  const rows = readJsonl<unknown>(file).map((r, i) => checkTrajectory(r, `${file}: record ${i + 1}`));
  if (!rows.length) throw new UserError(`${file} holds no expert trajectories`);
  return rows;
}

