/**
 * Equal-sample accounting (lib/learn/samples.ts) across the four methods, checked against an independent
 * count — every action drawn from a policy goes through `Rng.categorical`, which the test counts — and
 * the budget points: a policy saved at each, deterministic per seed, the same after an interruption.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kitchen } from "../lib/kitchen/kitchen";
import { LoadedPolicy, loadPolicy, policyToJson } from "../lib/learn/checkpoint";
import { DEFAULT_FEATURES } from "../lib/learn/features";
import { examplesFromWalks, featurizeExamples } from "../lib/learn/data";
import { trainGrpo } from "../lib/learn/grpo";
import { trainGigpo } from "../lib/learn/gigpo";
import { StartLayout, trainMultiTurn } from "../lib/learn/multiturn";
import { trainOnPolicy } from "../lib/learn/onpolicy";
import { budgetPolicyFile, BudgetSnapshot, checkBudgets, SampledActions } from "../lib/learn/samples";
import { trainSft, TrainResult } from "../lib/learn/sft";
import { Rng } from "../lib/util/rng";
import { testdata, testLayouts } from "./helpers/testdata";

const LAYOUTS = testLayouts();
const makeEnv = (task: string, seed: number | null) => Kitchen.fromLayout(LAYOUTS[`synchronous/${task}@${seed ?? "default"}`]);
const START: StartLayout[] = [
  { task: "3_burger", seed: null },
  { task: "3_burger", seed: 42 },
  { task: "0_cheese_sandwich", seed: 42 },
];
const FEATURES = { ...DEFAULT_FEATURES, bits: 14 };
const MODEL = { kind: "linear" as const, bits: 14, hidden: 4, initScale: 0.1, seed: 0 };
const STATES = featurizeExamples(examplesFromWalks(testdata("optimal_walks.jsonl")), FEATURES);
const BUDGETS = [300, 900, 1500];
const SHARED = { groupSize: 4, lr: 0.05, seed: 3 };
const ROLLOUT = { ...SHARED, layoutsPerStep: 2, timeout: 15, envSteps: 1500 };

type Method = "grpo" | "multiturn" | "gigpo" | "onpolicy";
const METHODS: Method[] = ["grpo", "multiturn", "gigpo", "onpolicy"];
// Serial: the draw counter patches Rng for the whole process, so no other test may draw meanwhile.

function train(method: Method, init: LoadedPolicy, opts: { out?: string; budgets?: number[]; stopAfterSteps?: number; onBudget?: (s: BudgetSnapshot, p: LoadedPolicy) => void } = {}): Promise<TrainResult> {
  const common = { init, makeEnv, ...opts };
  if (method === "grpo") return trainGrpo(STATES, { ...SHARED, batchSize: 16, epochs: 50 }, common);
  if (method === "multiturn") return trainMultiTurn(START, ROLLOUT, common);
  if (method === "gigpo") return trainGigpo(START, ROLLOUT, common);
  return trainOnPolicy(START, { ...ROLLOUT, planBudget: 200_000 }, common);
}

/** Count every categorical draw while `f` runs (the policies' only way to sample an action). */
async function countDraws<T>(f: () => Promise<T>): Promise<{ result: T; draws: number }> {
  const original = Rng.prototype.categorical;
  let draws = 0;
  Rng.prototype.categorical = function (probs: ArrayLike<number>) {
    draws++;
    return original.call(this, probs);
  };
  try {
    return { result: await f(), draws };
  } finally {
    Rng.prototype.categorical = original;
  }
}

const trainRecords = (r: TrainResult) => r.metrics.filter((m) => m.split === "train") as { samples: number; rollout_samples: number; group_samples: number; states?: number; episodes?: number; mean_steps?: number }[];

for (const method of METHODS) {
  test.serial(`${method}: the sampled actions it reports are exactly the actions it drew, split by what they were drawn for`, async (t) => {
    const init = (await trainSft(STATES, { features: FEATURES, model: MODEL, epochs: 1, lr: 0.01 })).policy;
    const { result, draws } = await countDraws(() => train(method, init, { budgets: BUDGETS }));
    const recs = trainRecords(result);
    const last = recs[recs.length - 1];
    t.is(last.samples, draws, "every draw counted once");
    t.is(result.policy.meta.samples, draws);
    t.is(last.rollout_samples + last.group_samples, last.samples);
    if (method === "grpo") {
      t.is(last.rollout_samples, 0, "single-turn GRPO plays no episode");
      t.is(last.group_samples % SHARED.groupSize, 0, "G per state");
    } else if (method === "onpolicy") {
      const states = recs.reduce((a, m) => a + (m.states ?? 0), 0);
      t.is(last.group_samples, states * SHARED.groupSize, "G per labelled state");
      t.true(last.rollout_samples > 0, "plus the rollouts that found the states");
    } else {
      t.is(last.group_samples, 0);
      const steps = recs.reduce((a, m) => a + (m.episodes ?? 0) * (m.mean_steps ?? 0), 0);
      t.is(Math.round(steps), last.rollout_samples, "every action of every rollout");
    }
    // Stopped at the last budget point, past it by less than one step's samples.
    t.true(last.samples >= BUDGETS[2]);
    t.true(recs.length < 2 || recs[recs.length - 2].samples < BUDGETS[2]);
  });

  test.serial(`${method}: a policy at every budget point, deterministic per seed, the same after an interruption`, async (t) => {
    const init = (await trainSft(STATES, { features: FEATURES, model: MODEL, epochs: 1, lr: 0.01 })).policy;
    const dirs = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), `stgrpo-budget-${method}-`)));
    const seen: BudgetSnapshot[] = [];
    const whole = await train(method, init, { out: dirs[0], budgets: BUDGETS, onBudget: (s) => seen.push(s) });
    t.true(whole.finished);
    t.deepEqual(
      seen.map((s) => s.budget),
      BUDGETS,
    );
    await train(method, init, { out: dirs[1], budgets: BUDGETS });
    const part = await train(method, init, { out: dirs[2], budgets: BUDGETS, stopAfterSteps: 6 });
    t.false(part.finished);
    const rest = await train(method, init, { out: dirs[2], budgets: BUDGETS });
    t.true(rest.finished);
    const weights = (p: LoadedPolicy) => JSON.stringify(policyToJson(p).model);
    for (const b of BUDGETS) {
      const [a, again, resumed] = dirs.map((d) => loadPolicy(budgetPolicyFile(d, b)));
      const meta = a.meta as unknown as BudgetSnapshot;
      t.is(meta.budget, b);
      t.true(meta.samples >= b, `the policy at ${b} was saved at ${meta.samples} sampled actions`);
      t.is(meta.rollout_samples + meta.group_samples, meta.samples);
      t.is(weights(again), weights(a), `budget ${b}: the same seed gives the same policy`);
      t.is(weights(resumed), weights(a), `budget ${b}: an interrupted run gives the same policy`);
      t.is((resumed.meta as unknown as BudgetSnapshot).samples, meta.samples);
    }
    // The run's final policy is its last budget point's.
    t.is(weights(loadPolicy(dirs[0])), weights(loadPolicy(budgetPolicyFile(dirs[0], BUDGETS[2]))));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
}

test("budget points must be positive whole numbers, strictly ascending", (t) => {
  t.deepEqual(checkBudgets([1, 5, 9]), [1, 5, 9]);
  t.throws(() => checkBudgets([]), { message: /at least one/ });
  t.throws(() => checkBudgets([5, 5]), { message: /strictly ascending/ });
  t.throws(() => checkBudgets([0]), { message: /positive whole/ });
  t.throws(() => checkBudgets([1.5]), { message: /positive whole/ });
});

test("a checkpoint written before the split restores its samples as the method's kind", (t) => {
  t.deepEqual({ ...SampledActions.fromState({ samples: 40 }, "group") }, { rollout: 0, group: 40 });
  t.deepEqual({ ...SampledActions.fromState({ samples: 40 }, "rollout") }, { rollout: 40, group: 0 });
  t.deepEqual({ ...SampledActions.fromState({ samples: 50, rollout_samples: 10, group_samples: 40 }, "rollout") }, { rollout: 10, group: 40 });
});
