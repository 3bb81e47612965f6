/**
 * The paper's per-state premises checked on every method's last policy, against the SFT start it came from
 * (the study's checks, lib/workflows/study/theory.ts, for the comparison's four methods):
 *
 * - **Corollary 3.1** (expert states): π(a^GT|s) along the expert trajectories of the first evaluation
 *   layouts — does training leave it no lower?
 * - **Assumption 3.1** (all states): the same at states *off* the expert path — the states the SFT start
 *   visits in its own sampled evaluation episodes on those layouts — with the planner's label there
 *   (lib/learn/onpolicy.ts's isolated labels: the tie-broken expert action and the optimal set).
 *
 * One JSON file per SFT start (all its methods), written when complete.
 */
import * as fs from "node:fs";
import { makeEnv } from "../../env/index";
import { expertTrajectory } from "../../expert/experts";
import type { ExpertTrajectory } from "../../expert/record";
import { readJsonFile, writeFileAtomic } from "../../util/files";
import { LoadedPolicy, loadPolicy } from "../../learn/checkpoint";
import { sharedStateLabels } from "../../learn/onpolicy";
import { policyDistribution } from "../../learn/theory";
import { offPathStates } from "../study/theory";
import type { ComparisonConfig, Method } from "./config";
import { evalLayouts, readEvalFile } from "./evaluate";
import { comparisonEvalFile, comparisonPath, MethodRun, StartRun } from "./plan";

export interface ComparisonTheoryRecord {
  task: string;
  learner: string;
  arm: string;
  seed: number;
  /** `start`, then the methods: the order of every `p` below. */
  models: ("start" | Method)[];
  /** Per expert state: its layout and step, whether several actions are optimal there, π(a^GT|s) per model. */
  expert: { seed: number | null; t: number; ambiguous: boolean; p: number[] }[];
  /** Per off-path state: its layout and step, how many actions are optimal, [π(a^GT|s), π(optimal set|s)] per model. */
  offPath: { seed: number | null; t: number; optimal: number; p: [number, number][] }[];
  /** Off-path states skipped: no plan reaches the goal, or the labelling search ran out of budget. */
  deadEnds: number;
  overBudget: number;
}

export function comparisonTheoryFile(cfg: ComparisonConfig, start: StartRun): string {
  return comparisonPath(cfg, "theory", start.task, `${start.learner}-${start.arm}`, `s${start.seed}.json`);
}

// Expert trajectories of the theory layouts, planned once per task and process.
const trajectories = new Map<string, ExpertTrajectory[]>();
function theoryTrajectories(cfg: ComparisonConfig, task: string): ExpertTrajectory[] {
  const key = `${task}|${cfg.theory.layouts}`;
  let t = trajectories.get(key);
  if (!t) trajectories.set(key, (t = evalLayouts(cfg, task).slice(0, cfg.theory.layouts).map((s) => expertTrajectory(task, s).trajectory)));
  return t;
}

/** Run the checks of one start and its methods' last policies (each run's `policy.json`). */
export function runComparisonTheory(cfg: ComparisonConfig, start: StartRun, runs: MethodRun[]): void {
  const task = start.task;
  const models: ("start" | Method)[] = ["start", ...runs.map((r) => r.method)];
  const policies: LoadedPolicy[] = [loadPolicy(start.dir), ...runs.map((r) => loadPolicy(r.dir))];
  const dists = policies.map(policyDistribution);
  const trajs = theoryTrajectories(cfg, task);
  const expert = trajs.flatMap((tr) =>
    tr.steps.map((st, t) => {
      const i = st.valid_actions.indexOf(st.action);
      return { seed: tr.seed, t, ambiguous: (st.optimal_actions?.length ?? 1) > 1, p: dists.map((d) => d(st.observation, st.valid_actions)[i]) };
    }),
  );
  // Off-path states: the start's sampled episodes on the theory layouts.
  const ev = readEvalFile(comparisonEvalFile(cfg, start, "start"));
  if (!ev?.actions) throw new Error(`${start.key}: the start's evaluation (with its episodes' actions) is missing`);
  const theorySeeds = new Set(trajs.map((tr) => tr.seed));
  const episodes = ev.layouts.map((seed, i) => ({ seed, actions: ev.actions![i] })).filter((e) => theorySeeds.has(e.seed));
  const expertActions = new Map(trajs.map((tr) => [tr.seed, tr.steps.map((s) => s.action)]));
  const labels = sharedStateLabels(cfg.onpolicy.planBudget ?? 5_000);
  let deadEnds = 0,
    overBudget = 0;
  const offPath: ComparisonTheoryRecord["offPath"] = [];
  for (const s of offPathStates(episodes, expertActions, cfg.theory.offPathStates, (seed) => makeEnv(task, seed))) {
    const label = labels.get(`${task}@${s.seed}`, s.env);
    if (label === "dead end") deadEnds++;
    else if (label === "over budget") overBudget++;
    else {
      const obs = s.env.observation();
      const valid = s.env.validActions();
      const idx = label.optimal.map((a) => valid.indexOf(a));
      offPath.push({
        seed: s.seed,
        t: s.t,
        optimal: idx.length,
        p: dists.map((d) => {
          const probs = d(obs, valid);
          return [probs[idx[0]], idx.reduce((a, k) => a + probs[k], 0)];
        }),
      });
    }
  }
  const rec: ComparisonTheoryRecord = { task, learner: start.learner, arm: start.arm, seed: start.seed, models, expert, offPath, deadEnds, overBudget };
  writeFileAtomic(comparisonTheoryFile(cfg, start), JSON.stringify(rec) + "\n");
}

export function readComparisonTheory(cfg: ComparisonConfig, start: StartRun): ComparisonTheoryRecord | null {
  const f = comparisonTheoryFile(cfg, start);
  return fs.existsSync(f) ? readJsonFile<ComparisonTheoryRecord>(f) : null;
}
