/**
 * Robotouille's procedural layout generator, ported bit for bit from the original
 * (`environments/env_generator/procedural_generator.py` on the `release` branch, MIT; read, not copied):
 * `randomizeEnvironment(json, seed, noisy)` is `randomize_environment`, and `generateEnvironment`
 * adds the retry loop of `robotouille_env._procedurally_generate` (a seed whose generation raises is
 * replaced by seed + 1, silently). Every draw from the CPython `random` port (pyrandom.ts) happens in
 * the original's order, and every list is walked in the original's order, so a seed gives exactly the
 * original's layout; test/kitchen-data-generator.test.ts checks thousands of them against recordings of
 * the original.
 *
 * The functions mirror the Python ones one to one (same names in camelCase) and keep its reference
 * semantics: entities are mutable objects shared between lists exactly where Python shares them, and
 * `deepcopy` is `structuredClone` (which, like Python's deepcopy, preserves aliasing inside one copy).
 * `list.index` compares by value, as Python's does. Where Python raises (an `assert`, `random.choice`
 * on an empty list, `[0]` of an empty list), the port throws `GenerationFailed`.
 *
 * Input: a task JSON in the original's shape, already sorted the way `builder.load_environment` sorts it
 * (see `loadEnvironment` in instantiate.ts). Output: the randomized task JSON in the same shape,
 * including the original's `force_add` / `frozen` tags; instantiate.ts turns it into a `Layout`.
 */
import { UserError } from "../util/errors";
import { PyRandom } from "./pyrandom";

/** `object_enums.Station` in enum order (the order `random.choice(list(Station))` draws from). */
export const STATION_ENUM = ["board", "stove", "table", "fryer", "sink"] as const;
/** `object_enums.Item` in enum order. */
export const ITEM_ENUM = ["bottombun", "lettuce", "patty", "topbun", "bread", "cheese", "tomato", "onion", "chicken", "potato"] as const;

export const FORCE_ADD_TAG = "force_add";
export const FROZEN_TAG = "frozen";
const STATION_WILDCARD = "station";
const ITEM_WILDCARD = "item";
const DIRECTIONS: [number, number][] = [
  [0, 1],
  [1, 0],
  [0, -1],
  [-1, 0],
];

/** Place a grouped entity at (x, y), tagged as the original tags the groups it places: frozen, force-added. */
function pinAt(e: Entity, x: number, y: number): void {
  e.x = x;
  e.y = y;
  e[FROZEN_TAG] = true;
  e[FORCE_ADD_TAG] = true;
}

/** An entity dict of the task JSON (`name`, `x`, `y`, optional `stack-level`, `predicates`, `direction`, tags). */
export type Entity = { name: string; x: number; y: number; [key: string]: any };

/** A task JSON (environments/env_generator/examples/**.json), loosely typed as the original treats it. */
export interface EnvironmentJson {
  width: number;
  height: number;
  stations: Entity[];
  items: Entity[];
  players: Entity[];
  containers?: Entity[];
  meals?: Entity[];
  goal: { predicate: string; args: string[]; ids: (number | string)[] }[];
  goal_description: string;
  [key: string]: any;
}

/** The four tiles next to (x, y) in the original's order — (x, y+1), (x, y−1), (x+1, y), (x−1, y) — which decides which tile wins. */
function neighbours(x: number, y: number): [number, number][] {
  return [
    [x, y + 1],
    [x, y - 1],
    [x + 1, y],
    [x - 1, y],
  ];
}

/** The original raised inside `randomize_environment`; `_procedurally_generate` then tries seed + 1. */
export class GenerationFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GenerationFailed";
  }
}

const deepcopy = <T>(x: T): T => structuredClone(x);

/** Python `==` on JSON-like values (dicts compare by keys and values, lists elementwise). */
function pyEqual(a: any, b: any): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((v, i) => pyEqual(v, b[i]));
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEqual(a[k], b[k]));
}

/** Python `list.index(x)`. */
function pyIndex(list: any[], x: any): number {
  for (let i = 0; i < list.length; i++) if (list[i] === x || pyEqual(list[i], x)) return i;
  throw new GenerationFailed("ValueError: list.index(x): x not in list");
}

/** Python `seq[0]` on a list that may be empty (IndexError). */
function first<T>(list: T[]): T {
  if (list.length === 0) throw new GenerationFailed("IndexError: list index out of range");
  return list[0];
}

function choice<T>(rng: PyRandom, seq: readonly T[]): T {
  if (seq.length === 0) throw new GenerationFailed("IndexError: Cannot choose from an empty sequence");
  return rng.choice(seq);
}

const samePos = (a: { x: number; y: number }, b: { x: number; y: number }) => a.x === b.x && a.y === b.y;

class Generator {
  constructor(readonly rng: PyRandom) {}

  /** `_generate_random_objects`: distractor stations and items (no containers, no players). */
  generateRandomObjects(width: number, height: number): { stations: Entity[]; items: Entity[] } {
    const r = this.rng;
    const numStations = r.randrange(0, width * height);
    let stations: Entity[] = [];
    for (let i = 0; i < numStations; i++) {
      const x = r.randrange(0, width);
      const y = r.randrange(0, height);
      stations.push({ name: STATION_WILDCARD, x, y });
    }
    stations = this.applyLambdas(stations, [(s) => this.updateStationName(s)]);
    const numItems = r.randrange(0, numStations + 1);
    let items: Entity[] = [];
    for (let i = 0; i < numItems; i++) {
      const x = choice(r, stations).x;
      const y = choice(r, stations).y;
      items.push({ name: ITEM_WILDCARD, x, y, "stack-level": 0 });
    }
    items = this.applyLambdas(items, [(it) => this.updateItemName(it)]);
    return { stations, items };
  }

  /** `_apply_lambdas`: deep-copy the list, then apply every function to every element in order. */
  applyLambdas(iterables: Entity[], lambdas: ((e: Entity) => void)[]): Entity[] {
    const copy = deepcopy(iterables);
    for (const it of copy) for (const f of lambdas) f(it);
    return copy;
  }

  /** `_update_station_name`: a wildcard station becomes a random station kind. */
  updateStationName(station: Entity): void {
    if (station.name !== STATION_WILDCARD) return;
    station.name = choice(this.rng, STATION_ENUM);
  }

  /** `_update_item_name`: a wildcard item becomes a random kind (cookable / cuttable flags by kind). */
  updateItemName(item: Entity): void {
    if (item.name !== ITEM_WILDCARD) return;
    const kind = choice(this.rng, ITEM_ENUM);
    item.name = kind;
    if (kind === "patty" || kind === "chicken") item.predicates = ["iscookable"];
    else if (kind === "lettuce" || kind === "onion" || kind === "tomato") item.predicates = ["iscuttable"];
  }

  /** `_randomize_and_tag_objects`: the task's own objects at random positions, tagged force_add. */
  randomizeAndTagObjects(env: EnvironmentJson) {
    const r = this.rng;
    const { width, height } = env;
    const randomizePosition = (o: Entity) => {
      o.x = r.randrange(0, width);
      o.y = r.randrange(0, height);
    };
    const setMustAdd = (o: Entity) => {
      o[FORCE_ADD_TAG] = true;
    };
    const randomizeDirection = (o: Entity) => {
      o.direction = [...choice(r, DIRECTIONS)];
    };
    const stations = this.applyLambdas(env.stations ?? [], [randomizePosition, setMustAdd, (s) => this.updateStationName(s)]);
    const items = this.applyLambdas(env.items ?? [], [randomizePosition, setMustAdd, (i) => this.updateItemName(i)]);
    const containers = this.applyLambdas(env.containers ?? [], [randomizePosition, setMustAdd]);
    const players = this.applyLambdas(env.players ?? [], [randomizePosition, randomizeDirection, setMustAdd]);
    return { stations, items, containers, players };
  }

  /** `_group_objects`: each station with its items, an adjacent player and what that player holds. */
  groupObjects(env: EnvironmentJson) {
    const groups: { station: Entity; player: Entity | null; station_items: Entity[] | null; player_item?: Entity | null }[] = [];
    for (const station of env.stations) {
      const { x, y } = station;
      const around = neighbours(x, y);
      const adjacent = env.players.filter((p) => around.some(([px, py]) => p.x === px && p.y === py));
      const stationItems = env.items.filter((i) => i.x === x && i.y === y);
      const group: (typeof groups)[number] = {
        station,
        player: adjacent.length !== 0 ? adjacent[0] : null,
        station_items: stationItems.length !== 0 ? stationItems : null,
      };
      if (group.player) {
        const held = env.items.filter((i) => i.x === group.player!.x && i.y === group.player!.y);
        group.player_item = held.length !== 0 ? held[0] : null;
      }
      groups.push(group);
    }
    return groups;
  }

  /** `_randomize_and_freeze_objects` (noisy randomization): move each station group as a frozen unit. */
  randomizeAndFreezeObjects(env: EnvironmentJson) {
    const r = this.rng;
    const next = deepcopy(env);
    const groups = this.groupObjects(next);
    const { width, height } = env;
    const inBounds = ([x, y]: [number, number]) => x >= 0 && x < width && y >= 0 && y < height;
    let reachable = false;
    let filled = false;
    while (!reachable || !filled) {
      next.stations = [];
      next.items = [];
      next.players = [];
      const positions: [number, number][] = [];
      for (let x = 0; x < width; x++) for (let y = 0; y < height; y++) positions.push([x, y]);
      r.shuffle(positions);
      for (const group of groups) {
        const station = group.station;
        const popped = positions.pop();
        if (!popped) throw new GenerationFailed("IndexError: pop from empty list");
        const [x, y] = popped;
        let candidates: [number, number][] = [[x, y]];
        if (group.player) candidates.push([x, y + 1], [x, y - 1], [x + 1, y], [x - 1, y]);
        candidates = candidates.filter(inBounds);
        const taken = [...next.stations, ...next.players];
        candidates = candidates.filter(([px, py]) => !taken.some((o) => o.x === px && o.y === py));
        if (candidates.length === 0 || !candidates.some(([px, py]) => px === x && py === y)) break;
        if (group.player && candidates.length === 1) break;
        if (station.name === STATION_WILDCARD) this.updateStationName(station);
        pinAt(station, x, y);
        next.stations.push(station);
        if (group.station_items) {
          for (const item of group.station_items) {
            if (item.name === ITEM_WILDCARD) this.updateItemName(item);
            pinAt(item, x, y);
            next.items.push(item);
          }
        }
        if (group.player) {
          const player = group.player;
          const [px, py] = choice(r, candidates.slice(1));
          pinAt(player, px, py);
          player.direction = [x - px, y - py];
          next.players.push(player);
          if (group.player_item) {
            const item = group.player_item;
            if (item.name === ITEM_WILDCARD) this.updateItemName(item);
            pinAt(item, player.x, player.y);
            next.items.push(item);
          }
        }
      }
      filled = next.stations.length === groups.length;
      reachable = areStationsReachable(next);
    }
    return { stations: next.stations, items: next.items, players: next.players };
  }

  /** `_randomly_add_stations`. */
  randomlyAddStations(env: EnvironmentJson, stations: Entity[], players: Entity[]): EnvironmentJson {
    const updated = deepcopy(env);
    const frozenPlayers = players.filter((p) => p[FROZEN_TAG]);
    for (const station of stations) {
      const conflicting = [...updated.stations, ...frozenPlayers].filter((o) => samePos(o, station));
      if (station[FORCE_ADD_TAG]) {
        let forceAdded = false;
        if (conflicting.length && !conflicting[0][FORCE_ADD_TAG]) {
          // Replace the conflicting (not force-added) station.
          const idx = pyIndex(updated.stations, conflicting[0]);
          station.x = conflicting[0].x;
          station.y = conflicting[0].y;
          updated.stations[idx] = station;
          forceAdded = true;
        } else if (!conflicting.length) {
          const copy = deepcopy(updated);
          copy.stations.push(station);
          if (areStationsReachable(copy)) {
            updated.stations.push(station);
            forceAdded = true;
          }
        }
        if (!forceAdded) {
          // Force add failed: replace a random replaceable (not force-added) station.
          const replaceable = updated.stations.filter((s) => s[FORCE_ADD_TAG] === undefined);
          if (!replaceable.length) throw new GenerationFailed("AssertionError: No replaceable stations found");
          const victim = choice(this.rng, replaceable);
          const idx = pyIndex(updated.stations, victim);
          station.x = victim.x;
          station.y = victim.y;
          updated.stations[idx] = station;
        }
      } else if (!conflicting.length) {
        const copy = deepcopy(updated);
        copy.stations.push(station);
        copy.players = players; // the (future) player positions count for reachability
        if (areStationsReachable(copy)) updated.stations.push(station);
      }
    }
    return updated;
  }

  /** `_randomly_add_players`: the player goes next to the first station from which all are reachable. */
  randomlyAddPlayers(env: EnvironmentJson, players: Entity[]): EnvironmentJson {
    const player: Entity = { ...first(players) }; // dict.copy(): shallow
    const updated = deepcopy(env);
    const { width, height } = updated;
    let added = false;
    for (const station of updated.stations) {
      if (added) break;
      const { x, y } = station;
      const around = neighbours(x, y);
      for (const [px, py] of around) {
        if (!(px >= 0 && px < width && py >= 0 && py < height)) continue;
        if (updated.stations.some((s) => s.x === px && s.y === py)) continue;
        const copy = deepcopy(updated);
        player.x = px;
        player.y = py;
        player.direction = [x - px, y - py];
        copy.players.push(player);
        if (areStationsReachable(copy)) {
          updated.players.push(player);
          added = true;
          break;
        }
      }
    }
    return updated;
  }

  /** `_randomly_add_items`: one item per station (or on the player); force-added items always end up placed. */
  randomlyAddItems(env: EnvironmentJson, items: Entity[]): EnvironmentJson {
    const updated = deepcopy(env);
    const candidates = [...updated.stations, ...updated.players];
    for (const item of items) {
      const matched = candidates.filter((o) => samePos(o, item));
      const conflicting = updated.items.filter((o) => samePos(o, item));
      if (matched.length && !conflicting.length && (item[FROZEN_TAG] || matched[0][FROZEN_TAG] === undefined)) {
        updated.items.push(item);
      } else if (item[FORCE_ADD_TAG]) {
        if (item[FROZEN_TAG]) {
          updated.items.push(item);
        } else if (matched.length && conflicting.length && !conflicting[0][FORCE_ADD_TAG]) {
          const idx = pyIndex(updated.items, conflicting[0]);
          item.x = conflicting[0].x;
          item.y = conflicting[0].y;
          updated.items[idx] = item;
        } else {
          // Place on the first free candidate, or replace the first replaceable item.
          let added = false;
          for (const candidate of candidates) {
            const occupied = updated.items.filter((o) => samePos(o, candidate));
            if (occupied.length === 0 && candidate[FROZEN_TAG] === undefined) {
              item.x = candidate.x;
              item.y = candidate.y;
              updated.items.push(item);
              added = true;
              break;
            } else if (first(occupied)[FORCE_ADD_TAG] === undefined) {
              const idx = pyIndex(updated.items, occupied[0]);
              item.x = occupied[0].x;
              item.y = occupied[0].y;
              updated.items[idx] = item;
              added = true;
              break;
            }
          }
          if (!added) throw new GenerationFailed("AssertionError: Item force add failed");
        }
      }
    }
    // No random stacks: every item that is not frozen gets stack-level 0.
    updated.items = this.applyLambdas(updated.items, [
      (o) => {
        if (!o[FROZEN_TAG]) o["stack-level"] = 0;
      },
    ]);
    return updated;
  }

  /** `_randomly_add_objects`: stations, then the player, then items, then containers. */
  randomlyAddObjects(env: EnvironmentJson, stations: Entity[], items: Entity[], containers: Entity[], players: Entity[]) {
    let next = deepcopy(env);
    next = this.randomlyAddStations(next, stations, players);
    next = this.randomlyAddPlayers(next, players);
    next = this.randomlyAddItems(next, items);
    if (containers.length) {
      throw new UserError("the procedural generator port does not support containers (soup tasks); the synchronous tasks have none");
    }
    next = deepcopy(next); // _randomly_add_containers copies too
    return next;
  }

  /** `randomize_environment`. */
  randomizeEnvironment(env: EnvironmentJson, noisy: boolean): EnvironmentJson {
    const next = deepcopy(env);
    next.stations = [];
    next.items = [];
    next.containers = [];
    next.players = [];
    const { width, height } = next;
    let { stations, items } = this.generateRandomObjects(width, height);
    let containers: Entity[] = [];
    let players: Entity[] = [];
    if (noisy) {
      const existing = this.randomizeAndFreezeObjects(env);
      stations = [...existing.stations, ...stations];
      items = [...existing.items, ...items];
      players = [...existing.players, ...players];
    } else {
      const existing = this.randomizeAndTagObjects(env);
      stations = [...stations, ...existing.stations];
      items = [...items, ...existing.items];
      containers = [...containers, ...existing.containers];
      players = [...players, ...existing.players];
    }
    return this.randomlyAddObjects(next, stations, items, containers, players);
  }
}

/** `_build_station_layout`: rows top to bottom (y flipped); a station cell is `{reachable}`. */
type Cell = false | true | { reachable: boolean };

function buildStationLayout(width: number, height: number, stations: Entity[]): Cell[][] {
  const layout: Cell[][] = Array.from({ length: height }, () => new Array<Cell>(width).fill(false));
  for (const s of stations) {
    const row = height - s.y - 1;
    if (row < 0 || row >= height || s.x < 0 || s.x >= width) throw new GenerationFailed("IndexError: station outside the grid");
    layout[row][s.x] = { reachable: false };
  }
  return layout;
}

function findEmptyCell(layout: Cell[][]): [number, number] | null {
  for (let y = 0; y < layout.length; y++) for (let x = 0; x < layout[y].length; x++) if (layout[y][x] === false) return [x, y];
  return null;
}

/** `_get_reachable_station_count`: BFS over empty cells from `start`, counting the stations it touches. */
function reachableStationCount(layout: Cell[][], start: [number, number]): number {
  const width = layout[0].length;
  const height = layout.length;
  const queue: [number, number][] = [start];
  let head = 0;
  let count = 0;
  while (head < queue.length) {
    const [x, y] = queue[head++];
    if (x < 0 || x >= width || y < 0 || y >= height) continue;
    const cell = layout[y][x];
    if (cell === false) {
      layout[y][x] = true;
      queue.push([x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]);
    } else if (typeof cell === "object" && cell.reachable === false) {
      cell.reachable = true;
      count++;
    }
  }
  for (const row of layout) for (const cell of row) if (typeof cell === "object") cell.reachable = false;
  return count;
}

/**
 * `_are_stations_reachable`: with a player, can it reach every station from its tile; without one,
 * does some connected region of empty tiles touch every station.
 */
export function areStationsReachable(env: { width: number; height: number; stations: Entity[]; players: Entity[] }): boolean {
  const { width, height, stations, players } = env;
  const layout = buildStationLayout(width, height, stations);
  if (players.length) {
    const p = players[0];
    return reachableStationCount(layout, [p.x, height - p.y - 1]) === stations.length;
  }
  for (let cell = findEmptyCell(layout); cell !== null; cell = findEmptyCell(layout)) {
    if (reachableStationCount(layout, cell) === stations.length) return true;
  }
  return false;
}

function checkSeed(seed: number | bigint): void {
  const ok = typeof seed === "bigint" ? seed >= 0n : Number.isSafeInteger(seed) && seed >= 0;
  if (!ok) throw new UserError(`seed must be a non-negative integer, got ${String(seed)}`);
}

/**
 * `procedural_generator.randomize_environment(json, seed, noisy)`: one attempt. Throws
 * `GenerationFailed` where the original raises. `env` must already be sorted as
 * `builder.load_environment` sorts it; it is not modified.
 */
export function randomizeEnvironment(env: EnvironmentJson, seed: number | bigint, noisy = false): EnvironmentJson {
  checkSeed(seed);
  return new Generator(new PyRandom(seed)).randomizeEnvironment(env, noisy);
}

/**
 * `robotouille_env._procedurally_generate`: `randomizeEnvironment` with seed, seed + 1, … until one
 * succeeds (as the original does; e.g. `0_cheese_sandwich` with seed 420 really uses seed 421).
 * Returns the randomized JSON and the seed that produced it.
 */
export function generateEnvironment(
  env: EnvironmentJson,
  seed: number | bigint,
  noisy = false,
  maxAttempts = 1000,
): { environment: EnvironmentJson; effectiveSeed: number | bigint } {
  checkSeed(seed);
  let s = seed;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      return { environment: randomizeEnvironment(env, s, noisy), effectiveSeed: s };
    } catch (e) {
      if (!(e instanceof GenerationFailed)) throw e;
      s = typeof s === "bigint" ? s + 1n : Number.isSafeInteger(s + 1) ? s + 1 : BigInt(s) + 1n;
    }
  }
  throw new UserError(`the procedural generator failed for seeds ${String(seed)}…${String(s)}`);
}
