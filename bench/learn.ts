/**
 * lib/learn throughput: featurisation (states/s; the hashed-parts featuriser against its string
 * reference), SFT and GRPO updates (states/s) for the linear and the mlp scorer, sampled rollout
 * steps/s in the kitchen (cold and with the shared feature cache warm), multi-turn GRPO
 * (environment steps/s), GiGPO and on-policy single-turn GRPO (sampled actions/s) and the planner's
 * isolated labels (states/s). Prints ratios against featurisation measured in the same run (benchmarks
 * never gate tests).
 *
 *   npx tsx bench/learn.ts
 */
import { PAPER_TASKS, makeKitchen } from "../lib/kitchen/index";
import { SingleTurnExample, featurizeExamples } from "../lib/learn/data";
import { DEFAULT_FEATURES, featurize, featurizeSceneReference, sharedFeatureCache } from "../lib/learn/features";
import { parseScene } from "../lib/learn/scene";
import { untrainedPolicy } from "../lib/learn/checkpoint";
import { trainSft } from "../lib/learn/sft";
import { trainGrpo } from "../lib/learn/grpo";
import { rollout, trainMultiTurn } from "../lib/learn/multiturn";
import { trainGigpo } from "../lib/learn/gigpo";
import { labelVisitedStates, StateLabels, trainOnPolicy } from "../lib/learn/onpolicy";
import { Rng } from "../lib/util/rng";

function randomWalkExamples(n: number): SingleTurnExample[] {
  const rng = new Rng(1);
  const out: SingleTurnExample[] = [];
  for (let i = 0; out.length < n; i++) {
    const task = PAPER_TASKS[i % PAPER_TASKS.length];
    const k = makeKitchen(task, 1000 + i);
    for (let t = 0; t < 20 && out.length < n && !k.isDone(); t++) {
      const valid = k.validActions();
      const a = valid[rng.int(valid.length)];
      out.push({ observation: k.observation(), validActions: valid, expertAction: a, task, seed: 1000 + i, t });
      k.step(a);
    }
  }
  return out;
}

async function main() {
  const ex = randomWalkExamples(2000);
  const timeit = (f: () => void) => {
    const t0 = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const tFeat = timeit(() => ex.forEach((e) => featurize(e.observation, e.validActions, DEFAULT_FEATURES)));
  const featRate = ex.length / tFeat;
  const states = featurizeExamples(ex);
  const meanCand = states.reduce((s, x) => s + x.x.n, 0) / states.length;
  const meanFeat = states.reduce((s, x) => s + x.x.indices.length / x.x.n, 0) / states.length;
  const tRef = timeit(() => ex.forEach((e) => featurizeSceneReference(parseScene(e.observation), e.validActions, DEFAULT_FEATURES)));
  const rows: [string, number][] = [
    ["featurize (states/s)", featRate],
    ["featurize, string reference (states/s)", ex.length / tRef],
  ];
  for (const kind of ["linear", "mlp"] as const) {
    let t0 = Date.now();
    const sft = await trainSft(states, { epochs: 2, model: { kind, bits: 18, hidden: 16, initScale: 0.1, seed: 0 } });
    rows.push([`sft ${kind} (state-updates/s)`, (2 * states.length) / ((Date.now() - t0) / 1000)]);
    t0 = Date.now();
    await trainGrpo(states, { epochs: 1, batchSize: 256, groupSize: 8 }, { init: sft.policy });
    rows.push([`grpo ${kind} G=8 (states/s)`, states.length / ((Date.now() - t0) / 1000)]);
  }
  const pol = untrainedPolicy();
  const rolloutRate = () => {
    let steps = 0;
    const t0 = Date.now();
    for (let i = 0; i < 40; i++) steps += rollout(pol, makeKitchen(PAPER_TASKS[i % 4], 2000 + i), 35, new Rng(i)).steps;
    return steps / ((Date.now() - t0) / 1000);
  };
  sharedFeatureCache.clear();
  rows.push(["rollout, cold feature cache (steps/s)", rolloutRate()]);
  rows.push(["rollout, warm feature cache (steps/s)", rolloutRate()]);
  const layouts = Array.from({ length: 16 }, (_, i) => ({ task: "burger", seed: 3000 + i }));
  const t0 = Date.now();
  const mt = await trainMultiTurn(layouts, { envSteps: 20_000, layoutsPerStep: 8 }, { init: pol });
  rows.push(["multi-turn GRPO from uniform (env steps/s)", Number(mt.policy.meta.samples) / ((Date.now() - t0) / 1000)]);
  // The comparison's other two methods, in the unit they are compared at: sampled actions per second.
  let t1 = Date.now();
  const gi = await trainGigpo(layouts, { envSteps: 20_000, layoutsPerStep: 8 }, { init: pol });
  rows.push(["GiGPO from uniform (sampled actions/s)", Number(gi.policy.meta.samples) / ((Date.now() - t1) / 1000)]);
  t1 = Date.now();
  const op = await trainOnPolicy(layouts, { envSteps: 20_000, layoutsPerStep: 8, planBudget: 5_000 }, { init: pol });
  rows.push(["on-policy GRPO from uniform (sampled actions/s)", Number(op.policy.meta.samples) / ((Date.now() - t1) / 1000)]);
  // Planner labels of random-walk states, each planned in isolation (on-policy's labelling cost).
  const labels = new StateLabels(5_000);
  t1 = Date.now();
  let labelled = 0;
  for (let i = 0; i < 8; i++) {
    const k = makeKitchen(PAPER_TASKS[i % 4], 4000 + i);
    const r = rollout(pol, k.clone(), 20, new Rng(i), 1, true);
    labelled += labelVisitedStates(`${i}`, k, r.trace, labels, new Set()).length;
  }
  rows.push(["planner labels, isolated (states/s)", labelled / ((Date.now() - t1) / 1000)]);
  console.log(`${states.length} states, ${meanCand.toFixed(1)} candidates/state, ${meanFeat.toFixed(0)} features/candidate`);
  for (const [name, rate] of rows) console.log(`${name.padEnd(40)} ${rate.toFixed(0).padStart(8)}   ×${(rate / featRate).toFixed(2)} of featurize`);
}

main();
