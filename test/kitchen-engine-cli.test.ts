/** `stgrpo observe` and `stgrpo replay` (docs/design.md contract) against the recorded test vectors. */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { episodes } from "./helpers/kitchenFixtures";

const BIN = path.join(__dirname, "..", "bin", "stgrpo");
const stgrpo = (args: string[], input = "") => spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8" });
const EPISODES = episodes();
const episode = (layout: string, file: string) => EPISODES.find((e) => e.layout === layout && e.file === file)!;

test("observe prints the initial observation text (default and seeded layouts)", (t) => {
  const burger = stgrpo(["observe", "3_burger"]);
  t.is(burger.status, 0, burger.stderr);
  t.is(burger.stdout, episode("synchronous/3_burger@default", "walks.jsonl").records[0].observation + "\n");
  const seeded = stgrpo(["observe", "0_cheese_sandwich", "--seed", "126"]);
  t.is(seeded.status, 0, seeded.stderr);
  t.is(seeded.stdout, episode("synchronous/0_cheese_sandwich@126", "probes.jsonl").records[0].observation + "\n");
});

test("replay writes one JSON line per state, matching the recorded probe (success: done, for Robotouille)", (t) => {
  const ep = episode("synchronous/0_cheese_sandwich@42", "probes.jsonl");
  const actions = ep.records.filter((r) => r.action).map((r) => r.action);
  const run = stgrpo(["replay", "0_cheese_sandwich", "--seed", "42"], actions.join("\n") + "\n\n");
  t.is(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  t.is(lines.length, ep.records.length);
  t.deepEqual(lines[0], { t: 0, observation: ep.records[0].observation, valid_actions: ep.records[0].valid_actions, done: false, success: false });
  lines.slice(1).forEach((line, n) => {
    const before = ep.records[n];
    const after = ep.records[n + 1];
    t.deepEqual(line, { t: n + 1, action: before.action, observation: after.observation, valid_actions: after.valid_actions, done: before.done, success: before.done });
  });
});

test("replay reaches done on the optimal burger plan", (t) => {
  const ep = episode("synchronous/3_burger@default", "optimal_walks.jsonl");
  const actions = ep.records.filter((r) => r.action).map((r) => r.action);
  const run = stgrpo(["replay", "burger"], actions.join("\r\n"));
  t.is(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
  t.deepEqual(lines.map((l) => l.done), [...Array(8).fill(false), true]);
});

test("replay: an invalid action exits 2 naming it, after the lines before it", (t) => {
  const run = stgrpo(["replay", "3_burger"], "Move robot1 from table1 to table2\nPick up patty1 from table3 using robot1\nDo nothing\n");
  t.is(run.status, 2);
  t.is(run.stdout.trim().split("\n").length, 2);
  t.regex(run.stderr, /^stgrpo replay: invalid action "Pick up patty1 from table3 using robot1"/);
  t.is(run.stderr.trim().split("\n").length, 1);
});

test("observe/replay: user mistakes are one-line errors with exit 1", (t) => {
  for (const args of [["observe"], ["observe", "3_burger", "--seed", "-4"], ["observe", "no_such_task"], ["replay", "3_burger", "--bogus"]]) {
    const run = stgrpo(args);
    t.is(run.status, 1, args.join(" "));
    t.is(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
});
