/**
 * The expert measurements on CookingWorld (notes/cookingworld.md): per level, the gold path length over
 * the train seeds, and on the first N train seeds the shortest successful path (exact A*, Search.java),
 * the optimality gap and the ambiguity of the gold path; on the first M test seeds (the evaluation's), the
 * gold and shortest lengths, to set step limits from. Per-game results are appended to JSONL files (a
 * rerun skips the games already there), the per-level summary is printed as JSON.
 *
 *   npx tsx scripts/cookingworld-expert.ts [--out results/cookingworld-expert.jsonl] \
 *       [--games 1000,200,100,50] [--gold-seeds 1000] [--test-seeds 100] [--max-millis 120000] [--max-states 3000000]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { COOKINGWORLD_LEVELS } from "../lib/cookingworld/levels";
import { CookingWorldEngine } from "../lib/cookingworld/engine";
import { GoldAnalysis, analyseGold, distribution, summarise } from "../lib/cookingworld/search";
import { readJsonl } from "../lib/util/files";
import { terminalProgress } from "../lib/util/progress";
import { errorMessage } from "../lib/util/errors";

/** A test-seed game: gold and shortest lengths only (the evaluation's seeds; no expert data from them). */
interface TestGame {
  task: string;
  seed: number;
  gold: number;
  shortest: number | null;
  states: number;
  millis: number;
}

function arg(name: string, fallback: string): string {
  const k = process.argv.indexOf(`--${name}`);
  return k >= 0 && process.argv[k + 1] !== undefined ? process.argv[k + 1] : fallback;
}

async function main(): Promise<void> {
  const out = arg("out", path.join("results", "cookingworld-expert.jsonl"));
  const games = arg("games", "1000,200,100,50").split(",").map(Number);
  const goldSeeds = Number(arg("gold-seeds", "1000"));
  const maxMillis = Number(arg("max-millis", "120000"));
  const maxStates = Number(arg("max-states", "3000000"));
  const testSeeds = Number(arg("test-seeds", "100"));
  const testOut = out.replace(/\.jsonl$/, "") + "-test.jsonl";
  const testDone = new Map<string, TestGame>();
  if (fs.existsSync(testOut)) for (const r of readJsonl<TestGame>(testOut)) testDone.set(`${r.task}@${r.seed}`, r);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const done = new Map<string, GoldAnalysis>();
  if (fs.existsSync(out)) for (const r of readJsonl<GoldAnalysis>(out)) done.set(`${r.task}@${r.seed}`, r);
  const engine = new CookingWorldEngine({ jvmOptions: ["-XX:+UseSerialGC", "-Xmx6g"], timeoutMs: 4 * maxMillis });
  const progress = terminalProgress();
  const summary: unknown[] = [];
  try {
    const seeds = (await engine.seeds()).train;
    for (const [i, level] of COOKINGWORLD_LEVELS.entries()) {
      const task = level.task;
      const goldLengths: number[] = [];
      for (const seed of seeds.slice(0, goldSeeds)) goldLengths.push((await engine.gold(task, seed)).actions.length);
      const runs: GoldAnalysis[] = [];
      const t0 = Date.now();
      for (const [k, seed] of seeds.slice(0, games[i] ?? 0).entries()) {
        let r = done.get(`${task}@${seed}`);
        if (!r) {
          r = await analyseGold(engine, task, seed, { maxMillis, maxStates });
          fs.appendFileSync(out, JSON.stringify(r) + "\n");
        }
        runs.push(r);
        progress.update(`${task}: ${k + 1}/${games[i]} games, ${runs.filter((x) => x.complete).length} complete, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
      const tests: TestGame[] = [];
      for (const [k, seed] of (await engine.seeds()).test.slice(0, testSeeds).entries()) {
        let r = testDone.get(`${task}@${seed}`);
        if (!r) {
          const gold = (await engine.gold(task, seed)).actions.length;
          const found = await engine.search(task, seed, { maxMillis, maxStates });
          r = { task, seed, gold, shortest: found.length >= 0 ? found.length : null, states: found.states, millis: found.millis };
          fs.appendFileSync(testOut, JSON.stringify(r) + "\n");
        }
        tests.push(r);
        progress.update(`${task}: test seed ${k + 1}/${testSeeds}`);
      }
      const shortestTest = tests.flatMap((r) => (r.shortest === null ? [] : [r.shortest]));
      const s = summarise(task, runs);
      summary.push({
        ...s,
        goldLengthTrain: distribution(goldLengths),
        test: {
          games: tests.length,
          searched: shortestTest.length,
          goldLength: distribution(tests.map((r) => r.gold)),
          shortest: shortestTest.length ? distribution(shortestTest) : null,
        },
      });
      progress.done(`${task}: ${s.complete}/${s.games} games analysed`);
    }
  } finally {
    await engine.stop();
  }
  process.stdout.write(JSON.stringify(summary, null, 1) + "\n");
}

main().catch((e) => {
  process.stderr.write(`cookingworld-expert: ${errorMessage(e)}\n`);
  process.exit(1);
});
