/**
 * Parse an observation text (notes/kitchen-engine.md) back into a small relational scene: objects with
 * their kind and unary properties, the stack on every station, where the robot is and what it holds,
 * the goal sentence. This reads the *text* only — the learned policy sees exactly what an LLM agent sees.
 *
 * The parse is generic over the text format, not over the tasks: an object's kind is its name with the
 * trailing digits removed (the engine's own rule), a unary property is any line about one object that
 * names no other object ("patty1 is cooked"), and the stacks come from the "is directly on top of" /
 * "is held by" / "is at" relations. Nothing here knows what a burger is.
 */

export interface SceneObject {
  name: string;
  /** "Station" | "Item" | "Player" | "Container" | "Meal" (the block header). */
  type: string;
  /** Name without trailing digits: `patty2` → `patty`. */
  kind: string;
  /** Unary properties that carry state ("is cooked", "can be cut on a cutting board"), sorted. */
  flags: string[];
}

export interface Scene {
  objects: Map<string, SceneObject>;
  /** Station → items bottom → top (empty array for an empty station). Stations in text order. */
  stacks: Map<string, string[]>;
  /** Item → the station its stack stands on (absent for a held item). */
  stationOf: Map<string, string>;
  /** Item → index in its stack (0 = bottom). */
  level: Map<string, number>;
  robot: string | null;
  robotAt: string | null;
  held: string | null;
  goal: string;
}

const HEADER = /^(Station|Item|Player|Container|Meal) (\S+):$/;

/**
 * Unary lines that only restate structure the scene already holds (stack tops, empty stations, free
 * hands, identity): kept out of `flags` so an object's descriptor is its kind plus its *state*.
 */
const STRUCTURAL = new Set(["has nothing above it", "has nothing on it", "has no players at it", "is holding nothing", "has nothing inside it"]);

export function kindOf(name: string): string {
  return name.replace(/\d+$/, "");
}

/** Parse the observation text. Lines it does not understand are ignored (e.g. an error-feedback prefix). */
export function parseScene(text: string): Scene {
  const lines = text.split("\n");
  const objects = new Map<string, SceneObject>();
  for (const line of lines) {
    const m = HEADER.exec(line);
    if (m) objects.set(m[2], { name: m[2], type: m[1], kind: kindOf(m[2]), flags: [] });
  }
  const below = new Map<string, string>(); // x → what x is directly on top of
  const stationOf = new Map<string, string>();
  let robot: string | null = null;
  let robotAt: string | null = null;
  let held: string | null = null;
  let goal = "";
  let current: SceneObject | null = null;
  let inActions = false;
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line === "") {
      current = null;
      inActions = false;
      continue;
    }
    if (line.startsWith("Goal: ")) {
      goal = line.slice(6).trim();
      continue;
    }
    if (line === "Valid Actions:") {
      inActions = true;
      continue;
    }
    if (inActions) continue;
    const h = HEADER.exec(line);
    if (h) {
      current = objects.get(h[2]) ?? null;
      if (current && current.type === "Player") robot = current.name;
      continue;
    }
    if (!current || !line.startsWith(current.name + " ")) continue;
    const subj = current.name;
    const rest = line.slice(subj.length + 1);
    const words = rest.split(" ");
    const others = words.filter((w) => objects.has(w) && w !== subj);
    if (others.length === 0) {
      if (/^is an? /.test(rest) || STRUCTURAL.has(rest)) continue;
      current.flags.push(rest);
      continue;
    }
    const other = others[others.length - 1];
    if (current.type === "Item") {
      if (rest === `is directly on top of ${other}`) below.set(subj, other);
      else if (rest === `is at ${other}`) stationOf.set(subj, other);
      else if (rest === `is held by ${other}`) held = subj;
    } else if (current.type === "Player") {
      if (rest === `is at ${other}`) robotAt = other;
      else if (rest === `is holding ${other}`) held = other;
    }
  }
  for (const o of objects.values()) o.flags.sort();

  // Stacks: bottom = the item directly on top of the station, then follow "directly on top of" upwards.
  const above = new Map<string, string>();
  for (const [x, y] of below) above.set(y, x);
  const stacks = new Map<string, string[]>();
  const level = new Map<string, number>();
  for (const o of objects.values()) {
    if (o.type !== "Station") continue;
    const stack: string[] = [];
    let cur = above.get(o.name);
    while (cur !== undefined && stack.length < 64) {
      level.set(cur, stack.length);
      stack.push(cur);
      stationOf.set(cur, o.name);
      cur = above.get(cur);
    }
    stacks.set(o.name, stack);
  }
  return { objects, stacks, stationOf, level, robot, robotAt, held, goal };
}
