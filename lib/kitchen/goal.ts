/**
 * The goal (notes/kitchen-engine.md): compiled from the layout's goal literals into variables and checks, and
 * decided by a backtracking search over injective assignments.
 */
import type { Layout } from "./layout";
import { ITEM_FLAGS, ObjectType, PREDICATES, PREDICATE_INDEX, typeOfKind } from "./domain";
import { EngineState, GoalCheck, GoalProgram, GoalVariable, KitchenModel, invalidLayout } from "./model";

/** Goal-check codes. */
const G_FALSE = 0;
const G_ITEM_ON = 1;
const G_ITEM_AT = 2;
const G_ATOP = 3;
const G_CLEAR = 4;
const G_FLAG = 5;
const G_STATIC = 6;
const G_LOC = 7;
const G_VACANT = 8;
const G_NOTHING = 9;
const G_STATION_EMPTY = 10;
const G_HAS_ITEM = 11;

/**
 * Compile the goal into variables and literals for a backtracking check that is equivalent to the
 * original's explicit disjunction (`build_goal`): for each kind, all injective assignments of the
 * kind's objects to its integer ids; the Cartesian product over kinds; each disjunct a conjunction.
 *
 * Faithful details:
 * - a kind's candidate objects are those of its type whose *name contains the kind* (substring match);
 * - an id is looked up in the concatenated id list (`id_order.index`), so an id used by two kinds
 *   always names the variable of the kind that appears first in the goal (in `1_lettuce_sandwich`,
 *   `atop(bread#4, cheese#3)` therefore means `atop(bread#4, lettuce#3)`);
 * - a kind with fewer objects than ids has no injective assignment: the disjunction is empty and the
 *   goal can never hold, even when all its ids are shadowed by another kind's;
 * - a kind with no objects at all gets placeholder names that are not objects: literals using them
 *   are false;
 * - a literal whose argument types do not match the predicate's parameter types is false.
 */
export function compileGoal(m: KitchenModel, layout: Layout): GoalProgram {
  const namesOfType = (type: ObjectType): readonly string[] =>
    type === "station" ? m.stationNames : type === "item" ? m.itemNames : type === "player" ? [m.playerName] : [];
  interface KindInfo {
    type: ObjectType;
    ids: string[];
    entities: number[];
  }
  const kinds = new Map<string, KindInfo>();
  const parsed: { pred: number; args: { kind: string; id: string }[] }[] = [];
  layout.goal.forEach((lit, n) => {
    const where = `goal literal ${n + 1}`;
    if (!lit || typeof lit.predicate !== "string" || !Array.isArray(lit.args) || !Array.isArray(lit.ids)) {
      invalidLayout(`${where} needs predicate, args and ids`);
    }
    const pred = PREDICATE_INDEX.get(lit.predicate);
    if (pred === undefined) invalidLayout(`${where}: unknown predicate "${lit.predicate}"`);
    if (lit.args.length !== PREDICATES[pred].types.length || lit.ids.length !== lit.args.length) {
      invalidLayout(`${where}: ${lit.predicate} takes ${PREDICATES[pred].types.length} arguments with one id each`);
    }
    const args = lit.args.map((kind, k) => {
      const id = String(lit.ids[k]);
      if (!/^\d+$/.test(id)) invalidLayout(`${where}: only integer ids are supported, got ${JSON.stringify(lit.ids[k])}`);
      const type = typeOfKind(kind);
      if (type === null) invalidLayout(`${where}: unknown kind "${kind}"`);
      let info = kinds.get(kind);
      if (!info) {
        const entities: number[] = [];
        namesOfType(type).forEach((name, k2) => {
          if (name.includes(kind)) entities.push(k2);
        });
        info = { type, ids: [], entities };
        kinds.set(kind, info);
      }
      if (!info.ids.includes(id)) info.ids.push(id);
      return { kind, id };
    });
    parsed.push({ pred, args });
  });

  let impossible = false;
  let reason: string | null = null;
  const never = (why: string) => {
    if (!impossible) reason = why;
    impossible = true;
  };
  for (const [kind, info] of kinds) {
    if (info.entities.length > 0 && info.entities.length < info.ids.length) {
      never(`the goal needs ${info.ids.length} distinct ${kind} objects, the layout has ${info.entities.length}`);
    }
  }
  // Resolve each (kind, id) to the first kind in goal order that uses the id.
  const resolve = (id: string): string => {
    for (const [kind, info] of kinds) if (info.ids.includes(id)) return kind;
    throw new Error("unreachable");
  };
  const varIndex = new Map<string, number>();
  const varKinds: string[] = [];
  const literalVars: number[][] = [];
  const literals: string[] = [];
  for (const { pred, args } of parsed) {
    const vs: number[] = [];
    const shown: string[] = [];
    args.forEach(({ id }, k) => {
      const kind = resolve(id);
      const key = `${kind}#${id}`;
      shown.push(key);
      let v = varIndex.get(key);
      if (v === undefined) {
        v = varKinds.length;
        varIndex.set(key, v);
        varKinds.push(key);
      }
      vs.push(v);
      const info = kinds.get(kind)!;
      if (info.entities.length === 0) never(`no ${kind} in the layout`);
      if (info.type !== PREDICATES[pred].types[k]) never(`${PREDICATES[pred].name} argument ${k + 1} is a ${info.type}`);
    });
    literalVars.push(vs);
    literals.push(`${PREDICATES[pred].name}(${shown.join(", ")})`);
  }

  // Binding order: greedily the variable that completes the most literals, then the smallest domain.
  const nv = varKinds.length;
  const order: number[] = [];
  const bound = new Set<number>();
  while (order.length < nv) {
    let best = -1;
    let bestScore = -Infinity;
    for (let v = 0; v < nv; v++) {
      if (bound.has(v)) continue;
      const completes = literalVars.filter((vs) => vs.includes(v) && vs.every((w) => w === v || bound.has(w))).length;
      const touches = literalVars.filter((vs) => vs.includes(v) && vs.some((w) => bound.has(w))).length;
      const size = kinds.get(varKinds[v].split("#")[0])!.entities.length;
      const score = completes * 1000 + touches * 100 - size;
      if (score > bestScore) {
        bestScore = score;
        best = v;
      }
    }
    order.push(best);
    bound.add(best);
  }
  const position = new Map(order.map((v, k) => [v, k]));
  const vars: GoalVariable[] = order.map((v, k) => {
    const kind = varKinds[v].split("#")[0];
    const info = kinds.get(kind)!;
    const distinct: number[] = [];
    for (let k2 = 0; k2 < k; k2++) if (varKinds[order[k2]].split("#")[0] === kind) distinct.push(k2);
    return { name: varKinds[v], type: info.type, domain: info.entities.slice(), distinct, checks: [] };
  });
  parsed.forEach(({ pred }, n) => {
    const vs = literalVars[n].map((v) => position.get(v)!);
    const last = Math.max(...vs);
    vars[last].checks.push(compileCheck(pred, vs));
  });
  return { impossible, reason, vars, literals };
}

function compileCheck(pred: number, vars: number[]): GoalCheck {
  const name = PREDICATES[pred].name;
  const flag = (ITEM_FLAGS as readonly string[]).indexOf(name);
  if (flag >= 0) return { code: G_FLAG, arg: 1 << flag, vars };
  const codes: Record<string, number> = {
    item_on: G_ITEM_ON,
    item_at: G_ITEM_AT,
    atop: G_ATOP,
    clear: G_CLEAR,
    loc: G_LOC,
    vacant: G_VACANT,
    nothing: G_NOTHING,
    station_empty: G_STATION_EMPTY,
    has_item: G_HAS_ITEM,
  };
  if (name in codes) return { code: codes[name], arg: 0, vars };
  if (name.startsWith("is")) return { code: G_STATIC, arg: pred, vars };
  return { code: G_FALSE, arg: 0, vars }; // container / meal predicates: no such objects in a layout
}

function checkHolds(m: KitchenModel, s: Int16Array, c: GoalCheck, val: Int16Array, vars: GoalVariable[]): boolean {
  const x = val[c.vars[0]];
  const y = c.vars.length > 1 ? val[c.vars[1]] : -1;
  switch (c.code) {
    case G_ITEM_ON:
      return s[m.oBottom + y] === x;
    case G_ITEM_AT:
      return s[m.oAt + x] === y;
    case G_ATOP:
      return s[m.oBelow + x] === y && x !== y;
    case G_CLEAR:
      return s[m.oAt + x] >= 0 && s[m.oAbove + x] === -1;
    case G_FLAG:
      return (s[m.oFlags + x] & c.arg) !== 0;
    case G_STATIC: {
      const t = vars[c.vars[0]].type;
      const list = t === "station" ? m.stationStatic[x] : t === "item" ? m.itemStatic[x] : m.playerStatic;
      return list.includes(c.arg);
    }
    case G_LOC:
      return s[0] === y;
    case G_VACANT:
      return s[0] !== x;
    case G_NOTHING:
      return s[1] === -1;
    case G_STATION_EMPTY:
      return s[m.oBottom + x] === -1;
    case G_HAS_ITEM:
      return s[1] === y;
    default:
      return false;
  }
}

const scratch = { val: new Int16Array(64) };

/** Does some per-kind injective assignment of the goal's variables satisfy every goal literal? */
export function goalHolds(m: KitchenModel, st: EngineState): boolean {
  const g = m.goal;
  if (g.impossible) return false;
  const n = g.vars.length;
  if (scratch.val.length < n) scratch.val = new Int16Array(n * 2);
  const val = scratch.val;
  return search(m, st.s, g.vars, val, 0, n);
}

function search(m: KitchenModel, s: Int16Array, vars: GoalVariable[], val: Int16Array, depth: number, n: number): boolean {
  if (depth === n) return true;
  const v = vars[depth];
  const dom = v.domain;
  outer: for (let k = 0; k < dom.length; k++) {
    const o = dom[k];
    for (let d = 0; d < v.distinct.length; d++) if (val[v.distinct[d]] === o) continue outer;
    val[depth] = o;
    for (let c = 0; c < v.checks.length; c++) if (!checkHolds(m, s, v.checks[c], val, vars)) continue outer;
    if (search(m, s, vars, val, depth + 1, n)) return true;
  }
  return false;
}
