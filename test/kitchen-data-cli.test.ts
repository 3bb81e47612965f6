/** `stgrpo layout <task> [--seed N]` (docs/design.md contract) through bin/stgrpo. */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const BIN = path.join(ROOT, "bin", "stgrpo");
const stgrpo = (...args: string[]) => spawnSync(process.execPath, [BIN, "layout", ...args], { encoding: "utf8" });
const SHARED = JSON.parse(fs.readFileSync(path.join(ROOT, "data", "testdata", "layouts.json"), "utf8"));

test("prints the default and seeded layouts as JSON (matching the recorded ones)", (t) => {
  const def = stgrpo("burger");
  t.is(def.status, 0, def.stderr);
  t.is(def.stderr, "");
  t.deepEqual(JSON.parse(def.stdout), SHARED["synchronous/3_burger@default"]);
  t.is(def.stdout.trim().split("\n").length, 1);
  const seeded = stgrpo("4_cheeseburger", "--seed", "42", "--pretty");
  t.is(seeded.status, 0, seeded.stderr);
  t.deepEqual(JSON.parse(seeded.stdout), SHARED["synchronous/4_cheeseburger@42"]);
  const big = stgrpo("double_cheese_burger", "--seed", "100000000000000000000");
  t.is(big.status, 0, big.stderr);
  t.true(JSON.parse(big.stdout).stations.length > 0);
});

test("user errors: one line on stderr, exit 1, no stack trace", (t) => {
  const cases: [string[], RegExp][] = [
    [["pizza"], /unknown task "pizza" \(known: cheese_sandwich, burger, .*9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich\)/],
    [["burger", "--seed", "-3"], /seed must be a non-negative integer, got "-3"/],
    [["burger", "--seed", "1.5"], /seed must be a non-negative integer, got "1\.5"/],
    [["burger", "--seed", "abc"], /seed must be a non-negative integer/],
    [["burger", "--seed"], /--seed/],
    [[], /expected exactly one task id/],
    [["burger", "cheese_burger"], /expected exactly one task id/],
    [["burger", "--frobnicate"], /frobnicate/],
  ];
  for (const [args, message] of cases) {
    const run = stgrpo(...args);
    t.is(run.status, 1, `${args.join(" ")}: ${run.stderr}`);
    t.is(run.stdout, "");
    t.regex(run.stderr, /^stgrpo layout: /);
    t.regex(run.stderr, message);
    t.is(run.stderr.trim().split("\n").length, 1, run.stderr);
    t.false(/\bat .*\.ts:\d+/.test(run.stderr));
  }
});

test("--help prints the usage", (t) => {
  const run = stgrpo("--help");
  t.is(run.status, 0);
  t.regex(run.stdout, /usage: stgrpo layout <task> \[--seed N\]/);
});
