/**
 * The environment seam (lib/env) with both engines behind it: Robotouille's kitchen is a TextEnv as it
 * is; CookingWorld's episodes show the engine's text in the same three parts; the CLI contract for
 * CookingWorld (observe --json, plan, replay, eval with the expert); the folds; the step limits' rule.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cookingWorldEngine, CookingWorldEnv } from "../lib/env/cookingworld";
import { envFamily, makeEnv, resolveTask } from "../lib/env/index";
import { COOKINGWORLD_LEVELS } from "../lib/cookingworld/levels";
import { Kitchen } from "../lib/kitchen/kitchen";
import { loadLayout } from "../lib/kitchen/instantiate";
import { InvalidActionError } from "../lib/util/errors";

const BIN = path.join(__dirname, "..", "bin", "stgrpo");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-seam-"));

function stgrpo(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("Robotouille through the seam is the kitchen itself: same text, actions, steps and outcome", (t) => {
  const env = makeEnv("burger", 42);
  const k = Kitchen.fromLayout(loadLayout("burger", 42));
  t.true(env instanceof Kitchen);
  t.is(env.observation(), k.observation());
  t.deepEqual(env.view(), { observation: k.observation(), validActions: k.validActions(), goal: k.goalDescription });
  t.is(resolveTask("3_burger").env, "robotouille");
  t.is(makeEnv("burger", 2n ** 70n).observation(), Kitchen.fromLayout(loadLayout("burger", 2n ** 70n)).observation());
});

test("a CookingWorld episode: the engine's text in three parts, steps, success, and clones that diverge", (t) => {
  const env = makeEnv("cookingworld-1", 20001) as CookingWorldEnv;
  const v = env.view();
  const text = env.observation();
  t.true(text.startsWith(v.observation.trim()));
  t.true(text.includes(`\nValid Actions:\n${v.validActions.join("\n")}\nGoal: ${v.goal}`));
  t.true(text.endsWith(`Goal: ${v.goal}`));
  const plan = JSON.parse(stgrpo(["plan", "cookingworld-1", "--seed", "20001", "--json"]).stdout).actions as string[];
  const copy = env.clone();
  for (const a of plan) env.step(a);
  t.true(env.isDone() && env.isSuccess());
  t.is(env.steps, plan.length);
  // The clone stayed at the start, and steps on its own.
  t.is(copy.steps, 0);
  t.false(copy.isDone());
  copy.step(plan[0]);
  t.is(copy.steps, 1);
  t.not(copy.key(), env.key());
  t.throws(() => copy.step("fly to the moon"), { instanceOf: InvalidActionError });
});

test("CLI contract: observe --json is the engine's reset; plan replays to success; the expert evaluates at SR 1", (t) => {
  const seed = 20003;
  const obs = JSON.parse(stgrpo(["observe", "cookingworld-2", "--seed", String(seed), "--json"]).stdout);
  t.deepEqual(Object.keys(obs), ["observation", "valid_actions", "goal"]);
  const engineEnv = cookingWorldEngine().env();
  const reset = engineEnv.reset("cookingworld-2", seed);
  t.is(obs.observation, reset.observation);
  t.deepEqual([...obs.valid_actions].sort(), [...reset.validActions].sort());
  t.is(obs.goal, reset.goal);
  engineEnv.close();

  const plan = JSON.parse(stgrpo(["plan", "cookingworld-2", "--seed", String(seed), "--json"]).stdout);
  t.is(plan.length, plan.actions.length);
  const replay = stgrpo(["replay", "cookingworld-2", "--seed", String(seed)], plan.actions.join("\n") + "\n");
  t.is(replay.code, 0, replay.stderr);
  const lines = replay.stdout.trim().split("\n").map((l) => JSON.parse(l));
  t.is(lines.length, plan.length + 1);
  for (const l of lines) t.true(["observation", "valid_actions", "done", "success"].every((k) => k in l));
  t.like(lines[lines.length - 1], { done: true, success: true });

  const out = path.join(tmp(), "e.jsonl");
  const r = stgrpo(["eval", "--policy", "expert", "--tasks", "cookingworld-2", "--seeds", envFamily("cookingworld").evaluationSeeds(10).join(","), "--out", out, "--json", "--quiet"]);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout)["cookingworld-2"].sr, 1);
});

test("bad input: an unknown level, seeds outside their fold, an invalid action — one line, non-zero, nothing written", (t) => {
  const dir = tmp();
  const cases: [string[], number, RegExp, string?][] = [
    [["observe", "cookingworld-7", "--seed", "1"], 1, /^stgrpo observe: unknown task "cookingworld-7"/],
    [["observe", "cookingworld-2"], 1, /has no default game: give a seed/],
    [["observe", "cookingworld-2", "--seed", "5000"], 1, /seed 5000 is in none of cookingworld-2's folds/],
    [["eval", "--policy", "random", "--tasks", "cookingworld-1", "--seeds", "3", "--out", path.join(dir, "a.jsonl")], 1, /evaluates on its test games, seeds 20000–20999; 3 is not one/],
    [["expert", "--tasks", "cookingworld-1", "--seeds", "20000", "--out", path.join(dir, "x")], 1, /trains on its train games, seeds 0–999; 20000 is not one/],
    [["replay", "cookingworld-1", "--seed", "20000"], 2, /^stgrpo replay: invalid action "dance"/, "dance\n"],
  ];
  for (const [args, code, re, input] of cases) {
    const r = stgrpo(args, input);
    t.is(r.code, code, args.join(" "));
    const err = r.stderr.trim().split("\n");
    t.is(err.length, 1, r.stderr);
    t.regex(err[0], re);
  }
  t.false(fs.existsSync(path.join(dir, "a.jsonl")));
  t.false(fs.existsSync(path.join(dir, "x", "cookingworld-1")));
});

test("step limits are the median gold length over the train games; timeouts the paper's ⌈1.5 ×⌉", (t) => {
  const engine = cookingWorldEngine();
  const train = engine.seeds().train;
  for (const level of COOKINGWORLD_LEVELS) {
    const lengths = train.map((s) => engine.gold(level.task, s).actions.length).sort((a, b) => a - b);
    t.is(level.stepLimit, lengths[Math.floor((lengths.length - 1) / 2)], level.task);
    t.is(level.timeout, Math.ceil(1.5 * level.stepLimit));
    t.like(resolveTask(level.task), { env: "cookingworld", timeout: level.timeout, optimalSteps: level.stepLimit });
  }
});
