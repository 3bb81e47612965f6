/**
 * lib/report's numbers from a fixed fixture of episodes (test/fixtures/report/study), checked against
 * values worked out by hand from the fixture's lines — including "—" (no success), the rule that a
 * failure counts its timeout in ASAT whatever `steps` says, Table 1's use of the Tables 2–4 diagonal,
 * several training seeds per cell, and the files the results tree holds besides episodes.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { computeMetrics, wilsonInterval } from "../lib/eval/metrics";
import { assignCells, loadProfileStudy, loadStudy, REPORT_FIXTURE, runMetricsFrame, selectProtocol, srNoiseInterval, summarizeEpisodes, tInterval } from "../lib/report/index";
import type { CellStats, ResultSet } from "../lib/report/index";
import { orderModels } from "../lib/report/models";

const FIXTURE = path.join(__dirname, "fixtures", "report", "study");
const study = loadStudy(FIXTURE);
const rs = study.results;

const t1 = (r: ResultSet, task: string, model: string) => r.table1.find((c) => c.task === task && c.model === model);
const x = (r: ResultSet, model: string, trained: string, task: string) => r.cross.find((c) => c.model === model && c.trained_on === trained && c.evaluated_on === task);
const close = (a: number | null | undefined, b: number, eps = 1e-9) => a !== null && a !== undefined && Math.abs(a - b) <= eps;

function expectCell(t: any, c: CellStats | undefined, n: number, successes: number, sr: number, asat: number, asst: number | null) {
  t.truthy(c, "cell exists");
  t.is(c!.n, n);
  t.is(c!.successes, successes);
  t.true(close(c!.sr, sr), `SR ${c!.sr} ≠ ${sr}`);
  t.true(close(c!.asat, asat), `ASAT ${c!.asat} ≠ ${asat}`);
  if (asst === null) t.is(c!.asst, null);
  else t.true(close(c!.asst, asst), `ASST ${c!.asst} ≠ ${asst}`);
}

test("the scan keeps episode files, keeps training metrics for curves, and skips the rest with a reason", (t) => {
  const rel = (fs: string[]) => fs.map((f) => path.relative(FIXTURE, f)).sort();
  t.deepEqual(rel(study.scan.episodeFiles), ["eval/baselines.jsonl", "eval/sft-seeds.jsonl", "eval/trained.jsonl", "eval/zz-copy.jsonl"]);
  t.deepEqual(rel(study.scan.trainingFiles), ["learn/burger/sft-s0/metrics.jsonl"]);
  t.deepEqual(
    study.scan.skipped.map((s) => [path.relative(FIXTURE, s.file), s.reason]),
    [
      ["eval/traces.jsonl", "episode traces"],
      ["expert/burger/train.jsonl", "single-turn dataset"],
      ["expert/burger/trajectories.jsonl", "expert trajectories"],
    ],
  );
  t.is(study.scan.duplicates, 1, "zz-copy.jsonl repeats one expert episode");
  t.is(rs.episodes, 44);
});

test("Table 1: SR, ASAT, ASST by hand, a failure counted at the timeout even when it stopped early", (t) => {
  t.deepEqual(rs.tasks, ["cheese_sandwich", "burger"]);
  t.deepEqual(rs.models, ["expert", "random", "sft", "sft+grpo"], "paper's row order: expert, base, SFT, SFT+GRPO");
  // expert, cheese sandwich: 8, 10, fail, 9 → SR 3/4, ASAT (8+10+15+9)/4, ASST 27/3
  expectCell(t, t1(rs, "cheese_sandwich", "expert"), 4, 3, 0.75, 10.5, 9);
  // expert, burger: 12, fail after 4 steps (gave up), fail, 10 → ASAT (12+15+15+10)/4 = 13, not (12+4+15+10)/4
  expectCell(t, t1(rs, "burger", "expert"), 4, 2, 0.5, 13, 11);
  // random: no success → ASST "—" (null); ASAT is the timeout, even for the episode that logged 7 steps
  expectCell(t, t1(rs, "cheese_sandwich", "random"), 4, 0, 0, 15, null);
  expectCell(t, t1(rs, "burger", "random"), 4, 0, 0, 15, null);
});

test("Table 1's trained rows are the diagonal of Tables 2–4 (the model trained on that task)", (t) => {
  // sft+grpo trained on burger, on burger (one line says 3_burger, the same task): 9, 11, fail, fail
  expectCell(t, t1(rs, "burger", "sft+grpo"), 4, 2, 0.5, 12.5, 10);
  // written as model "sft+grpo@cheese_sandwich": the same model family; 7, 8, 9, fail
  expectCell(t, t1(rs, "cheese_sandwich", "sft+grpo"), 4, 3, 0.75, 9.75, 8);
  const stats = (c: CellStats | undefined) => c && [c.n, c.sr, c.asat, c.asst, c.sr_ci, c.asat_ci, c.asst_ci];
  t.deepEqual(stats(t1(rs, "burger", "sft+grpo")), stats(x(rs, "sft+grpo", "burger", "burger")));
});

test("Tables 2–4: every (trained on, evaluated on) cell, off-diagonal ones only there", (t) => {
  t.is(rs.crossModel, "sft+grpo", "the model standing for the paper's SFT+GRPO is shown");
  t.deepEqual(rs.crossModels, ["sft", "sft+grpo"]);
  t.deepEqual(rs.crossTrained, ["cheese_sandwich", "burger"]);
  t.deepEqual(rs.crossEvaluated, ["cheese_sandwich", "burger"]);
  expectCell(t, x(rs, "sft+grpo", "burger", "cheese_sandwich"), 4, 0, 0, 15, null);
  // trained on cheese sandwich, evaluated on burger: 14, fail ×3 → ASAT (14+45)/4
  expectCell(t, x(rs, "sft+grpo", "cheese_sandwich", "burger"), 4, 1, 0.25, 14.75, 14);
  t.is(rs.table1.filter((r) => r.model === "sft+grpo").length, 2, "off-diagonal cells are not in Table 1");
});

test("several training seeds: the mean of per-run metrics with a t interval across runs", (t) => {
  // sft on burger, runs s0: 10, 12, fail, fail (SR .5, ASAT 13, ASST 11); s1: 8, 10, fail, fail (.5, 12, 9);
  // s2: 9, 9, 9, fail (.75, 10.5, 9)
  const c = t1(rs, "burger", "sft")!;
  expectCell(t, c, 12, 7, (0.5 + 0.5 + 0.75) / 3, (13 + 12 + 10.5) / 3, (11 + 9 + 9) / 3);
  t.is(c.runs, 3);
  t.is(c.interval, "runs");
  t.deepEqual(c.perRun!.map((r) => [r.run, r.sr, r.asat, r.asst]), [
    ["sft-s0", 0.5, 13, 11],
    ["sft-s1", 0.5, 12, 9],
    ["sft-s2", 0.75, 10.5, 9],
  ]);
  // sd of (.5, .5, .75) = 0.144338; t(0.975, 2) = 4.303; half-width 4.303 · 0.144338 / √3 = 0.358583
  t.true(close(c.sr_ci![0], 0.224750, 1e-5) && close(c.sr_ci![1], 0.941916, 1e-5), JSON.stringify(c.sr_ci));
  t.true(c.asat_ci![1] <= 15, "ASAT interval clipped at the timeout");
  t.deepEqual(tInterval([0.4]), null, "one run: no spread to show");
});

test("one-run cells carry exactly lib/eval's metrics and intervals (Wilson, seeded bootstrap)", (t) => {
  const episodes = study.scan.episodes.filter((e) => e.model === "expert" && e.task === "burger");
  const m = computeMetrics(episodes.map((e) => ({ success: e.success, steps: e.steps, timeout: e.timeout! })));
  const c = t1(rs, "burger", "expert")!;
  t.is(c.interval, "episodes");
  t.deepEqual([c.n, c.sr, c.asat, c.asst, c.sr_ci, c.asat_ci, c.asst_ci], [m.n, m.sr, m.asat, m.asst, m.sr_ci, m.asat_ci, m.asst_ci]);
});

test("the per-run table is a danfojs DataFrame with one row per cell and run", (t) => {
  const { frame, records } = runMetricsFrame(assignCells([{ run: "a", model: "m", trained_on: null, task: "burger", success: true, steps: 9, timeout: 15 }, { run: "a", model: "m", trained_on: null, task: "burger", success: false, steps: 3, timeout: 15 }]));
  t.deepEqual(frame.columns, ["table", "model", "trained_on", "task", "run", "n", "successes", "sr", "asat", "asst", "timeout_min", "timeout_max"]);
  t.deepEqual(records, [{ table: "table1", model: "m", trained_on: "", task: "burger", run: "a", n: 2, successes: 1, sr: 0.5, asat: 12, asst: 9, timeout: 15 }]);
  t.is(rs.runMetrics.length, 16, "Table 1: 6 one-run cells + sft's 3 runs; Tables 2–4: 4 one-run cells + sft's 3 runs");
});

test("episodes without a timeout take the task's (the paper's 15/15/23/35); an unknown task without one is an error", (t) => {
  const r = summarizeEpisodes([
    { run: "r", model: "m", task: "cheese_burger", success: false, steps: 5 },
    { run: "r", model: "m", task: "cheese_burger", success: true, steps: 13 },
  ]);
  t.is(r.table1[0].asat, (23 + 13) / 2);
  const e = t.throws(() => summarizeEpisodes([{ run: "r", model: "m", task: "soup", success: false, steps: 5 }]));
  t.regex(e!.message, /no timeout/);
  t.throws(() => summarizeEpisodes([]), { message: /no episodes/ });
});

test("loadProfileStudy: the profile's episodes when there are some, else the fallback titled as a fixture, else the reason", (t) => {
  const found = loadProfileStudy(FIXTURE);
  t.false(found.fallback);
  t.is(found.study!.results.episodes, 44);
  const missing = path.join(FIXTURE, "no-such-dir");
  t.deepEqual(loadProfileStudy(missing), { study: null, fallback: false, message: "`test/fixtures/report/study/no-such-dir` does not exist yet: no tables from it." });
  const noEpisodes = loadProfileStudy(path.join(FIXTURE, "learn"), { fallback: REPORT_FIXTURE, command: "stgrpo tables --results results/ci --out x" });
  t.true(noEpisodes.fallback);
  t.regex(noEpisodes.message, /has no episode JSONL yet, so this run shows the report's test fixture/);
  t.is(noEpisodes.study!.results.title, "Test fixture (made-up episodes) — not a result");
  t.is(noEpisodes.study!.results.command, "stgrpo tables --results test/fixtures/report/study --out x", "the command names where the numbers came from");
});

test("protocols are not pooled: the paper protocol by default, the others set aside with a note", (t) => {
  const ep = (protocol: string | undefined, run: string, success: boolean) => ({ run, model: "expert", trained_on: null, task: "burger", seed: 42, success, steps: success ? 8 : 15, timeout: 15, protocol });
  const episodes = [ep("paper", "paper", true), ep("extended-100", "extended-100", false), ep("extended-100", "extended-100", false), ep(undefined, "old", true)];
  const paper = selectProtocol(episodes);
  t.is(paper.choice, "paper");
  t.deepEqual(paper.kept.map((e) => e.run), ["paper", "old"], "episodes naming no protocol count as the paper's");
  t.deepEqual(paper.setAside, { "extended-100": 2 });
  t.deepEqual(selectProtocol(episodes, "extended").kept.map((e) => e.run), ["extended-100", "extended-100"]);
  t.is(selectProtocol(episodes, "all").kept.length, 4);
  t.is(selectProtocol([ep("extended-100", "x", true)]).choice, "all", "no paper-protocol episode: keep what there is");
});

test("comparison noise for several seeds: never narrower than one evaluation's Wilson interval", (t) => {
  const c = t1(rs, "burger", "sft")!;
  const noise = srNoiseInterval(c)!;
  const w = wilsonInterval(c.sr * 4, 4); // 4 episodes per run in the fixture
  t.deepEqual(noise, [Math.min(c.sr_ci![0], w[0]), Math.max(c.sr_ci![1], w[1])]);
  t.true(noise[0] < c.sr_ci![0], "the layouts' noise is wider below than the seeds' spread");
  // three seeds that agree exactly (0.8 each, 10 layouts): the t interval has no width, the noise is Wilson 8/10
  const agree = summarizeEpisodes(
    ["s0", "s1", "s2"].flatMap((run) => Array.from({ length: 10 }, (_, i) => ({ run, model: "sft", trained_on: "burger", task: "burger", seed: 42 * (i + 1), success: i < 8, steps: i < 8 ? 9 : 15, timeout: 15 }))),
  ).table1[0];
  t.true(close(agree.sr_ci![0], 0.8, 1e-12) && close(agree.sr_ci![1], 0.8, 1e-12), JSON.stringify(agree.sr_ci));
  srNoiseInterval(agree)!.forEach((x, i) => t.true(close(x, wilsonInterval(8, 10)[i], 1e-12)));
  t.deepEqual(srNoiseInterval(t1(rs, "burger", "expert")!), t1(rs, "burger", "expert")!.sr_ci, "one run: its own Wilson interval");
});

test("the extended protocol's replay of the paper's seeds is not taken for a duplicate", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-protocols-"));
  const ep = (protocol: string, seed: number, success: boolean) => JSON.stringify({ run: "s0", model: "sft", trained_on: "burger", task: "burger", seed, success, steps: success ? 9 : 15, timeout: 15, actions: [], invalid_replies: 0, wall_ms: 1, protocol });
  fs.mkdirSync(path.join(dir, "extended-12"));
  fs.mkdirSync(path.join(dir, "paper"));
  // "extended-12/…" sorts first: with the old key its copies of seeds 42 and 84 would have replaced the paper's
  fs.writeFileSync(path.join(dir, "extended-12", "e.jsonl"), [ep("extended-12", 42, false), ep("extended-12", 84, false), ep("extended-12", 126, false), ""].join("\n"));
  fs.writeFileSync(path.join(dir, "paper", "e.jsonl"), [ep("paper", 42, true), ep("paper", 84, true), ""].join("\n"));
  const s = loadStudy(dir);
  t.is(s.scan.duplicates, 0);
  t.is(s.results.episodes, 2);
  t.is(s.results.table1[0].sr, 1);
  t.true(s.results.notes.some((n) => n.includes("3 episode(s) of protocol extended-12 set aside")), s.results.notes.join(" | "));
});

test("model order: the paper's rows first in its order, then the study's variants grouped, numbers as numbers", (t) => {
  const shuffled = ["sft+grpo(light,beta=1)", "sft(light)", "multiturn-grpo(light)", "sft+grpo", "expert", "sft+grpo(light,beta=0.1)", "multiturn-grpo", "sft", "sft+grpo(light)", "random", "sft+grpo(light,beta=0.01)"];
  t.deepEqual(orderModels(shuffled), [
    "expert",
    "random",
    "sft",
    "sft+grpo",
    "multiturn-grpo",
    "sft(light)",
    "sft+grpo(light)",
    "multiturn-grpo(light)",
    "sft+grpo(light,beta=0.01)",
    "sft+grpo(light,beta=0.1)",
    "sft+grpo(light,beta=1)",
  ]);
});
