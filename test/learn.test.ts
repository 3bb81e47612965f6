/**
 * lib/learn units: GRPO's advantage and loss by hand on a two-action example, gradients against
 * finite differences, the scene parser and identity-free features, the PRNG, serialisation.
 */
import test from "ava";
import { actionReward, groupAdvantages, grpoLoss } from "../lib/learn/grpo";
import { sftLossGrad } from "../lib/learn/sft";
import { Grad, createModel, logSoftmax, modelFromJson, modelToJson, adamToJson, adamFromJson, Adam, DEFAULT_ADAM } from "../lib/learn/model";
import { Rng, streamRng } from "../lib/util/rng";
import { parseScene } from "../lib/learn/scene";
import { actionTemplate, candidateFeatureStrings, featurize } from "../lib/learn/features";
import { examplesFromWalks, exampleFromRecord } from "../lib/learn/data";
import { testdata } from "./helpers/testdata";
import { singleTurnReward } from "../lib/agent/index";

const walksFile = () => testdata("optimal_walks.jsonl");

const close = (t: any, a: number, b: number, tol = 1e-9, msg = "") => t.true(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);

test("groupAdvantages: (r − mean)/(std + δ) by hand, unbiased and population std", (t) => {
  // rewards of four sampled actions, expert = action 0, samples [0,0,1,0]
  const r = [actionReward(true), actionReward(true), actionReward(false), actionReward(true)];
  t.deepEqual(r, [1, 1, 0.1, 1]);
  // mean 0.775; deviations .225,.225,−.675,.225; unbiased var .2025 → std .45
  const a = groupAdvantages(r, 0);
  [0.5, 0.5, -1.5, 0.5].forEach((x, i) => close(t, a[i], x, 1e-12));
  // population var .151875 → std .389711
  const b = groupAdvantages(r, 0, "population");
  close(t, b[2], -0.675 / Math.sqrt(0.151875), 1e-12);
  // equal rewards: zero advantage, no NaN
  t.deepEqual(groupAdvantages([0.1, 0.1, 0.1]), [0, 0, 0]);
  // the format constant 0.1 and the 0.9 scale cancel: same advantages as the indicator reward
  const ind = groupAdvantages([1, 1, 0, 1], 0);
  a.forEach((x, i) => close(t, x, ind[i], 1e-12));
});

test("actionReward is lib/agent's singleTurnReward of a well-formed ReAct reply naming the action", (t) => {
  const valid = ["Move robot1 from table1 to table2", "Pick up bottombun1 from table1 using robot1", "Do nothing"];
  for (const expert of valid)
    for (const a of valid) t.is(actionReward(a === expert), singleTurnReward(`Reasoning: plan.\nAction: ${a}`, expert, valid));
});

test("grpoLoss on a two-action example matches the hand computation", (t) => {
  // π_θ = π_old = (½, ½); π_ref = (¼, ¾); samples [0,0,1,0] with advantages [½,½,−3/2,½]; β = 0.1
  const logp = [Math.log(0.5), Math.log(0.5)];
  const logpRef = [Math.log(0.25), Math.log(0.75)];
  const out = grpoLoss({ logp, logpOld: logp, logpRef, actions: [0, 0, 1, 0], advantages: [0.5, 0.5, -1.5, 0.5], clipEps: 0.2, beta: 0.1, kl: "exact" });
  // surrogate = mean(ρA) = mean(A) = 0; KL(π‖π_ref) = ½ ln(4/3)
  const kl = 0.5 * Math.log(4 / 3);
  close(t, out.kl, kl, 1e-12, "kl");
  close(t, out.loss, 0.1 * kl, 1e-12, "loss");
  // ∂/∂score: −(1/4)·1.5·(e0 − e1) = (−0.375, 0.375); KL part π_b(log π_b − log π_ref,b − KL)
  const k0 = 0.5 * (Math.log(2) - kl);
  close(t, out.dscores[0], -0.375 + 0.1 * k0, 1e-12, "d0");
  close(t, out.dscores[1], 0.375 - 0.1 * k0, 1e-12, "d1");
  t.is(out.clipFrac, 0);
});

test("grpoLoss clips: a sample whose ratio left [1−ε, 1+ε] on the advantage's side gives no gradient", (t) => {
  // π_θ(0) = 0.8, π_old(0) = 0.5 → ρ_0 = 1.6 > 1.2 with A > 0: clipped. Sample 1: ρ = 0.4 < 0.8, A < 0: clipped.
  const logp = [Math.log(0.8), Math.log(0.2)];
  const logpOld = [Math.log(0.5), Math.log(0.5)];
  const out = grpoLoss({ logp, logpOld, logpRef: logp, actions: [0, 1], advantages: [1, -1], clipEps: 0.2, beta: 0, kl: "exact" });
  t.is(out.clipFrac, 1);
  t.deepEqual([...out.dscores], [0, 0]);
  // objective = mean(min(ρA, clip(ρ)A)) = mean(1.2, −0.8) = 0.2 → loss −0.2
  close(t, out.loss, -0.2, 1e-12);
  // A < 0 with ρ > 1+ε is *not* clipped (the min keeps the unclipped, worse term)
  const o2 = grpoLoss({ logp, logpOld, logpRef: logp, actions: [0], advantages: [-1], clipEps: 0.2, beta: 0, kl: "exact" });
  t.is(o2.clipFrac, 0);
  close(t, o2.dscores[0], 1.6 * 0.2, 1e-12); // −(−1·1.6)·(−(1−0.8))… = ρ·(1−π0) with the sign of −A
});

function numericGrad(f: (s: number[]) => number, s: number[], h = 1e-6): number[] {
  return s.map((_, i) => {
    const a = s.slice(),
      b = s.slice();
    a[i] += h;
    b[i] -= h;
    return (f(a) - f(b)) / (2 * h);
  });
}

test("grpoLoss and sftLossGrad gradients match finite differences (exact KL and k3)", (t) => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const n = 2 + rng.int(5);
    const s0 = Array.from({ length: n }, () => rng.normal());
    const old = logSoftmax(Array.from({ length: n }, (_, i) => s0[i] + 0.3 * rng.normal()));
    const ref = logSoftmax(Array.from({ length: n }, () => rng.normal()));
    const G = 1 + rng.int(6);
    const actions = Array.from({ length: G }, () => rng.int(n));
    const adv = Array.from({ length: G }, () => rng.normal());
    for (const kl of ["exact", "k3"] as const) {
      const f = (s: number[]) => grpoLoss({ logp: logSoftmax(s), logpOld: old, logpRef: ref, actions, advantages: adv, clipEps: 0.2, beta: 0.3, kl }).loss;
      const an = grpoLoss({ logp: logSoftmax(s0), logpOld: old, logpRef: ref, actions, advantages: adv, clipEps: 0.2, beta: 0.3, kl }).dscores;
      numericGrad(f, s0).forEach((g, i) => close(t, an[i], g, 1e-5, `${kl} trial ${trial} d${i}`));
    }
    const target = rng.int(n);
    const an = sftLossGrad(s0, target).dscores;
    numericGrad((s) => sftLossGrad(s, target).loss, s0).forEach((g, i) => close(t, an[i], g, 1e-6, "sft"));
  }
});

test("model backward matches finite differences through the linear and the mlp scorer", (t) => {
  const file = walksFile();
  const ex = examplesFromWalks(file)[5];
  const x = featurize(ex.observation, ex.validActions, { bits: 10, goalConjunction: true, shared: true, builtContext: true, argPairs: true, order: true });
  for (const kind of ["linear", "mlp"] as const) {
    const model = createModel({ kind, bits: 10, hidden: 4, initScale: 0.3, seed: 3 });
    const rng = new Rng(1);
    for (const T of model.tensors) for (let i = 0; i < T.data.length; i++) T.data[i] = 0.1 * rng.normal();
    model.forward(x); // materialise lazily initialised rows, then overwrite them too
    for (const T of model.tensors) for (let i = 0; i < T.data.length; i++) T.data[i] = 0.1 * rng.normal();
    const target = ex.validActions.indexOf(ex.expertAction);
    const loss = () => sftLossGrad(model.forward(x).scores, target).loss;
    const fwd = model.forward(x);
    const grad = new Grad(model.tensors);
    model.backward(x, fwd, sftLossGrad(fwd.scores, target).dscores, grad);
    let checked = 0;
    model.tensors.forEach((T, ti) => {
      for (const r of grad.touched[ti].slice(0, 3)) {
        const j = r * T.rowSize;
        const old = T.data[j];
        T.data[j] = old + 1e-6;
        const a = loss();
        T.data[j] = old - 1e-6;
        const b = loss();
        T.data[j] = old;
        close(t, grad.data[ti][j], (a - b) / 2e-6, 1e-6, `${kind} ${T.name}[${j}]`);
        checked++;
      }
    });
    t.true(checked >= 3);
  }
});

test("Rng: seeded streams are reproducible and roughly uniform", (t) => {
  const a = new Rng(42),
    b = new Rng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  t.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  t.true(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.true(Math.abs(mean - 0.5) < 0.05);
  t.notDeepEqual(streamRng(1, "x", 0).permutation(10), streamRng(1, "x", 1).permutation(10));
  t.deepEqual(streamRng(1, "x", 5).permutation(10), streamRng(1, "x", 5).permutation(10));
  const counts = [0, 0, 0];
  const r = new Rng(3);
  for (let i = 0; i < 3000; i++) counts[r.categorical([0.2, 0.3, 0.5])]++;
  t.true(Math.abs(counts[2] / 3000 - 0.5) < 0.05);
});

const BURGER_T3 = [
  "Station table1:\ntable1 is a table\ntable1 is occupied by robot1\ntable1 has bottombun1\ntable1 has bottombun1 directly on top of it",
  "Station table2:\ntable2 is a table\ntable2 has topbun1\ntable2 has topbun1 directly on top of it\ntable2 has no players at it",
  "Station table3:\ntable3 is a table\ntable3 has nothing on it\ntable3 has no players at it",
  "Item bottombun1:\nbottombun1 is a bottom bun\nbottombun1 is at table1\nbottombun1 is directly on top of table1\nbottombun1 has nothing above it",
  "Item topbun1:\ntopbun1 is a top bun\ntopbun1 is at table2\ntopbun1 is directly on top of table2\ntopbun1 has nothing above it",
  "Item patty1:\npatty1 is a hamburger patty\npatty1 is cooked\npatty1 is held by robot1",
  "Player robot1:\nrobot1 is a robot\nrobot1 is at table1\nrobot1 is holding patty1",
  "Valid Actions:\nMove robot1 from table1 to table2\nMove robot1 from table1 to table3\nPlace patty1 on table3 using robot1\nStack patty1 on top of bottombun1 using robot1\nDo nothing",
  "Goal: Prepare a hamburger on a table",
].join("\n\n");

test("parseScene recovers stacks, the held item, flags and the goal from the text", (t) => {
  const s = parseScene(BURGER_T3);
  t.deepEqual(s.stacks.get("table1"), ["bottombun1"]);
  t.deepEqual(s.stacks.get("table3"), []);
  t.is(s.held, "patty1");
  t.is(s.robotAt, "table1");
  t.deepEqual(s.objects.get("patty1")!.flags, ["is cooked"]);
  t.is(s.objects.get("patty1")!.kind, "patty");
  t.is(s.goal, "Prepare a hamburger on a table");
  t.deepEqual(actionTemplate("Stack patty1 on top of bottombun1 using robot1", s), {
    template: "Stack # on top of # using #",
    args: ["patty1", "bottombun1", "robot1"],
  });
});

test("features abstract object identities: renumbering objects leaves φ unchanged", (t) => {
  const renamed = BURGER_T3.replace(/table1/g, "tableX").replace(/table3/g, "table1").replace(/tableX/g, "table3").replace(/patty1/g, "patty7");
  const valid = (o: string) => o.split("Valid Actions:\n")[1].split("\n\nGoal")[0].split("\n");
  const a = featurize(BURGER_T3, valid(BURGER_T3));
  const b = featurize(renamed, valid(renamed));
  t.deepEqual([...a.offsets], [...b.offsets]);
  t.deepEqual([...a.indices], [...b.indices]);
  const scene = parseScene(BURGER_T3);
  const fs = candidateFeatureStrings(scene, "Stack patty1 on top of bottombun1 using robot1", 0);
  const names = new RegExp(`(^|[^a-z])(${[...scene.objects.keys()].join("|")})([^0-9]|$)`);
  t.false(fs.some((f) => names.test(f)), "no object name in any feature string");
  t.true(fs.includes("T:Stack # on top of # using #|0d:patty(is cooked)|1d:bottombun"));
});

test("the dataset loader takes the observation from the last user message and checks the expert action", (t) => {
  const rec = {
    prompt: [
      { role: "system", content: "sys" },
      { role: "user", content: "instructions" },
      { role: "user", content: BURGER_T3 },
    ],
    completion: [{ role: "assistant", content: "Reasoning: x\nAction: Stack patty1 on top of bottombun1 using robot1" }],
    expert_action: "Stack patty1 on top of bottombun1 using robot1",
    valid_actions: ["Move robot1 from table1 to table2", "Stack patty1 on top of bottombun1 using robot1", "Do nothing"],
    task: "burger",
    seed: 7,
    t: 3,
  };
  const ex = exampleFromRecord(rec, "x:1");
  t.is(ex.observation, BURGER_T3);
  t.is(ex.seed, 7);
  t.throws(() => exampleFromRecord({ ...rec, expert_action: "Fly" }, "x:2"), { message: /x:2: expert_action "Fly" is not among valid_actions/ });
});

test("model and Adam state round-trip exactly through JSON", (t) => {
  for (const kind of ["linear", "mlp"] as const) {
    const m = createModel({ kind, bits: 8, hidden: 3, seed: 1 });
    const rng = new Rng(2);
    const x = { n: 3, offsets: Int32Array.from([0, 2, 3, 5]), indices: Int32Array.from([1, 5, 9, 1, 200]) };
    const adam = new Adam(m, DEFAULT_ADAM);
    for (let s = 0; s < 3; s++) {
      const fwd = m.forward(x);
      const g = new Grad(m.tensors);
      m.backward(x, fwd, [rng.normal(), rng.normal(), rng.normal()], g);
      adam.step(g);
    }
    const m2 = modelFromJson(JSON.parse(JSON.stringify(modelToJson(m))));
    t.deepEqual([...m2.forward(x).scores], [...m.forward(x).scores]);
    const a2 = adamFromJson(m2, JSON.parse(JSON.stringify(adamToJson(adam))));
    t.is(a2.t, 3);
    m.tensors.forEach((T, i) => t.deepEqual([...a2.m[i]], [...adam.m[i]]));
  }
});
