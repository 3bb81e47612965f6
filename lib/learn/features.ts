/**
 * φ(s, a): generic text features of an (observation, candidate action) pair, hashed into a fixed-size
 * sparse binary vector.
 *
 * Object identities are abstracted so a policy can generalise across layouts and seeds: `patty2` is
 * never a feature, only what it *is* and *where it is relative to the action*:
 *
 * - the action's **template**, its text with object names replaced by `#` ("Stack # on top of # using #");
 * - for each object argument, **views**: its descriptor (kind + state flags, e.g. `patty(is cooked)`),
 *   for a station its kind, stack signature (the descriptors bottom → top), top and bottom item, height,
 *   whether the robot is there; for an item what it stands on, what is above it, its position in its
 *   stack and its station's signature;
 * - **context**: what the robot holds, the signature of the robot's station, and the signatures of
 *   every multi-item stack in the kitchen (what has been built so far);
 * - a **tie-break rank**: the candidate's rank among candidates whose views are all identical (two
 *   empty tables), so a policy can learn a planner's deterministic tie-break instead of splitting mass.
 *
 * Features are conjunctions: template × view, template × view × held, template × view × view′ (pairs
 * across arguments), template × view × built-stack. Every feature exists twice, once alone (shared by
 * all tasks) and once conjoined with the goal sentence (task-specific), so one weight vector can hold
 * both what transfers and what does not. No feature encodes a plan, a recipe or a distance to the goal.
 */
import { hashString } from "../util/rng";
import { Scene, parseScene } from "./scene";
import { featurizeText } from "./textfeatures";

export interface FeatureConfig {
  /**
   * Which featuriser: "scene" (default; Robotouille's observation parsed into stacks, below) or "text"
   * (any environment: lines and words only, textfeatures.ts). Checkpoints without it are "scene".
   */
  kind?: "scene" | "text";
  /** log2 of the hashed feature space. */
  bits: number;
  /** Add a goal-conjoined copy of every feature (task-specific weights). */
  goalConjunction: boolean;
  /** Add the goal-free copy (weights shared across tasks). */
  shared: boolean;
  /** Conjoin views with the signatures of multi-item stacks (progress context). */
  builtContext: boolean;
  /** Pairwise conjunctions of views across two arguments of one action. */
  argPairs: boolean;
  /** The candidate's position among the valid actions of its template (a planner's tie-break order). */
  order: boolean;
}

export const DEFAULT_FEATURES: FeatureConfig = {
  bits: 18,
  goalConjunction: true,
  shared: true,
  builtContext: true,
  argPairs: true,
  order: true,
};

/** One state's candidates as a CSR sparse binary matrix: candidate k's feature indices are
 * `indices[offsets[k] .. offsets[k+1])`. */
export interface FeaturizedState {
  n: number;
  offsets: Int32Array;
  indices: Int32Array;
}

/** Descriptor of an object: kind plus sorted state flags, `patty(is cooked)`. */
function desc(scene: Scene, name: string): string {
  const o = scene.objects.get(name);
  if (!o) return "?";
  return o.flags.length ? `${o.kind}(${o.flags.join(",")})` : o.kind;
}

function stackSig(scene: Scene, station: string): string {
  const st = scene.stacks.get(station);
  if (!st || st.length === 0) return "empty";
  return st.map((i) => desc(scene, i)).join(">");
}

/**
 * Whether a kind is named in the goal sentence ("Prepare a hamburger on a *table*"): a token overlap
 * between the object's kind and the goal text, so that "a bottom bun on a sink" and "… on a fryer"
 * share the feature "on a station the goal does not name" instead of being learned kind by kind.
 */
function inGoal(scene: Scene, kind: string): string {
  const words = goalWords(scene);
  return words.has(kind) || words.has(kind + "s") ? "G" : "-";
}
const goalWordCache = new WeakMap<Scene, Set<string>>();
function goalWords(scene: Scene): Set<string> {
  let w = goalWordCache.get(scene);
  if (!w) goalWordCache.set(scene, (w = new Set(scene.goal.toLowerCase().split(/[^a-z]+/).filter(Boolean))));
  return w;
}

/** The views of one object as an argument of an action (memoised per scene: candidates share objects). */
const viewCache = new WeakMap<Scene, Map<string, string[]>>();
function argViews(scene: Scene, name: string): string[] {
  let m = viewCache.get(scene);
  if (!m) viewCache.set(scene, (m = new Map()));
  let v = m.get(name);
  if (!v) m.set(name, (v = computeArgViews(scene, name)));
  return v;
}

function computeArgViews(scene: Scene, name: string): string[] {
  const o = scene.objects.get(name);
  if (!o) return ["unknown"];
  if (o.type === "Station") {
    const st = scene.stacks.get(name) ?? [];
    const sig = stackSig(scene, name);
    const g = inGoal(scene, o.kind);
    return [
      `k:${o.kind}`,
      `g:${g}`,
      `sig:${sig}`,
      `gsig:${g}|${sig}`,
      `ksig:${o.kind}|${sig}`,
      `top:${st.length ? desc(scene, st[st.length - 1]) : "none"}`,
      `bot:${st.length ? desc(scene, st[0]) : "none"}`,
      `n:${Math.min(st.length, 6)}`,
      `here:${scene.robotAt === name ? 1 : 0}`,
    ];
  }
  if (o.type === "Item") {
    const d = desc(scene, name);
    if (scene.held === name) return [`d:${d}`, "pos:held", `dpos:${d}|held`];
    const s = scene.stationOf.get(name);
    const st = s ? (scene.stacks.get(s) ?? []) : [];
    const lv = scene.level.get(name) ?? -1;
    const under = lv > 0 ? `I:${desc(scene, st[lv - 1])}` : s ? `S:${scene.objects.get(s)?.kind ?? "?"}` : "none";
    const up = lv >= 0 && lv + 1 < st.length ? desc(scene, st[lv + 1]) : "clear";
    const pos = st.length <= 1 ? "alone" : lv === 0 ? "bottom" : lv === st.length - 1 ? "top" : "mid";
    const sk = s ? (scene.objects.get(s)?.kind ?? "?") : "?";
    const sg = s ? inGoal(scene, sk) : "?";
    const sig = s ? stackSig(scene, s) : "";
    return [
      `d:${d}`,
      `on:${under}`,
      `up:${up}`,
      `pos:${pos}`,
      `dpos:${d}|${pos}|${sk}`,
      `gpos:${d}|${pos}|${sg}`,
      `don:${d}|${under}`,
      `st:${sk}|${sig}`,
      `gst:${sg}|${sig}`,
    ];
  }
  return [`t:${o.type}`];
}

/** Split an action string into its template (object names → `#`) and its object arguments. */
export function actionTemplate(action: string, scene: Scene): { template: string; args: string[] } {
  const words = action.split(" ");
  const args: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i].replace(/'s$/, "");
    if (scene.objects.has(w)) {
      args.push(w);
      words[i] = words[i].endsWith("'s") ? "#'s" : "#";
    }
  }
  return { template: words.join(" "), args };
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The symbolic features of one candidate, each as its list of parts (a conjunction). `featurize` hashes
 * exactly these: a feature's index folds the hashes of its parts (see `featureIndex`).
 */
export function candidateFeatureParts(scene: Scene, action: string, rank: number, cfg: FeatureConfig = DEFAULT_FEATURES, order = 0): string[][] {
  const { template, args } = actionTemplate(action, scene);
  const views: string[] = [];
  const byArg: string[][] = [];
  let ai = 0;
  for (const a of args) {
    if (scene.objects.get(a)?.type === "Player") continue; // always robot1: no information
    const vs = argViews(scene, a).map((v) => `${ai}${v}`);
    byArg.push(vs);
    views.push(...vs);
    ai++;
  }
  const H = `H:${scene.held ? desc(scene, scene.held) : "nothing"}`;
  const At = `At:${scene.robotAt ? stackSig(scene, scene.robotAt) : "none"}`;
  const T = `T:${template}`;
  const out: string[][] = [[T], [T, H], [T, At, H], [T, `rank:${Math.min(rank, 3)}`]];
  if (cfg.order) out.push([T, `order:${Math.min(order, 3)}`], [T, `order:${Math.min(order, 3)}`, H]);
  for (const v of views) out.push([T, v], [T, v, H]);
  if (cfg.argPairs && byArg.length >= 2) {
    for (const u of byArg[0]) for (const v of byArg[1]) out.push([T, u, v]);
  }
  if (cfg.builtContext) {
    const built: string[] = [];
    for (const [s, st] of scene.stacks) if (st.length >= 2) built.push(`B:${stackSig(scene, s)}`);
    if (built.length === 0) built.push("B:none");
    for (const b of built) {
      out.push([T, H, b]);
      for (const v of views) out.push([T, v, H, b]);
    }
  }
  return out;
}

/** The features of one candidate as readable strings (parts joined by `|`), for inspection and tests. */
export function candidateFeatureStrings(scene: Scene, action: string, rank: number, cfg: FeatureConfig = DEFAULT_FEATURES, order = 0): string[] {
  return candidateFeatureParts(scene, action, rank, cfg, order).map((p) => p.join("|"));
}

/** The abstract key of a candidate: its template and all its views (used for the tie-break rank). */
function abstractKey(scene: Scene, action: string): string {
  const { template, args } = actionTemplate(action, scene);
  return template + "|" + args.map((a) => argViews(scene, a).join(";")).join("|");
}

function mix(h: number, x: number): number {
  return fmix((Math.imul(h, 0x9e3779b1) ^ x) >>> 0);
}

/**
 * The hashed index of a feature: fold the part hashes into a seed (the "shared" seed, or one derived
 * from the goal sentence for the goal-conjoined copy). Folding part hashes instead of hashing the joined
 * string makes a candidate cost O(parts), with each distinct part hashed once per state.
 */
export function featureIndex(parts: readonly string[], seed: number, bits: number, partHash: (p: string) => number = hashString): number {
  let h = seed;
  for (const p of parts) h = mix(h, partHash(p));
  return h & ((1 << bits) - 1);
}

/** The two seeds a feature is folded into: shared (all tasks) and goal-conjoined (this task). */
function featureSeeds(scene: Scene, cfg: FeatureConfig): number[] {
  const seeds: number[] = [];
  if (cfg.shared) seeds.push(hashString("S"));
  if (cfg.goalConjunction) seeds.push(hashString(`G:${scene.goal}`));
  return seeds;
}

/** Each candidate's tie-break rank (among identical abstract keys) and position within its template. */
function candidateRanks(scene: Scene, validActions: readonly string[]): { rank: number[]; order: number[] } {
  const seen = new Map<string, number>();
  const perTemplate = new Map<string, number>();
  const rank: number[] = [];
  const order: number[] = [];
  for (const a of validActions) {
    const key = abstractKey(scene, a);
    const r = seen.get(key) ?? 0;
    seen.set(key, r + 1);
    const tpl = key.slice(0, key.indexOf("|"));
    const o = perTemplate.get(tpl) ?? 0;
    perTemplate.set(tpl, o + 1);
    rank.push(r);
    order.push(o);
  }
  return { rank, order };
}

/**
 * The reference featuriser: the feature strings of `candidateFeatureParts`, hashed one by one. It
 * defines φ; `featurizeScene` computes the same indices without building the strings (a test checks
 * that they agree bit for bit).
 */
export function featurizeSceneReference(scene: Scene, validActions: readonly string[], cfg: FeatureConfig = DEFAULT_FEATURES): FeaturizedState {
  const { rank, order } = candidateRanks(scene, validActions);
  const seeds = featureSeeds(scene, cfg);
  const offsets = new Int32Array(validActions.length + 1);
  const idx: number[] = [];
  validActions.forEach((a, k) => {
    for (const f of candidateFeatureParts(scene, a, rank[k], cfg, order[k])) for (const seed of seeds) idx.push(featureIndex(f, seed, cfg.bits));
    offsets[k + 1] = idx.length;
  });
  return { n: validActions.length, offsets, indices: Int32Array.from(idx) };
}

/**
 * Featurise a parsed scene and its valid actions (in the given order): the indices of
 * `featurizeSceneReference`, computed from part hashes. Every part (a view, the held item, a built
 * stack) is hashed once per state, and a conjunction's prefix is folded once per seed and reused by
 * all the features that extend it — the featuriser is the learners' hot path (rollouts and evaluation
 * featurise every state they visit).
 */
export function featurizeScene(scene: Scene, validActions: readonly string[], cfg: FeatureConfig = DEFAULT_FEATURES): FeaturizedState {
  const { rank, order } = candidateRanks(scene, validActions);
  const seeds = featureSeeds(scene, cfg);
  const mask = (1 << cfg.bits) - 1;
  const memo = new Map<string, number>();
  const ph = (p: string) => {
    let h = memo.get(p);
    if (h === undefined) memo.set(p, (h = hashString(p)));
    return h;
  };
  const hH = ph(`H:${scene.held ? desc(scene, scene.held) : "nothing"}`);
  const hAt = ph(`At:${scene.robotAt ? stackSig(scene, scene.robotAt) : "none"}`);
  const built: number[] = [];
  if (cfg.builtContext) {
    for (const [s, st] of scene.stacks) if (st.length >= 2) built.push(ph(`B:${stackSig(scene, s)}`));
    if (built.length === 0) built.push(ph("B:none"));
  }
  // View hashes per (argument position, object): candidates share their objects.
  const viewMemo = new Map<string, number[]>();
  const viewHashes = (ai: number, name: string) => {
    const key = `${ai}\u0000${name}`;
    let v = viewMemo.get(key);
    if (!v) viewMemo.set(key, (v = argViews(scene, name).map((x) => ph(`${ai}${x}`))));
    return v;
  };
  const ns = seeds.length;
  const t = new Array<number>(ns).fill(0);
  const tH = new Array<number>(ns).fill(0);
  const tU = new Array<number>(ns).fill(0);
  const offsets = new Int32Array(validActions.length + 1);
  const idx: number[] = [];
  for (let k = 0; k < validActions.length; k++) {
    const { template, args } = actionTemplate(validActions[k], scene);
    const byArg: number[][] = [];
    let ai = 0;
    for (const a of args) {
      if (scene.objects.get(a)?.type === "Player") continue;
      byArg.push(viewHashes(ai, a));
      ai++;
    }
    const views = byArg.flat();
    const hT = ph(`T:${template}`);
    const hRank = ph(`rank:${Math.min(rank[k], 3)}`);
    const hOrder = ph(`order:${Math.min(order[k], 3)}`);
    // Features in candidateFeatureParts' order, each once per seed (plain loops: this is the hot path).
    for (let si = 0; si < ns; si++) t[si] = mix(seeds[si], hT);
    for (let si = 0; si < ns; si++) tH[si] = mix(t[si], hH);
    for (let si = 0; si < ns; si++) idx.push(t[si] & mask);
    for (let si = 0; si < ns; si++) idx.push(tH[si] & mask);
    for (let si = 0; si < ns; si++) idx.push(mix(mix(t[si], hAt), hH) & mask);
    for (let si = 0; si < ns; si++) idx.push(mix(t[si], hRank) & mask);
    if (cfg.order) {
      for (let si = 0; si < ns; si++) idx.push(mix(t[si], hOrder) & mask);
      for (let si = 0; si < ns; si++) idx.push(mix(mix(t[si], hOrder), hH) & mask);
    }
    for (const v of views) {
      for (let si = 0; si < ns; si++) idx.push(mix(t[si], v) & mask);
      for (let si = 0; si < ns; si++) idx.push(mix(mix(t[si], v), hH) & mask);
    }
    if (cfg.argPairs && byArg.length >= 2) {
      for (const u of byArg[0]) {
        for (let si = 0; si < ns; si++) tU[si] = mix(t[si], u);
        for (const v of byArg[1]) for (let si = 0; si < ns; si++) idx.push(mix(tU[si], v) & mask);
      }
    }
    for (const b of built) {
      for (let si = 0; si < ns; si++) idx.push(mix(tH[si], b) & mask);
      for (const v of views) for (let si = 0; si < ns; si++) idx.push(mix(mix(mix(t[si], v), hH), b) & mask);
    }
    offsets[k + 1] = idx.length;
  }
  return { n: validActions.length, offsets, indices: Int32Array.from(idx) };
}

/** Featurise an observation text and its valid actions. */
export function featurize(observation: string, validActions: readonly string[], cfg: FeatureConfig = DEFAULT_FEATURES): FeaturizedState {
  if (cfg.kind === "text") return featurizeText(observation, validActions, cfg);
  return featurizeScene(parseScene(observation), validActions, cfg);
}

/**
 * A bounded memo of φ by state, shared by every policy with the same feature config. φ does not depend
 * on the weights, so rollouts (multi-turn training revisits its layouts every few steps) and evaluations
 * (many models on the same layouts visit the same states) featurise each distinct state once. The key
 * is the observation text and the valid actions: exactly what the policy reads. When full, the oldest
 * half is dropped (insertion order), which keeps the recent layouts' states.
 */
export class FeatureCache {
  private readonly map = new Map<string, FeaturizedState>();
  hits = 0;
  misses = 0;
  constructor(readonly limit = 20_000) {}

  get(observation: string, validActions: readonly string[], cfg: FeatureConfig): FeaturizedState {
    const key = `${featureConfigKey(cfg)}\u0000${observation}\u0000${validActions.join("\n")}`;
    let x = this.map.get(key);
    if (x) {
      this.hits++;
      return x;
    }
    this.misses++;
    x = featurize(observation, validActions, cfg);
    if (this.map.size >= this.limit) {
      let drop = this.map.size >> 1;
      for (const k of this.map.keys()) {
        if (drop-- <= 0) break;
        this.map.delete(k);
      }
    }
    this.map.set(key, x);
    return x;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

const configKeys = new WeakMap<FeatureConfig, string>();
function featureConfigKey(cfg: FeatureConfig): string {
  let k = configKeys.get(cfg);
  if (k === undefined) configKeys.set(cfg, (k = JSON.stringify(cfg)));
  return k;
}

/** The process-wide feature cache the learned policy and the rollouts use by default. */
export const sharedFeatureCache = new FeatureCache();
