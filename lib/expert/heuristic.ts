/**
 * An admissible heuristic for the kitchen: a lower bound on the number of steps to the goal, from
 * the goal's remaining requirements. It counts *events* — picks (pick-up/unstack) and puts
 * (place/stack) — plus the moves that must separate them, plus the processing actions still owed.
 *
 * Why it is a lower bound. Call two consecutive events "apart" when they happen at different
 * stations; at least one move lies between them, and charging the last such move to the later event
 * charges every move at most once. In a shortest plan
 *   (1) an item picked at X is next put at some Y ≠ X (putting it straight back restores the state:
 *       the pair can be replaced by two "Do nothing"s) — a carry move;
 *   (2) a pick at X right after a put at X picks that very item back (it is the top of X's stack), so
 *       it is pointless unless the item was processed there (cut, cooked) — otherwise a fetch move;
 *   (3) the first event needs a move unless it is at the robot's station.
 * For a target table T whose bottom p items stay untouched (the kept prefix), the plan must remove
 * every item above them (pick at T, carry, put elsewhere, and come back to T for the next one) and
 * add every role the prefix does not already satisfy (fetch, pick, carry, put at T), doing any
 * cutting/cooking the role needs on the way (the cut/cook actions, and the put onto and pick from the
 * board or stove unless the item is already its bottom item). Roles pick their cheapest candidate
 * independently (distinct-variable constraints relaxed), the cheapest kept prefix and table win.
 * Every count is of distinct actions, so the sum is ≤ the true distance. Where the goal is not a
 * recipe (see recipe.ts) the heuristic is 0 and the search is plain breadth-first order.
 *
 * The bound is checked against exact distances over whole reachable state spaces in the tests.
 */
import { COOKABLE, COOKED, CUT, CUTTABLE, CUT_REPETITIONS, FRIED, FRYABLE, FRYABLE_IF_CUT } from "../kitchen/domain";
import { EngineState, FX_COOK, FX_FRY, FX_REPEAT_CUT, FX_STRIDE, KitchenModel } from "../kitchen/engine";
import { compileRecipes, Recipe, Role } from "./recipe";

export type Heuristic = (st: EngineState) => number;

const INF = 1 << 20;

interface CompiledRole {
  flags: number;
  clear: boolean;
  isCandidate: Uint8Array;
  candidates: Int16Array;
}

interface CompiledRecipe {
  tables: Int16Array;
  chain: CompiledRole[];
  members: CompiledRole[];
  /** The chain's last role must be clear: nothing may stay above the chain. */
  chainClear: boolean;
}

function compileRole(m: KitchenModel, r: Role): CompiledRole {
  const isCandidate = new Uint8Array(m.nItems);
  for (const i of r.candidates) isCandidate[i] = 1;
  return { flags: r.flags, clear: r.clear, isCandidate, candidates: Int16Array.from(r.candidates) };
}

/** The heuristic for a layout (0 everywhere when the goal is not a recipe). */
export function makeHeuristic(m: KitchenModel): { h: Heuristic; recipes: Recipe[] | null } {
  const recipes = compileRecipes(m);
  if (!recipes) return { h: () => 0, recipes: null };
  const heuristic = new RecipeHeuristic(m, recipes);
  return { h: (st) => heuristic.estimate(st), recipes };
}

/**
 * The bound for a recipe goal. One instance per layout: its typed arrays are per-state scratch, reused
 * for every state the search evaluates (the planner calls `estimate` once per generated state).
 */
class RecipeHeuristic {
  private readonly recipes: CompiledRecipe[];
  private readonly single: boolean;
  private readonly isTable: Uint8Array;
  /** Items some role of some recipe can use; the others are junk when they stand in a table's way. */
  private readonly isRoleItem: Uint8Array;
  private readonly hasBoard: boolean;
  private readonly hasStove: boolean;
  private readonly hasFryer: boolean;

  // Per-state scratch, per item.
  private readonly cutsLeft: Int8Array;
  private readonly cookFx: Uint8Array;
  private readonly fryFx: Uint8Array;
  private readonly stackBuf: Int16Array;

  /** processing()'s side results: [0] the processing actions alone, [1] whether anything is owed at all. */
  private readonly procActions = new Int32Array(2);
  /** addition()'s results: the cheapest candidate (`bestAny`), the cheapest but the held item, the held item's. */
  private bestAny = 0;
  private bestNotHeld = 0;
  private heldCost = 0;
  /** Several recipes: recipeOn's cheapest cost among kept prefixes that charge junk removals. */
  private bestWithJunk = INF;

  // Several recipes: the cost of each recipe on each candidate table, then the cheapest assignment
  // of distinct tables to recipes (their removals and additions are then distinct actions).
  private readonly costs: Int32Array[];
  private readonly junkCosts: Int32Array[];
  private readonly usedTable: Uint8Array;

  constructor(
    private readonly m: KitchenModel,
    recipes: Recipe[],
  ) {
    this.recipes = recipes.map((rc) => ({
      tables: Int16Array.from(rc.tables),
      chain: rc.chain.map((r) => compileRole(m, r)),
      members: rc.members.map((r) => compileRole(m, r)),
      chainClear: rc.chain[rc.chain.length - 1].clear,
    }));
    const I = m.nItems;
    this.single = this.recipes.length === 1;
    this.isTable = Uint8Array.from(m.stationKinds, (k) => (k === "table" ? 1 : 0));
    this.hasBoard = m.isBoard.some((x) => x === 1);
    this.hasStove = m.isStove.some((x) => x === 1);
    this.hasFryer = m.isFryer.some((x) => x === 1);
    this.cutsLeft = new Int8Array(I);
    this.cookFx = new Uint8Array(I);
    this.fryFx = new Uint8Array(I);
    this.stackBuf = new Int16Array(I + 1);
    this.isRoleItem = new Uint8Array(I);
    for (const rc of this.recipes) for (const role of [...rc.chain, ...rc.members]) for (const i of role.candidates) this.isRoleItem[i] = 1;
    this.costs = this.recipes.map((rc) => new Int32Array(rc.tables.length));
    this.junkCosts = this.recipes.map((rc) => new Int32Array(rc.tables.length));
    this.usedTable = new Uint8Array(m.nStations);
  }

  /** A lower bound on the steps from `st` to the goal (UNREACHABLE when no plan exists). */
  estimate(st: EngineState): number {
    const s = st.s;
    this.refreshItems(st);
    if (this.single) {
      const rc = this.recipes[0];
      let best = INF;
      for (let k = 0; k < rc.tables.length; k++) {
        const v = this.recipeOn(s, rc, rc.tables[k], true);
        if (v < best) best = v;
      }
      return best;
    }
    this.recipes.forEach((rc, r) => {
      for (let k = 0; k < rc.tables.length; k++) {
        this.costs[r][k] = this.recipeOn(s, rc, rc.tables[k], false);
        this.junkCosts[r][k] = this.bestWithJunk;
      }
    });
    const total = this.assign(0, false);
    if (total >= INF) return INF;
    // Holding junk: it must be put down before any pick (once, whatever the recipes).
    const H = s[1];
    return total + (H >= 0 && !this.isRoleItem[H] && total > 0 ? 1 : 0);
  }

  /** The unfinished cut counters and cook/fry timers of the state, per item. */
  private refreshItems(st: EngineState): void {
    this.cutsLeft.fill(CUT_REPETITIONS);
    this.cookFx.fill(0);
    this.fryFx.fill(0);
    const fx = st.fx;
    for (let k = 0; k < fx.length; k += FX_STRIDE) {
      if (fx[k + 4] === 1) continue;
      const item = fx[k + 1];
      if (fx[k] === FX_REPEAT_CUT) this.cutsLeft[item] = CUT_REPETITIONS - fx[k + 3];
      else if (fx[k] === FX_COOK) this.cookFx[item] = 1;
      else if (fx[k] === FX_FRY) this.fryFx[item] = 1;
    }
  }

  /**
   * Processing still owed for item i to carry the `need` flags: the cut/cook/fry actions, plus the put
   * onto the board/stove/fryer, the move before it and the pick from it unless the item is already
   * its bottom item. INF when the flag can never be obtained. `procActions[0]` receives the actions alone,
   * `procActions[1]` whether anything is owed at all (a cook in progress owes time, not actions).
   */
  private processing(s: Int16Array, i: number, need: number): number {
    const f = s[this.m.oFlags + i];
    const missing = need & ~f;
    this.procActions[0] = 0;
    this.procActions[1] = missing === 0 ? 0 : 1;
    if (missing === 0) return 0;
    let cost = 0;
    let actions = 0;
    const at = s[this.m.oAt + i];
    const held = s[1] === i;
    const R = s[0];
    const isBottom = at >= 0 && s[this.m.oBottom + at] === i;
    // Unless it is already the bottom item of a station of the right kind (blockers above it can be
    // cleared): put it there (an event, after a move unless it is held at such a station) and pick it
    // up again afterwards (an event; no fetch — the pick-back after processing).
    const extra = (kind: Uint8Array) => (isBottom && kind[at] ? 0 : 2 + (held ? (R >= 0 && kind[R] ? 0 : 1) : 1));
    if (missing & CUT) {
      if ((f & CUTTABLE) === 0 || !this.hasBoard) return INF;
      actions += this.cutsLeft[i];
      cost += this.cutsLeft[i] + extra(this.m.isBoard);
    }
    if (missing & COOKED) {
      if ((f & COOKABLE) === 0 || !this.hasStove) return INF;
      const a = this.cookFx[i] ? 0 : 1;
      actions += a;
      cost += a + extra(this.m.isStove);
    }
    if (missing & FRIED) {
      if ((f & (FRYABLE | FRYABLE_IF_CUT)) === 0 || !this.hasFryer) return INF;
      const a = this.fryFx[i] ? 0 : 1;
      actions += a;
      cost += a + extra(this.m.isFryer);
    }
    this.procActions[0] = actions;
    return cost;
  }

  private fits(s: Int16Array, role: CompiledRole, i: number, T: number): boolean {
    if (!role.isCandidate[i]) return false;
    // Flags cannot change in a table's stack; elsewhere stay optimistic (a lone item could be processed in place).
    return !this.isTable[T] || (role.flags & ~s[this.m.oFlags + i]) === 0;
  }

  /**
   * Cheapest addition of `role` onto T (kept prefix: stack[0..p)) over its candidates: `bestAny`
   * (any candidate), `bestNotHeld` (excluding the held item) and `heldCost` (the held item; INF if
   * it is no candidate). `heldDirect`: the held item may go straight onto T (it is the next piece).
   */
  private addition(s: Int16Array, role: CompiledRole, T: number, stack: Int16Array, m0: number, p: number, heldDirect: boolean): void {
    const R = s[0];
    const H = s[1];
    let notHeld = INF;
    this.heldCost = INF;
    const cands = role.candidates;
    for (let k = 0; k < cands.length; k++) {
      const c = cands[k];
      const at = s[this.m.oAt + c];
      let cost: number;
      if (c === H) {
        const proc = this.processing(s, c, role.flags);
        if (proc >= INF) continue;
        if (this.procActions[1]) {
          // Processing first (proc: its put, actions, pick-back), then a carry to T and the put there.
          this.heldCost = proc + (this.isTable[T] ? 2 : 1);
        } else {
          // Put it straight onto T, or (when it cannot go there yet) put it aside and come back:
          // put, fetch, pick, carry, put.
          this.heldCost = heldDirect ? 1 + (R !== T ? 1 : 0) : 5;
        }
        continue;
      }
      if (at < 0) continue; // nowhere: no action can reach it
      if (at === T) {
        // In T's stack: excluded if kept; above the prefix it is removed first (counted there), then
        // re-added: pick (after processing where it was put, or after a fetch), carry, put.
        let pos = -1;
        for (let j = 0; j < m0; j++) if (stack[j] === c) pos = j;
        if (pos < p) continue;
        const proc = this.processing(s, c, role.flags);
        if (proc >= INF) continue;
        // Processing (even a cook that only needs time) can happen where it is put: pick-back, no fetch.
        cost = this.procActions[1] ? 3 + this.procActions[0] : 4;
      } else {
        const proc = this.processing(s, c, role.flags);
        if (proc >= INF) continue;
        // No fetch move only if it can be the very first event: the top item at the robot's station.
        const fetch = H >= 0 || at !== R || s[this.m.oTop + at] !== c ? 1 : 0;
        cost = fetch + 3 + proc;
      }
      if (cost < notHeld) notHeld = cost;
    }
    this.bestNotHeld = notHeld;
    this.bestAny = Math.min(notHeld, this.heldCost);
  }

  /**
   * Lower bound for one recipe on table T. `single`: the goal has only this recipe, so removals from
   * T and the held item's put can be charged here (with several recipes they could be shared with
   * another recipe's additions, so only additions are counted).
   */
  private recipeOn(s: Int16Array, rc: CompiledRecipe, T: number, single: boolean): number {
    const R = s[0];
    const H = s[1];
    let m0 = 0;
    for (let i = s[this.m.oBottom + T]; i >= 0; i = s[this.m.oAbove + i]) this.stackBuf[m0++] = i;
    const chain = rc.chain;
    const L = chain.length;
    // The longest valid kept prefix: the chain's roles in order, then (unless the chain must be
    // clear) anything — extra items above a strict chain or among a relaxed recipe's members.
    let pmax = 0;
    while (pmax < m0) {
      if (pmax < L) {
        if (!this.fits(s, chain[pmax], this.stackBuf[pmax], T)) break;
      } else if (rc.chainClear) break;
      pmax++;
    }
    let best = INF;
    this.bestWithJunk = INF;
    for (let p = pmax; p >= 0; p--) {
      const nRemove = m0 - p;
      // Anything above the kept prefix must come off before T's stack can grow (in both modes).
      const removals = nRemove > 0;
      let total = 0; // additions, each role with its cheapest candidate
      let totalNotHeld = 0; // the same without the held item
      let heldGain = INF; // min over roles of (held item's cost − cheapest cost)
      let needed = 0;
      let feasible = true;
      const add = (role: CompiledRole, heldDirect: boolean) => {
        this.addition(s, role, T, this.stackBuf, m0, p, heldDirect && !removals);
        if (this.bestAny >= INF) {
          feasible = false;
          return;
        }
        total += this.bestAny;
        totalNotHeld += this.bestNotHeld;
        if (this.heldCost < INF && this.heldCost - this.bestAny < heldGain) heldGain = this.heldCost - this.bestAny;
        needed++;
      };
      for (let j = p; j < L && feasible; j++) add(chain[j], j === p);
      // Members (item_at): satisfied by any kept item above the chain that fits (over-counting is safe).
      let clearRole: CompiledRole | null = null;
      for (const role of rc.members) {
        if (!feasible) break;
        if (role.clear) {
          clearRole = role;
          continue;
        }
        let sat = false;
        for (let j = L; j < p && !sat; j++) if (this.fits(s, role, this.stackBuf[j], T)) sat = true;
        if (!sat) add(role, p >= L);
      }
      // The clear member is satisfied only by the top of the kept prefix (what is above it comes
      // off), with nothing left to add.
      if (feasible && clearRole) {
        const sat = needed === 0 && p - 1 >= L && this.fits(s, clearRole, this.stackBuf[p - 1], T);
        if (!sat) add(clearRole, p >= L && needed === 0);
      }
      if (!feasible) continue;
      let cost = total;
      if (single && H >= 0 && (needed > 0 || removals)) {
        // The held item serves one role (cost with it: total + heldGain), or is put down first (+1).
        const useHeld = heldGain < INF ? total + heldGain : INF;
        const putDown = totalNotHeld >= INF ? INF : totalNotHeld + 1;
        cost = Math.min(useHeld, putDown);
        if (cost >= INF) continue;
      }
      if (removals && single) {
        if (this.isTable[T]) {
          // Each removed item: (fetch,) pick at T, carry, put elsewhere; the first needs no fetch if
          // the robot is at T with empty hands; the last may stay in the robot's hands if nothing is added.
          cost += 4 * nRemove - (H < 0 && R === T ? 1 : 0) - (needed === 0 ? 2 : 0);
        } else {
          cost += needed === 0 ? 2 * nRemove - 1 : 2 * nRemove;
        }
      } else if (removals && this.isTable[T]) {
        // Several recipes: an item taken off T may go straight onto another recipe's table (its
        // addition there is counted by that recipe), so only junk — items no role can use — is
        // charged: (fetch,) pick, carry, put elsewhere.
        let junk = 0;
        for (let j = p; j < m0; j++) if (!this.isRoleItem[this.stackBuf[j]]) junk++;
        if (junk > 0) {
          // The last junk removed in the whole plan may stay in the robot's hands: `assign` gives
          // that −2 back once, when the chosen options charge any junk. Kept apart from the rest.
          cost += 4 * junk - (H < 0 && R === T ? 1 : 0);
          if (cost < this.bestWithJunk) this.bestWithJunk = cost;
          continue;
        }
      }
      if (cost < best) best = cost;
    }
    return best;
  }
  /** The cheapest assignment of distinct tables to recipes r, r+1, … (`junk`: some chosen option charges junk). */
  private assign(r: number, junk: boolean): number {
    if (r === this.recipes.length) return junk ? -2 : 0;
    const rc = this.recipes[r];
    let best = INF;
    for (let k = 0; k < rc.tables.length; k++) {
      const T = rc.tables[k];
      if (this.usedTable[T]) continue;
      this.usedTable[T] = 1;
      for (const [c, j] of [[this.costs[r][k], junk], [this.junkCosts[r][k], true]] as [number, boolean][]) {
        if (c >= INF) continue;
        const rest = this.assign(r + 1, j);
        if (rest < INF && c + rest < best) best = c + rest;
      }
      this.usedTable[T] = 0;
    }
    return best;
  }
}

export const UNREACHABLE = INF;
