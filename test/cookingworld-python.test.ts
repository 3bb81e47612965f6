/**
 * Our CookingWorld client against textworld-express's own Python API (live, through
 * test/helpers/cookingworld_python.py and py4j): the same observations, look and inventory texts, valid
 * actions (in the same order), scores and outcomes, state by state, on 200 seeded games of the four levels
 * (train, dev and test seeds), along the engine's gold path and along a seeded random walk.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { CookingWorldEngine } from "../lib/cookingworld/engine";
import { COOKINGWORLD_LEVELS, Fold, paramString } from "../lib/cookingworld/levels";
import type { CookingWorldState } from "../lib/cookingworld/protocol";

const ROOT = path.join(__dirname, "..");
const PYTHON = path.join(ROOT, ".venv", "bin", "python");
const SCRIPT = path.join(__dirname, "helpers", "cookingworld_python.py");

/** A state as the Python API reports it (the script's `state()`), with the action that led to it. */
interface PyState extends Omit<CookingWorldState, "done" | "steps" | "key"> {
  action: string | null;
  valid: boolean;
  goal: string;
}

interface PyGame {
  task: string;
  seed: number;
  gold: string[];
  goldStates: PyState[];
  walk: PyState[];
}

interface GameSpec {
  task: string;
  params: string;
  seed: number;
  fold: Fold;
  random_steps: number;
}

/** 50 games per level: 30 train, 10 dev and 10 test seeds (spread over each fold's range). */
function specs(): GameSpec[] {
  const out: GameSpec[] = [];
  for (const level of COOKINGWORLD_LEVELS) {
    const params = paramString(level.params);
    const add = (fold: Fold, base: number, n: number) => {
      for (let k = 0; k < n; k++) out.push({ task: level.task, params, seed: base + k * 7, fold, random_steps: 8 });
    };
    add("train", 0, 30);
    add("dev", 10000, 10);
    add("test", 20000, 10);
  }
  return out;
}

function runPython(input: unknown): { games: PyGame[]; paths: PyState[][] } {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(input), encoding: "utf8", maxBuffer: 1 << 30, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`the Python reference failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout);
}

const shown = (s: PyState | CookingWorldState) => ({
  observation: s.observation,
  look: s.look,
  inventory: s.inventory,
  validActions: s.validActions,
  score: s.score,
  scoreRaw: s.scoreRaw,
  success: s.success,
  failure: s.failure,
});

test("observations, valid actions and outcomes equal the Python API's on 200 games (gold paths and random walks)", async (t) => {
  const games = specs();
  t.true(games.length >= 200);
  const py = runPython({ games });
  t.is(py.games.length, games.length);
  const engine = new CookingWorldEngine();
  t.teardown(() => engine.stop());
  let compared = 0;
  let skipped = 0;
  await Promise.all(
    games.map(async (g, i) => {
      const ref = py.games[i];
      const where = `${g.task} seed ${g.seed}`;
      const env = engine.env();
      // The gold path: the engine's sequence, as the Python API plays it.
      const s0 = await env.reset(g.task, g.seed, { fold: g.fold });
      t.is(s0.goal, ref.goldStates[0].goal, where);
      t.deepEqual(shown(s0), shown(ref.goldStates[0]), `${where} after reset`);
      const gold = await engine.gold(g.task, g.seed, g.fold);
      t.deepEqual(gold.raw, ref.gold, `${where}: gold sequence`);
      t.deepEqual(
        gold.skipped,
        ref.goldStates.slice(1).flatMap((s, k) => (s.valid ? [] : [k])),
        `${where}: the gold actions Python found invalid are the ones we skip`,
      );
      for (const [k, s] of ref.goldStates.slice(1).entries()) {
        if (!s.valid) {
          t.is(s.observation, "Unknown action: I'm not sure what you mean.", where);
          await t.throwsAsync(env.step(s.action!), { message: /^invalid action ".*" in cookingworld-\d seed \d+ \(step \d+\): not one of the \d+ valid actions$/ });
          skipped++;
          continue;
        }
        t.deepEqual(shown(await env.step(s.action!)), shown(s), `${where} after gold action ${k} (${s.action})`);
        compared++;
      }
      t.true(env.state!.success, `${where}: the gold path ends in success`);
      // A seeded random walk from a fresh reset.
      t.deepEqual(shown(await env.reset(g.task, g.seed)), shown(ref.walk[0]), `${where} after the second reset`);
      for (const s of ref.walk.slice(1)) {
        t.deepEqual(shown(await env.step(s.action!)), shown(s), `${where} after random action ${s.action}`);
        compared++;
      }
      await env.close();
    }),
  );
  t.true(compared > 4000, `${compared} states compared`);
  t.true(skipped > 0, "some gold paths hold an invalid no-op action (the engine's gold agent issues them)");
});

test("a shortest path found by our exact search succeeds in the Python API", async (t) => {
  const engine = new CookingWorldEngine();
  t.teardown(() => engine.stop());
  const cases: [string, number][] = [
    ["cookingworld-1", 3],
    ["cookingworld-2", 3],
    ["cookingworld-3", 3],
  ];
  const found = await Promise.all(cases.map(([task, seed]) => engine.search(task, seed)));
  const level = (task: string) => COOKINGWORLD_LEVELS.find((l) => l.task === task)!;
  const py = runPython({
    games: [],
    paths: cases.map(([task, seed], i) => ({ params: paramString(level(task).params), seed, fold: "train", actions: found[i].path })),
  });
  py.paths.forEach((states, i) => {
    t.is(states.length, found[i].length + 1);
    t.true(states.every((s) => s.valid));
    t.true(states[states.length - 1].success, `${cases[i][0]} seed ${cases[i][1]}`);
    t.false(states.slice(0, -1).some((s) => s.success || s.failure));
  });
});
