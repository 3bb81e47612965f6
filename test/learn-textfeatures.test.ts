/**
 * The text featuriser (lib/learn/textfeatures.ts): the fast path hashes exactly the readable features;
 * identities are abstracted; it runs on both environments through the seam.
 */
import test from "ava";
import { makeEnv } from "../lib/env/index";
import { DEFAULT_FEATURES, featurize } from "../lib/learn/features";
import { featurizeText, readState, textFeatureParts } from "../lib/learn/textfeatures";
import { hashString } from "../lib/util/rng";

function mix(h: number, x: number): number {
  h = (Math.imul(h, 0x9e3779b1) ^ x) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** The reference: every readable feature of textFeatureParts, folded from its part hashes into both seeds. */
function reference(observation: string, validActions: string[], bits: number): number[][] {
  const state = readState(observation);
  const seeds = [hashString("S"), hashString(`G:${state.goalText}`)];
  const words = (a: string) => a.split(/\s+/).map((w) => w.toLowerCase().replace(/[^a-z0-9#']/g, "").replace(/\d+/g, "#")).filter(Boolean).join(" ");
  const seenKey = new Map<string, number>();
  const perVerb = new Map<string, number>();
  return validActions.map((a) => {
    const key = words(a);
    const verb = textFeatureParts(state, a, 0, 0)[0][0];
    const rank = seenKey.get(key) ?? 0;
    seenKey.set(key, rank + 1);
    const order = perVerb.get(verb) ?? 0;
    perVerb.set(verb, order + 1);
    const set = new Set<number>();
    for (const parts of textFeatureParts(state, a, rank, order)) for (const seed of seeds) set.add(parts.reduce((h, p) => mix(h, hashString(p)), seed) & ((1 << bits) - 1));
    return [...set].sort((x, y) => x - y);
  });
}

test("the fast featuriser hashes exactly the readable features, on both environments", (t) => {
  for (const [task, seed] of [["burger", 42], ["cookingworld-3", 20001]] as const) {
    const env = makeEnv(task, seed);
    for (let step = 0; step < 6 && !env.isDone(); step++) {
      const obs = env.observation();
      const valid = env.validActions();
      const x = featurizeText(obs, valid, { bits: 18, shared: true, goalConjunction: true });
      const want = reference(obs, valid, 18);
      t.is(x.n, valid.length);
      want.forEach((ids, k) => t.deepEqual([...x.indices.subarray(x.offsets[k], x.offsets[k + 1])], ids, `${task} step ${step} candidate ${k}`));
      env.step(valid[(step * 7) % valid.length]);
    }
  }
});

test("identities are abstracted: renumbering objects leaves φ unchanged; kind 'text' dispatches here", (t) => {
  const obs = "You see patty1 on table2.\nInventory:\n  nothing\nValid Actions:\ntake patty1\nGoal: cook patty1";
  const renamed = obs.replace(/patty1/g, "patty7").replace(/table2/g, "table9");
  const cfg = { ...DEFAULT_FEATURES, kind: "text" as const };
  t.deepEqual(featurize(obs, ["take patty1"], cfg), featurize(renamed, ["take patty7"], cfg));
  t.notDeepEqual(featurize(obs, ["take patty1"], cfg), featurize(obs, ["take patty1"], DEFAULT_FEATURES));
});
