/**
 * Kitchen engine throughput: random walks on the paper's 44 layouts (4 tasks × default + seeds
 * 42…420; the 8 recorded test layouts when lib/kitchen/instantiate is not there), measuring
 *   (a) steps/s of one walk step = list the valid actions + step (the goal check is part of step),
 *   (b) observation renders/s,
 * and the same for the original Python engine (portal-cornell/robotouille `release`, extracted from
 * a git directory named by ROBOTOUILLE_GIT into a temp dir and run with gym/pddlgym stubbed) in the same
 * run, with the ratio.
 *
 *   npx tsx bench/kitchen.ts            # KITCHEN_BENCH_PYTHON=0 skips the original
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kitchen } from "../lib/kitchen/kitchen";
import type { Layout } from "../lib/kitchen/layout";
import { mulberry32 } from "../lib/util/rng";
import { loadLayout } from "../lib/kitchen/instantiate";
import { EVAL_SEEDS, PAPER_TASKS } from "../lib/kitchen/tasks";
import { ROBOTOUILLE_IMPORT_STUB, robotouilleGit, withOriginal } from "./robotouille";

const TS_STEPS_PER_LAYOUT = Number(process.env.KITCHEN_BENCH_STEPS ?? 20000);
const PY_STEPS_PER_LAYOUT = Number(process.env.KITCHEN_BENCH_PY_STEPS ?? 60);
const OBS_STATES_PER_LAYOUT = 200;
const PY_OBS_STATES_PER_LAYOUT = 10;

function paperLayouts(): { source: string; layouts: Record<string, Layout> } {
  const layouts: Record<string, Layout> = {};
  for (const task of PAPER_TASKS) for (const seed of [null, ...EVAL_SEEDS]) layouts[`${task}@${seed ?? "default"}`] = loadLayout(task, seed);
  return { source: "the 44 paper layouts (4 tasks × default + 10 seeds)", layouts };
}


function benchTs(layouts: Record<string, Layout>) {
  const rand = mulberry32(1);
  for (const layout of Object.values(layouts)) {
    // warm-up (JIT)
    const k = Kitchen.fromLayout(layout);
    for (let t = 0; t < 2000; t++) k.step(k.validActions()[Math.floor(rand() * k.validActionCount())]);
  }
  let steps = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  for (const layout of Object.values(layouts)) {
    const k = Kitchen.fromLayout(layout);
    for (let t = 0; t < TS_STEPS_PER_LAYOUT; t++) {
      const valid = k.validActions();
      if (k.step(valid[Math.floor(rand() * valid.length)]).done) done++;
      steps++;
    }
  }
  const stepSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // Observation rendering, on states collected by walking (the walk itself not timed).
  const states: Kitchen[] = [];
  for (const layout of Object.values(layouts)) {
    const k = Kitchen.fromLayout(layout);
    for (let t = 0; t < OBS_STATES_PER_LAYOUT; t++) {
      states.push(k.clone());
      const valid = k.validActions();
      k.step(valid[Math.floor(rand() * valid.length)]);
    }
  }
  let chars = 0;
  const t1 = process.hrtime.bigint();
  for (let rep = 0; rep < 10; rep++) for (const s of states) chars += s.observation().length;
  const obsSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  return { steps, stepsPerS: steps / stepSeconds, goalSteps: done, obsPerS: (10 * states.length) / obsSeconds, meanChars: chars / (10 * states.length) };
}

const PY_HARNESS = String.raw`
import sys, types, json, copy, random, time
root, layouts_file, steps_per_layout, obs_per_layout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
${ROBOTOUILLE_IMPORT_STUB}
from robotouille.env import build_state, LanguageSpace
domain = json.load(open(root + '/domain/robotouille.json'))
layouts = json.load(open(layouts_file))
rng = random.Random(1)
steps = 0; step_s = 0.0; obs_n = 0; obs_s = 0.0
for layout in layouts.values():
    # as RobotouilleEnv does: step a deepcopy of the built state
    state = copy.deepcopy(build_state(domain, copy.deepcopy(layout)))
    for t in range(steps_per_layout):
        if t < obs_per_layout:
            t0 = time.perf_counter(); LanguageSpace.state_to_language_description(state); obs_s += time.perf_counter() - t0; obs_n += 1
        t0 = time.perf_counter()
        actions, strs = state.get_valid_actions_and_str()
        state.step([actions[rng.randrange(len(actions))]])
        step_s += time.perf_counter() - t0; steps += 1
print(json.dumps({"steps": steps, "stepsPerS": steps / step_s, "obsPerS": obs_n / obs_s}))
`;

function benchPython(layouts: Record<string, Layout>): { ok: true; stepsPerS: number; obsPerS: number; steps: number } | { ok: false; why: string } {
  if (process.env.KITCHEN_BENCH_PYTHON === "0") return { ok: false, why: "skipped (KITCHEN_BENCH_PYTHON=0)" };
  const original = robotouilleGit();
  if (!original.ok) return original;
  return withOriginal(original.gitDir, "robotouille-", (dir) => {
    fs.writeFileSync(path.join(dir, "bench.py"), PY_HARNESS);
    fs.writeFileSync(path.join(dir, "layouts.json"), JSON.stringify(layouts));
    const py = spawnSync(
      "python3",
      [path.join(dir, "bench.py"), dir, path.join(dir, "layouts.json"), String(PY_STEPS_PER_LAYOUT), String(PY_OBS_STATES_PER_LAYOUT)],
      { encoding: "utf8", maxBuffer: 1 << 26 },
    );
    if (py.status !== 0) return { ok: false, why: `python3 failed: ${(py.stderr || String(py.error)).trim().split("\n").pop()}` };
    return { ok: true as const, ...JSON.parse(py.stdout.trim().split("\n").pop()!) };
  });
}

function main() {
  const { source, layouts } = paperLayouts();
  const n = Object.keys(layouts).length;
  console.log(`kitchen bench on ${source}`);
  const ts = benchTs(layouts);
  console.log(
    `TypeScript: ${Math.round(ts.stepsPerS).toLocaleString("en")} steps/s (valid actions + step + goal; ` +
      `${ts.steps.toLocaleString("en")} steps, ${TS_STEPS_PER_LAYOUT} per layout, goal held after ${ts.goalSteps} of them)`,
  );
  console.log(`TypeScript: ${Math.round(ts.obsPerS).toLocaleString("en")} observations/s (mean ${Math.round(ts.meanChars)} chars)`);
  const py = benchPython(layouts);
  if (!py.ok) {
    console.log(`original Python engine: not run — ${py.why}`);
    return;
  }
  console.log(
    `Python original: ${py.stepsPerS.toFixed(0)} steps/s (${py.steps} steps, ${PY_STEPS_PER_LAYOUT} per layout on the same ${n} layouts), ` +
      `${py.obsPerS.toFixed(0)} observations/s`,
  );
  console.log(`ratio TypeScript / Python: steps ×${(ts.stepsPerS / py.stepsPerS).toFixed(0)}, observations ×${(ts.obsPerS / py.obsPerS).toFixed(0)}`);
}

main();
