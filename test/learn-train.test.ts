/**
 * lib/learn trainers on a small fixed dataset (the optimal walks of the four default layouts):
 * each improves its objective, runs are deterministic for a fixed seed, and an interrupted run resumes
 * from its last checkpoint to exactly the result of an uninterrupted one.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readJsonl } from "../lib/util/files";
import { examplesFromWalks, featurizeExamples, TrainState } from "../lib/learn/data";
import { trainSft, evaluateStates } from "../lib/learn/sft";
import { trainGrpo } from "../lib/learn/grpo";
import { LoadedPolicy, loadPolicy, policyToJson } from "../lib/learn/checkpoint";
import { DEFAULT_FEATURES } from "../lib/learn/features";
import { testdata } from "./helpers/testdata";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-learn-"));

const walksFile = () => testdata("optimal_walks.jsonl");

// Small hashed space: fast, and the fixture has only 54 states.
const FEATURES = { ...DEFAULT_FEATURES, bits: 14 };
const MODEL = { kind: "linear" as const, bits: 14, hidden: 4, initScale: 0.1, seed: 0 };
let cache: TrainState[] | null = null;
const states = () => (cache ??= featurizeExamples(examplesFromWalks(walksFile()), FEATURES));
const weights = (p: LoadedPolicy) => JSON.stringify(policyToJson(p).model);

test("SFT decreases the cross-entropy and fits the expert actions", async (t) => {
  const st = states();
  t.is(st.length, 54);
  const uniformLoss = st.reduce((s, x) => s + Math.log(x.x.n), 0) / st.length;
  const r = await trainSft(st, { features: FEATURES, model: MODEL, seed: 1 });
  const losses = r.metrics.map((m) => m.loss as number);
  t.is(r.steps, Math.ceil(54 / 8) * 8); // paper: 8 epochs, batch 8
  t.true(Math.abs((losses[0] as number) - uniformLoss) < 0.6, "first batch starts near the uniform policy's loss");
  const after = evaluateStates(r.policy, st);
  t.true(after.loss < 0.1 * uniformLoss, `loss ${after.loss} vs uniform ${uniformLoss}`);
  t.is(after.acc, 1);
});

test("SFT with the mlp scorer also fits the fixture", async (t) => {
  const r = await trainSft(states(), { features: FEATURES, model: { ...MODEL, kind: "mlp" }, seed: 1 });
  t.true(evaluateStates(r.policy, states()).acc >= 0.95);
});

test("single-turn GRPO increases the expected reward and the expert-action probability", async (t) => {
  const st = states();
  // A weak SFT start (one epoch at a small learning rate) leaves room to improve.
  const sft = await trainSft(st, { features: FEATURES, model: MODEL, epochs: 1, lr: 0.01, seed: 2 });
  const before = evaluateStates(sft.policy, st);
  const g = await trainGrpo(st, { epochs: 30, batchSize: 16, groupSize: 8, lr: 0.02, seed: 3 }, { init: sft.policy });
  const after = evaluateStates(g.policy, st);
  t.true(after.p_expert > before.p_expert + 0.1, `p_expert ${before.p_expert} → ${after.p_expert}`);
  const rewards = g.metrics.map((m) => m.reward as number);
  const head = rewards.slice(0, 8).reduce((a, b) => a + b, 0) / 8;
  const tail = rewards.slice(-8).reduce((a, b) => a + b, 0) / 8;
  t.true(tail > head, `sampled reward ${head} → ${tail}`);
  t.true(g.metrics.every((m) => (m.kl as number) >= 0));
});

test("training is deterministic for a fixed seed and differs across seeds", async (t) => {
  const st = states();
  const a = await trainSft(st, { features: FEATURES, model: MODEL, epochs: 2, seed: 5 });
  const b = await trainSft(st, { features: FEATURES, model: MODEL, epochs: 2, seed: 5 });
  t.is(weights(a.policy), weights(b.policy));
  const g1 = await trainGrpo(st, { epochs: 2, batchSize: 16, seed: 7 }, { init: a.policy });
  const g2 = await trainGrpo(st, { epochs: 2, batchSize: 16, seed: 7 }, { init: b.policy });
  const g3 = await trainGrpo(st, { epochs: 2, batchSize: 16, seed: 8 }, { init: b.policy });
  t.is(weights(g1.policy), weights(g2.policy));
  t.not(weights(g1.policy), weights(g3.policy));
});

test("an interrupted SFT run resumes from its checkpoint to the uninterrupted result", async (t) => {
  const st = states();
  const cfg = { features: FEATURES, model: MODEL, epochs: 3, seed: 9, checkpointEvery: 4 };
  const whole = await trainSft(st, cfg);
  const dir = tmp();
  const part = await trainSft(st, cfg, { out: dir, stopAfterSteps: 10 });
  t.false(part.finished);
  t.false(fs.existsSync(path.join(dir, "policy.json")));
  // The killed run had written metrics past its last checkpoint: resume must drop them.
  fs.appendFileSync(path.join(dir, "metrics.jsonl"), JSON.stringify({ step: 11, loss: 123 }) + "\n");
  const rest = await trainSft(st, cfg, { out: dir });
  t.true(rest.finished);
  t.is(weights(rest.policy), weights(whole.policy));
  t.is(weights(loadPolicy(dir)), weights(whole.policy));
  const steps = readJsonl<{ step: number; split: string }>(path.join(dir, "metrics.jsonl")).filter((m) => m.split === "train").map((m) => m.step);
  t.deepEqual(steps, Array.from({ length: whole.steps }, (_, i) => i + 1));
  // A different config in the same directory is refused.
  await t.throwsAsync(trainSft(st, { ...cfg, lr: 0.5 }, { out: dir }), { message: /different config/ });
});

test("an interrupted GRPO run resumes (policy, Adam moments, reference, sample count) exactly", async (t) => {
  const st = states();
  const sft = await trainSft(st, { features: FEATURES, model: MODEL, epochs: 1, seed: 1 });
  const cfg = { epochs: 4, batchSize: 16, seed: 4, checkpointEvery: 3 };
  const whole = await trainGrpo(st, cfg, { init: sft.policy });
  const dir = tmp();
  await trainGrpo(st, cfg, { init: sft.policy, out: dir, stopAfterSteps: 7 });
  const rest = await trainGrpo(st, cfg, { init: sft.policy, out: dir });
  t.true(rest.finished);
  t.is(weights(rest.policy), weights(whole.policy));
  t.is(rest.policy.meta.samples, whole.policy.meta.samples);
});
