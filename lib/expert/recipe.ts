/**
 * The goal read as recipes: for each table variable T of the goal, the stack that must stand on it.
 *
 * Every synchronous Robotouille goal (and the training task's) is a conjunction of
 *   item_on(base, T)            the base item is the bottom of T's stack;
 *   atop(a, b)                  a chain upwards from the base (strict recipes: sandwich, burger, …);
 *   item_at(x, T)               x anywhere in T's stack (relaxed recipes: cheeseburger, …);
 *   clear(top)                  nothing above `top`;
 *   iscut(x) / iscooked(x) / …  item flags; is<kind>(x) restricts x's candidates.
 * `compileRecipes` turns the engine's compiled goal (variables already resolved, including the
 * id-collision quirk) into that structure, or returns null when the goal has any other shape — the
 * planner then searches without a heuristic (plain breadth-first order), which is still exact.
 */
import { ITEM_FLAGS, PREDICATE_INDEX } from "../kitchen/domain";
import type { KitchenModel } from "../kitchen/engine";

/** One item variable of a recipe. */
export interface Role {
  /** `kind#id`, as the engine names the goal variable. */
  name: string;
  /** Candidate item indices (the engine's domain, narrowed by static is<kind> literals). */
  candidates: number[];
  /** Flag bits the item must carry (iscut, iscooked, …). */
  flags: number;
  /** Must have nothing above it (clear). */
  clear: boolean;
}

/** The stack one table variable must carry. */
export interface Recipe {
  /** Candidate station indices for T. */
  tables: number[];
  /** The bottom role (item_on), then the strict chain above it (atop), in order. chain[0] is the base. */
  chain: Role[];
  /** Roles that must be somewhere in T's stack above the chain (item_at only). */
  members: Role[];
}

/** Flag bit of an item-flag predicate name, or 0. */
function flagBit(pred: string): number {
  const k = (ITEM_FLAGS as readonly string[]).indexOf(pred);
  return k < 0 ? 0 : 1 << k;
}

/** Parse `pred(a#1, b#2)` into its parts. */
function parseLiteral(text: string): { pred: string; args: string[] } | null {
  const m = /^([a-z_]+)\((.*)\)$/.exec(text);
  if (!m) return null;
  return { pred: m[1], args: m[2] ? m[2].split(", ") : [] };
}

/**
 * The goal's recipes, or null when the goal is not a conjunction of recipes (or can never hold).
 * Distinctness between variables of the same kind is not represented: the heuristic relaxes it.
 */
export function compileRecipes(m: KitchenModel): Recipe[] | null {
  const g = m.goal;
  if (g.impossible) return null;
  const byName = new Map(g.vars.map((v) => [v.name, v]));
  const roles = new Map<string, Role>();
  const tables = new Map<string, number[]>();
  const base = new Map<string, string>(); // table var → base role
  const onTable = new Map<string, string>(); // item var → table var (item_on or item_at)
  const above = new Map<string, string>(); // lower role → the role atop it
  const below = new Map<string, string>(); // upper role → the role under it
  const role = (name: string): Role | null => {
    const v = byName.get(name);
    if (!v || v.type !== "item") return null;
    let r = roles.get(name);
    if (!r) {
      r = { name, candidates: v.domain.slice(), flags: 0, clear: false };
      roles.set(name, r);
    }
    return r;
  };
  const table = (name: string): boolean => {
    const v = byName.get(name);
    if (!v || v.type !== "station") return false;
    if (!tables.has(name)) tables.set(name, v.domain.slice());
    return true;
  };
  const link = (item: string, t: string): boolean => {
    const prev = onTable.get(item);
    if (prev !== undefined && prev !== t) return false;
    onTable.set(item, t);
    return true;
  };
  for (const text of g.literals) {
    const lit = parseLiteral(text);
    if (!lit) return null;
    const [a, b] = lit.args;
    switch (lit.pred) {
      case "item_on": {
        if (!role(a) || !table(b) || (base.has(b) && base.get(b) !== a) || !link(a, b)) return null;
        base.set(b, a);
        break;
      }
      case "item_at":
        if (!role(a) || !table(b) || !link(a, b)) return null;
        break;
      case "atop": {
        if (!role(a) || !role(b) || a === b) return null;
        if ((above.has(b) && above.get(b) !== a) || (below.has(a) && below.get(a) !== b)) return null;
        above.set(b, a);
        below.set(a, b);
        break;
      }
      case "clear":
        if (!role(a)) return null;
        role(a)!.clear = true;
        break;
      default: {
        const bit = flagBit(lit.pred);
        if (bit && lit.args.length === 1) {
          if (!role(a)) return null;
          role(a)!.flags |= bit;
          break;
        }
        // A static identity literal on an item variable (is<kind>(x)) narrows its candidates.
        const pi = PREDICATE_INDEX.get(lit.pred);
        if (pi !== undefined && lit.pred.startsWith("is") && lit.args.length === 1 && role(a)) {
          const r = role(a)!;
          r.candidates = r.candidates.filter((i) => m.itemStatic[i].includes(pi));
          break;
        }
        return null;
      }
    }
  }
  const recipes: Recipe[] = [];
  const used = new Set<string>();
  for (const [t, cands] of tables) {
    const b = base.get(t);
    if (b === undefined) return null;
    const chain: Role[] = [];
    const seen = new Set<string>();
    for (let r: string | undefined = b; r !== undefined; r = above.get(r)) {
      if (seen.has(r)) return null; // a cycle of atop literals
      seen.add(r);
      chain.push(roles.get(r)!);
    }
    const members: Role[] = [];
    for (const [item, tt] of onTable) if (tt === t && !seen.has(item)) members.push(roles.get(item)!);
    for (const r of [...chain, ...members]) {
      if (used.has(r.name)) return null;
      used.add(r.name);
    }
    // A member with an atop literal of its own is positioned relative to something off the chain.
    if (members.some((r) => above.has(r.name) || below.has(r.name))) return null;
    // A clear role other than the chain's last or a member would make the goal contradictory-or-odd.
    if (chain.slice(0, -1).some((r) => r.clear && (members.length > 0 || true))) return null;
    recipes.push({ tables: cands, chain, members });
  }
  // Every item variable must belong to some recipe.
  for (const name of roles.keys()) if (!used.has(name)) return null;
  return recipes.length ? recipes : null;
}
