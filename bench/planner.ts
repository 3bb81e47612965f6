/**
 * Planner benchmark, all in one run:
 *   (a) the 44 paper evaluation layouts (4 tasks × default + seeds 42…420): per layout, the optimal
 *       length by A* (fresh planner), the unique expert plan (tie-break), the optimal-action sets
 *       (ambiguity), states expanded and states expanded per second;
 *   (b) the 400 default training layouts (100 per task, seeds 10000+): the same, in total;
 *   (c) baseline 1: our own plain breadth-first search (same engine, same state keys) on the 44
 *       layouts, up to PLANNER_BENCH_BFS_CAP states each; ratio of times where it finishes;
 *   (d) baseline 2: the original repository's BFS agent (agents/bfs_agent.py: breadth-first over
 *       deep copies of the environment, no visited set), measured as nodes/s on the original Python
 *       engine (ROBOTOUILLE_GIT, see bench/robotouille.ts), times the exact number of nodes it would generate (counted here)
 *       on the default layouts.
 *
 *   npx tsx bench/planner.ts         # PLANNER_BENCH_BFS_CAP=300000, PLANNER_BENCH_PYTHON=0 to skip (d)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EVAL_SEEDS, Kitchen, loadLayout, PAPER_TASKS } from "../lib/kitchen/index";
import { applyAction, EngineState, goalHolds, validActionIds } from "../lib/kitchen/engine";
import { astar, bfsLength, LayoutPlanner } from "../lib/expert/index";
import { trainingLayouts } from "../lib/dataset/index";
import { ROBOTOUILLE_IMPORT_STUB, robotouilleGit, withOriginal } from "./robotouille";

const BFS_CAP = Number(process.env.PLANNER_BENCH_BFS_CAP ?? 300_000);
const PY_SECONDS = Number(process.env.PLANNER_BENCH_PY_SECONDS ?? 20);

interface Row {
  name: string;
  length: number;
  astarMs: number;
  astarExpanded: number;
  astarGenerated: number;
  expertMs: number;
  allOptimalMs: number;
  expandedTotal: number;
  ambiguous: number;
}

function planLayout(name: string, layout: ReturnType<typeof loadLayout>): Row {
  const k = Kitchen.fromLayout(layout);
  const t0 = performance.now();
  const planner = new LayoutPlanner(k.model);
  const length = planner.distance(k.engineState, Infinity)!;
  const astarMs = performance.now() - t0;
  const astarExpanded = planner.expanded;
  const astarGenerated = planner.generated;
  const t1 = performance.now();
  planner.expertPlan(k.engineState);
  const expertMs = performance.now() - t1 + astarMs;
  const t2 = performance.now();
  const fresh = new LayoutPlanner(k.model);
  const p = fresh.expertPlan(k.engineState, { allOptimal: true });
  const allOptimalMs = performance.now() - t2;
  return { name, length, astarMs, astarExpanded, astarGenerated, expertMs, allOptimalMs, expandedTotal: fresh.expanded, ambiguous: p.optimalIndices!.filter((o) => o.length > 1).length };
}

function sum(rows: Row[], f: (r: Row) => number): number {
  return rows.reduce((a, r) => a + f(r), 0);
}

/** Nodes the original BFS agent generates before it finds a goal: FIFO, every child of every popped node, no visited set. */
function originalBfsNodes(k: Kitchen, limit = 5_000_000): number | null {
  const m = k.model;
  const ids = new Int32Array(m.nStations + 8);
  let frontier: EngineState[] = [{ s: k.engineState.s.slice(), fx: k.engineState.fx.slice() }];
  let generated = 0;
  while (frontier.length) {
    const next: EngineState[] = [];
    for (const st of frontier) {
      const n = validActionIds(m, st, ids);
      for (let a = 0; a < n; a++) {
        const c = { s: st.s.slice(), fx: st.fx.slice() };
        applyAction(m, c, ids[a]);
        generated++;
        if (goalHolds(m, c)) return generated;
        if (generated > limit) return null;
        next.push(c);
      }
    }
    frontier = next;
  }
  return null;
}

const PY_HARNESS = String.raw`
import sys, types, json, copy, time
root, layout_file, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
${ROBOTOUILLE_IMPORT_STUB}
from robotouille.env import build_state
domain = json.load(open(root + '/domain/robotouille.json'))
layout = json.load(open(layout_file))
state = copy.deepcopy(build_state(domain, copy.deepcopy(layout)))
# agents/bfs_agent.py's loop (on the state instead of the whole env: a deep copy of less, so faster
# than the original), timed for a fixed budget: nodes generated per second.
queue = [state]; nodes = 0; t0 = time.perf_counter()
while time.perf_counter() - t0 < seconds:
    cur = queue.pop(0)
    actions, strs = cur.get_valid_actions_and_str()
    for action in actions:
        new = copy.deepcopy(cur)
        new.step([action])
        nodes += 1
        queue.append(new)
print(json.dumps({"nodes": nodes, "seconds": time.perf_counter() - t0}))
`;

function pythonBfsRate(layout: ReturnType<typeof loadLayout>): { ok: true; nodesPerS: number } | { ok: false; why: string } {
  if (process.env.PLANNER_BENCH_PYTHON === "0") return { ok: false, why: "skipped (PLANNER_BENCH_PYTHON=0)" };
  const original = robotouilleGit();
  if (!original.ok) return original;
  return withOriginal(original.gitDir, "robotouille-bfs-", (dir) => {
    fs.writeFileSync(path.join(dir, "bfs.py"), PY_HARNESS);
    fs.writeFileSync(path.join(dir, "layout.json"), JSON.stringify(layout));
    const py = spawnSync("python3", [path.join(dir, "bfs.py"), dir, path.join(dir, "layout.json"), String(PY_SECONDS)], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (py.status !== 0) return { ok: false, why: `python3 failed: ${(py.stderr || String(py.error)).trim().split("\n").pop()}` };
    const r = JSON.parse(py.stdout.trim().split("\n").pop()!);
    return { ok: true as const, nodesPerS: r.nodes / r.seconds };
  });
}

function fmt(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function main() {
  // Warm the JIT on one layout so the first row is not the compiler's.
  planLayout("warm-up", loadLayout("double_cheese_burger", 126));

  console.log("(a) the 44 paper evaluation layouts");
  console.log("layout                       L   A* ms  expanded   expert ms  all-optimal ms  ambiguous states");
  const evalRows: Row[] = [];
  for (const task of PAPER_TASKS) {
    for (const seed of [null, ...EVAL_SEEDS]) {
      const r = planLayout(`${task}@${seed ?? "default"}`, loadLayout(task, seed));
      evalRows.push(r);
      console.log(
        `${r.name.padEnd(27)} ${String(r.length).padStart(2)} ${r.astarMs.toFixed(1).padStart(7)} ${String(r.astarExpanded).padStart(9)} ${r.expertMs.toFixed(1).padStart(11)} ${r.allOptimalMs.toFixed(1).padStart(15)} ${String(r.ambiguous).padStart(6)}/${r.length}`,
      );
    }
  }
  const aMs = sum(evalRows, (r) => r.astarMs);
  const aExp = sum(evalRows, (r) => r.astarExpanded);
  const aGen = sum(evalRows, (r) => r.astarGenerated);
  console.log(
    `total: A* ${fmt(aMs)} (${aExp.toLocaleString("en")} expanded, ${Math.round((aExp / aMs) * 1000).toLocaleString("en")} states expanded/s, ` +
      `${aGen.toLocaleString("en")} generated); ` +
      `expert plans ${fmt(sum(evalRows, (r) => r.expertMs))}; with all optimal actions ${fmt(sum(evalRows, (r) => r.allOptimalMs))} ` +
      `(${sum(evalRows, (r) => r.expandedTotal).toLocaleString("en")} expanded, ${Math.round((sum(evalRows, (r) => r.expandedTotal) / sum(evalRows, (r) => r.allOptimalMs)) * 1000).toLocaleString("en")}/s)`,
  );

  console.log("\n(b) the 400 default training layouts (100 per task, seeds from 10000, disjoint from evaluation)");
  const trainRows: Row[] = [];
  for (const task of PAPER_TASKS) {
    const rows = trainingLayouts(task, 100).map((l) => planLayout(`${task}@${l.seed}`, loadLayout(task, l.seed)));
    trainRows.push(...rows);
    console.log(
      `${task.padEnd(22)} A* ${fmt(sum(rows, (r) => r.astarMs)).padStart(9)}  expert ${fmt(sum(rows, (r) => r.expertMs)).padStart(9)}  all-optimal ${fmt(sum(rows, (r) => r.allOptimalMs)).padStart(9)}  ` +
        `slowest ${fmt(Math.max(...rows.map((r) => r.allOptimalMs)))}`,
    );
  }
  const tExp = sum(trainRows, (r) => r.astarExpanded);
  const tMs = sum(trainRows, (r) => r.astarMs);
  console.log(
    `total: A* ${fmt(tMs)} (${Math.round((tExp / tMs) * 1000).toLocaleString("en")} states expanded/s); expert plans ${fmt(sum(trainRows, (r) => r.expertMs))}; ` +
      `with all optimal actions ${fmt(sum(trainRows, (r) => r.allOptimalMs))}`,
  );

  // The searches above are tiny (tens of expansions: per-search set-up dominates). The machinery's
  // throughput on a big search: A* with h = 0 (uniform-cost order) on a layout BFS can finish.
  {
    const k = Kitchen.fromLayout(loadLayout("cheese_burger", 42));
    const t0 = performance.now();
    const r = astar(k.model, k.engineState, () => 0);
    const ms = performance.now() - t0;
    console.log(
      `search throughput (A* with h = 0 on cheese_burger@42, length ${r.plan!.length}): ${r.expanded.toLocaleString("en")} expanded in ${fmt(ms)} = ` +
        `${Math.round((r.expanded / ms) * 1000).toLocaleString("en")} states expanded/s (${Math.round((r.generated / ms) * 1000).toLocaleString("en")} generated/s)`,
    );
  }

  console.log(`\n(c) plain breadth-first search (ours, same engine and keys), up to ${BFS_CAP.toLocaleString("en")} states per layout`);
  let bfsMs = 0;
  let astarOnSame = 0;
  let finished = 0;
  let visited = 0;
  const unfinished: string[] = [];
  evalRows.forEach((r, i) => {
    const task = PAPER_TASKS[Math.floor(i / 11)];
    const seed = i % 11 === 0 ? null : EVAL_SEEDS[(i % 11) - 1];
    const k = Kitchen.fromLayout(loadLayout(task, seed));
    const t0 = performance.now();
    try {
      const b = bfsLength(k.model, k.engineState, BFS_CAP);
      bfsMs += performance.now() - t0;
      visited += b.visited;
      astarOnSame += r.astarMs;
      finished++;
      if (b.length !== r.length) throw new Error(`BFS ${b.length} ≠ A* ${r.length} on ${r.name}`);
    } catch (e) {
      if (!(e as Error).message.startsWith("breadth-first search stopped")) throw e;
      unfinished.push(r.name);
    }
  });
  console.log(
    `BFS finished on ${finished}/44 layouts (same lengths as A*) in ${fmt(bfsMs)} (${Math.round((visited / bfsMs) * 1000).toLocaleString("en")} states/s); ` +
      `A* on those: ${fmt(astarOnSame)} — ratio ×${(bfsMs / astarOnSame).toFixed(0)}`,
  );
  console.log(`BFS did not finish (> ${BFS_CAP.toLocaleString("en")} states): ${unfinished.join(", ")}`);

  console.log("\n(d) the original repository's BFS agent (agents/bfs_agent.py), on the default layouts");
  const burger = loadLayout("burger");
  const py = pythonBfsRate(burger);
  if (py.ok === false) {
    console.log(`not run — ${py.why}`);
    return;
  }
  console.log(`original: ${py.nodesPerS.toFixed(0)} nodes/s (deepcopy + step, Python, measured for ${PY_SECONDS} s on the default burger)`);
  for (const task of PAPER_TASKS) {
    const k = Kitchen.fromLayout(loadLayout(task));
    const nodes = originalBfsNodes(k);
    const ours = evalRows.find((r) => r.name === `${task}@default`)!;
    if (nodes === null) {
      console.log(`${task}@default: more than 5,000,000 nodes before the goal — over ${(5e6 / py.nodesPerS / 3600).toFixed(1)} h for the original; ours ${fmt(ours.expertMs)}`);
    } else {
      const s = nodes / py.nodesPerS;
      console.log(`${task}@default: ${nodes.toLocaleString("en")} nodes → ≈ ${s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`} for the original; ours ${fmt(ours.expertMs)} (×${Math.round((s * 1000) / ours.expertMs).toLocaleString("en")})`);
    }
  }
}

main();
