/**
 * Shared fixtures of the kitchen-engine tests: the recorded test vectors of the original engine
 * (data/testdata, found through testdata.ts), the layouts they run on, and a few hand-instantiated layouts.
 */
import * as fs from "node:fs";
import type { Layout } from "../../lib/kitchen/layout";
import { testdata, testLayouts } from "./testdata";

export interface WalkRecord {
  layout: string;
  walk: number;
  probe?: string;
  t: number;
  observation: string;
  valid_actions: string[];
  action: string | null;
  done: boolean;
}

export interface Episode {
  file: string;
  layout: string;
  name: string;
  records: WalkRecord[];
}

/** Every recorded episode of walks.jsonl, optimal_walks.jsonl and probes.jsonl, in file order. */
export function episodes(): Episode[] {
  const out: Episode[] = [];
  for (const file of ["walks.jsonl", "optimal_walks.jsonl", "probes.jsonl"]) {
    const lines = fs.readFileSync(testdata(file), "utf8").split("\n").filter((l) => l.trim());
    for (const line of lines) {
      const r = JSON.parse(line) as WalkRecord;
      if (r.t === 0) {
        const n = out.filter((e) => e.file === file && e.layout === r.layout).length;
        out.push({ file, layout: r.layout, name: `${file} ${r.layout} #${n}${r.probe ? ` (${r.probe})` : ""}`, records: [] });
      }
      out[out.length - 1].records.push(r);
    }
  }
  return out;
}


/**
 * Rebuild an instantiated layout from an initial observation text (for recorded layouts that
 * layouts.json does not hold, e.g. `0_cheese_sandwich@126`). Positions are synthetic — station k
 * at (2k, 0), the robot on (2r, 1) facing down — which the rules never look at; the object order,
 * stacks, held item and flags are the observation's. The goal comes from another layout of the task.
 */
export function layoutFromObservation(observation: string, goal: Layout["goal"], goalDescription: string): Layout {
  const blocks = observation.split("\n\nValid Actions:\n")[0].split("\n\n").map((b) => b.split("\n"));
  const stations: Layout["stations"] = [];
  const items: Layout["items"] = [];
  const players: Layout["players"] = [];
  const stationX = new Map<string, number>();
  const below = new Map<string, string>();
  const onStation = new Map<string, string>();
  let held: string | null = null;
  let robotAt: string | null = null;
  const flagLines: Record<string, string> = {
    "can be fried in a fryer": "isfryable",
    "can be fried in a fryer after being cut": "isfryableifcut",
    "is fried": "isfried",
    "can be cooked on a stove": "iscookable",
    "is cooking": "iscooking",
    "is cooked": "iscooked",
    "can be cut on a cutting board": "iscuttable",
    "is cut": "iscut",
  };
  const itemFlags = new Map<string, string[]>();
  for (const [header, ...lines] of blocks) {
    const [, type, name] = /^(Station|Item|Player) (\w+):$/.exec(header)!;
    if (type === "Station") {
      stationX.set(name, 2 * stations.length);
      stations.push({ name, x: 2 * stations.length, y: 0 });
    } else if (type === "Item") {
      const flags: string[] = [];
      for (const line of lines) {
        const rest = line.slice(name.length + 1);
        if (flagLines[rest]) flags.push(flagLines[rest]);
        let m = /^is directly on top of (\w+)$/.exec(rest);
        if (m) (/^(table|stove|board|fryer|sink)\d+$/.test(m[1]) ? onStation : below).set(name, m[1]);
        m = /^is held by (\w+)$/.exec(rest);
        if (m) held = name;
      }
      itemFlags.set(name, flags);
      items.push({ name, x: -1, y: -1, "stack-level": 0 });
    } else {
      for (const line of lines) {
        const m = /^\w+ is at (\w+)$/.exec(line);
        if (m) robotAt = m[1];
      }
      players.push({ name, x: -1, y: -1, direction: [0, -1] });
    }
  }
  const rx = robotAt ? stationX.get(robotAt)! : 2 * stations.length;
  players[0].x = rx;
  players[0].y = 1;
  for (const it of items) {
    const flags = itemFlags.get(it.name)!;
    if (flags.length) it.predicates = flags;
    if (it.name === held) {
      it.x = rx;
      it.y = 1;
      continue;
    }
    let level = 0;
    let cur = it.name;
    while (below.has(cur)) {
      cur = below.get(cur)!;
      level++;
    }
    const st = onStation.get(cur);
    it.x = st ? stationX.get(st)! : 99;
    it.y = st ? 0 : 99;
    it["stack-level"] = level;
  }
  return { width: 2 * stations.length + 1, height: 2, stations, items, players, goal, goal_description: goalDescription };
}

/** The layouts every recorded episode runs on (layouts.json, plus rebuilt ones for the rest). */
export function episodeLayouts(): Record<string, Layout> {
  const layouts = testLayouts();
  for (const ep of episodes()) {
    if (layouts[ep.layout]) continue;
    const task = ep.layout.split("@")[0];
    const sibling = Object.keys(layouts).find((k) => k.startsWith(task + "@"));
    if (!sibling) throw new Error(`no layout of ${task} to take the goal from`);
    layouts[ep.layout] = layoutFromObservation(ep.records[0].observation, layouts[sibling].goal, layouts[sibling].goal_description);
  }
  return layouts;
}

/**
 * `synchronous/1_lettuce_sandwich` default, instantiated by hand from the task JSON (checked against
 * the original builder): its last goal literal is written `atop(bread#4, cheese#3)`.
 */
export const LETTUCE_SANDWICH: Layout = {
  width: 5,
  height: 5,
  stations: [
    { name: "table1", x: 0, y: 1 },
    { name: "table2", x: 0, y: 3 },
    { name: "board1", x: 2, y: 1 },
    { name: "table3", x: 2, y: 3 },
    { name: "table4", x: 3, y: 3 },
  ],
  items: [
    { name: "bread1", x: 0, y: 1, "stack-level": 0 },
    { name: "bread2", x: 0, y: 3, "stack-level": 0 },
    { name: "lettuce1", x: 2, y: 3, "stack-level": 0, predicates: ["iscuttable"] },
  ],
  players: [{ name: "robot1", x: 0, y: 2, direction: [0, -1] }],
  goal: [
    { predicate: "item_on", args: ["bread", "table"], ids: [1, 2] },
    { predicate: "iscut", args: ["lettuce"], ids: [3] },
    { predicate: "atop", args: ["lettuce", "bread"], ids: [3, 1] },
    { predicate: "atop", args: ["bread", "cheese"], ids: [4, 3] },
  ],
  goal_description: "Prepare a lettuce sandwich on a table",
};

/**
 * A small workshop layout for the action and effect tests: a row of stations, the robot at table1
 * (holding nothing), items with the flags the tests need.
 *
 *   table1: bread1 ← cheese1 (cheese1 on top)   board1: lettuce1 (cuttable)   stove1: patty1 (cookable)
 *   stove2: —   table2: onion1 (cuttable, fryable-if-cut)   fryer1: —   table3: potato1 (fryable, cuttable)
 */
export const WORKSHOP: Layout = {
  width: 15,
  height: 2,
  stations: [
    { name: "table1", x: 0, y: 0 },
    { name: "board1", x: 2, y: 0 },
    { name: "stove1", x: 4, y: 0 },
    { name: "stove2", x: 6, y: 0 },
    { name: "table2", x: 8, y: 0 },
    { name: "fryer1", x: 10, y: 0 },
    { name: "table3", x: 12, y: 0 },
  ],
  items: [
    { name: "bread1", x: 0, y: 0, "stack-level": 0 },
    { name: "cheese1", x: 0, y: 0, "stack-level": 1 },
    { name: "lettuce1", x: 2, y: 0, "stack-level": 0, predicates: ["iscuttable"] },
    { name: "patty1", x: 4, y: 0, "stack-level": 0, predicates: ["iscookable"] },
    { name: "onion1", x: 8, y: 0, "stack-level": 0, predicates: ["iscuttable", "isfryableifcut"] },
    { name: "potato1", x: 12, y: 0, "stack-level": 0, predicates: ["isfryable", "iscuttable"] },
  ],
  players: [{ name: "robot1", x: 0, y: 1, direction: [0, -1] }],
  goal: [
    { predicate: "item_on", args: ["bread", "table"], ids: [1, 2] },
    { predicate: "atop", args: ["lettuce", "bread"], ids: [3, 1] },
    { predicate: "iscut", args: ["lettuce"], ids: [3] },
  ],
  goal_description: "Put cut lettuce on bread",
};
