/**
 * CookingWorld steps per second through our clients beside the package's own Python API (py4j), in the
 * same run, on the same games and the same actions: every game is reset, then `steps` actions are taken,
 * action k being the (seed + 7k)-th of the sorted valid actions (a lost or won game is reset again). The
 * wall time includes the resets; the JVMs are started and warmed up (one untimed pass) before timing.
 * Every variant is timed `reps` times and its median is reported (the machine is shared: the median
 * of a few passes is steadier than one).
 *
 * - Python: `TextWorldExpressEnv.reset/step` (what a Python user of the package gets);
 * - async, 1 env: CookingWorldEngine, each step awaited before the next (one episode at a time);
 * - async, 16 envs: 16 episodes at once on one JVM (requests pipelined, as an evaluation runs them);
 * - async, 16 envs on 2 JVMs: the same split over two engines (does a pool pay on this machine?);
 * - sync, 1 env: CookingWorldSyncEngine (the kitchen-shaped blocking API; a worker thread relays).
 *
 *   npx tsx bench/cookingworld.ts [games=200] [steps=50] [task=cookingworld-2] [reps=3]
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { CookingWorldEngine, CookingWorldEnv } from "../lib/cookingworld/engine";
import { paramString, resolveLevel } from "../lib/cookingworld/levels";
import type { CookingWorldState } from "../lib/cookingworld/protocol";
import { CookingWorldSyncEngine } from "../lib/cookingworld/sync";

const PYTHON = `
import json, sys, time
from textworld_express import TextWorldExpressEnv
req = json.load(sys.stdin)
env = TextWorldExpressEnv(envStepLimit=10**9)
def episode(seed, first):
    obs, infos = env.reset(seed=seed, gameFold="train", gameName="cookingworld" if first else None, gameParams=req["params"] if first else None)
    n = 0
    for k in range(req["steps"]):
        acts = sorted(infos["validActions"])
        obs, r, done, infos = env.step(acts[(seed + 7 * k) % len(acts)])
        n += 1
        if infos["tasksuccess"] or infos["taskfailure"]:
            obs, infos = env.reset(seed=seed, gameFold="train")
    return n
for seed in req["seeds"][:10]:
    episode(seed, seed == req["seeds"][0])
runs = []
for _ in range(req["reps"]):
    t = time.perf_counter()
    n = sum(episode(seed, False) for seed in req["seeds"])
    runs.append({"steps": n, "seconds": time.perf_counter() - t})
json.dump(runs, sys.stdout)
env.close()
`;

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** One game's episode through the async client; returns the steps taken. */
async function episode(env: CookingWorldEnv, task: string, seed: number, steps: number): Promise<number> {
  let s: CookingWorldState = await env.reset(task, seed);
  for (let k = 0; k < steps; k++) {
    const acts = [...s.validActions].sort();
    s = await env.step(acts[(seed + 7 * k) % acts.length]);
    if (s.done) s = await env.reset(task, seed);
  }
  return steps;
}

type Run = { steps: number; seconds: number };

/** The median pass by steps/s. */
const median = (runs: Run[]): Run => [...runs].sort((a, b) => a.steps / a.seconds - b.steps / b.seconds)[Math.floor(runs.length / 2)];

async function timed(reps: number, pass: () => Promise<number>): Promise<Run> {
  const runs: Run[] = [];
  for (let r = 0; r < reps; r++) {
    const t = now();
    const steps = await pass();
    runs.push({ steps, seconds: now() - t });
  }
  return median(runs);
}

/** Episodes of all seeds on `envs` environments at once (env i plays seeds i, i + n, …). */
async function concurrently(envs: CookingWorldEnv[], task: string, seeds: number[], steps: number): Promise<number> {
  const per = await Promise.all(
    envs.map(async (env, i) => {
      let taken = 0;
      for (let k = i; k < seeds.length; k += envs.length) taken += await episode(env, task, seeds[k], steps);
      return taken;
    }),
  );
  return per.reduce((a, b) => a + b, 0);
}

async function main() {
  const games = Number(process.argv[2] ?? 200);
  const steps = Number(process.argv[3] ?? 50);
  const task = process.argv[4] ?? "cookingworld-2";
  const reps = Number(process.argv[5] ?? 3);
  const level = resolveLevel(task);
  const seeds = Array.from({ length: games }, (_, i) => i);

  const py = spawnSync(path.join(__dirname, "..", ".venv", "bin", "python"), ["-c", PYTHON], {
    input: JSON.stringify({ params: paramString(level.params), seeds, steps, reps }),
    encoding: "utf8",
  });
  if (py.status !== 0) throw new Error(`the Python API bench failed: ${py.stderr.slice(-1000)}`);
  const python = median(JSON.parse(py.stdout) as Run[]);

  const engine = new CookingWorldEngine();
  const second = new CookingWorldEngine();
  const one = [engine.env()];
  const many = Array.from({ length: 16 }, () => engine.env());
  const pooled = Array.from({ length: 16 }, (_, i) => (i % 2 ? second : engine).env());
  await concurrently(one, task, seeds, steps); // warm-up (JIT) of both JVMs
  await concurrently([second.env()], task, seeds, steps);
  const asyncOne = await timed(reps, () => concurrently(one, task, seeds, steps));
  const asyncMany = await timed(reps, () => concurrently(many, task, seeds, steps));
  const asyncPool = await timed(reps, () => concurrently(pooled, task, seeds, steps));
  await Promise.all([engine.stop(), second.stop()]);

  const sync = new CookingWorldSyncEngine();
  const senv = sync.env();
  const syncPass = () => {
    let taken = 0;
    for (const seed of seeds) {
      let s: CookingWorldState = senv.reset(task, seed);
      for (let k = 0; k < steps; k++) {
        const acts = [...s.validActions].sort();
        s = senv.step(acts[(seed + 7 * k) % acts.length]);
        if (s.done) s = senv.reset(task, seed);
      }
      taken += steps;
    }
    return Promise.resolve(taken);
  };
  await syncPass();
  const syncOne = await timed(reps, syncPass);
  sync.stop();

  const rate = (r: Run) => r.steps / r.seconds;
  const base = rate(python);
  const row = (name: string, r: Run) => `${name.padEnd(34)} ${String(r.steps).padStart(6)} steps ${rate(r).toFixed(0).padStart(7)} steps/s  ×${(rate(r) / base).toFixed(1)}`;
  console.log(`CookingWorld ${task}, ${games} games × ${steps} steps (resets included), median of ${reps} passes, one run:`);
  console.log(row("Python API (py4j)", python));
  console.log(row("ours, async, 1 env", asyncOne));
  console.log(row("ours, async, 16 envs on one JVM", asyncMany));
  console.log(row("ours, async, 16 envs on 2 JVMs", asyncPool));
  console.log(row("ours, sync, 1 env", syncOne));
}

main().catch((e) => {
  console.error(`bench/cookingworld: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
