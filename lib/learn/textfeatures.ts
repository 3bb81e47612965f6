/**
 * φ(s, a) for any text environment (`FeatureConfig.kind = "text"`): features of (observation text,
 * candidate action) that know nothing of an environment's grammar — no scene parser, no object kinds.
 * Robotouille's own featuriser (features.ts, kind "scene") parses its observation into stacks; this
 * one only reads lines and words, so it runs on CookingWorld as it is, and on Robotouille to compare.
 *
 * The observation is read as the seam writes it (lib/env): message and state lines, then `Valid
 * Actions:` (skipped: the candidates are the actions), then `Goal: …`. Identities are abstracted the
 * same way for every environment: digits inside a word become `#` (`patty2` → `patty#`).
 *
 * Per candidate, conjunctions of its **template** (the verb, its first word) with:
 * - each **argument word** (the action's other words) and the bigram of the whole action;
 * - for each argument word, where the state mentions it: the **context words** of every state line that
 *   contains it (its neighbours in that line, a bag), whether it is in the inventory line(s), in the
 *   game's first line (the last message), in the goal;
 * - a **tie-break rank** among candidates with the same abstract text, and the candidate's position in
 *   the valid-action list within its verb (an engine's order is information an expert's tie-break uses).
 * Every feature exists once shared (all tasks) and once conjoined with the goal (task-specific), as in
 * the scene featuriser. No feature encodes a plan or a distance.
 */
import { hashString } from "../util/rng";

const STOP = new Set(["a", "an", "the", "of", "to", "in", "on", "is", "and", "that", "it", "you", "your", "with", "there", "also", "see", "from", "using", "at", "one", "part", "room", "this", "has", "are", "be", "into", "some"]);

const ident = (w: string) => w.toLowerCase().replace(/[^a-z0-9#']/g, "").replace(/\d+/g, "#");

function words(line: string): string[] {
  return line.split(/\s+/).map(ident).filter((w) => w && !STOP.has(w));
}

export interface TextState {
  lines: string[][];
  first: Set<string>;
  inventory: Set<string>;
  goal: Set<string>;
  /** The goal line, identities abstracted: the seed of the goal-conjoined features. */
  goalText: string;
  /** For each word, the context words of the state lines it appears in (deduplicated, capped). */
  context: Map<string, string[]>;
}

const CONTEXT_CAP = 24;

/** The parts of the observation the text features read (exported for the reference path and tests). */
export function readState(observation: string): TextState {
  const raw = observation.split("\n");
  const va = raw.indexOf("Valid Actions:");
  const goalLine = [...raw].reverse().find((l) => l.startsWith("Goal:")) ?? "";
  const stateLines = (va >= 0 ? raw.slice(0, va) : raw).filter((l) => l.trim() !== "");
  let inInventory = false;
  const inventory = new Set<string>();
  const lines: string[][] = [];
  for (const l of stateLines) {
    if (/^inventory:/i.test(l.trim())) inInventory = true;
    else if (inInventory && !/^\s/.test(l)) inInventory = false;
    const ws = words(l);
    if (inInventory) for (const w of ws) inventory.add(w);
    lines.push(ws);
  }
  // Each word's context: the distinct words of the lines it appears in, in order, at most CONTEXT_CAP.
  const context = new Map<string, string[]>();
  const members = new Map<string, Set<string>>();
  for (const ws of lines) {
    const uniq = [...new Set(ws)];
    for (const w of uniq) {
      let c = context.get(w);
      let m = members.get(w);
      if (!c || !m) {
        context.set(w, (c = []));
        members.set(w, (m = new Set([w])));
      }
      for (let i = 0; i < uniq.length && c.length < CONTEXT_CAP; i++) {
        if (!m.has(uniq[i])) {
          m.add(uniq[i]);
          c.push(uniq[i]);
        }
      }
    }
  }
  return { lines, first: new Set(lines[0] ?? []), inventory, goal: new Set(words(goalLine.slice(5))), goalText: goalLine.replace(/\d+/g, "#"), context };
}

/** The feature parts of one candidate (each a conjunction), as readable strings joined later by `|`. */
export function textFeatureParts(state: TextState, action: string, rank: number, order: number): string[][] {
  const ws = words(action);
  const verb = ws[0] ?? "";
  const args = ws.slice(1);
  const T = `v:${verb}`;
  const out: string[][] = [[T], [T, `a:${args.join(" ")}`], [T, `rank:${Math.min(rank, 3)}`], [T, `order:${Math.min(order, 5)}`]];
  for (const a of args) {
    out.push([T, `w:${a}`]);
    out.push([T, `inv:${state.inventory.has(a) ? 1 : 0}`, `w:${a}`]);
    out.push([T, `inv:${state.inventory.has(a) ? 1 : 0}`]);
    out.push([T, `msg:${state.first.has(a) ? 1 : 0}`]);
    out.push([T, `goal:${state.goal.has(a) ? 1 : 0}`]);
    out.push([T, `seen:${state.context.has(a) ? 1 : 0}`]);
    for (const c of state.context.get(a) ?? []) out.push([T, `ctx:${c}`], [T, `w:${a}`, `ctx:${c}`]);
  }
  return out;
}

function mix(h: number, x: number): number {
  h = (Math.imul(h, 0x9e3779b1) ^ x) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * φ for every candidate of one state, hashed into 2^bits (the same CSR layout as the scene featuriser).
 * The same features as `textFeatureParts`, computed from part hashes: each distinct part string is hashed
 * once per state, and an argument word's parts are built once per state however many candidates name it.
 */
export function featurizeText(
  observation: string,
  validActions: readonly string[],
  cfg: { bits: number; shared: boolean; goalConjunction: boolean },
): { n: number; offsets: Int32Array; indices: Int32Array } {
  const state = readState(observation);
  const seeds: number[] = [];
  if (cfg.shared) seeds.push(hashString("S"));
  if (cfg.goalConjunction) seeds.push(hashString(`G:${state.goalText}`));
  const partHash = new Map<string, number>();
  const h = (p: string) => {
    let x = partHash.get(p);
    if (x === undefined) partHash.set(p, (x = hashString(p)));
    return x;
  };
  // An argument word's feature parts (after the template part), as in textFeatureParts.
  const wordParts = new Map<string, number[][]>();
  const partsOf = (a: string): number[][] => {
    let ps = wordParts.get(a);
    if (!ps) {
      const w = h(`w:${a}`);
      const inv = h(`inv:${state.inventory.has(a) ? 1 : 0}`);
      ps = [[w], [inv, w], [inv], [h(`msg:${state.first.has(a) ? 1 : 0}`)], [h(`goal:${state.goal.has(a) ? 1 : 0}`)], [h(`seen:${state.context.has(a) ? 1 : 0}`)]];
      for (const c of state.context.get(a) ?? []) {
        const ctx = h(`ctx:${c}`);
        ps.push([ctx], [w, ctx]);
      }
      wordParts.set(a, ps);
    }
    return ps;
  };
  const seenKey = new Map<string, number>();
  const perVerb = new Map<string, number>();
  const offsets = new Int32Array(validActions.length + 1);
  const indices: number[] = [];
  const mask = (1 << cfg.bits) - 1;
  const set = new Set<number>();
  validActions.forEach((action, k) => {
    const ws = words(action);
    const verb = ws[0] ?? "";
    const args = ws.slice(1);
    const key = ws.join(" ");
    const rank = seenKey.get(key) ?? 0;
    seenKey.set(key, rank + 1);
    const order = perVerb.get(verb) ?? 0;
    perVerb.set(verb, order + 1);
    const T = h(`v:${verb}`);
    const rest: number[][] = [[], [h(`a:${args.join(" ")}`)], [h(`rank:${Math.min(rank, 3)}`)], [h(`order:${Math.min(order, 5)}`)]];
    for (const a of args) rest.push(...partsOf(a));
    set.clear();
    for (const seed of seeds) {
      const base = mix(seed, T);
      for (const parts of rest) {
        let x = base;
        for (const p of parts) x = mix(x, p);
        set.add(x & mask);
      }
    }
    const sorted = [...set].sort((a, b) => a - b);
    for (const x of sorted) indices.push(x);
    offsets[k + 1] = indices.length;
  });
  return { n: validActions.length, offsets, indices: Int32Array.from(indices) };
}
