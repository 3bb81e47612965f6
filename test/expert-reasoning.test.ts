/**
 * The expert's reasoning styles (full plan / next subgoal / none) and the leak they cause: with the
 * `full` style and one step of history, every row after a trajectory's first has its expert action in
 * the prompt verbatim, as the step after the previous action; the other styles put no action line
 * there. Every style's completion is still a well-formed reply with the expert action (reward 1).
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { scoreReply } from "../lib/agent/parse";
import { readJsonFile } from "../lib/util/files";
import { DATASET_PROMPT_CONFIG, DatasetStats, expertPaths, generateExpertData, historyLeak, loadExpertDataset, loadExpertTrajectories, singleTurnRows } from "../lib/dataset/index";
import { expertTrajectory, nextSubgoal, REASONING_STYLES, withReasoning } from "../lib/expert/index";
import { reasoningLeakStudy, reasoningLeakTable } from "../lib/workflows/kitchen-and-expert";

const run = promisify(execFile);
const BIN = path.join(__dirname, "..", "bin", "stgrpo");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-reasoning-"));

const LAYOUTS: [string, number][] = [["burger", 10000], ["cheese_sandwich", 10002], ["double_cheese_burger", 10001], ["cheese_burger", 10005]];

test("the full style lists the remaining plan; replaying a trajectory in a style gives what planning in it gives", (t) => {
  for (const [task, seed] of LAYOUTS) {
    const full = expertTrajectory(task, seed).trajectory;
    const tail = full.steps.map((s, k) => full.steps.slice(k).map((x, j) => `${j + 1}. ${x.action}`).join("\n"));
    full.steps.forEach((s, k) => t.true(s.reasoning!.includes(`\n${tail[k]}\nI take its first step.`), `${task}@${seed} step ${k}`));
    for (const style of REASONING_STYLES) {
      const planned = expertTrajectory(task, seed, { reasoning: style }).trajectory;
      t.deepEqual(withReasoning(full, style), planned, `${task}@${seed} ${style}`);
    }
  }
});

test("subgoal and none reasonings name no action of the kitchen; every style's completion scores 1", (t) => {
  for (const [task, seed] of LAYOUTS) {
    for (const style of REASONING_STYLES) {
      const traj = expertTrajectory(task, seed, { reasoning: style }).trajectory;
      const actions = new Set(traj.steps.flatMap((x) => x.valid_actions));
      for (const s of traj.steps) {
        const named = [...actions].filter((a) => s.reasoning!.includes(a));
        if (style === "full") t.true(named.includes(s.action));
        else t.deepEqual(named, [], `${task}@${seed} ${style}`);
      }
      for (const row of singleTurnRows(traj)) t.is(scoreReply(row.completion[0].content, row.expert_action, row.valid_actions).reward, 1);
    }
  }
});

test("the next subgoal is the plan's next put-down, stack, cook, cut, fry or wait, in words", (t) => {
  const plan = ["Move robot1 from table1 to sink3", "Pick up patty1 from sink3 using robot1", "Move robot1 from sink3 to stove1", "Place patty1 on stove1 using robot1", "Cook patty1 on stove1 using robot1"];
  t.is(nextSubgoal(plan), "get patty1 onto stove1");
  t.is(nextSubgoal(plan.slice(4)), "get patty1 cooking on stove1");
  t.is(nextSubgoal(["Stack topbun1 on top of patty1 using robot1"]), "get topbun1 on top of patty1");
  t.is(nextSubgoal(["Cut lettuce1 on board1 using robot1"]), "get lettuce1 cut on board1");
  t.is(nextSubgoal(["Do nothing", "Pick up patty1 from stove1 using robot1"]), "wait until the cooking or frying is done");
});

test("the leak: full puts every later expert action into the prompt as the next step, the other styles none", (t) => {
  const trajs = LAYOUTS.map(([task, seed]) => expertTrajectory(task, seed).trajectory);
  const study = reasoningLeakStudy({ mixed: trajs });
  const rows = trajs.reduce((n, x) => n + x.length, 0);
  const later = rows - trajs.length;
  const by = Object.fromEntries(study.map((r) => [r.style, r.leak]));
  t.deepEqual(by.full, { rows, withHistory: later, verbatim: later, nextStep: later });
  t.deepEqual(by.subgoal, { rows, withHistory: later, verbatim: 0, nextStep: 0 });
  t.deepEqual(by.none, { rows, withHistory: later, verbatim: 0, nextStep: 0 });
  // without history nothing can leak
  t.deepEqual(historyLeak(trajs.flatMap((x) => singleTurnRows(x, { ...DATASET_PROMPT_CONFIG, historyTurns: 0 }))), { rows, withHistory: 0, verbatim: 0, nextStep: 0 });
  const table = reasoningLeakTable(study);
  t.regex(table, new RegExp(`\\| mixed \\| ${rows} \\| ${((100 * later) / rows).toFixed(1)}% \\| ${((100 * later) / rows).toFixed(1)}% \\(${((100 * later) / rows).toFixed(1)}%\\) \\| 0\\.0% \\(0\\.0%\\) \\| 0\\.0% \\(0\\.0%\\) \\|`));
});

test("a dataset records its reasoning style and leak; stgrpo expert --reasoning writes it", async (t) => {
  const root = tmp();
  const [stats] = generateExpertData({ tasks: ["burger"], perTask: 3, reasoning: "subgoal" }, { root });
  t.is(stats.reasoning.style, "subgoal");
  t.is(stats.reasoning.leak.verbatim, 0);
  t.is(stats.reasoning.leak.rows, stats.rows.train + stats.rows.val);
  t.is(readJsonFile<{ config: { reasoning: string } }>(expertPaths("burger", { root }).manifest).config.reasoning, "subgoal");
  const cli = tmp();
  const { stdout } = await run(process.execPath, [BIN, "expert", "--tasks", "burger", "--n", "3", "--reasoning", "full", "--out", cli, "--json", "--quiet"]);
  const [full] = JSON.parse(stdout) as DatasetStats[];
  t.is(full.reasoning.style, "full");
  t.is(full.reasoning.leak.verbatim, full.rows.train + full.rows.val - 3);
  t.deepEqual(historyLeak([...loadExpertDataset("burger", { root: cli }), ...loadExpertDataset("burger", { root: cli, split: "val" })]), full.reasoning.leak);
  // the same trajectories, restyled, are the subgoal dataset's
  t.deepEqual(loadExpertTrajectories("burger", { root: cli }).map((x) => withReasoning(x, "subgoal").steps.map((s) => s.reasoning)), loadExpertTrajectories("burger", { root }).map((x) => x.steps.map((s) => s.reasoning)));
});

test("bad --reasoning input is one line; only the planner's trajectories can be restyled", async (t) => {
  for (const [args, message] of [
    [["--reasoning", "plan"], /^stgrpo expert: --reasoning must be one of full, subgoal, none, got "plan"\n$/],
    [["--expert", "llm", "--endpoint", "http://127.0.0.1:9", "--reasoning", "none"], /^stgrpo expert: --reasoning is for the planner expert/],
  ] as const) {
    const e = await t.throwsAsync(run(process.execPath, [BIN, "expert", "--tasks", "burger", "--n", "1", "--out", tmp(), ...args]));
    t.regex((e as unknown as { stderr: string }).stderr, message);
  }
  const traj = expertTrajectory("burger", 10000).trajectory;
  t.throws(() => withReasoning({ ...traj, expert: "llm:some-model", optimal: false }, "none"), { message: /only the planner's trajectories/ });
});
