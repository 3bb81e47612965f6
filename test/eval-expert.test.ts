/**
 * The planner expert (lib/agent's ExpertPolicy on lib/expert's planOptimal) under the evaluation: on
 * the paper protocol and on the first 23 extended cheese-sandwich layouts, every episode takes exactly
 * lib/expert's optimal number of steps (and fails exactly where the optimum exceeds the timeout).
 * Regression: the policy's plan cache was keyed by state key across layouts; keys are unique only within
 * a layout, so the 23rd cheese-sandwich layout (seed 966) replayed another layout's plan and the
 * runner stopped on an invalid action.
 */
import test from "ava";
import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { ExpertPolicy } from "../lib/agent/index";
import { optimalLength } from "../lib/expert/planner";
import { makeKitchen, resolveTask } from "../lib/kitchen/index";
import { silentProgress } from "../lib/util/progress";
import { evaluateRun } from "../lib/eval/evaluate";
import { extendedSeeds } from "../lib/kitchen/index";
import { paperProtocol } from "../lib/eval/protocol";

const out = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-evalexpert-")), "e.jsonl");

test("the expert's episodes are minimal on every paper layout and across 23 layouts of one task with one policy", async (t) => {
  const policy = new ExpertPolicy();
  const paper = paperProtocol();
  const a = await evaluateRun(policy, { run: "r", model: "expert", tasks: paper.tasks, seeds: paper.seeds, out: out(), progress: silentProgress });
  const b = await evaluateRun(policy, { run: "r", model: "expert", tasks: [resolveTask("cheese_sandwich")], seeds: extendedSeeds(23), out: out(), progress: silentProgress });
  for (const e of [...a.episodes, ...b.episodes]) {
    const T = optimalLength(makeKitchen(e.task, e.seed));
    t.is(e.success, T <= e.timeout, `${e.task}@${e.seed}`);
    t.is(e.steps, Math.min(T, e.timeout), `${e.task}@${e.seed}: ${e.steps} steps, optimum ${T}`);
    t.is(e.attempts, e.steps_taken);
  }
  t.deepEqual(Object.values(a.metrics).map((m) => m.sr), [1, 1, 1, 1]);
});
