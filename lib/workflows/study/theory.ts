/**
 * The paper's theory checked on the study's trained policies (issue 7), with lib/eval's functions:
 *
 * - **Corollary 3.1** (expert states): π(a_t | s_t) along the expert trajectories of evaluation layouts,
 *   before (the SFT parent) and after GRPO — `singleTurnCheck`'s per-state accuracies of each model;
 * - **Assumption 3.1** (all states): the same at states *off* the expert path, the ones the SFT policy
 *   itself visits in its evaluation episodes; the expert action there is lib/expert's tie-broken plan
 *   from that state (the reward r(s, a) = 1{a = π^GT(s)} the single-turn data would have given it);
 * - **Theorems 3.2/3.3**: the product predictor Π_t π(a_t | s_t) against the measured minimal-step
 *   success (Monte Carlo), before and after;
 * - **Corollary 3.2**: the same for every prefix subtask.
 *
 * One JSON file per model under results/<profile>/theory/<task>/ (plan.ts), and one per SFT run with
 * its off-path states; the summary compares them.
 */
import * as fs from "node:fs";
import { familyOf, makeEnv } from "../../env/index";
import type { TextEnv } from "../../env/types";
import { singleTurnCheck, SingleTurnReport } from "../../eval/singleturn";
import { expertChoice, expertTrajectory } from "../../expert/experts";
import { readJsonFile, readJsonl, writeFileAtomic } from "../../util/files";
import { Progress, ProgressSink } from "../../util/progress";
import { LoadedPolicy, loadPolicy, untrainedPolicy } from "../../learn/checkpoint";
import { LearnedPolicy } from "../../learn/policy";
import type { StudyConfig } from "./config";
import { evalFile, ModelRun, studyRuns, theoryFile } from "./plan";

/** One model's theory file. */
export interface TheoryRecord {
  task: string;
  /** `untrained` or the run's `<variant>-s<seed>`. */
  name: string;
  model: string;
  variant: string;
  seed: number | null;
  arm: string;
  algo: string;
  beta: number | null;
  /** The parent run's name (`sft-s0`), for before/after pairs. */
  parent: string | null;
  /** Per expert state: how many actions keep the optimal distance (1 = the expert's is unique). */
  optimalCounts: number[][];
  /** The expert's actions along each trajectory. */
  expertActions: string[][];
  report: SingleTurnReport;
}

/** An off-expert state of the SFT policy's episodes and each model's probabilities there. */
export interface OffPathState {
  seed: number | null;
  t: number;
  valid: number;
  expert: string;
  optimal: string[];
  /** Per model name: [π(expert action), π(optimal set)]. */
  p: Record<string, [number, number]>;
}

export interface OffPathRecord {
  task: string;
  arm: string;
  seed: number;
  /** The models compared (the SFT run first). */
  models: string[];
  states: OffPathState[];
  /** States skipped: no plan reaches the goal from them (dead ends) or the planner's budget ran out. */
  deadEnds: number;
  overBudget: number;
}

const runName = (r: ModelRun) => `${r.variant}-s${r.seed}`;

/** The models whose theory is checked on a task: the untrained reference and every run of the task. */
function theoryModels(cfg: StudyConfig, task: string): { name: string; run: ModelRun | null }[] {
  return [{ name: "untrained", run: null }, ...studyRuns(cfg).filter((r) => r.task === task).map((r) => ({ name: runName(r), run: r }))];
}

function offPathFile(cfg: StudyConfig, task: string, arm: string, seed: number): string {
  return theoryFile(cfg, task, `offpath${arm ? `-${arm}` : ""}-s${seed}`);
}

export function theoryDone(cfg: StudyConfig, task: string): boolean {
  const files = theoryModels(cfg, task).map((m) => theoryFile(cfg, task, m.name));
  for (const arm of cfg.arms) for (const seed of cfg.seeds) files.push(offPathFile(cfg, task, arm.id, seed));
  return files.every((f) => fs.existsSync(f));
}

/** The evaluation layouts whose expert trajectories the checks walk (the paper's seeds first). */
export function theoryLayouts(cfg: StudyConfig): (number | null)[] {
  return familyOf(cfg.tasks[0]).evaluationSeeds(cfg.theory.layouts);
}

const PLAN_BUDGET = 300_000;

/** The expert's action and the optimal actions at a state, or why there are none. */
function expertAt(env: TextEnv): { expert: string; optimal: string[] } | "dead end" | "over budget" {
  return expertChoice(env, { maxExpanded: PLAN_BUDGET });
}

/**
 * Off-expert states of a policy's episodes: replay each episode from `start(seed)`, keep the states
 * (before an action) that are not on the expert trajectory of that layout, distinct, at most `limit`
 * taken round-robin over the layouts so that no single layout fills the sample. Any environment: the
 * study passes Robotouille's kitchens, the comparison lib/env's episodes.
 */
export function offPathStates<E extends TextEnv>(
  episodes: { seed: number | null; actions: string[] }[],
  expertActions: Map<number | null, string[]>,
  limit: number,
  start: (seed: number | null) => E,
): { seed: number | null; t: number; env: E }[] {
  const perLayout: { seed: number | null; t: number; env: E }[][] = [];
  for (const ep of episodes) {
    const expert = expertActions.get(ep.seed);
    if (!expert) continue;
    const onPath = new Set<string>();
    const e = start(ep.seed);
    onPath.add(e.key());
    for (const a of expert) {
      e.step(a);
      onPath.add(e.key());
    }
    const k = start(ep.seed);
    const seen = new Set<string>();
    const here: { seed: number | null; t: number; env: E }[] = [];
    ep.actions.forEach((a, t) => {
      const key = k.key();
      if (!onPath.has(key) && !seen.has(key) && !k.isDone()) {
        seen.add(key);
        here.push({ seed: ep.seed, t, env: k.clone() as E });
      }
      k.step(a);
    });
    perLayout.push(here);
  }
  const out: { seed: number | null; t: number; env: E }[] = [];
  for (let i = 0; out.length < limit && perLayout.some((l) => l.length > i); i++) {
    for (const l of perLayout) if (l[i] && out.length < limit) out.push(l[i]);
  }
  return out;
}

/** Run every theory check of one task (each file is written when complete; a rerun skips it). */
export async function runTheory(cfg: StudyConfig, task: string, sink: ProgressSink): Promise<void> {
  const seeds = theoryLayouts(cfg);
  const trajectories = seeds.map((s) => expertTrajectory(task, s).trajectory);
  const optimalCounts = trajectories.map((tr) => tr.steps.map((s) => s.optimal_actions?.length ?? 1));
  const models = theoryModels(cfg, task);
  const runs = studyRuns(cfg).filter((r) => r.task === task);
  const offJobs = cfg.arms.flatMap((arm) => cfg.seeds.map((seed) => ({ arm: arm.id, seed })));
  const progress = new Progress(`theory ${task}`, models.length + offJobs.length, sink);
  const policies = new Map<string, LoadedPolicy>();
  const policyOf = (m: { name: string; run: ModelRun | null }) => {
    let p = policies.get(m.name);
    if (!p) policies.set(m.name, (p = m.run ? loadPolicy(m.run.dir) : untrainedPolicy(cfg.features)));
    return p;
  };
  for (const m of models) {
    const file = theoryFile(cfg, task, m.name);
    if (!fs.existsSync(file)) {
      const policy = new LearnedPolicy(policyOf(m), { name: m.name, temperature: 1 });
      const report = await singleTurnCheck({ policy, distribution: (o, v) => policy.probs(o, v) }, trajectories, {
        rollouts: cfg.theory.rollouts,
        seed: 0,
        start: (t, s) => makeEnv(t, s),
      });
      const parent = m.run?.parent ? runs.find((r) => r.key === m.run!.parent) ?? null : null;
      const rec: TheoryRecord = {
        task,
        name: m.name,
        model: m.run?.model ?? "untrained",
        variant: m.run?.variant ?? "untrained",
        seed: m.run?.seed ?? null,
        arm: m.run?.arm ?? "",
        algo: m.run?.algo ?? "untrained",
        beta: m.run?.beta ?? null,
        parent: parent ? runName(parent) : null,
        optimalCounts,
        expertActions: trajectories.map((tr) => tr.steps.map((x) => x.action)),
        report,
      };
      writeFileAtomic(file, JSON.stringify(rec) + "\n");
    }
    progress.tick(1, m.name);
  }
  const expertActions = new Map(trajectories.map((tr) => [tr.seed, tr.steps.map((s) => s.action)]));
  for (const { arm, seed } of offJobs) {
    const file = offPathFile(cfg, task, arm, seed);
    if (!fs.existsSync(file)) {
      const sft = runs.find((r) => r.algo === "sft" && r.arm === arm && r.seed === seed)!;
      const family = [sft, ...runs.filter((r) => r.parent === sft.key)];
      const episodes = readJsonl<{ task: string; seed: number | null; actions: string[] }>(evalFile(cfg, "paper", sft)).filter((e) => e.task === task);
      const picked = offPathStates(episodes, expertActions, cfg.theory.offPathStates, (seed) => makeEnv(task, seed));
      let deadEnds = 0,
        overBudget = 0;
      const states: OffPathState[] = [];
      for (const s of picked) {
        const ex = expertAt(s.env);
        if (ex === "dead end") deadEnds++;
        else if (ex === "over budget") overBudget++;
        else {
          const obs = s.env.observation();
          const valid = s.env.validActions();
          const p: Record<string, [number, number]> = {};
          for (const r of family) {
            const probs = new LearnedPolicy(policyOf({ name: runName(r), run: r })).probs(obs, valid);
            const pe = probs[valid.indexOf(ex.expert)];
            const po = ex.optimal.reduce((acc, a) => acc + probs[valid.indexOf(a)], 0);
            p[runName(r)] = [pe, po];
          }
          states.push({ seed: s.seed, t: s.t, valid: valid.length, expert: ex.expert, optimal: ex.optimal, p });
        }
      }
      const rec: OffPathRecord = { task, arm, seed, models: family.map(runName), states, deadEnds, overBudget };
      writeFileAtomic(file, JSON.stringify(rec) + "\n");
    }
    progress.tick(1, `off-path ${arm || "main"} s${seed}`);
  }
  progress.finish("done");
}

export function readTheory(cfg: StudyConfig, task: string): { models: TheoryRecord[]; offPath: OffPathRecord[] } {
  const models = theoryModels(cfg, task)
    .map((m) => theoryFile(cfg, task, m.name))
    .filter((f) => fs.existsSync(f))
    .map((f) => readJsonFile<TheoryRecord>(f));
  const offPath: OffPathRecord[] = [];
  for (const arm of cfg.arms) for (const seed of cfg.seeds) {
    const f = offPathFile(cfg, task, arm.id, seed);
    if (fs.existsSync(f)) offPath.push(readJsonFile<OffPathRecord>(f));
  }
  return { models, offPath };
}
