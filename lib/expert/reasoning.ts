/**
 * ReAct reasoning for an expert step, generated from the planner's knowledge: what the goal needs
 * (the recipe, with the items the expert plan ends up using), what is already done, what is left and
 * where those items are, and the remaining plan step by step — so the SFT target reads like the
 * paper's data ("Reasoning: …\nAction: …", the action being the plan's first step).
 *
 * Everything said is visible in the observation (object names, stacks, flags, the robot), except
 * the remaining number of cuts of a partly cut item, which the observation hides; the reasoning
 * states it as the plan's count of remaining cuts ("2 more cuts"), which the agent could have kept
 * track of from its own history.
 *
 * How much of the plan the reasoning spells out is a dataset option (`ReasoningStyle`):
 * - `full` (the default): the whole remaining optimal plan, step by step — what the prompt's
 *   instructions ask for ("write out a complete step-by-step plan", Robotouille's plan-then-act
 *   prompt). With one step of history in the prompt, the previous reasoning then lists the expert
 *   action of every later state verbatim, as its second step (`historyLeak` measures it);
 * - `subgoal`: the next subgoal only, in words (the next put-down, stack, cook, cut or fry of the plan,
 *   never an action line), and the plan's length;
 * - `none`: the goal, what is done and still to bring, and where the robot is: no plan at all.
 */
import { COOKED, CUT, CUT_REPETITIONS, FRIED, ITEM_FLAGS } from "../kitchen/domain";
import { EngineState, FX_REPEAT_CUT, FX_STRIDE, KitchenModel, stackOf } from "../kitchen/engine";
import type { Recipe, Role } from "./recipe";

/** Which station and items fill a recipe in the plan's final state. */
export interface RecipeBinding {
  table: number;
  /** Items of the chain roles, bottom first. */
  chain: number[];
  /** Items of the member roles (same order as recipe.members). */
  members: number[];
  recipe: Recipe;
}

function fitsRole(m: KitchenModel, s: Int16Array, r: Role, i: number): boolean {
  return r.candidates.includes(i) && (r.flags & ~s[m.oFlags + i]) === 0;
}

/**
 * The binding of every recipe in a goal state (the first consistent one in station/item order), or
 * null when the state does not satisfy the recipes.
 */
export function bindRecipes(m: KitchenModel, recipes: Recipe[], st: EngineState): RecipeBinding[] | null {
  const s = st.s;
  const usedItems = new Set<number>();
  const usedTables = new Set<number>();
  const out: RecipeBinding[] = [];
  const solve = (r: number): boolean => {
    if (r === recipes.length) return true;
    const rc = recipes[r];
    for (const T of rc.tables) {
      if (usedTables.has(T)) continue;
      const stack = stackOf(m, s, T);
      const L = rc.chain.length;
      if (stack.length < L) continue;
      if (!rc.chain.every((role, j) => fitsRole(m, s, role, stack[j]) && !usedItems.has(stack[j]))) continue;
      if (rc.chain[L - 1].clear && stack.length !== L) continue;
      const rest = stack.slice(L);
      const members: number[] = [];
      const taken = new Set<number>();
      const assign = (k: number): boolean => {
        if (k === rc.members.length) {
          const chain = stack.slice(0, L);
          chain.forEach((i) => usedItems.add(i));
          members.forEach((i) => usedItems.add(i));
          usedTables.add(T);
          out.push({ table: T, chain, members: members.slice(), recipe: rc });
          if (solve(r + 1)) return true;
          out.pop();
          usedTables.delete(T);
          chain.forEach((i) => usedItems.delete(i));
          members.forEach((i) => usedItems.delete(i));
          return false;
        }
        const role = rc.members[k];
        for (const i of rest) {
          if (taken.has(i) || usedItems.has(i) || !fitsRole(m, s, role, i)) continue;
          if (role.clear && rest[rest.length - 1] !== i) continue;
          taken.add(i);
          members.push(i);
          if (assign(k + 1)) return true;
          members.pop();
          taken.delete(i);
        }
        return false;
      };
      if (assign(0)) return true;
    }
    return false;
  };
  return solve(0) ? out : null;
}

const FLAG_WORDS: Record<number, string> = { [CUT]: "cut", [COOKED]: "cooked", [FRIED]: "fried" };

function flagWords(flags: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < ITEM_FLAGS.length; b++) {
    const bit = 1 << b;
    if (flags & bit) out.push(FLAG_WORDS[bit] ?? ITEM_FLAGS[b].replace(/^is/, ""));
  }
  return out;
}

function listWords(xs: string[]): string {
  if (xs.length <= 1) return xs.join("");
  return `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

/** "table1: bottombun1 at the bottom, then patty1 (cooked), then topbun1 on top". */
function describeRecipe(m: KitchenModel, b: RecipeBinding): string {
  const name = (i: number, role: Role) => {
    const f = flagWords(role.flags);
    return f.length ? `${m.itemNames[i]} (${f.join(", ")})` : m.itemNames[i];
  };
  const rc = b.recipe;
  const parts: string[] = [];
  rc.chain.forEach((role, j) => parts.push(j === 0 ? `${name(b.chain[j], role)} at the bottom` : `then ${name(b.chain[j], role)}`));
  const free = rc.members.map((role, k) => ({ role, item: b.members[k] })).filter((x) => !x.role.clear);
  const top = rc.members.map((role, k) => ({ role, item: b.members[k] })).find((x) => x.role.clear);
  if (free.length === 1) parts.push(`${name(free[0].item, free[0].role)} above it`);
  if (free.length > 1) parts.push(`${listWords(free.map((x) => name(x.item, x.role)))} above it in any order`);
  if (top) parts.push(`${name(top.item, top.role)} on top`);
  return `a stack on ${m.stationNames[b.table]}: ${parts.join(", ")}`;
}

/** Where an item is, in the observation's words. */
function whereIs(m: KitchenModel, s: Int16Array, i: number): string {
  if (s[1] === i) return `held by ${m.playerName}`;
  const at = s[m.oAt + i];
  if (at < 0) return "out of reach";
  const below = s[m.oBelow + i];
  const above = s[m.oAbove + i];
  let where = below >= 0 ? `on ${m.itemNames[below]} at ${m.stationNames[at]}` : `at ${m.stationNames[at]}`;
  if (above >= 0) where += ` under ${m.itemNames[above]}`;
  return where;
}

function cutsDone(st: EngineState, item: number): number {
  for (let k = 0; k < st.fx.length; k += FX_STRIDE) {
    if (st.fx[k] === FX_REPEAT_CUT && st.fx[k + 1] === item && st.fx[k + 4] === 0) return st.fx[k + 3];
  }
  return 0;
}

/** What an item still needs before it can go into the recipe ("needs 3 cuts", "needs cooking"). */
function stillNeeds(m: KitchenModel, st: EngineState, role: Role, i: number): string[] {
  const missing = role.flags & ~st.s[m.oFlags + i];
  const out: string[] = [];
  if (missing & CUT) {
    const left = CUT_REPETITIONS - cutsDone(st, i);
    out.push(`needs ${left} more cut${left === 1 ? "" : "s"} on a cutting board`);
  }
  if (missing & COOKED) out.push("needs cooking on a stove");
  if (missing & FRIED) out.push("needs frying in a fryer");
  return out;
}

/** How much of the remaining plan an expert reasoning spells out (see the module comment). */
export const REASONING_STYLES = ["full", "subgoal", "none"] as const;
export type ReasoningStyle = (typeof REASONING_STYLES)[number];

/**
 * The plan's next subgoal in words: its first step that puts an item down, stacks, cooks, cuts, fries
 * or waits (the moves and pick-ups before it are how to get there). Worded so that no action line of
 * the kitchen appears in it verbatim.
 */
export function nextSubgoal(plan: readonly string[]): string {
  for (const a of plan) {
    const w = a.split(" ");
    const using = w.indexOf("using");
    if (a === "Do nothing") return "wait until the cooking or frying is done";
    if (w[0] === "Place" && using > 0) return `get ${w[1]} onto ${w.slice(3, using).join(" ")}`;
    if (w[0] === "Stack" && using > 0) return `get ${w[1]} on top of ${w.slice(5, using).join(" ")}`;
    if (w[0] === "Cook" && using > 0) return `get ${w[1]} cooking on ${w.slice(3, using).join(" ")}`;
    if (w[0] === "Fry" && using > 0) return `get ${w[1]} frying on ${w.slice(3, using).join(" ")}`;
    if (w[0] === "Cut" && using > 0) return `get ${w[1]} cut on ${w.slice(3, using).join(" ")}`;
  }
  return "reach the goal";
}

/** The reasoning of one expert step: goal, done, to do, the robot, and as much of the remaining plan as `style` says. */
export function expertReasoning(
  m: KitchenModel,
  bindings: RecipeBinding[] | null,
  st: EngineState,
  plan: readonly string[],
  style: ReasoningStyle = "full",
): string {
  const s = st.s;
  const lines: string[] = [];
  if (bindings) {
    lines.push(`The goal needs ${bindings.map((b) => describeRecipe(m, b)).join("; and ")}.`);
    const done: string[] = [];
    const todo: string[] = [];
    for (const b of bindings) {
      const stack = stackOf(m, s, b.table);
      const T = m.stationNames[b.table];
      let inPlace = 0;
      while (inPlace < b.chain.length && stack[inPlace] === b.chain[inPlace] && fitsRole(m, s, b.recipe.chain[inPlace], stack[inPlace])) inPlace++;
      const chainDone = inPlace === b.chain.length;
      const placed = new Set<number>(stack.slice(0, inPlace));
      if (inPlace > 0) {
        const names = stack.slice(0, inPlace).map((i) => m.itemNames[i]);
        done.push(inPlace === 1 ? `${names[0]} is at the bottom of ${T}` : `${T} has ${names.join(" then ")} from the bottom`);
      }
      // Members above a complete chain are in place; the top one only when it is the top and last.
      const above = chainDone ? stack.slice(inPlace) : [];
      b.recipe.members.forEach((role, k) => {
        if (!role.clear && above.includes(b.members[k])) placed.add(b.members[k]);
      });
      b.recipe.members.forEach((role, k) => {
        const i = b.members[k];
        const othersIn = b.members.every((j) => j === i || placed.has(j));
        if (role.clear && othersIn && stack.length > 0 && stack[stack.length - 1] === i && above.includes(i)) placed.add(i);
      });
      for (const i of b.members) if (placed.has(i)) done.push(`${m.itemNames[i]} is in the stack on ${T}`);
      const needed: { role: Role; item: number }[] = [];
      b.recipe.chain.forEach((role, j) => {
        if (j >= inPlace) needed.push({ role, item: b.chain[j] });
      });
      b.recipe.members.forEach((role, k) => {
        if (!placed.has(b.members[k])) needed.push({ role, item: b.members[k] });
      });
      for (const { role, item } of needed) {
        const extra = stillNeeds(m, st, role, item);
        todo.push(`${m.itemNames[item]} (${[whereIs(m, s, item), ...extra].join("; ")})`);
      }
      // What the plan takes off the target stack before building on it.
      const removed = stack.filter((i) => !placed.has(i) && plan.some((a) => a.startsWith(`Unstack ${m.itemNames[i]} from `) || a === `Pick up ${m.itemNames[i]} from ${T} using ${m.playerName}`));
      if (removed.length) todo.push(`${listWords(removed.map((i) => m.itemNames[i]))} on ${T} must come off first`);
    }
    lines.push(done.length ? `Done so far: ${done.join("; ")}.` : "Nothing of it is in place yet.");
    if (todo.length) lines.push(`Still to bring: ${todo.join("; ")}.`);
  }
  const held = s[1] >= 0 ? `holding ${m.itemNames[s[1]]}` : "holding nothing";
  const at = s[0] >= 0 ? `at ${m.stationNames[s[0]]}` : "facing no station";
  lines.push(`${m.playerName} is ${at}, ${held}.`);
  const steps = `${plan.length} step${plan.length === 1 ? "" : "s"}`;
  if (style === "full") {
    lines.push(`The shortest plan from here takes ${steps}:`);
    plan.forEach((a, k) => lines.push(`${k + 1}. ${a}`));
    lines.push("I take its first step.");
  } else if (style === "subgoal") {
    lines.push(`The shortest plan from here takes ${steps}. Next subgoal: ${nextSubgoal(plan)}.`);
    lines.push("I take the first step towards it.");
  }
  return lines.join("\n");
}
