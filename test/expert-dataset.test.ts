/**
 * Expert trajectories and the single-turn datasets: the formats (docs/design.md contract), the ReAct
 * completions (reward 1 for every expert step, and for every optimal action with the "any optimal
 * action" reward), the prompt, training seeds disjoint from every evaluation layout, the files and
 * their loaders, and the CLI.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadLayoutInfo, makeKitchen } from "../lib/kitchen/index";
import { parseReply, singleTurnReward } from "../lib/agent/parse";
import { extendedSeeds } from "../lib/kitchen/index";
import { exampleFromRecord, loadSingleTurn } from "../lib/learn/data";
import { UserError } from "../lib/util/errors";
import { readJsonl } from "../lib/util/files";
import { DATASET_PROMPT_CONFIG, expertPaths, generateExpertData, loadExpertDataset, loadExpertTrajectories, singleTurnRows, splitOf, trainingLayouts, validateSingleTurnRow } from "../lib/dataset/index";
import { ExpertTrajectory, expertTrajectory, trajectoryRecord, validateTrajectory } from "../lib/expert/index";

const run = promisify(execFile);
const BIN = path.join(__dirname, "..", "bin", "stgrpo");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-expert-"));

test("a trajectory record has the contract fields and replays in the kitchen", (t) => {
  const { trajectory } = expertTrajectory("cheese_burger", 10003);
  const rec = trajectoryRecord(trajectory);
  t.deepEqual(Object.keys(rec).slice(0, 5), ["task", "seed", "steps", "length", "optimal"]);
  t.is(rec.task, "cheese_burger");
  t.is(rec.seed, 10003);
  t.true(rec.optimal);
  t.is(rec.length, rec.steps.length);
  const k = makeKitchen("cheese_burger", 10003);
  for (const s of rec.steps) {
    t.deepEqual(Object.keys(s).slice(0, 4), ["observation", "valid_actions", "action", "reasoning"]);
    t.is(s.observation, k.observation());
    t.deepEqual(s.valid_actions, k.validActions());
    t.true(s.optimal_actions!.includes(s.action));
    t.false(k.isDone());
    k.step(s.action);
  }
  t.true(k.isDone());
});

test("every completion parses and scores reward 1; every optimal action scores 1 with the any-optimal reward", (t) => {
  for (const [task, seed] of [["burger", null], ["double_cheese_burger", 10001], ["cheese_sandwich", 10002], ["1_lettuce_sandwich", 2]] as [string, number | null][]) {
    const { trajectory } = expertTrajectory(task, seed);
    const rows = singleTurnRows(trajectory);
    t.is(rows.length, trajectory.length);
    rows.forEach((r, i) => {
      validateSingleTurnRow(r, `${task}:${i}`);
      const text = r.completion[0].content;
      const parsed = parseReply(text);
      t.true(parsed.ok === true && parsed.action === r.expert_action);
      t.true(text.startsWith("Reasoning: ") && text.endsWith(`\nAction: ${r.expert_action}`));
      t.is(singleTurnReward(text, r.expert_action, r.valid_actions), 1);
      for (const a of r.optimal_actions!) {
        const reply = `Reasoning: any optimal step.\nAction: ${a}`;
        t.is(singleTurnReward(reply, r.expert_action, r.valid_actions, { acceptable: r.optimal_actions }), 1);
      }
      // A valid non-optimal action keeps only the format part.
      const wrong = r.valid_actions.find((a) => !r.optimal_actions!.includes(a));
      if (wrong) t.is(singleTurnReward(`Reasoning: x\nAction: ${wrong}`, r.expert_action, r.valid_actions, { acceptable: r.optimal_actions }), 0.1);
    });
  }
});

test("the reasoning states the goal, what is done, what is left and the whole remaining plan", (t) => {
  const { trajectory } = expertTrajectory("burger", null);
  const first = trajectory.steps[0].reasoning!;
  t.true(first.startsWith("The goal needs a stack on table1: bottombun1 at the bottom, then patty1 (cooked), then topbun1."));
  t.regex(first, /Done so far: bottombun1 is at the bottom of table1\./);
  t.regex(first, /Still to bring: patty1 \(at table3\); topbun1 \(at table2\)\./);
  t.regex(first, /robot1 is at table1, holding nothing\./);
  trajectory.steps.forEach((s, i) => {
    const plan = trajectory.steps.slice(i).map((x, k) => `${k + 1}. ${x.action}`);
    for (const line of plan) t.true(s.reasoning!.includes(`\n${line}\n`), line);
    t.false(s.reasoning!.split("\n").some((l) => l.startsWith("Action:")));
  });
  const cut = expertTrajectory("1_lettuce_sandwich", null).trajectory;
  t.regex(cut.steps[0].reasoning!, /lettuce1 \(at table3; needs 3 more cuts on a cutting board\)/);
});

test("the prompt is lib/agent's: system, instructions, the last step's reasoning and action, the observation verbatim", (t) => {
  const { trajectory } = expertTrajectory("burger", null);
  const rows = singleTurnRows(trajectory);
  t.false(DATASET_PROMPT_CONFIG.inContextExample);
  t.is(DATASET_PROMPT_CONFIG.historyTurns, 1);
  t.deepEqual(rows[0].prompt.map((m) => m.role), ["system", "user", "user"]);
  t.deepEqual(rows[3].prompt.map((m) => m.role), ["system", "user", "user", "assistant", "user"]);
  t.is(rows[3].prompt[2].content, "Previous Observation: omitted");
  t.is(rows[3].prompt[3].content, `Previous Reasoning: ${trajectory.steps[2].reasoning}\nPrevious Action: ${trajectory.steps[2].action}`);
  rows.forEach((r, i) => t.is(r.prompt[r.prompt.length - 1].content, trajectory.steps[i].observation));
  // lib/learn reads the same rows (its observation is the last user message).
  rows.forEach((r, i) => {
    const e = exampleFromRecord(r, `row ${i}`);
    t.is(e.observation, trajectory.steps[i].observation);
    t.deepEqual(e.acceptable, r.optimal_actions);
  });
});

test("malformed records are one-line UserErrors naming the record and the field", (t) => {
  const { trajectory } = expertTrajectory("burger", null);
  const bad = (edit: (x: ExpertTrajectory) => void) => {
    const x: ExpertTrajectory = JSON.parse(JSON.stringify(trajectory));
    edit(x);
    return x;
  };
  t.throws(() => validateTrajectory(bad((x) => (x.steps[2].action = "Fly away")), "f:1"), { instanceOf: UserError, message: /^f:1 step 2: action "Fly away" is not among its valid actions/ });
  t.throws(() => validateTrajectory(bad((x) => (x.length = 3)), "f:1"), { instanceOf: UserError, message: /"length" 3 differs/ });
  t.throws(() => validateTrajectory(bad((x) => (x.steps[0].reasoning = "ok\nAction: Do nothing")), "f:1"), { instanceOf: UserError, message: /must not contain a line starting with "Action:"/ });
  t.throws(() => validateTrajectory(bad((x) => (x.steps[1].optimal_actions = ["Do nothing"])), "f:1"), { instanceOf: UserError, message: /"optimal_actions" must contain the action/ });
  const row = singleTurnRows(trajectory)[0];
  t.throws(() => validateSingleTurnRow({ ...row, completion: [] }, "r:1"), { instanceOf: UserError, message: /"completion" must be one assistant message/ });
  t.throws(() => validateSingleTurnRow({ ...row, expert_action: "Fly" }, "r:1"), { instanceOf: UserError, message: /"expert_action" must be one of "valid_actions"/ });
});

test("training layouts are disjoint from every evaluation layout, on effective seeds, and distinct", (t) => {
  for (const task of ["cheese_sandwich", "burger", "cheese_burger", "double_cheese_burger"]) {
    const evalEffective = new Set(extendedSeeds(100).map((s) => Number(loadLayoutInfo(task, s).effectiveSeed)));
    const train = trainingLayouts(task, 100);
    t.is(train.length, 100);
    const eff = train.map((l) => l.effectiveSeed);
    t.is(new Set(eff).size, 100);
    t.false(eff.some((s) => evalEffective.has(s)));
    t.true(train.every((l) => l.seed >= 10000));
  }
  // The generator's retry: a seed range low enough to meet evaluation layouts skips them.
  const low = trainingLayouts("cheese_sandwich", 30, 400);
  t.false(low.some((l) => [420, 421, 462].includes(l.effectiveSeed)));
  t.true(low.some((l) => l.seed !== l.effectiveSeed) || low.every((l) => l.seed === l.effectiveSeed));
  t.throws(() => trainingLayouts("cheese_sandwich", 1, 0, 100, [420]), { instanceOf: UserError, message: /training seed 420 plays an evaluation layout of cheese_sandwich \(generated from seed 421\)/ });
  t.is(splitOf(9, 10, 0.1), "val");
  t.is(splitOf(8, 10, 0.1), "train");
  t.is(splitOf(0, 1, 0.1), "train");
});

test("generateExpertData writes trajectories, train/val rows, stats and manifest that load back", (t) => {
  const root = tmp();
  const [stats] = generateExpertData({ tasks: ["burger"], perTask: 6, valFraction: 0.33 }, { root });
  const p = expertPaths("burger", { root });
  for (const f of [p.trajectories, p.train, p.val, p.stats, p.manifest]) t.true(fs.existsSync(f), f);
  const trajs = loadExpertTrajectories("burger", { root });
  t.is(trajs.length, 6);
  t.deepEqual(trajs.map((x) => x.split), ["train", "train", "train", "train", "val", "val"]);
  const train = loadExpertDataset("burger", { root });
  const val = loadExpertDataset("burger", { root, split: "val" });
  t.is(train.length, trajs.filter((x) => x.split === "train").reduce((n, x) => n + x.length, 0));
  t.is(val.length, stats.rows.val);
  t.is(stats.layouts.total, 6);
  t.is(stats.rows.train, train.length);
  t.true(stats.ambiguity.states === train.length + val.length);
  t.true(stats.ambiguity.fraction >= 0 && stats.ambiguity.fraction <= 1);
  // lib/learn's loader reads the file as written.
  t.is(loadSingleTurn(p.train).length, train.length);
  const manifest = JSON.parse(fs.readFileSync(p.manifest, "utf8"));
  t.deepEqual(manifest.prompt, { ...DATASET_PROMPT_CONFIG });
  t.is(manifest.seeds.length, 6);
  t.throws(() => loadExpertDataset("cheese_sandwich", { root }), { instanceOf: UserError, message: /no expert data at .*stgrpo expert --task cheese_sandwich/ });
});

test("stgrpo plan --json prints {length, actions, expanded, ms}; stgrpo expert writes the dataset", async (t) => {
  const { stdout } = await run("node", [BIN, "plan", "burger", "--json"]);
  const p = JSON.parse(stdout);
  t.deepEqual(Object.keys(p), ["length", "actions", "expanded", "ms"]);
  t.is(p.length, 8);
  t.is(p.actions[0], "Move robot1 from table1 to table3");
  t.true(Number.isInteger(p.expanded) && typeof p.ms === "number");
  const seeded = JSON.parse((await run("node", [BIN, "plan", "3_burger", "--seed", "126", "--json"])).stdout);
  t.is(seeded.length, 14);
  const bad = await run("node", [BIN, "plan", "pizza"]).catch((e) => e);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /^stgrpo plan: unknown task "pizza"/);
  t.is(bad.stderr.trim().split("\n").length, 1);
  const budget = await run("node", [BIN, "plan", "double_cheese_burger", "--seed", "126", "--max-expanded", "20"]).catch((e) => e);
  t.is(budget.code, 1);
  t.regex(budget.stderr, /^stgrpo plan: search budget exceeded/);
  const root = tmp();
  const out = await run("node", [BIN, "expert", "--tasks", "cheese_sandwich", "--seeds", "10000-10003", "--out", root, "--json", "--quiet"]);
  const [stats] = JSON.parse(out.stdout);
  t.is(stats.task, "cheese_sandwich");
  t.is(stats.layouts.total, 4);
  t.is(readJsonl(path.join(root, "cheese_sandwich", "trajectories.jsonl")).length, 4);
  await run("node", [BIN, "expert", "--tasks", "burger", "--n", "2", "--dataset-history", "0", "--out", root, "--quiet"]);
  const noHistory = loadExpertDataset("burger", { root });
  t.true(noHistory.every((r) => r.prompt.length === 3));
  t.is(JSON.parse(fs.readFileSync(path.join(root, "burger", "manifest.json"), "utf8")).prompt.historyTurns, 0);
  const clash = await run("node", [BIN, "expert", "--tasks", "burger", "--seeds", "84", "--out", root]).catch((e) => e);
  t.is(clash.code, 1);
  t.regex(clash.stderr, /training seed 84 plays an evaluation layout/);
});
