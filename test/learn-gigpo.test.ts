/**
 * GiGPO (lib/learn/gigpo.ts): anchor-state grouping and the step-level advantages on a hand-built group
 * of trajectories whose values are worked out here by hand, the F_norm = 1 ("w/o std") form, and — with
 * ω = 0 — the very same run as multi-turn GRPO (GiGPO differs by the step-level term alone).
 */
import test from "ava";
import { Kitchen } from "../lib/kitchen/kitchen";
import { GIGPO_DEFAULTS, gigpoAdvantages, trainGigpo } from "../lib/learn/gigpo";
import { episodeAdvantages, GroupEpisode, StartLayout, trainMultiTurn } from "../lib/learn/multiturn";
import { policyToJson } from "../lib/learn/checkpoint";
import { examplesFromWalks, featurizeExamples } from "../lib/learn/data";
import { trainSft } from "../lib/learn/sft";
import { DEFAULT_FEATURES } from "../lib/learn/features";
import { testdata, testLayouts } from "./helpers/testdata";

const g = 0.95;
const EPS = 1e-6;
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

// Three episodes from one start. A is the start; B is where episodes 0 and 2 pass; episode 1 loops on D.
const GROUP: GroupEpisode[] = [
  { success: true, keys: ["A", "B", "C"] },
  { success: false, keys: ["A", "D", "D", "E"] },
  { success: true, keys: ["A", "B", "F", "G"] },
];

test("GiGPO groups identical states of a group into anchor states (a loop counts twice), in first-visit order", (t) => {
  const r = gigpoAdvantages(GROUP, GIGPO_DEFAULTS);
  // A=0, B=1, C=2, D=3, E=4, F=5, G=6
  t.deepEqual(r.anchor, [
    [0, 1, 2],
    [0, 3, 3, 4],
    [0, 1, 5, 6],
  ]);
  t.true(near(r.stats!.anchor_frac, 7 / 11), "A (3 steps), B (2) and D (2) of 11 steps are in groups of two or more");
  t.true(near(r.stats!.anchor_size, 11 / 7));
});

test("GiGPO's discounted returns, episode- and step-level advantages match the hand computation (γ = 0.95, ω = 1, std)", (t) => {
  const r = gigpoAdvantages(GROUP, GIGPO_DEFAULTS);
  t.is(GIGPO_DEFAULTS.gamma, 0.95);
  t.is(GIGPO_DEFAULTS.omega, 1);
  // R_{j,t} = γ^{T_j − 1 − t} on success, 0 on failure.
  t.deepEqual(r.returns, [
    [g * g, g, 1],
    [0, 0, 0, 0],
    [g * g * g, g * g, g, 1],
  ]);
  // Episode level: rewards 1, 0, 1 → mean 2/3, unbiased std √(1/3).
  const sd = Math.sqrt(1 / 3);
  const ae = [1 / 3 / (sd + EPS), -2 / 3 / (sd + EPS), 1 / 3 / (sd + EPS)];
  r.episode.forEach((a, j) => t.true(near(a, ae[j]), `A^E[${j}] ${a} vs ${ae[j]}`));
  // Anchor A: returns γ², 0, γ³.
  const xa = [g * g, 0, g * g * g];
  const ma = (xa[0] + xa[1] + xa[2]) / 3;
  const sa = Math.sqrt(xa.reduce((s, x) => s + (x - ma) ** 2, 0) / 2);
  // Anchor B: returns γ (episode 0, t = 1) and γ² (episode 2, t = 1): ±((γ − γ²)/2) / ((γ − γ²)/√2 + δ).
  const sb = (g - g * g) / Math.SQRT2;
  const expected = [
    [(xa[0] - ma) / (sa + EPS), (g - g * g) / 2 / (sb + EPS), 0],
    [(xa[1] - ma) / (sa + EPS), 0, 0, 0], // D: two visits, both return 0 → no signal; E alone → 0
    [(xa[2] - ma) / (sa + EPS), -(g - g * g) / 2 / (sb + EPS), 0, 0],
  ];
  r.step.forEach((row, j) => row.forEach((a, i) => t.true(near(a, expected[j][i]), `A^S[${j}][${i}] ${a} vs ${expected[j][i]}`)));
  // Combined: A^E + ω·A^S at every step.
  r.perStep.forEach((row, j) => row.forEach((a, i) => t.true(near(a, ae[j] + expected[j][i]))));
  t.true(near(r.stats!.step_signal_frac, 5 / 11), "A's three steps and B's two carry step-level signal");
});

test("GiGPO without std (F_norm = 1) takes plain differences from the group mean", (t) => {
  const r = gigpoAdvantages(GROUP, { ...GIGPO_DEFAULTS, advStd: "none", omega: 0.5 });
  t.deepEqual(r.episode.map((x) => Math.round(x * 1e12) / 1e12), [1 / 3, -2 / 3, 1 / 3].map((x) => Math.round(x * 1e12) / 1e12));
  t.true(near(r.step[0][1], (g - g * g) / 2));
  t.true(near(r.step[2][1], -(g - g * g) / 2));
  t.true(near(r.perStep[0][1], 1 / 3 + 0.5 * ((g - g * g) / 2)));
});

test("a group whose episodes all fail has no signal at any level; with ω = 0 GiGPO's advantages are multi-turn GRPO's", (t) => {
  const fail = GROUP.map((e) => ({ ...e, success: false }));
  const r = gigpoAdvantages(fail, GIGPO_DEFAULTS);
  t.true(r.perStep.every((row) => row.every((a) => a === 0)));
  const zero = gigpoAdvantages(GROUP, { ...GIGPO_DEFAULTS, omega: 0 });
  t.deepEqual(zero.perStep, episodeAdvantages(GROUP, GIGPO_DEFAULTS).perStep);
});

const LAYOUTS = testLayouts();
const makeEnv = (task: string, seed: number | null) => Kitchen.fromLayout(LAYOUTS[`synchronous/${task}@${seed ?? "default"}`]);
const START: StartLayout[] = [
  { task: "3_burger", seed: null },
  { task: "0_cheese_sandwich", seed: 42 },
];
const FEATURES = { ...DEFAULT_FEATURES, bits: 14 };
const MODEL = { kind: "linear" as const, bits: 14, hidden: 4, initScale: 0.1, seed: 0 };

test("GiGPO with ω = 0 trains exactly the multi-turn GRPO policy; with ω = 1 another one", async (t) => {
  // A weak SFT start: some episodes succeed, so groups carry signal.
  const init = (await trainSft(featurizeExamples(examplesFromWalks(testdata("optimal_walks.jsonl")), FEATURES), { features: FEATURES, model: MODEL, epochs: 1, lr: 0.01 })).policy;
  const cfg = { envSteps: 1500, layoutsPerStep: 2, groupSize: 8, lr: 0.05, timeout: 15, seed: 2 };
  const mt = await trainMultiTurn(START, cfg, { init, makeEnv });
  const g0 = await trainGigpo(START, { ...cfg, omega: 0 }, { init, makeEnv });
  const g1 = await trainGigpo(START, cfg, { init, makeEnv });
  const w = (p: typeof mt) => JSON.stringify(policyToJson(p.policy).model);
  t.is(w(g0), w(mt));
  t.not(w(g1), w(mt));
  const anchored = g1.metrics.filter((m) => m.split === "train").map((m) => m.anchor_frac as number);
  t.true(anchored.some((x) => x > 0), "groups of episodes from one start share states");
});
