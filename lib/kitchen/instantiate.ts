/**
 * Task JSON → instantiated `Layout` (docs/design.md contract; notes/kitchen-engine.md), as the original does it in
 * `robotouille_env.create_robotouille_env`:
 *
 * 1. `builder.load_environment`: sort every entity field by (x, y), stably (so items on one tile keep
 *    their file order). (It would also replace wildcard names with draws from Python's *unseeded* global
 *    `random`; no vendored task has wildcards, and a task that had them could not be reproduced, so they
 *    are a UserError on the default layout.)
 * 2. With a seed: `_procedurally_generate` (generator.ts; seed + 1, … while the original raises).
 * 3. `builder.build_objects`: sort every field by (x, y) again, stably, and number each kind 1, 2, … in
 *    that order (`table1`, `table2`, `board1`, `robot1`).
 * 4. Keep the Layout fields: stations `{name, x, y, predicates?}`, items `{name, x, y, stack-level,
 *    predicates?}`, players `{name, x, y, direction}`, the goal and its description verbatim.
 *
 * Conventions the engine relies on (and which the original's object order follows): every list is in
 * numbering order = (x, y) order; an item's stack position is its `stack-level` among the items on its
 * station's tile; an item on the player's own tile is held; the player is at the station its direction
 * points to.
 */
import { UserError } from "../util/errors";
import { parseSeedText } from "../util/numbers";
import { ITEM_KINDS, PLAYER_KINDS, PREDICATES, STATION_KINDS, typeOfKind } from "./domain";
import { EnvironmentJson, Entity, generateEnvironment } from "./generator";
import type { GoalLiteral, Layout, LayoutItem, LayoutPlayer, LayoutStation } from "./layout";
import { loadTaskJson } from "./tasks";

/** `builder.ENTITY_FIELDS`, in the builder's order. */
const ENTITY_FIELDS = ["stations", "items", "players", "containers", "meals"] as const;

const byXY = (a: Entity, b: Entity) => a.x - b.x || a.y - b.y;

/** `builder.load_environment` on an already parsed task JSON: a copy with every entity field sorted by (x, y). */
export function loadEnvironment(json: EnvironmentJson): EnvironmentJson {
  const env = structuredClone(json);
  for (const field of ENTITY_FIELDS) {
    const list = env[field];
    if (!Array.isArray(list)) continue;
    list.sort(byXY);
  }
  return env;
}

/**
 * `builder.build_objects`: a copy with every field sorted by (x, y) and each kind numbered in that order.
 * Works in place on a structured clone, so an entity listed twice (possible only in noisy randomization)
 * ends up with the last name given to it, as in the original.
 */
export function buildObjects(env: EnvironmentJson): EnvironmentJson {
  const updated = structuredClone(env);
  for (const field of ENTITY_FIELDS) {
    const list: Entity[] | undefined = updated[field];
    if (!Array.isArray(list)) continue;
    list.sort(byXY);
    const names = list.map((e) => e.name);
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      list[i].name = `${name}${n}`;
    });
  }
  return updated;
}

/** The Layout view of `build_objects`' output: ids in names, tags (`force_add`, `frozen`, `id`) dropped. */
export function toLayout(updated: EnvironmentJson): Layout {
  const station = (s: Entity): LayoutStation => {
    const out: LayoutStation = { name: s.name, x: s.x, y: s.y };
    if (s.predicates !== undefined) out.predicates = [...s.predicates];
    return out;
  };
  const item = (i: Entity): LayoutItem => {
    const out: LayoutItem = { name: i.name, x: i.x, y: i.y, "stack-level": i["stack-level"] };
    if (i.predicates !== undefined) out.predicates = [...i.predicates];
    return out;
  };
  const player = (p: Entity): LayoutPlayer => ({ name: p.name, x: p.x, y: p.y, direction: [p.direction[0], p.direction[1]] });
  return {
    width: updated.width,
    height: updated.height,
    stations: (updated.stations ?? []).map(station),
    items: (updated.items ?? []).map(item),
    players: (updated.players ?? []).map(player),
    goal: structuredClone(updated.goal),
    goal_description: updated.goal_description,
  };
}

/** A (sorted, possibly randomized) task JSON → its Layout: `build_objects` + `toLayout`. */
export function instantiate(env: EnvironmentJson): Layout {
  for (const field of ["containers", "meals"] as const) {
    if (Array.isArray(env[field]) && env[field]!.length) {
      throw new UserError(`task has ${field}: only the synchronous kitchen (stations, items, one robot) is supported`);
    }
  }
  return toLayout(buildObjects(env));
}

const WILDCARDS = new Set(["station", "item", "player", "container", "meal"]);

/** Options of `loadLayout`. */
export interface LoadLayoutOptions {
  /** Robotouille's `noisy_randomization` (default false, as in the paper's evaluation). */
  noisy?: boolean;
}

/** Check a seed given by a caller: a non-negative safe integer or a non-negative bigint. */
export function checkSeed(seed: unknown): number | bigint {
  if (typeof seed === "bigint" && seed >= 0n) return seed;
  if (typeof seed === "number" && Number.isSafeInteger(seed) && seed >= 0) return seed;
  throw new UserError(`seed must be a non-negative integer, got ${typeof seed === "string" ? JSON.stringify(seed) : String(seed)}`);
}

/**
 * Parse a seed written by a user (`--seed N`): decimal digits only; beyond 2^53 it becomes a bigint, so
 * every seed Python accepts gives Python's layout.
 */
export function parseSeed(text: string): number | bigint {
  return parseSeedText("seed", String(text));
}

/**
 * The instantiated layout of a task: its default layout (seed null/undefined) or Robotouille's procedural
 * layout for `seed` (bit-exact). `task` is any id `resolveTask` accepts, or the in-context example's
 * training task `synchronous_train/0_cheese_onion_sandwich`.
 */
export function loadLayout(task: string, seed?: number | bigint | null, opts: LoadLayoutOptions = {}): Layout {
  return loadLayoutInfo(task, seed, opts).layout;
}

/**
 * `loadLayout` plus the seed the original generator really used: where generation raises for `seed`,
 * Robotouille silently retries with seed + 1, … (e.g. `cheese_sandwich` seed 420 is generated from 421;
 * 19 of the 100 evaluation pairs of the ten tasks are such). null for the default layout.
 */
export function loadLayoutInfo(
  task: string,
  seed?: number | bigint | null,
  opts: LoadLayoutOptions = {},
): { layout: Layout; effectiveSeed: number | bigint | null } {
  const env = loadEnvironment(loadTaskJson(task));
  if (seed === null || seed === undefined) {
    for (const field of ENTITY_FIELDS) {
      for (const e of (env[field] as Entity[] | undefined) ?? []) {
        if (WILDCARDS.has(e.name)) {
          throw new UserError(`task ${task}: wildcard "${e.name}" in the default layout (the original draws it from an unseeded random)`);
        }
      }
    }
    return { layout: instantiate(env), effectiveSeed: null };
  }
  const { environment, effectiveSeed } = generateEnvironment(env, checkSeed(seed), opts.noisy ?? false);
  return { layout: instantiate(environment), effectiveSeed };
}

// ---------------------------------------------------------------------------------------------------
// Validation of a Layout given as JSON (CLI input, hand-written layouts).

const STATION_IDENTITY = new Set(STATION_KINDS.map((k) => `is${k}`));
const ITEM_UNARY = new Set(PREDICATES.filter((p) => p.types.length === 1 && p.types[0] === "item").map((p) => p.name));
const ARITY = new Map(PREDICATES.map((p) => [p.name, p.types.length]));
const UNIT_DIRECTIONS = ["0,1", "1,0", "0,-1", "-1,0"];

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Check that `obj` is a well-formed, consistent Layout and return a clean copy (only the contract's
 * fields). Every problem is a UserError naming the field and the object, e.g.
 * `invalid layout: items[2] (patty1): "stack-level" must be a non-negative integer`.
 *
 * Consistency rules: names are `<kind><number>` with known kinds and unique; positions are inside the
 * grid; at most one station per tile; exactly one robot, on a floor tile, facing one of the four
 * directions; every item is on a station tile or the robot's tile (at most one there); items on one
 * station have distinct stack levels; predicates are ones the domain allows on that object; goal
 * literals name known predicates with the right number of kind arguments and non-negative integer ids.
 */
export function validateLayout(obj: unknown): Layout {
  const bad = (msg: string): never => {
    throw new UserError(`invalid layout: ${msg}`);
  };
  if (!isObject(obj)) bad("must be a JSON object with width, height, stations, items, players, goal, goal_description");
  const L = obj as Record<string, any>;
  for (const f of ["width", "height"]) if (!isInt(L[f]) || L[f] <= 0) bad(`"${f}" must be a positive integer, got ${JSON.stringify(L[f])}`);
  for (const f of ["stations", "items", "players", "goal"]) if (!Array.isArray(L[f])) bad(`"${f}" must be an array`);
  if (typeof L.goal_description !== "string") bad(`"goal_description" must be a string`);
  const { width, height } = L as { width: number; height: number };

  const names = new Set<string>();
  const entity = (field: string, i: number, e: unknown, kinds: readonly string[]) => {
    if (!isObject(e)) bad(`${field}[${i}] must be an object`);
    const ent = e as Record<string, any>;
    if (typeof ent.name !== "string") bad(`${field}[${i}]: "name" must be a string`);
    const at = `${field}[${i}] (${ent.name})`;
    const m = /^([a-z_]+?)(\d+)$/.exec(ent.name);
    if (!m) bad(`${at}: "name" must be a kind followed by a number, like ${kinds[0]}1`);
    if (!kinds.includes(m![1])) bad(`${at}: unknown kind "${m![1]}" (known: ${kinds.join(", ")})`);
    if (names.has(ent.name)) bad(`${at}: duplicate name "${ent.name}"`);
    names.add(ent.name);
    for (const c of ["x", "y"]) if (!isInt(ent[c])) bad(`${at}: "${c}" must be an integer, got ${JSON.stringify(ent[c])}`);
    if (ent.x < 0 || ent.x >= width || ent.y < 0 || ent.y >= height) bad(`${at}: (${ent.x}, ${ent.y}) is outside the ${width}×${height} grid`);
    if (ent.predicates !== undefined && (!Array.isArray(ent.predicates) || !ent.predicates.every((p: unknown) => typeof p === "string"))) {
      bad(`${at}: "predicates" must be an array of strings`);
    }
    return { ent, at };
  };

  const tiles = new Map<string, string>();
  const stations: LayoutStation[] = L.stations.map((e: unknown, i: number) => {
    const { ent, at } = entity("stations", i, e, STATION_KINDS);
    for (const p of ent.predicates ?? []) if (!STATION_IDENTITY.has(p)) bad(`${at}: predicate "${p}" is not allowed on a station`);
    const key = `${ent.x},${ent.y}`;
    if (tiles.has(key)) bad(`${at}: shares the tile (${key}) with ${tiles.get(key)}`);
    tiles.set(key, ent.name);
    const out: LayoutStation = { name: ent.name, x: ent.x, y: ent.y };
    if (ent.predicates !== undefined) out.predicates = [...ent.predicates];
    return out;
  });

  if (L.players.length !== 1) bad(`"players" must hold exactly one robot, got ${L.players.length}`);
  const { ent: p, at: pAt } = entity("players", 0, L.players[0], PLAYER_KINDS);
  if (p.predicates !== undefined) bad(`${pAt}: players take no "predicates"`);
  if (!Array.isArray(p.direction) || p.direction.length !== 2 || !UNIT_DIRECTIONS.includes(p.direction.join(","))) {
    bad(`${pAt}: "direction" must be one of [0,1], [1,0], [0,-1], [-1,0], got ${JSON.stringify(p.direction)}`);
  }
  if (tiles.has(`${p.x},${p.y}`)) bad(`${pAt}: stands on the tile of ${tiles.get(`${p.x},${p.y}`)}`);
  const players: LayoutPlayer[] = [{ name: p.name, x: p.x, y: p.y, direction: [p.direction[0], p.direction[1]] }];

  const levels = new Map<string, string>();
  let held: string | null = null;
  const items: LayoutItem[] = L.items.map((e: unknown, i: number) => {
    const { ent, at } = entity("items", i, e, ITEM_KINDS);
    if (!isInt(ent["stack-level"]) || ent["stack-level"] < 0) bad(`${at}: "stack-level" must be a non-negative integer`);
    for (const pr of ent.predicates ?? []) if (!ITEM_UNARY.has(pr)) bad(`${at}: predicate "${pr}" is not an item predicate`);
    const key = `${ent.x},${ent.y}`;
    if (tiles.has(key)) {
      const lk = `${key}@${ent["stack-level"]}`;
      if (levels.has(lk)) bad(`${at}: same stack-level ${ent["stack-level"]} as ${levels.get(lk)} on ${tiles.get(key)}`);
      levels.set(lk, ent.name);
    } else if (ent.x === p.x && ent.y === p.y) {
      if (held !== null) bad(`${at}: ${p.name} already holds ${held} (one item per robot)`);
      held = ent.name;
    } else {
      bad(`${at}: (${ent.x}, ${ent.y}) is neither a station tile nor the robot's tile`);
    }
    const out: LayoutItem = { name: ent.name, x: ent.x, y: ent.y, "stack-level": ent["stack-level"] };
    if (ent.predicates !== undefined) out.predicates = [...ent.predicates];
    return out;
  });

  const goal: GoalLiteral[] = L.goal.map((g: unknown, i: number) => {
    if (!isObject(g)) bad(`goal[${i}] must be an object {predicate, args, ids}`);
    const lit = g as Record<string, any>;
    const at = `goal[${i}] (${lit.predicate})`;
    if (typeof lit.predicate !== "string" || !ARITY.has(lit.predicate)) bad(`${at}: unknown predicate ${JSON.stringify(lit.predicate)}`);
    if (!Array.isArray(lit.args) || lit.args.length !== ARITY.get(lit.predicate)) {
      bad(`${at}: "args" must list ${ARITY.get(lit.predicate)} kind(s)`);
    }
    for (const a of lit.args) if (typeof a !== "string" || typeOfKind(a) === null) bad(`${at}: unknown kind ${JSON.stringify(a)} in "args"`);
    if (!Array.isArray(lit.ids) || lit.ids.length !== lit.args.length || !lit.ids.every((id: unknown) => isInt(id) && id >= 0)) {
      bad(`${at}: "ids" must be ${lit.args.length} non-negative integer(s)`);
    }
    return { predicate: lit.predicate, args: [...lit.args], ids: [...lit.ids] };
  });

  return { width, height, stations, items, players, goal, goal_description: L.goal_description };
}
