/**
 * The procedural generator and the instantiation against the ORIGINAL Python generator:
 * - data/testdata/layouts.json (8 layouts recorded from the original, shared test vectors), deepEqual;
 * - test/fixtures/generator_reference.jsonl (scripts/record_generator_reference.py, run on the original
 *   sources): 11 tasks × (default + ~215 seeds incl. big ints) + noisy randomization on 51 seeds —
 *   the randomized JSON and the Layout compared by hash, the default and eval-seed layouts in full.
 */
import test from "ava";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { EVAL_SEEDS, SYNC_STEMS, TRAIN_TASK, loadTaskJson } from "../lib/kitchen/tasks";
import { GenerationFailed, areStationsReachable, generateEnvironment, randomizeEnvironment } from "../lib/kitchen/generator";
import { instantiate, loadEnvironment, loadLayout, loadLayoutInfo, validateLayout } from "../lib/kitchen/instantiate";
import type { Layout } from "../lib/kitchen/layout";

const ROOT = path.join(__dirname, "..");

function canonical(v: unknown): string {
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  if (v !== null && typeof v === "object") {
    return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canonical((v as any)[k])).join(",") + "}";
  }
  return JSON.stringify(v);
}
const sha = (v: unknown) => crypto.createHash("sha256").update(canonical(v)).digest("hex").slice(0, 16);

interface RefRecord {
  task: string;
  seed: number | string | null;
  noisy?: boolean;
  effective_seed?: number | string;
  generated_sha?: string;
  layout_sha: string;
  layout?: Layout;
}
const REF: RefRecord[] = fs
  .readFileSync(path.join(__dirname, "fixtures", "generator_reference.jsonl"), "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l));
const taskOf = (stem: string) => (stem === "0_cheese_onion_sandwich" ? TRAIN_TASK : stem);
const seedOf = (s: number | string) => (typeof s === "string" ? BigInt(s) : s);

test("the 8 shared layouts recorded from the original (default and seed 42 of the paper's tasks)", (t) => {
  const shared = JSON.parse(fs.readFileSync(path.join(ROOT, "data", "testdata", "layouts.json"), "utf8"));
  t.is(Object.keys(shared).length, 8);
  for (const [key, want] of Object.entries(shared)) {
    const [stem, seed] = key.replace(/^synchronous\//, "").split("@");
    t.deepEqual(loadLayout(stem, seed === "default" ? null : Number(seed)), want as Layout, key);
  }
});

test("every recorded output of the original generator: randomized JSON, effective seed and Layout", (t) => {
  t.true(REF.length > 2900);
  let seeded = 0;
  let retried = 0;
  for (const r of REF) {
    const env = loadEnvironment(loadTaskJson(taskOf(r.task)));
    const label = `${r.task}@${r.seed}${r.noisy ? " noisy" : ""}`;
    if (r.seed === null) {
      t.is(sha(instantiate(env)), r.layout_sha, label);
      continue;
    }
    const { environment, effectiveSeed } = generateEnvironment(env, seedOf(r.seed), r.noisy ?? false);
    t.is(String(effectiveSeed), String(r.effective_seed), `${label}: effective seed`);
    t.is(sha(environment), r.generated_sha!, `${label}: randomized JSON`);
    t.is(sha(instantiate(environment)), r.layout_sha, `${label}: layout`);
    seeded++;
    if (String(effectiveSeed) !== String(r.seed)) retried++;
  }
  t.log(`${seeded} seeded layouts checked against the original generator (${retried} needed the seed + 1 retry)`);
});

test("full recorded layouts (default and the evaluation seeds, all 11 tasks) are deepEqual", (t) => {
  const full = REF.filter((r) => r.layout);
  t.is(full.length, 11 * 11);
  for (const r of full) t.deepEqual(loadLayout(taskOf(r.task), r.seed === null ? null : seedOf(r.seed)), r.layout!, `${r.task}@${r.seed}`);
});

test("the original's retry: a seed whose generation raises uses seed + 1 (0_cheese_sandwich@420 is @421)", (t) => {
  const env = loadEnvironment(loadTaskJson("0_cheese_sandwich"));
  const err = t.throws(() => randomizeEnvironment(env, 420), { instanceOf: GenerationFailed });
  t.regex(err!.message, /No replaceable stations found|Item force add failed/);
  t.deepEqual(loadLayout("cheese_sandwich", 420), instantiate(randomizeEnvironment(env, 421)));
  t.is(generateEnvironment(env, 420).effectiveSeed, 421);
  t.is(loadLayoutInfo("cheese_sandwich", 420).effectiveSeed, 421);
  t.is(loadLayoutInfo("cheese_sandwich", 42).effectiveSeed, 42);
  t.is(loadLayoutInfo("cheese_sandwich").effectiveSeed, null);
});

test("the in-context example's layout (training task, seed 26) is the one its text describes", (t) => {
  const L = loadLayout(TRAIN_TASK, 26);
  const at = (name: string) => {
    const o = [...L.stations, ...L.items].find((e) => e.name === name)!;
    return `${o.x},${o.y}`;
  };
  const robot = L.players[0];
  t.is(`${robot.x + robot.direction[0]},${robot.y + robot.direction[1]}`, at("stove1")); // "Move robot1 from stove1 to board1"
  t.is(at("lettuce1"), at("board1")); // "board1 has lettuce1 on it"
  t.is(at("bottombun1"), at("board2"));
  t.is(at("onion1"), at("fryer1")); // "onion1 on fryer1 and onion2 on sink4"
  t.is(at("onion2"), at("sink4"));
  t.is(at("cheese1"), at("sink3"));
  t.is(at("bread1"), at("table1"));
  t.is(at("bread2"), at("stove1")); // "Pick up bread2 from stove1"
});

test("generation does not modify its input and is deterministic", (t) => {
  const env = loadEnvironment(loadTaskJson("5_double_cheeseburger"));
  const before = JSON.stringify(env);
  const a = generateEnvironment(env, 1234).environment;
  t.is(JSON.stringify(env), before);
  t.deepEqual(generateEnvironment(env, 1234).environment, a);
  t.throws(() => loadLayout("burger", -1), { message: /non-negative integer/ });
  t.throws(() => loadLayout("burger", 2.5), { message: /non-negative integer/ });
  t.throws(() => loadLayout("burger", Number.NaN), { message: /non-negative integer/ });
});

test("seeded layouts keep the generator's guarantees (property, random seeds, all 10 tasks)", (t) => {
  fc.assert(
    fc.property(fc.constantFrom(...SYNC_STEMS), fc.nat({ max: 2 ** 31 }), (stem, seed) => {
      const L = loadLayout(stem, seed);
      validateLayout(L); // well formed and consistent
      const task = loadTaskJson(stem);
      const count = (items: { name: string }[], kind: string) => items.filter((i) => i.name.replace(/\d+$/, "") === kind).length;
      // every required item and station kind is present at least as often as in the task
      for (const it of task.items) if (count(L.items, it.name) < count(task.items, it.name)) return false;
      for (const st of task.stations) if (count(L.stations, st.name) < count(task.stations, st.name)) return false;
      // one item per station, no stacks, every station reachable from the robot's tile
      const tiles = L.items.map((i) => `${i.x},${i.y}`);
      if (new Set(tiles).size !== tiles.length || L.items.some((i) => i["stack-level"] !== 0)) return false;
      const robot = L.players[0];
      const faced = L.stations.find((s) => s.x === robot.x + robot.direction[0] && s.y === robot.y + robot.direction[1]);
      if (!faced) return false;
      // numbering follows (x, y) order
      const sorted = [...L.stations].sort((a, b) => a.x - b.x || a.y - b.y);
      if (sorted.some((s, i) => s !== L.stations[i])) return false;
      return areStationsReachable({ width: L.width, height: L.height, stations: L.stations as any, players: L.players as any });
    }),
    { numRuns: 150 },
  );
  t.pass();
});

test("default layouts: sorted by (x, y), numbered per kind, stacks keep their levels", (t) => {
  const L = loadLayout("double_cheese_burger");
  t.deepEqual(
    L.items.map((i) => [i.name, i.x, i.y, i["stack-level"]]),
    [
      ["bottombun1", 0, 1, 0],
      ["topbun1", 0, 1, 1],
      ["cheese1", 2, 3, 0],
      ["cheese2", 2, 3, 1],
      ["patty1", 3, 3, 0],
      ["patty2", 3, 3, 1],
    ],
  );
  // 6_lettuce_tomato_cheeseburger lists its stations and items out of (x, y) order in the file
  const six = loadLayout("6_lettuce_tomato_cheeseburger");
  t.deepEqual(six.stations.map((s) => s.name), ["table1", "board1", "table2", "table3", "table4", "table5", "table6"]);
  t.deepEqual(six.items.map((s) => s.name), ["bottombun1", "topbun1", "cheese1", "lettuce1", "patty1", "tomato1"]);
  for (const stem of SYNC_STEMS) {
    const d = loadLayout(stem);
    t.deepEqual(d.players, [{ name: "robot1", x: 0, y: 2, direction: [0, -1] }], stem);
    t.is(d.goal_description, loadTaskJson(stem).goal_description);
  }
});

test("eval-seed layouts of all ten tasks are valid layouts", (t) => {
  for (const stem of SYNC_STEMS) for (const seed of [null, ...EVAL_SEEDS]) t.notThrows(() => validateLayout(loadLayout(stem, seed)), `${stem}@${seed}`);
});
