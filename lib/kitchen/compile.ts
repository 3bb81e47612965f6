/**
 * Layout → `KitchenModel` (model.ts): object tables, static predicates, the action tables and the goal
 * program (goal.ts), with a one-line `invalid layout: …` error for anything the engine cannot run.
 */
import type { Layout } from "./layout";
import {
  ACTION_TEMPLATES,
  ITEM_FLAGS,
  ITEM_KINDS,
  PLAYER_KINDS,
  PREDICATES,
  PREDICATE_INDEX,
  STATION_KINDS,
  fillTemplate,
  kindOf,
} from "./domain";
import { GoalProgram, KitchenModel, invalidLayout } from "./model";
import { compileGoal } from "./goal";
import { OP_COOK, OP_CUT, OP_FRY, OP_MOVE, OP_NAMES, OP_PICK_UP, OP_PLACE, OP_STACK, OP_UNSTACK, OP_WAIT } from "./rules";

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
  if (!layout || typeof layout !== "object") invalidLayout("not an object");
  for (const f of ["stations", "items", "players", "goal"] as const) {
    if (!Array.isArray((layout as any)[f])) invalidLayout(`"${f}" must be an array`);
  }
  if (typeof layout.goal_description !== "string") invalidLayout(`"goal_description" must be a string`);
  const stations = layout.stations;
  const items = layout.items;
  const players = layout.players;
  if (players.length !== 1) invalidLayout(`exactly one player is supported, got ${players.length}`);
  if (stations.length > 250 || items.length > 250) invalidLayout("more than 250 stations or items");
  const seen = new Set<string>();
  const checkName = (name: unknown, field: string): string => {
    if (typeof name !== "string" || !/^[a-z_]+\d+$/.test(name)) invalidLayout(`${field} name ${JSON.stringify(name)} is not kind+number`);
    if (seen.has(name)) invalidLayout(`duplicate object name ${name}`);
    seen.add(name);
    return name;
  };
  const checkXY = (e: any, name: string) => {
    if (!Number.isInteger(e.x) || !Number.isInteger(e.y)) invalidLayout(`${name} needs integer x and y`);
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
    if (!(STATION_KINDS as readonly string[]).includes(kind)) invalidLayout(`unknown station kind "${kind}" (${name})`);
    const key = `${st.x},${st.y}`;
    if (tile.has(key)) invalidLayout(`${name} and ${stationNames[tile.get(key)!]} share the tile (${key})`);
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
        invalidLayout(`station ${name}: unsupported predicate "${extra}" (only station identity predicates may be given)`);
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
    if (!(ITEM_KINDS as readonly string[]).includes(kind)) invalidLayout(`unknown item kind "${kind}" (${name})`);
    if (!Number.isFinite(it["stack-level"])) invalidLayout(`${name} needs a numeric "stack-level"`);
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
        invalidLayout(`item ${name}: unsupported predicate "${extra}"`);
      }
      preds.add(pi);
    }
    itemStatic.push([...preds].sort((a, b) => a - b));
    flags0.push(flags);
  });

  const player = players[0];
  const playerName = checkName(player.name, "player");
  checkXY(player, playerName);
  if (!(PLAYER_KINDS as readonly string[]).includes(kindOf(playerName))) invalidLayout(`unknown player kind (${playerName})`);
  if (!Array.isArray(player.direction) || player.direction.length !== 2) invalidLayout(`${playerName} needs a direction [dx, dy]`);
  if (tile.has(`${player.x},${player.y}`)) invalidLayout(`${playerName} stands on a station tile (${player.x},${player.y})`);

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
