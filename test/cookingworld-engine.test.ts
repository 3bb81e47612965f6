/**
 * The CookingWorld engine process and its clients (lib/cookingworld/engine.ts, sync.ts) on the real JVM:
 * gold paths replay to success, bad input is a one-line error, a killed or stuck engine is an error that
 * names the game and seed and is restarted transparently, clones are independent, and no JVM outlives
 * its Node process.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { CookingWorldEngine } from "../lib/cookingworld/engine";
import { COOKINGWORLD_TASKS } from "../lib/cookingworld/levels";
import { CookingWorldError, CookingWorldState } from "../lib/cookingworld/protocol";
import { CookingWorldSyncEngine } from "../lib/cookingworld/sync";
import { UserError } from "../lib/util/errors";

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function gone(pid: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

const ONE_LINE = /^[^\n]+$/;

test("gold paths replay to success on every level (train, dev and test seeds)", async (t) => {
  const engine = new CookingWorldEngine();
  t.teardown(() => engine.stop());
  const seeds = await engine.seeds();
  t.deepEqual([seeds.train.length, seeds.dev.length, seeds.test.length], [1000, 1000, 1000]);
  const games = COOKINGWORLD_TASKS.flatMap((task) => [...seeds.train.slice(0, 25), ...seeds.test.slice(0, 10), ...seeds.dev.slice(0, 5)].map((seed) => ({ task, seed })));
  let skipped = 0;
  await Promise.all(
    games.map(async ({ task, seed }) => {
      const gold = await engine.gold(task, seed);
      skipped += gold.skipped.length;
      t.is(gold.actions.length + gold.skipped.length, gold.raw.length);
      const env = engine.env();
      let s: CookingWorldState = await env.reset(task, seed);
      t.false(s.done);
      for (const [k, a] of gold.actions.entries()) {
        t.false(s.done, `${task} seed ${seed}: done before the end of the gold path`);
        s = await env.step(a);
        t.is(s.steps, k + 1);
      }
      t.true(s.success && s.done && s.score === 1, `${task} seed ${seed}`);
      await env.close();
    }),
  );
  t.true(skipped > 0);
});

test("bad input is a one-line error naming the problem", async (t) => {
  const engine = new CookingWorldEngine();
  t.teardown(() => engine.stop());
  const env = engine.env();
  const s = await env.reset("cookingworld-2", 20001, { fold: "test" });
  const invalid = await t.throwsAsync(env.step("eat the fridge"), { instanceOf: CookingWorldError });
  t.is(invalid!.message, `invalid action "eat the fridge" in cookingworld-2 seed 20001 (step 0): not one of the ${s.validActions.length} valid actions`);
  // The state did not change: the next valid action still works from step 0.
  t.is((await env.step(s.validActions[0])).steps, 1);
  const unknown = await t.throwsAsync(env.reset("cookingworld-5", 1), { instanceOf: UserError });
  t.regex(unknown!.message, /^unknown CookingWorld level "cookingworld-5" \(expected one of cookingworld-1, cookingworld-2, cookingworld-3, cookingworld-4\)$/);
  const wrongFold = await t.throwsAsync(env.reset("cookingworld-1", 5, { fold: "test" }), { instanceOf: CookingWorldError });
  t.is(wrongFold!.message, "seed 5 is not a test seed of cookingworld-1 (the engine's test seeds are 20000–20999)");
  const noFold = await t.throwsAsync(env.reset("cookingworld-1", 5000), { instanceOf: CookingWorldError });
  t.regex(noFold!.message, /^seed 5000 is in none of cookingworld-1's folds \(train 0–999, dev 10000–10999, test 20000–20999\)$/);
  await t.throwsAsync(engine.gold("cookingworld-3", 999, "dev"), { message: /^seed 999 is not a dev seed of cookingworld-3/ });
  await t.throwsAsync(engine.env().step("look around"), { message: /^environment \d+ was not reset$/ });
  for (const e of [invalid!, unknown!, wrongFold!, noFold!]) t.regex(e.message, ONE_LINE);
  // The engine rejects what the client would not send, too (it validates on its own).
  await t.throwsAsync(engine.call({ op: "reset", env: 99, task: "x", params: "numLocations=1", seed: 20000, fold: "train" }, "a raw request"), {
    message: "seed 20000 is not a train seed of x (the engine's train seeds are 0…999)",
  });
  await t.throwsAsync(engine.call({ op: "teleport" }, "a raw request"), { message: 'unknown op "teleport"' });
});

test.serial("a killed engine is an error naming the game and seed, then restarts and replays the env", async (t) => {
  const engine = new CookingWorldEngine();
  t.teardown(() => engine.stop());
  const env = engine.env();
  const gold = (await engine.gold("cookingworld-3", 17)).actions;
  await env.reset("cookingworld-3", 17);
  for (const a of gold.slice(0, 5)) await env.step(a);
  const before = env.state!;
  const pid = engine.pid()!;
  const pending = env.step(gold[5]);
  process.kill(pid, "SIGKILL");
  const err = await t.throwsAsync(pending, { instanceOf: CookingWorldError });
  t.regex(err!.message, /^the CookingWorld engine was killed \(SIGKILL\) during cookingworld-3 seed 17 \(step 5\)/);
  t.true(await gone(pid));
  // Retry: a new JVM, the env replayed from its seed, and the game goes on exactly as before.
  const after = await env.step(gold[5]);
  t.is(engine.starts, 2);
  t.not(engine.pid(), pid);
  t.is(after.steps, 6);
  const fresh = engine.env();
  await fresh.reset("cookingworld-3", 17);
  for (const a of gold.slice(0, 6)) await fresh.step(a);
  t.deepEqual(after, fresh.state);
  t.not(before.look + before.inventory, "");
  for (const a of gold.slice(6)) await env.step(a);
  t.true(env.state!.success);
});

test.serial("a request past its time limit is an error, and the engine is replaced", async (t) => {
  const engine = new CookingWorldEngine({ timeoutMs: 1 });
  t.teardown(() => engine.stop());
  const err = await t.throwsAsync(engine.seeds(), { instanceOf: CookingWorldError });
  t.regex(err!.message, /^the CookingWorld engine did not answer seeds for the seed lists within 1 ms \(engine killed; the next request starts a new one\)$/);
  const slow = new CookingWorldEngine({ timeoutMs: 30_000 });
  t.teardown(() => slow.stop());
  const seeds = await slow.seeds();
  const pid = slow.pid()!;
  const search = await t.throwsAsync(slow.call({ op: "search", task: "cookingworld-4", params: "numLocations=6,numIngredients=4,numDistractorItems=8,includeDoors=1,limitInventorySize=0", seed: seeds.train[2], fold: "train", method: "bfs", maxMillis: 60_000 }, "a search of cookingworld-4 seed 2", 200));
  t.regex(search!.message, /^the CookingWorld engine did not answer search for a search of cookingworld-4 seed 2 within 200 ms/);
  t.true(await gone(pid));
  t.is((await slow.gold("cookingworld-1", 0)).actions.length > 0, true);
  t.is(slow.starts, 2);
});

test("clones are independent copies of the same state", async (t) => {
  const engine = new CookingWorldEngine();
  t.teardown(() => engine.stop());
  const env = engine.env();
  const gold = (await engine.gold("cookingworld-2", 11)).actions;
  await env.reset("cookingworld-2", 11);
  for (const a of gold.slice(0, 4)) await env.step(a);
  const copy = await env.clone();
  t.deepEqual(copy.state, env.state);
  t.is(await copy.key(), await env.key());
  // Both go on identically (the RNG that orders the valid actions is part of the state) …
  t.deepEqual(await copy.step(gold[4]), await env.step(gold[4]));
  // … and independently.
  await copy.step(copy.state!.validActions.find((a) => a.startsWith("examine"))!);
  t.is(env.state!.steps, 5);
  for (const a of gold.slice(5)) await env.step(a);
  t.true(env.state!.success);
  t.false(copy.state!.success);
});

test.serial("the synchronous client: same games, same errors, restart after a kill", (t) => {
  const engine = new CookingWorldSyncEngine();
  t.teardown(() => engine.stop());
  const gold = engine.gold("cookingworld-2", 20003, "test");
  const env = engine.env();
  const s0 = env.reset("cookingworld-2", 20003, { fold: "test" });
  t.regex(s0.goal, /^You are hungry!/);
  let s: CookingWorldState = s0;
  for (const a of gold.actions.slice(0, 3)) s = env.step(a);
  t.throws(() => env.step("fly"), { instanceOf: CookingWorldError, message: /^invalid action "fly" in cookingworld-2 seed 20003 \(step 3\)/ });
  const pid = engine.pid()!;
  process.kill(pid, "SIGKILL");
  const err = t.throws(() => env.step(gold.actions[3]), { instanceOf: CookingWorldError });
  t.regex(err!.message, /^the CookingWorld engine was killed \(SIGKILL\) during cookingworld-2 seed 20003 \(step 3\)/);
  for (const a of gold.actions.slice(3)) s = env.step(a);
  t.true(s.success);
  t.is(engine.starts, 2);
  t.throws(() => env.reset("cookingworld-2", 3, { fold: "test" }), { message: /^seed 3 is not a test seed of cookingworld-2/ });
  const copy = env.clone();
  t.deepEqual(copy.state, env.state);
  const second = engine.pid()!;
  const slow = t.throws(() => engine.call({ op: "search", task: "cookingworld-4", params: "numLocations=6,numIngredients=4,numDistractorItems=8,includeDoors=1,limitInventorySize=0", seed: 2, fold: "train", method: "bfs", maxMillis: 60_000 }, "a search of cookingworld-4 seed 2", 200));
  t.regex(slow!.message, /^the CookingWorld engine did not answer search for a search of cookingworld-4 seed 2 within 200 ms/);
  t.false(alive(second));
  // The env lived in the killed JVM: it is replayed into the next one, and goes on where it was.
  t.deepEqual(copy.step(copy.state!.validActions[0]).steps, gold.actions.length + 1);
  t.is(engine.starts, 3);
  const third = engine.pid()!;
  t.not(third, second);
  engine.stop();
  t.false(alive(third));
});

test.serial("no engine outlives its Node process, even one killed with SIGKILL", async (t) => {
  // A child Node process starts an engine (async and sync), reports the JVM pids, and is then killed.
  const script = [
    `const { CookingWorldEngine } = require(${JSON.stringify(path.join(__dirname, "..", "lib", "cookingworld", "engine"))});`,
    `const { CookingWorldSyncEngine } = require(${JSON.stringify(path.join(__dirname, "..", "lib", "cookingworld", "sync"))});`,
    `(async () => { const a = new CookingWorldEngine(); await a.seeds(); const s = new CookingWorldSyncEngine(); s.seeds();`,
    `  console.log(JSON.stringify([a.pid(), s.pid()])); setInterval(() => {}, 1000); })();`,
  ].join("\n");
  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    const child = spawn(process.execPath, ["--import=tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (c) => {
        out += c;
        if (out.includes("\n")) resolve(JSON.parse(out));
      });
      child.once("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    t.true(pids.every(alive));
    child.kill(signal);
    for (const pid of pids) t.true(await gone(pid), `JVM ${pid} still alive after the Node process got ${signal}`);
  }
  // An engine left running does not keep Node alive: a script that never stops its engine exits.
  const idle = spawn(process.execPath, ["--import=tsx", "-e", `const { CookingWorldEngine } = require(${JSON.stringify(path.join(__dirname, "..", "lib", "cookingworld", "engine"))}); new CookingWorldEngine().gold("cookingworld-1", 0).then((g) => console.log(g.actions.length));`], { stdio: ["ignore", "pipe", "inherit"] });
  const code = await new Promise<number | null>((resolve) => idle.once("exit", resolve));
  t.is(code, 0);
});
