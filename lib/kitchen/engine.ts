/**
 * The synchronous Robotouille engine: a compact, typed interpreter of the domain's rules
 * (specs/kitchen.md §1.3–1.7), bit-exact with the original Python backend on the synchronous tasks.
 *
 * Instead of the original's table of every ground predicate, a state is a small Int16Array:
 *
 *   [robotAt, held, bottom[S], top[S], below[I], above[I], at[I], flags[I]]
 *
 * (station/item indices, −1 for none), plus the list of active special effects in insertion order
 * (a flat number array, FX_STRIDE numbers per effect). Every predicate of the domain is a function of
 * these: item_on(i,s) ⇔ bottom[s]=i, item_at(i,s) ⇔ at[i]=s, atop(a,b) ⇔ below[a]=b,
 * clear(i) ⇔ at[i]≥0 ∧ above[i]=−1, station_empty(s) ⇔ bottom[s]=−1, loc/vacant from robotAt,
 * has_item/nothing from held, and the item flags (cut, cooked, cooking, …) are bits of flags[i].
 *
 * Actions are dense integers ("action ids") into per-layout tables of their strings and operands, so
 * listing valid actions and stepping build no strings. A model (the compiled layout) is immutable and
 * shared by every state of that layout.
 */
import { UserError } from "../util/errors";
import type { Layout } from "./layout";
import {
  ACTION_TEMPLATES,
  COOKABLE,
  COOKED,
  COOKING,
  COOK_TICKS,
  CUT,
  CUTTABLE,
  CUT_REPETITIONS,
  FRIED,
  FRYABLE,
  FRYABLE_IF_CUT,
  ITEM_FLAGS,
  ITEM_KINDS,
  ObjectType,
  PLAYER_KINDS,
  PREDICATES,
  PREDICATE_INDEX,
  STATION_KINDS,
  fillTemplate,
  kindOf,
  typeOfKind,
} from "./domain";

// ---------------------------------------------------------------------------------------------
// Actions

/** Action schemas, numbered in the order the valid-action list shows them. */
export const OP_MOVE = 0;
export const OP_PICK_UP = 1;
export const OP_PLACE = 2;
export const OP_COOK = 3;
export const OP_CUT = 4;
export const OP_FRY = 5;
export const OP_STACK = 6;
export const OP_UNSTACK = 7;
export const OP_WAIT = 8;
export const OP_NAMES = ["move", "pick-up-item", "place-item", "cook", "cut", "fry", "stack", "unstack", "wait"] as const;

// ---------------------------------------------------------------------------------------------
// Special effects (the original's backend/special_effects/*, specialised to the domain's uses)

/** `cut`'s repetitive effect: on the 3rd active update of the same item, +iscut(i); then completed. */
export const FX_REPEAT_CUT = 1;
/** `cut`'s conditional effect: if isfryableifcut(i) ∧ iscut(i) then +isfryable(i) (completed), else −isfryable(i). */
export const FX_FRYABLE_IF_CUT = 2;
/** `cook`: while item_on(i, stove) set +iscooking(i) and advance a 4-tick delay (→ +iscooked, −iscooking); else −iscooking(i). */
export const FX_COOK = 3;
/** `fry`: while item_on(i, fryer) advance a 4-tick delay (→ +isfried). */
export const FX_FRY = 4;
/** One effect is [type, item, station (−1 when not part of its identity), counter, completed]. */
export const FX_STRIDE = 5;

// ---------------------------------------------------------------------------------------------
// The compiled layout

/** A goal literal over variables, compiled for the backtracking check. */
interface GoalCheck {
  /** G_* code. */
  code: number;
  /** Flag bit (G_FLAG) or predicate index (G_STATIC). */
  arg: number;
  /** Variable positions (binding order) of the literal's arguments. */
  vars: number[];
}

interface GoalVariable {
  /** Printable name `kind#id` (after the id-collision resolution). */
  name: string;
  type: ObjectType;
  /** Candidate objects: indices into the model's list of that type. */
  domain: number[];
  /** Earlier variables (binding positions) that must be bound to a different object (same kind). */
  distinct: number[];
  /** Literals whose last variable is this one: checked as soon as it is bound. */
  checks: GoalCheck[];
}

export interface GoalProgram {
  /** True when no assignment can ever satisfy the goal (the original's disjunction is empty or every disjunct names a missing object). */
  impossible: boolean;
  /** Why, when impossible. */
  reason: string | null;
  /** Variables in binding order. */
  vars: GoalVariable[];
  /** The goal as written, with each argument's resolved variable (`item_on(bread#1, table#2)`). */
  literals: string[];
}

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

export interface KitchenModel {
  readonly layout: Layout;
  readonly goalDescription: string;
  readonly nStations: number;
  readonly nItems: number;
  readonly stationNames: readonly string[];
  readonly stationKinds: readonly string[];
  readonly itemNames: readonly string[];
  readonly itemKinds: readonly string[];
  readonly playerName: string;
  /** Static unary predicates (identity, extra layout predicates) per object, as domain predicate indices in domain order. */
  readonly stationStatic: readonly (readonly number[])[];
  readonly itemStatic: readonly (readonly number[])[];
  readonly playerStatic: readonly number[];
  /** 1 for stoves / boards / fryers. */
  readonly isStove: Uint8Array;
  readonly isBoard: Uint8Array;
  readonly isFryer: Uint8Array;
  /** Offsets into the state array. */
  readonly oBottom: number;
  readonly oTop: number;
  readonly oBelow: number;
  readonly oAbove: number;
  readonly oAt: number;
  readonly oFlags: number;
  readonly stateSize: number;
  readonly initial: Int16Array;
  /** Action id → string / schema / operands. */
  readonly actionStrings: readonly string[];
  readonly actionOp: Uint8Array;
  readonly actionA: Int16Array;
  readonly actionB: Int16Array;
  readonly actionIdOf: ReadonlyMap<string, number>;
  /** Base action ids per schema (see actionId). */
  readonly base: readonly number[];
  readonly waitId: number;
  readonly goal: GoalProgram;
}

/** The mutable part: one state of a model. */
export interface EngineState {
  s: Int16Array;
  fx: number[];
}

function fail(msg: string): never {
  throw new UserError(`invalid layout: ${msg}`);
}

const modelCache = new WeakMap<Layout, KitchenModel>();

/** Compile a layout (cached per layout object; layouts are treated as immutable). */
export function compileLayout(layout: Layout): KitchenModel {
  const hit = modelCache.get(layout);
  if (hit) return hit;
  const model = compileUncached(layout);
  modelCache.set(layout, model);
  return model;
}

function compileUncached(layout: Layout): KitchenModel {
  if (!layout || typeof layout !== "object") fail("not an object");
  for (const f of ["stations", "items", "players", "goal"] as const) {
    if (!Array.isArray((layout as any)[f])) fail(`"${f}" must be an array`);
  }
  if (typeof layout.goal_description !== "string") fail(`"goal_description" must be a string`);
  const stations = layout.stations;
  const items = layout.items;
  const players = layout.players;
  if (players.length !== 1) fail(`exactly one player is supported, got ${players.length}`);
  if (stations.length > 250 || items.length > 250) fail("more than 250 stations or items");
  const seen = new Set<string>();
  const checkName = (name: unknown, field: string): string => {
    if (typeof name !== "string" || !/^[a-z_]+\d+$/.test(name)) fail(`${field} name ${JSON.stringify(name)} is not kind+number`);
    if (seen.has(name)) fail(`duplicate object name ${name}`);
    seen.add(name);
    return name;
  };
  const checkXY = (e: any, name: string) => {
    if (!Number.isInteger(e.x) || !Number.isInteger(e.y)) fail(`${name} needs integer x and y`);
  };

  const S = stations.length;
  const I = items.length;
  const stationNames: string[] = [];
  const stationKinds: string[] = [];
  const stationStatic: number[][] = [];
  const isStove = new Uint8Array(S);
  const isBoard = new Uint8Array(S);
  const isFryer = new Uint8Array(S);
  const tile = new Map<string, number>();
  stations.forEach((st, k) => {
    const name = checkName(st.name, "station");
    checkXY(st, name);
    const kind = kindOf(name);
    if (!(STATION_KINDS as readonly string[]).includes(kind)) fail(`unknown station kind "${kind}" (${name})`);
    const key = `${st.x},${st.y}`;
    if (tile.has(key)) fail(`${name} and ${stationNames[tile.get(key)!]} share the tile (${key})`);
    tile.set(key, k);
    stationNames.push(name);
    stationKinds.push(kind);
    isStove[k] = kind === "stove" ? 1 : 0;
    isBoard[k] = kind === "board" ? 1 : 0;
    isFryer[k] = kind === "fryer" ? 1 : 0;
    const preds = new Set<number>([PREDICATE_INDEX.get("is" + kind)!]);
    for (const extra of st.predicates ?? []) {
      const pi = PREDICATE_INDEX.get(extra);
      if (pi === undefined || pi > PREDICATE_INDEX.get("issink")!) {
        fail(`station ${name}: unsupported predicate "${extra}" (only station identity predicates may be given)`);
      }
      preds.add(pi);
    }
    stationStatic.push([...preds].sort((a, b) => a - b));
  });

  const itemNames: string[] = [];
  const itemKinds: string[] = [];
  const itemStatic: number[][] = [];
  const flags0: number[] = [];
  items.forEach((it) => {
    const name = checkName(it.name, "item");
    checkXY(it, name);
    const kind = kindOf(name);
    if (!(ITEM_KINDS as readonly string[]).includes(kind)) fail(`unknown item kind "${kind}" (${name})`);
    if (!Number.isFinite(it["stack-level"])) fail(`${name} needs a numeric "stack-level"`);
    itemNames.push(name);
    itemKinds.push(kind);
    const preds = new Set<number>([PREDICATE_INDEX.get("is" + kind)!]);
    let flags = 0;
    for (const extra of it.predicates ?? []) {
      const bit = (ITEM_FLAGS as readonly string[]).indexOf(extra);
      if (bit >= 0) {
        flags |= 1 << bit;
        continue;
      }
      const pi = PREDICATE_INDEX.get(extra);
      if (pi === undefined || PREDICATES[pi].types.length !== 1 || PREDICATES[pi].types[0] !== "item") {
        fail(`item ${name}: unsupported predicate "${extra}"`);
      }
      preds.add(pi);
    }
    itemStatic.push([...preds].sort((a, b) => a - b));
    flags0.push(flags);
  });

  const player = players[0];
  const playerName = checkName(player.name, "player");
  checkXY(player, playerName);
  if (!(PLAYER_KINDS as readonly string[]).includes(kindOf(playerName))) fail(`unknown player kind (${playerName})`);
  if (!Array.isArray(player.direction) || player.direction.length !== 2) fail(`${playerName} needs a direction [dx, dy]`);
  if (tile.has(`${player.x},${player.y}`)) fail(`${playerName} stands on a station tile (${player.x},${player.y})`);

  // State layout.
  const oBottom = 2;
  const oTop = oBottom + S;
  const oBelow = oTop + S;
  const oAbove = oBelow + I;
  const oAt = oAbove + I;
  const oFlags = oAt + I;
  const stateSize = oFlags + I;
  const s = new Int16Array(stateSize).fill(-1);
  // The robot is at the station it faces (none: it can only "Do nothing", as in the original).
  const faced = tile.get(`${player.x + player.direction[0]},${player.y + player.direction[1]}`);
  s[0] = faced === undefined ? -1 : faced;
  // The first item on the robot's own tile is held; any further one there is nowhere (no location predicates).
  const heldIdx = items.findIndex((it) => it.x === player.x && it.y === player.y);
  s[1] = heldIdx;
  // Stacks: items on a station tile, stable-sorted by stack-level (bottom first).
  const stacks: number[][] = Array.from({ length: S }, () => []);
  items.forEach((it, i) => {
    const st = tile.get(`${it.x},${it.y}`);
    if (st !== undefined) stacks[st].push(i);
  });
  for (let st = 0; st < S; st++) {
    const stack = stacks[st].sort((a, b) => items[a]["stack-level"] - items[b]["stack-level"] || a - b);
    if (stack.length === 0) continue;
    s[oBottom + st] = stack[0];
    s[oTop + st] = stack[stack.length - 1];
    for (let k = 0; k < stack.length; k++) {
      const i = stack[k];
      s[oAt + i] = st;
      s[oBelow + i] = k > 0 ? stack[k - 1] : -1;
      s[oAbove + i] = k + 1 < stack.length ? stack[k + 1] : -1;
    }
  }
  for (let i = 0; i < I; i++) s[oFlags + i] = flags0[i];

  // Action tables. Dense ids: move (s1,s2) | pick, place, cook, cut, fry (i,s) | stack, unstack (i1,i2) | wait.
  const base = [0, S * S, S * S + I * S, S * S + 2 * I * S, S * S + 3 * I * S, S * S + 4 * I * S, S * S + 5 * I * S];
  base.push(base[6] + I * I);
  const waitId = base[7] + I * I;
  base.push(waitId);
  const nActions = waitId + 1;
  const actionStrings: string[] = new Array(nActions);
  const actionOp = new Uint8Array(nActions);
  const actionA = new Int16Array(nActions);
  const actionB = new Int16Array(nActions);
  const actionIdOf = new Map<string, number>();
  const put = (id: number, op: number, a: number, b: number, str: string) => {
    actionStrings[id] = str;
    actionOp[id] = op;
    actionA[id] = a;
    actionB[id] = b;
    actionIdOf.set(str, id);
  };
  const p1 = playerName;
  for (let a = 0; a < S; a++) {
    for (let b = 0; b < S; b++) {
      put(a * S + b, OP_MOVE, a, b, fillTemplate(ACTION_TEMPLATES.move, { p1, s1: stationNames[a], s2: stationNames[b] }));
    }
  }
  const itemStationOps: [number, string][] = [
    [OP_PICK_UP, ACTION_TEMPLATES["pick-up-item"]],
    [OP_PLACE, ACTION_TEMPLATES["place-item"]],
    [OP_COOK, ACTION_TEMPLATES.cook],
    [OP_CUT, ACTION_TEMPLATES.cut],
    [OP_FRY, ACTION_TEMPLATES.fry],
  ];
  for (const [op, template] of itemStationOps) {
    for (let i = 0; i < I; i++) {
      for (let st = 0; st < S; st++) {
        put(base[op] + i * S + st, op, i, st, fillTemplate(template, { p1, i1: itemNames[i], s1: stationNames[st] }));
      }
    }
  }
  for (const [op, template] of [
    [OP_STACK, ACTION_TEMPLATES.stack],
    [OP_UNSTACK, ACTION_TEMPLATES.unstack],
  ] as [number, string][]) {
    for (let a = 0; a < I; a++) {
      for (let b = 0; b < I; b++) {
        put(base[op] + a * I + b, op, a, b, fillTemplate(template, { p1, i1: itemNames[a], i2: itemNames[b] }));
      }
    }
  }
  put(waitId, OP_WAIT, -1, -1, ACTION_TEMPLATES.wait);

  const model: KitchenModel = {
    layout,
    goalDescription: layout.goal_description,
    nStations: S,
    nItems: I,
    stationNames,
    stationKinds,
    itemNames,
    itemKinds,
    playerName,
    stationStatic,
    itemStatic,
    playerStatic: [PREDICATE_INDEX.get("isrobot")!],
    isStove,
    isBoard,
    isFryer,
    oBottom,
    oTop,
    oBelow,
    oAbove,
    oAt,
    oFlags,
    stateSize,
    initial: s,
    actionStrings,
    actionOp,
    actionA,
    actionB,
    actionIdOf,
    base,
    waitId,
    goal: { impossible: true, reason: "not compiled", vars: [], literals: [] },
  };
  (model as { goal: GoalProgram }).goal = compileGoal(model, layout);
  return model;
}

/** The dense id of a grounded action (a, b: the operands in the schema's order, as in OP_NAMES). */
export function actionId(m: KitchenModel, op: number, a = -1, b = -1): number {
  if (op === OP_MOVE) return a * m.nStations + b;
  if (op === OP_STACK || op === OP_UNSTACK) return m.base[op] + a * m.nItems + b;
  if (op === OP_WAIT) return m.waitId;
  return m.base[op] + a * m.nStations + b;
}

// ---------------------------------------------------------------------------------------------
// Goal (specs/kitchen.md §2.2)

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
function compileGoal(m: KitchenModel, layout: Layout): GoalProgram {
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
      fail(`${where} needs predicate, args and ids`);
    }
    const pred = PREDICATE_INDEX.get(lit.predicate);
    if (pred === undefined) fail(`${where}: unknown predicate "${lit.predicate}"`);
    if (lit.args.length !== PREDICATES[pred].types.length || lit.ids.length !== lit.args.length) {
      fail(`${where}: ${lit.predicate} takes ${PREDICATES[pred].types.length} arguments with one id each`);
    }
    const args = lit.args.map((kind, k) => {
      const id = String(lit.ids[k]);
      if (!/^\d+$/.test(id)) fail(`${where}: only integer ids are supported, got ${JSON.stringify(lit.ids[k])}`);
      const type = typeOfKind(kind);
      if (type === null) fail(`${where}: unknown kind "${kind}"`);
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

// ---------------------------------------------------------------------------------------------
// States

export function initialState(m: KitchenModel): EngineState {
  return { s: m.initial.slice(), fx: [] };
}

export function cloneState(st: EngineState): EngineState {
  return { s: st.s.slice(), fx: st.fx.slice() };
}

/** Is the grounded action valid (all preconditions hold)? */
export function isValidAction(m: KitchenModel, st: EngineState, id: number): boolean {
  if (id < 0 || id > m.waitId || !Number.isInteger(id)) return false;
  const s = st.s;
  const r = s[0];
  const op = m.actionOp[id];
  const a = m.actionA[id];
  const b = m.actionB[id];
  switch (op) {
    case OP_MOVE:
      return r === a && b !== r;
    case OP_PICK_UP:
      return r === b && s[1] === -1 && s[m.oBottom + b] === a && s[m.oTop + b] === a;
    case OP_PLACE:
      return r === b && s[1] === a && s[m.oBottom + b] === -1;
    case OP_COOK: {
      const f = s[m.oFlags + a];
      return r === b && m.isStove[b] === 1 && (f & COOKABLE) !== 0 && (f & COOKING) === 0 && lone(m, s, a, b) && s[1] === -1;
    }
    case OP_CUT:
      return r === b && m.isBoard[b] === 1 && (s[m.oFlags + a] & CUTTABLE) !== 0 && lone(m, s, a, b) && s[1] === -1;
    case OP_FRY:
      return r === b && m.isFryer[b] === 1 && (s[m.oFlags + a] & FRYABLE) !== 0 && lone(m, s, a, b) && s[1] === -1;
    case OP_STACK:
      return r >= 0 && s[1] === a && s[m.oTop + r] === b && b >= 0;
    case OP_UNSTACK:
      return r >= 0 && s[1] === -1 && s[m.oTop + r] === a && a >= 0 && s[m.oBelow + a] === b && b >= 0;
    default:
      return true; // wait
  }
}

function lone(m: KitchenModel, s: Int16Array, i: number, st: number): boolean {
  return s[m.oBottom + st] === i && s[m.oTop + st] === i;
}

/**
 * Write the valid action ids into `out`, in the original engine's order, and return how many.
 * Schemas in domain order; within `move`, destinations in station order (the only schema with more
 * than one valid grounding for a single robot — see notes/kitchen-engine.md).
 */
export function validActionIds(m: KitchenModel, st: EngineState, out: Int32Array): number {
  const s = st.s;
  const r = s[0];
  const held = s[1];
  let n = 0;
  if (r < 0) {
    out[n++] = m.waitId;
    return n;
  }
  const S = m.nStations;
  for (let b = 0; b < S; b++) if (b !== r) out[n++] = r * S + b;
  const bottom = s[m.oBottom + r];
  const top = s[m.oTop + r];
  if (held === -1) {
    if (bottom >= 0 && bottom === top) {
      out[n++] = m.base[OP_PICK_UP] + bottom * S + r;
      const f = s[m.oFlags + bottom];
      if (m.isStove[r] && (f & COOKABLE) !== 0 && (f & COOKING) === 0) out[n++] = m.base[OP_COOK] + bottom * S + r;
      if (m.isBoard[r] && (f & CUTTABLE) !== 0) out[n++] = m.base[OP_CUT] + bottom * S + r;
      if (m.isFryer[r] && (f & FRYABLE) !== 0) out[n++] = m.base[OP_FRY] + bottom * S + r;
    }
    if (top >= 0) {
      const under = s[m.oBelow + top];
      if (under >= 0) out[n++] = m.base[OP_UNSTACK] + top * m.nItems + under;
    }
  } else {
    if (bottom === -1) out[n++] = m.base[OP_PLACE] + held * S + r;
    else out[n++] = m.base[OP_STACK] + held * m.nItems + top;
  }
  out[n++] = m.waitId;
  return n;
}

/**
 * Perform a valid action: immediate effects, then its special effects (find-or-append, active
 * update), then one passive tick of every special effect with the original's removal-during-iteration
 * skip. The caller checks validity first.
 */
export function applyAction(m: KitchenModel, st: EngineState, id: number): void {
  const s = st.s;
  const r = s[0];
  const a = m.actionA[id];
  const b = m.actionB[id];
  switch (m.actionOp[id]) {
    case OP_MOVE:
      s[0] = b;
      break;
    case OP_PICK_UP:
      s[1] = a;
      s[m.oBottom + r] = -1;
      s[m.oTop + r] = -1;
      s[m.oAt + a] = -1;
      break;
    case OP_PLACE:
      s[1] = -1;
      s[m.oBottom + r] = a;
      s[m.oTop + r] = a;
      s[m.oAt + a] = r;
      s[m.oBelow + a] = -1;
      s[m.oAbove + a] = -1;
      break;
    case OP_STACK:
      s[1] = -1;
      s[m.oBelow + a] = b;
      s[m.oAbove + a] = -1;
      s[m.oAbove + b] = a;
      s[m.oTop + r] = a;
      s[m.oAt + a] = r;
      break;
    case OP_UNSTACK:
      s[1] = a;
      s[m.oAbove + b] = -1;
      s[m.oTop + r] = b;
      s[m.oBelow + a] = -1;
      s[m.oAt + a] = -1;
      break;
    case OP_COOK:
      addEffect(m, st, FX_COOK, a, b);
      break;
    case OP_CUT:
      addEffect(m, st, FX_REPEAT_CUT, a, -1);
      addEffect(m, st, FX_FRYABLE_IF_CUT, a, -1);
      break;
    case OP_FRY:
      addEffect(m, st, FX_FRY, a, b);
      break;
    default:
      break; // wait
  }
  tick(m, st);
}

/**
 * `State.update_special_effect`: reuse an equal effect already in the list (equality ignores the
 * counter and the completed flag, as the original's __eq__ does), else append a fresh one; then
 * update it actively.
 */
function addEffect(m: KitchenModel, st: EngineState, type: number, item: number, station: number): void {
  const fx = st.fx;
  let at = -1;
  for (let k = 0; k < fx.length; k += FX_STRIDE) {
    if (fx[k] === type && fx[k + 1] === item && fx[k + 2] === station) {
      at = k;
      break;
    }
  }
  if (at < 0) {
    at = fx.length;
    fx.push(type, item, station, 0, 0);
  }
  updateEffect(m, st, at, true);
}

/**
 * `State.step`'s loop: `for e in effects: e.update(); if e.completed: effects.remove(e)`. Removing
 * the current element while iterating shifts the list, so the element right after a removed one is
 * not updated in that step (specs/kitchen.md §1.4).
 */
function tick(m: KitchenModel, st: EngineState): void {
  const fx = st.fx;
  let k = 0;
  while (k < fx.length) {
    const e = k;
    k += FX_STRIDE;
    updateEffect(m, st, e, false);
    if (fx[e + 4] === 1) {
      fx.splice(e, FX_STRIDE);
    }
  }
}

function updateEffect(m: KitchenModel, st: EngineState, e: number, active: boolean): void {
  const fx = st.fx;
  if (fx[e + 4] === 1) return; // completed effects do nothing
  const s = st.s;
  const item = fx[e + 1];
  const fi = m.oFlags + item;
  switch (fx[e]) {
    case FX_REPEAT_CUT:
      if (!active) return;
      fx[e + 3]++;
      if (fx[e + 3] === CUT_REPETITIONS) {
        s[fi] |= CUT;
        fx[e + 4] = 1;
      }
      return;
    case FX_FRYABLE_IF_CUT:
      if ((s[fi] & FRYABLE_IF_CUT) === 0 || (s[fi] & CUT) === 0) {
        s[fi] &= ~FRYABLE; // a failed condition negates the effects
        return;
      }
      s[fi] |= FRYABLE;
      fx[e + 4] = 1; // no nested effects: all([]) is True
      return;
    case FX_COOK:
    case FX_FRY: {
      const cook = fx[e] === FX_COOK;
      if (s[m.oBottom + fx[e + 2]] !== item) {
        if (cook) s[fi] &= ~COOKING;
        return;
      }
      if (cook) s[fi] |= COOKING;
      if (active) return; // the nested delayed effect ignores active updates
      fx[e + 3]++;
      if (fx[e + 3] === COOK_TICKS) {
        if (cook) {
          s[fi] |= COOKED;
          s[fi] &= ~COOKING;
        } else {
          s[fi] |= FRIED;
        }
        fx[e + 4] = 1; // delayed completed, hence the conditional too
      }
      return;
    }
    default:
      return;
  }
}

/**
 * A canonical key of everything that determines the future: robot station, held item, every stack,
 * the item flags, and the special-effect list in order (with counters and completed flags).
 */
export function stateKey(st: EngineState): string {
  const s = st.s;
  const fx = st.fx;
  let key = "";
  // String.fromCharCode over chunks; values are ≥ −1, so +1 keeps them non-negative.
  const codes: number[] = new Array(s.length + fx.length + 1);
  for (let k = 0; k < s.length; k++) codes[k] = s[k] + 1;
  codes[s.length] = 0xffff;
  for (let k = 0; k < fx.length; k++) codes[s.length + 1 + k] = fx[k] + 1;
  for (let k = 0; k < codes.length; k += 4096) {
    key += String.fromCharCode.apply(null, codes.slice(k, k + 4096));
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Reading a state (for rendering, pictures, planners)

/** Bottom → top item indices on a station. */
export function stackOf(m: KitchenModel, s: Int16Array, station: number): number[] {
  const out: number[] = [];
  for (let i = s[m.oBottom + station]; i >= 0; i = s[m.oAbove + i]) out.push(i);
  return out;
}

/** The per-item cut counters of the unfinished repetitive effects (hidden state; for tests and debugging). */
export function cutProgress(m: KitchenModel, st: EngineState): Map<string, number> {
  const out = new Map<string, number>();
  for (let k = 0; k < st.fx.length; k += FX_STRIDE) {
    if (st.fx[k] === FX_REPEAT_CUT && st.fx[k + 4] === 0) out.set(m.itemNames[st.fx[k + 1]], st.fx[k + 3]);
  }
  return out;
}

/** The special-effect list, readable (for tests and debugging). */
export function describeEffects(m: KitchenModel, st: EngineState): string[] {
  const out: string[] = [];
  const names = ["", "repeat-cut", "fryable-if-cut", "cook", "fry"];
  for (let k = 0; k < st.fx.length; k += FX_STRIDE) {
    const [type, item, station, counter, completed] = st.fx.slice(k, k + FX_STRIDE);
    out.push(
      `${names[type]}(${m.itemNames[item]}${station >= 0 ? "," + m.stationNames[station] : ""})` +
        `${type === FX_FRYABLE_IF_CUT ? "" : ":" + counter}${completed ? " completed" : ""}`,
    );
  }
  return out;
}
