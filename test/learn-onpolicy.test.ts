/**
 * On-policy single-turn GRPO (lib/learn/onpolicy.ts): the labels of the states the current policy visits
 * are the planner's optimal action sets (first = the tie-broken expert action), whether planned in
 * isolation, by the layout's shared planner, or read from the expert data; and the trainer raises the
 * probability of the expert action at the states its policy visits, and resumes exactly.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kitchen } from "../lib/kitchen/kitchen";
import { expertPlan, planOptimal } from "../lib/expert/planner";
import { expertTrajectory, optimalActions, shortestPlan } from "../lib/expert/experts";
import { makeEnv as makeTaskEnv } from "../lib/env/index";
import { rollout, StartLayout, StateCache } from "../lib/learn/multiturn";
import { labelVisitedStates, StateLabels, trainOnPolicy } from "../lib/learn/onpolicy";
import { policyToJson, untrainedPolicy } from "../lib/learn/checkpoint";
import { DEFAULT_FEATURES } from "../lib/learn/features";
import { Rng } from "../lib/util/rng";
import { testLayouts } from "./helpers/testdata";

const LAYOUTS = testLayouts();
const makeEnv = (task: string, seed: number | null) => Kitchen.fromLayout(LAYOUTS[`synchronous/${task}@${seed ?? "default"}`]);
const FEATURES = { ...DEFAULT_FEATURES, bits: 14 };
const MODEL = { kind: "linear" as const, bits: 14, hidden: 4, initScale: 0.1, seed: 0 };

/** The planner's own optimal actions at a kitchen's state (expertPlan with allOptimal: its first step). */
function plannerOptimal(k: Kitchen): string[] {
  const p = expertPlan(k, { allOptimal: true });
  const valid = k.validActions();
  return p.optimalIndices![0].map((i) => valid[i]);
}

test("on-policy labels of the states a policy visits are the planner's optimal action sets, the expert's action first", (t) => {
  const policy = untrainedPolicy(FEATURES, MODEL);
  const labels = new StateLabels(200_000);
  let checked = 0;
  for (const [task, seed] of [["3_burger", null], ["0_cheese_sandwich", 42]] as const) {
    const start = makeEnv(task, seed);
    // A random-ish policy wanders off the expert path: the labels are checked there too.
    const r = rollout(policy, start.clone(), 12, new Rng(7), 1, true, new StateCache());
    const visited = labelVisitedStates(`${task}@${seed}`, start, r.trace, labels, new Set());
    t.is(visited.length, new Set(r.trace.map((s) => s.key)).size, "each distinct state once");
    const k = start.clone();
    const seen = new Set<string>();
    for (const s of r.trace) {
      if (!seen.has(s.key)) {
        seen.add(s.key);
        const v = visited.find((x) => x.key === s.key)!;
        if (typeof v.label === "string") t.fail(`${v.label} at a reachable kitchen state`);
        else {
          t.deepEqual(v.label.optimal, plannerOptimal(k), "the optimal set");
          t.is(v.label.optimal[0], planOptimal(k).actions[0], "the tie-broken expert action first");
          t.is(v.label.optimal[0], shortestPlan(k)[0]);
          t.deepEqual(optimalActions(k), v.label.optimal, "the layout's shared planner agrees with the isolated one");
          t.is(v.tookOptimal, v.label.optimal.includes(s.state.valid[s.action]));
          checked++;
        }
      }
      k.step(s.state.valid[s.action]);
    }
  }
  t.true(checked >= 10, `${checked} states checked`);
});

test("labels read from the expert data equal the planner's along the expert trajectory; a goal state has no optimal action", (t) => {
  const { trajectory } = expertTrajectory("burger", 42);
  const labels = new StateLabels(200_000);
  const start = makeTaskEnv("burger", 42);
  labels.addExpertPath("burger@42", start, trajectory.steps.map((s) => ({ action: s.action, optimal: s.optimal_actions! })));
  const fresh = new StateLabels(200_000);
  const k = start.clone();
  for (const s of trajectory.steps) {
    const known = labels.get("burger@42", k);
    t.deepEqual(known, fresh.get("burger@42", k));
    k.step(s.action);
  }
  t.is(labels.searches, 0, "the store filled from the expert data plans nothing");
  t.is(fresh.searches, trajectory.steps.length);
  t.true(k.isDone());
  t.deepEqual(optimalActions(k), []);
});

test("a planning budget too small for a state labels it over budget, whatever was planned before", (t) => {
  const k = makeEnv("3_burger", 42);
  const tiny = new StateLabels(1);
  t.is(tiny.get("b", k), "over budget");
  // The shared planner now knows this layout; the isolated label is still over budget.
  optimalActions(k);
  t.is(new StateLabels(1).get("b", k), "over budget");
});

const START: StartLayout[] = [
  { task: "3_burger", seed: null },
  { task: "3_burger", seed: 42 },
  { task: "0_cheese_sandwich", seed: null },
];
const CFG = { envSteps: 4000, layoutsPerStep: 3, groupSize: 8, lr: 0.05, timeout: 15, seed: 4, checkpointEvery: 3, planBudget: 200_000 };

test("on-policy single-turn GRPO raises the expert action's probability at the states its policy visits", async (t) => {
  const init = untrainedPolicy(FEATURES, MODEL);
  const r = await trainOnPolicy(START, CFG, { init, makeEnv });
  t.true(r.finished);
  const ms = r.metrics.filter((m) => m.split === "train") as { p_expert: number; took_optimal: number; over_budget: number; states: number }[];
  const mean = (xs: typeof ms, f: (m: (typeof ms)[0]) => number) => xs.reduce((a, m) => a + f(m), 0) / xs.length;
  t.true(mean(ms.slice(-3), (m) => m.p_expert) > mean(ms.slice(0, 3), (m) => m.p_expert) + 0.1, "π(a^GT|s) at the visited states rises");
  t.true(ms.every((m) => m.over_budget === 0));
});

test("an interrupted on-policy run resumes to the uninterrupted result", async (t) => {
  const init = untrainedPolicy(FEATURES, MODEL);
  const cfg = { ...CFG, envSteps: 2000 };
  const whole = await trainOnPolicy(START, cfg, { init, makeEnv });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-op-"));
  const part = await trainOnPolicy(START, cfg, { init, makeEnv, out: dir, stopAfterSteps: 4 });
  t.false(part.finished);
  const rest = await trainOnPolicy(START, cfg, { init, makeEnv, out: dir });
  t.true(rest.finished);
  t.is(JSON.stringify(policyToJson(rest.policy).model), JSON.stringify(policyToJson(whole.policy).model));
  t.is(rest.policy.meta.samples, whole.policy.meta.samples);
  fs.rmSync(dir, { recursive: true, force: true });
});
