/**
 * Property tests of the kitchen engine (fast-check): random walks on every test layout never crash,
 * every listed action steps, the done flag agrees with an independent goal oracle, invalid actions
 * change nothing, clones are independent, and the state key determines the observation.
 */
import test from "ava";
import fc from "fast-check";
import { Kitchen, InvalidActionError } from "../lib/kitchen/kitchen";
import type { Layout } from "../lib/kitchen/layout";
import { LETTUCE_SANDWICH, WORKSHOP, episodeLayouts, episodes } from "./helpers/kitchenFixtures";

/** The recorded layouts, the lettuce sandwich, and the workshop under a few loose goals (often met). */
const LAYOUTS: Record<string, Layout> = {
  ...episodeLayouts(),
  lettuce_sandwich: LETTUCE_SANDWICH,
  workshop: WORKSHOP,
  "workshop/loose": {
    ...WORKSHOP,
    goal: [
      { predicate: "item_at", args: ["cheese", "table"], ids: [1, 2] },
      { predicate: "clear", args: ["cheese"], ids: [1] },
    ],
  },
  "workshop/collision": {
    ...WORKSHOP,
    goal: [
      { predicate: "item_on", args: ["lettuce", "board"], ids: [1, 2] },
      { predicate: "clear", args: ["cheese"], ids: [1] }, // cheese#1 is lettuce#1
    ],
  },
  "workshop/robot": {
    ...WORKSHOP,
    goal: [
      { predicate: "has_item", args: ["robot", "bread"], ids: [1, 2] },
      { predicate: "loc", args: ["robot", "table"], ids: [1, 3] },
      { predicate: "station_empty", args: ["table"], ids: [4] },
    ],
  },
};
const NAMES = Object.keys(LAYOUTS);

/** Goal-reaching plans (the recorded optimal walks), replayed as walk prefixes so walks reach goals. */
const PLANS: Record<string, string[]> = {};
for (const ep of episodes()) {
  if (ep.file === "optimal_walks.jsonl") PLANS[ep.layout] = ep.records.filter((r) => r.action).map((r) => r.action!);
}

/** A walk: a layout, a prefix of its plan (if any), then choices (each modulo the number of valid actions). */
const walk = fc.record({
  layout: fc.constantFrom(...NAMES),
  prefix: fc.nat({ max: 30 }),
  choices: fc.array(fc.nat({ max: 1000 }), { maxLength: 60 }),
});

function start(layout: string, prefix: number): Kitchen {
  const k = Kitchen.fromLayout(LAYOUTS[layout]);
  for (const a of (PLANS[layout] ?? []).slice(0, prefix)) k.step(a);
  return k;
}

function play(layout: string, prefix: number, choices: number[], each?: (k: Kitchen) => void): Kitchen {
  const k = start(layout, prefix);
  for (const c of choices) {
    each?.(k);
    const valid = k.validActions();
    k.step(valid[c % valid.length]);
  }
  return k;
}

// ---------------------------------------------------------------------------------------------
// An independent goal oracle: the original's explicit disjunction (builder.build_goal) over the
// ground atoms read back from the observation text.

function atomsOf(observation: string): Set<string> {
  const atoms = new Set<string>();
  const blocks = observation.split("\n\nValid Actions:\n")[0].split("\n\n");
  for (const b of blocks) {
    const [header, ...lines] = b.split("\n");
    const [, type, name] = /^(\w+) (\w+):$/.exec(header)!;
    for (const line of lines) {
      const rest = line.slice(name.length + 1);
      let m: RegExpExecArray | null;
      if ((m = /^is an? ([\w ]+)$/.exec(rest))) atoms.add(`is${name.replace(/\d+$/, "")}(${name})`);
      if (type === "Station") {
        if ((m = /^has (\w+) directly on top of it$/.exec(rest))) atoms.add(`item_on(${m[1]},${name})`);
        if (rest === "has nothing on it") atoms.add(`station_empty(${name})`);
        if (rest === "has no players at it") atoms.add(`vacant(${name})`);
      } else if (type === "Item") {
        const flag: Record<string, string> = { "is cut": "iscut", "is cooked": "iscooked", "is cooking": "iscooking" };
        if (flag[rest]) atoms.add(`${flag[rest]}(${name})`);
        if ((m = /^is at (\w+)$/.exec(rest))) atoms.add(`item_at(${name},${m[1]})`);
        if ((m = /^is directly on top of (\w+)$/.exec(rest)) && !/^(table|board|stove|fryer|sink)\d/.test(m[1])) {
          atoms.add(`atop(${name},${m[1]})`);
        }
        if (rest === "has nothing above it") atoms.add(`clear(${name})`);
      } else {
        if ((m = /^is at (\w+)$/.exec(rest))) atoms.add(`loc(${name},${m[1]})`);
        if (rest === "is holding nothing") atoms.add(`nothing(${name})`);
        else if ((m = /^is holding (\w+)$/.exec(rest))) atoms.add(`has_item(${name},${m[1]})`);
      }
    }
  }
  return atoms;
}

function permutations<T>(xs: T[], k: number): T[][] {
  if (k === 0) return [[]];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)], k - 1)) out.push([x, ...rest]);
  });
  return out;
}

/** `build_goal` + `is_goal_reached`, transcribed literally. */
function oracleDone(layout: Layout, observation: string): boolean {
  const atoms = atomsOf(observation);
  const fields: Record<string, string[]> = {
    station: layout.stations.map((s) => s.name),
    item: layout.items.map((s) => s.name),
    player: layout.players.map((s) => s.name),
  };
  const fieldOf = (kind: string) =>
    /^(table|stove|board|fryer|sink)$/.test(kind) ? "station" : kind === "robot" ? "player" : "item";
  const combination = new Map<string, { entities: string[]; ids: string[] }>();
  for (const g of layout.goal) {
    g.args.forEach((kind, k) => {
      if (!combination.has(kind)) {
        combination.set(kind, { entities: fields[fieldOf(kind)].filter((n) => n.includes(kind)), ids: [] });
      }
      const id = String(g.ids[k]);
      if (!combination.get(kind)!.ids.includes(id)) combination.get(kind)!.ids.push(id);
    });
  }
  const idOrder: string[] = [];
  let product: string[][] = [[]];
  for (const [kind, { entities, ids }] of combination) {
    idOrder.push(...ids);
    const pool = entities.length ? entities : ids.map((_, n) => `${kind}${n + 1}`);
    const perms = permutations(pool, ids.length);
    product = product.flatMap((p) => perms.map((q) => [...p, ...q]));
  }
  return product.some((assignment) =>
    layout.goal.every((g) => {
      const args = g.ids.map((id) => assignment[idOrder.indexOf(String(id))]);
      return atoms.has(`${g.predicate}(${args.join(",")})`);
    }),
  );
}

// ---------------------------------------------------------------------------------------------

test("random walks never crash; every listed action is valid and steps", (t) => {
  fc.assert(
    fc.property(walk, ({ layout, prefix, choices }) => {
      let steps = -1;
      play(layout, prefix, choices, (k) => {
        const valid = k.validActions();
        if (valid.at(-1) !== "Do nothing" || new Set(valid).size !== valid.length) throw new Error("bad list");
        for (const a of valid) if (!k.isValid(a)) throw new Error(`listed but invalid: ${a}`);
        if (steps >= 0 && k.steps !== steps + 1) throw new Error("step count");
        steps = k.steps;
      });
    }),
    { numRuns: 150 },
  );
  t.pass();
});

test("done ⇔ the goal holds (oracle: the original's explicit disjunction over the observed atoms)", (t) => {
  let doneSeen = 0;
  fc.assert(
    fc.property(walk, ({ layout, prefix, choices }) => {
      const k = start(layout, prefix);
      const check = () => {
        const expected = oracleDone(LAYOUTS[layout], k.observation());
        if (k.isDone() !== expected) throw new Error(`isDone ${k.isDone()} vs oracle ${expected} after ${k.steps} steps`);
        if (expected) doneSeen++;
      };
      check();
      for (const c of choices) {
        const valid = k.validActions();
        const { done } = k.step(valid[c % valid.length]);
        if (done !== k.isDone()) throw new Error("step's done differs from isDone()");
        check();
      }
    }),
    { numRuns: 200 },
  );
  t.log(`goal states seen: ${doneSeen}`);
  t.true(doneSeen > 0);
});

test("an invalid action throws and leaves the state unchanged", (t) => {
  fc.assert(
    fc.property(walk, fc.nat(), fc.string({ maxLength: 12 }), ({ layout, prefix, choices }, pick, junk) => {
      const k = play(layout, prefix, choices);
      const strings = k.model.actionStrings.filter((a) => !k.isValid(a));
      const bad = [strings[pick % strings.length], junk, ` ${k.validActions()[0]}`].filter(
        (a) => a !== undefined && !k.isValid(a),
      );
      for (const a of bad) {
        const before = [k.key(), k.observation(), k.steps, k.isDone()];
        try {
          k.step(a);
          return false;
        } catch (e) {
          if (!(e instanceof InvalidActionError) || e.exitCode !== 2 || !e.message.includes(JSON.stringify(a))) return false;
        }
        if (JSON.stringify([k.key(), k.observation(), k.steps, k.isDone()]) !== JSON.stringify(before)) return false;
      }
      return true;
    }),
    { numRuns: 150 },
  );
  t.pass();
});

test("clones are independent of the original and of each other", (t) => {
  fc.assert(
    fc.property(walk, fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 20 }), ({ layout, prefix, choices }, more) => {
      const k = play(layout, prefix, choices);
      const c = k.clone();
      const [obs, key, steps] = [k.observation(), k.key(), k.steps];
      if (c.observation() !== obs || c.key() !== key || c.steps !== steps || c.isDone() !== k.isDone()) return false;
      for (const m of more) c.step(c.validActions()[m % c.validActionCount()]);
      if (k.observation() !== obs || k.key() !== key || k.steps !== steps) return false;
      const c2 = k.clone();
      for (const m of more) k.step(k.validActions()[m % k.validActionCount()]);
      // Same choices from the same state: same result, whichever copy.
      for (const m of more) c2.step(c2.validActions()[m % c2.validActionCount()]);
      return k.key() === c.key() && c2.key() === c.key() && k.observation() === c.observation();
    }),
    { numRuns: 100 },
  );
  t.pass();
});

test("the state key determines the observation, and is stable across paths", (t) => {
  const seen = new Map<string, string>();
  let merges = 0;
  fc.assert(
    fc.property(walk, ({ layout, prefix, choices }) => {
      const k = start(layout, prefix);
      const visit = () => {
        const key = `${layout}|${k.key()}`;
        const obs = k.observation();
        const prev = seen.get(key);
        if (prev !== undefined) {
          merges++;
          if (prev !== obs) throw new Error("one key, two observations");
        } else seen.set(key, obs);
      };
      visit();
      for (const c of choices) {
        k.step(k.validActions()[c % k.validActionCount()]);
        visit();
      }
    }),
    { numRuns: 150 },
  );
  t.true(merges > 0);
  // Moving away and back (no effects pending) returns to the same key.
  const k = Kitchen.fromLayout(LAYOUTS["synchronous/3_burger@default"]);
  const key0 = k.key();
  k.step("Move robot1 from table1 to table2");
  t.not(k.key(), key0);
  k.step("Move robot1 from table2 to table1");
  t.is(k.key(), key0);
});

test("stepIndex(k) is step(validActions()[k])", (t) => {
  fc.assert(
    fc.property(walk, ({ layout, prefix, choices }) => {
      const a = start(layout, prefix);
      const b = start(layout, prefix);
      for (const c of choices) {
        const i = c % a.validActionCount();
        if (a.validActionAt(i) !== b.validActions()[i]) return false;
        if (a.stepIndex(i).done !== b.step(b.validActions()[i]).done) return false;
      }
      return a.key() === b.key() && a.steps === b.steps;
    }),
    { numRuns: 100 },
  );
  t.pass();
});
