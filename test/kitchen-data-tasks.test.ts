/** The task registry, the vendored task JSONs, and Layout validation. */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../lib/util/errors";
import {
  CONFIG_OPTIMAL_STEPS,
  EVAL_SEEDS,
  IN_CONTEXT_EXAMPLE,
  PAPER_TASKS,
  SYNC_STEMS,
  TASK_IDS,
  isTaskId,
  loadTaskJson,
  parseTaskJson,
  resolveTask,
  taskFile,
} from "../lib/kitchen/tasks";
import { loadLayout, parseSeed, validateLayout } from "../lib/kitchen/instantiate";

const ROOT = path.join(__dirname, "..");

test("task ids: the paper's four names, then Robotouille's ten stems", (t) => {
  t.deepEqual([...PAPER_TASKS], ["cheese_sandwich", "burger", "cheese_burger", "double_cheese_burger"]);
  t.is(TASK_IDS.length, 14);
  t.deepEqual(TASK_IDS.slice(4), [...SYNC_STEMS]);
  t.is(SYNC_STEMS[9], "9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich");
  t.deepEqual([...EVAL_SEEDS], [42, 84, 126, 168, 210, 252, 294, 336, 378, 420]);
});

test("paper tasks: Robotouille tasks 0, 3, 4, 5 with limits 10, 10, 15, 23 and timeouts 15, 15, 23, 35", (t) => {
  const infos = PAPER_TASKS.map((p) => resolveTask(p));
  t.deepEqual(infos.map((i) => i.stem), ["0_cheese_sandwich", "3_burger", "4_cheeseburger", "5_double_cheeseburger"]);
  t.deepEqual(infos.map((i) => i.optimalSteps), [10, 10, 15, 23]);
  t.deepEqual(infos.map((i) => i.timeout), [15, 15, 23, 35]);
  t.deepEqual(infos.map((i) => i.paperName), [...PAPER_TASKS]);
  t.deepEqual(infos.map((i) => i.title), ["Cheese Sandwich", "Burger", "Cheese Burger", "Double Cheese Burger"]);
  // a stem of a paper task resolves to the same task, under the paper's id
  t.deepEqual(resolveTask("3_burger"), resolveTask("burger"));
  t.deepEqual(resolveTask("synchronous/3_burger"), resolveTask("burger"));
  t.is(resolveTask("4_cheeseburger").id, "cheese_burger");
});

test("stems: optimal_steps from Robotouille's config, timeout ceil(1.5 × optimal_steps)", (t) => {
  const infos = SYNC_STEMS.map((s) => resolveTask(s));
  t.deepEqual(infos.map((i) => i.optimalSteps), [10, 14, 24, 10, 15, 23, 36, 44, 63, 57]);
  t.deepEqual(infos.map((i) => i.timeout), [15, 21, 36, 15, 23, 35, 54, 66, 95, 86]);
  for (const i of infos) {
    t.is(i.timeout, Math.ceil(1.5 * CONFIG_OPTIMAL_STEPS[i.stem as keyof typeof CONFIG_OPTIMAL_STEPS]));
    t.is(i.goalDescription, loadTaskJson(i.stem).goal_description, i.stem);
    t.true(fs.existsSync(path.join(ROOT, i.file)));
  }
  t.is(resolveTask("6_lettuce_tomato_cheeseburger").paperName, null);
  t.is(resolveTask("6_lettuce_tomato_cheeseburger").id, "6_lettuce_tomato_cheeseburger");
  t.is(resolveTask("7_two_lettuce_chicken_sandwich").title, "Two Lettuce Chicken Sandwich");
});

test("unknown task ids are a UserError listing the known ids", (t) => {
  for (const bad of ["", "Burger", "pizza", "3_burgers", "synchronous_train/0_cheese_onion_sandwich"]) {
    const err = t.throws(() => resolveTask(bad), { instanceOf: UserError });
    t.true(err!.message.includes("known: cheese_sandwich, burger"), err!.message);
    t.true(err!.message.includes("9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich"));
    t.false(isTaskId(bad));
  }
  t.throws(() => loadLayout("pizza"), { instanceOf: UserError, message: /unknown task "pizza"/ });
});

test("vendored data: ten task JSONs, the training task, the in-context example, the licence and provenance", (t) => {
  const dir = path.join(ROOT, "data", "robotouille");
  t.deepEqual(fs.readdirSync(path.join(dir, "synchronous")).sort(), SYNC_STEMS.map((s) => `${s}.json`).sort());
  t.regex(fs.readFileSync(path.join(dir, "LICENSE"), "utf8"), /MIT License[\s\S]*Copyright \(c\) 2023 PoRTaL Group/);
  const source = fs.readFileSync(path.join(dir, "SOURCE.md"), "utf8");
  t.regex(source, /portal-cornell\/robotouille/);
  t.regex(source, /`release`/);
  t.regex(source, /c8236a2e3afa75354475ade9147dc38a7e589944/);
  t.regex(fs.readFileSync(path.join(ROOT, IN_CONTEXT_EXAMPLE.file), "utf8"), /^Interaction 1/);
  t.is(loadTaskJson(IN_CONTEXT_EXAMPLE.task).goal_description, "Prepare a onion cheese sandwich on a table");
  t.true(taskFile("burger").endsWith(path.join("synchronous", "3_burger.json")));
});

test("loadTaskJson returns fresh copies (callers cannot corrupt the cache)", (t) => {
  const a = loadTaskJson("burger");
  a.stations.length = 0;
  t.is(loadTaskJson("burger").stations.length, 3);
});

test("malformed task JSON: one-line UserError naming the file and the field", (t) => {
  t.throws(() => parseTaskJson('{"width": 5,', "x.json"), { instanceOf: UserError, message: /^x\.json is not valid JSON/ });
  t.throws(() => parseTaskJson("[]", "x.json"), { message: /x\.json: must be a JSON object/ });
  const good = loadTaskJson("burger");
  const bad = (mutate: (j: any) => void) => {
    const j: any = structuredClone(good);
    mutate(j);
    return () => parseTaskJson(JSON.stringify(j), "t.json");
  };
  t.throws(bad((j) => (j.width = 0)), { message: /"width" must be a positive integer/ });
  t.throws(bad((j) => delete j.items), { message: /"items" must be an array/ });
  t.throws(bad((j) => (j.items[1].x = "2")), { message: /items\[1\] \(topbun\): "x" and "y" must be integers/ });
  t.throws(bad((j) => (j.items[0].x = 9)), { message: /items\[0\] \(bottombun\): \(9, 1\) is outside the 5×5 grid/ });
  t.throws(bad((j) => delete j.items[2]["stack-level"]), { message: /items\[2\] \(patty\): "stack-level"/ });
  t.throws(bad((j) => (j.players[0].direction = [0])), { message: /players\[0\] \(robot\): "direction"/ });
  t.throws(bad((j) => (j.goal[1].ids = [])), { message: /goal\[1\] \(iscooked\): "ids"/ });
  t.throws(bad((j) => delete j.goal_description), { message: /"goal_description" must be a string/ });
  t.notThrows(bad(() => undefined));
});

test("parseSeed: decimal digits; beyond 2^53 a bigint (so Python's big seeds work too)", (t) => {
  t.is(parseSeed("42"), 42);
  t.is(parseSeed(" 0 "), 0);
  t.is(parseSeed("100000000000000000000"), 10n ** 20n);
  for (const bad of ["-1", "1.5", "1e3", "abc", "", "0x10"]) t.throws(() => parseSeed(bad), { instanceOf: UserError, message: /non-negative integer/ });
});

test("validateLayout accepts every generated layout and returns a clean copy", (t) => {
  const L = loadLayout("cheese_burger", 42);
  const v = validateLayout(JSON.parse(JSON.stringify({ ...L, extra: 1 })));
  t.deepEqual(v, L);
  t.false("extra" in v);
});

test("validateLayout: malformed or inconsistent layouts name the field and the object", (t) => {
  const base = loadLayout("cheese_burger"); // table1 (0,1): bottombun1 + topbun1, robot1 at (0,2)
  const check = (mutate: (l: any) => void, message: RegExp) => {
    const l: any = structuredClone(base);
    mutate(l);
    const err = t.throws(() => validateLayout(l), { instanceOf: UserError });
    t.regex(err!.message, message);
    t.regex(err!.message, /^invalid layout: /);
    t.false(err!.message.includes("\n"));
  };
  check((l) => (l.width = -1), /"width" must be a positive integer/);
  check((l) => delete l.players, /"players" must be an array/);
  check((l) => (l.goal_description = 3), /"goal_description" must be a string/);
  check((l) => (l.stations[1].name = "oven1"), /stations\[1\] \(oven1\): unknown kind "oven"/);
  check((l) => (l.stations[1].name = "table"), /stations\[1\] \(table\): "name" must be a kind followed by a number/);
  check((l) => (l.stations[1].name = "table1"), /stations\[1\] \(table1\): duplicate name "table1"/);
  check((l) => Object.assign(l.stations[1], { x: 0, y: 1 }), /stations\[1\] \(table2\): shares the tile \(0,1\) with table1/);
  check((l) => (l.stations[2].y = 7), /stations\[2\] \(table3\): \(3, 7\) is outside the 5×5 grid/);
  check((l) => (l.stations[0].predicates = ["iscut"]), /stations\[0\] \(table1\): predicate "iscut" is not allowed on a station/);
  check((l) => (l.items[3].predicates = ["isfried", "loc"]), /items\[3\] \(patty1\): predicate "loc" is not an item predicate/);
  check((l) => (l.items[1]["stack-level"] = 0), /items\[1\] \(topbun1\): same stack-level 0 as bottombun1 on table1/);
  check((l) => (l.items[1]["stack-level"] = -2), /items\[1\] \(topbun1\): "stack-level" must be a non-negative integer/);
  check((l) => Object.assign(l.items[2], { x: 1, y: 1 }), /items\[2\] \(cheese1\): \(1, 1\) is neither a station tile nor the robot's tile/);
  check(
    (l) => {
      l.items[2].x = l.items[3].x = 0;
      l.items[2].y = l.items[3].y = 2;
    },
    /items\[3\] \(patty1\): robot1 already holds cheese1/,
  );
  check((l) => l.players.push({ ...l.players[0], name: "robot2" }), /"players" must hold exactly one robot, got 2/);
  check((l) => (l.players[0].direction = [1, 1]), /players\[0\] \(robot1\): "direction" must be one of/);
  check((l) => (l.players[0].y = 1), /players\[0\] \(robot1\): stands on the tile of table1/);
  check((l) => (l.goal[0].predicate = "on"), /goal\[0\] \(on\): unknown predicate "on"/);
  check((l) => (l.goal[0].args = ["bottombun"]), /goal\[0\] \(item_on\): "args" must list 2 kind\(s\)/);
  check((l) => (l.goal[0].args = ["bottombun", "kitchen"]), /goal\[0\] \(item_on\): unknown kind "kitchen"/);
  check((l) => (l.goal[0].ids = [1, "A"]), /goal\[0\] \(item_on\): "ids" must be 2 non-negative integer\(s\)/);
  check((l) => (l.items[0] = 5), /items\[0\] must be an object/);
  t.throws(() => validateLayout(null), { message: /invalid layout: must be a JSON object/ });
  t.throws(() => validateLayout([]), { message: /invalid layout: must be a JSON object/ });
  // a held item is fine
  const held: any = structuredClone(base);
  held.items[2].x = 0;
  held.items[2].y = 2;
  t.notThrows(() => validateLayout(held));
});
