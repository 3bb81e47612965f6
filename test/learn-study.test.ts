/**
 * The CPU-scale study (lib/learn/study, `stgrpo study`): the fast featuriser against its string
 * reference, the feature cache, paired comparisons and the task split by hand, the run plan, the
 * theory summaries on hand-made records — and the study end to end on a tiny config: an interrupted
 * run resumed job by job writes exactly the files of an uninterrupted one, and so do two worker
 * processes; a half-written episode file is completed on rerun.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { Kitchen, makeKitchen, PAPER_TASKS } from "../lib/kitchen/index";
import { expertTrajectory } from "../lib/expert/experts";
import { FeatureCache, featurize, featurizeSceneReference } from "../lib/learn/features";
import { parseScene } from "../lib/learn/scene";
import { Rng } from "../lib/util/rng";
import { pairedComparison } from "../lib/workflows/study/compare";
import { CI_STUDY, StudyConfig, studyConfig } from "../lib/workflows/study/config";
import { evalFile, parseModelLabel, studyRuns } from "../lib/workflows/study/plan";
import { partitionTasks, runStudy } from "../lib/workflows/study/run";
import { theoryPairs, theoremRows, StudySummary } from "../lib/workflows/study/summary";
import { offPathStates, readTheory, TheoryRecord, OffPathRecord } from "../lib/workflows/study/theory";
import { paperCommandsMarkdown, paperCurveFigures, paperTraining, studyProfileOf } from "../lib/workflows/paper-training";
import { readJsonl } from "../lib/util/files";
import { learningCurvesFigure } from "../lib/report/figures";
import { toSvg } from "../lib/viz/render";
import { betaSweepFigure, expertStateFigure, expertStatePoints, prefixFigure, studyCurves, theoremFigure } from "../lib/workflows/study/figures";
import { REPO_ROOT } from "../lib/util/profile";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-study-"));
const bin = path.join(REPO_ROOT, "bin", "stgrpo");

test("the fast featuriser gives the string reference's indices bit for bit on random-walk states", (t) => {
  const rng = new Rng(7);
  let states = 0;
  for (let i = 0; i < 12; i++) {
    const k = makeKitchen(PAPER_TASKS[i % 4], 500 + i);
    for (let step = 0; step < 12 && !k.isDone(); step++) {
      const valid = k.validActions();
      const fast = featurize(k.observation(), valid);
      const ref = featurizeSceneReference(parseScene(k.observation()), valid);
      t.deepEqual([...fast.offsets], [...ref.offsets]);
      t.deepEqual([...fast.indices], [...ref.indices]);
      states++;
      k.step(valid[rng.int(valid.length)]);
    }
  }
  t.true(states > 100);
});

test("FeatureCache returns the featurisation, counts hits and drops its oldest half when full", (t) => {
  const cache = new FeatureCache(4);
  const obs = [3, 4, 5, 6, 7].map((seed) => makeKitchen("burger", seed)).map((k): [string, string[]] => [k.observation(), k.validActions()]);
  const cfg = { bits: 12, goalConjunction: true, shared: true, builtContext: true, argPairs: true, order: true };
  const a = cache.get(obs[0][0], obs[0][1], cfg);
  t.deepEqual([...a.indices], [...featurize(obs[0][0], obs[0][1], cfg).indices]);
  t.is(cache.get(obs[0][0], obs[0][1], cfg), a, "a hit returns the same object");
  t.is(cache.hits, 1);
  t.not(cache.get(obs[0][0], obs[0][1], { ...cfg, bits: 13 }), a, "another feature config is another entry");
  for (let i = 1; i < 5; i++) cache.get(obs[i][0], obs[i][1], cfg);
  t.true(cache.size <= 4);
  t.is(cache.misses, 6);
});

test("pairedComparison: differences per seed, their t interval, and the verdict", (t) => {
  const a = new Map([["s0", 0.8], ["s1", 0.7], ["s2", 0.9]]);
  const b = new Map([["s0", 0.5], ["s1", 0.5], ["s2", 0.5], ["s9", 1]]);
  const c = pairedComparison(a, b, true)!;
  // diffs 0.3, 0.2, 0.4: mean 0.3, sd 0.1, t(2) = 4.303 → half-width 0.2484
  t.is(c.pairs, 3);
  t.true(Math.abs(c.diff - 0.3) < 1e-12);
  t.true(Math.abs(c.diff_ci![0] - (0.3 - (4.303 * 0.1) / Math.sqrt(3))) < 1e-9);
  t.is(c.verdict, "a better");
  t.is(pairedComparison(a, b, false)!.verdict, "b better", "lower is better: A's higher value is worse");
  t.is(pairedComparison(new Map([["s0", 1], ["s1", 0]]), new Map([["s0", 0], ["s1", 0.5]]), true)!.verdict, "within noise");
  t.is(pairedComparison(new Map([["s0", 1]]), new Map([["s0", 0]]), true)!.verdict, "one run");
  t.is(pairedComparison(new Map([["s0", 1]]), new Map([["s1", 0]]), true), null);
});

test("partitionTasks balances the workers' expert states, largest task first", (t) => {
  const w: Record<string, number> = { cheese_sandwich: 770, burger: 880, cheese_burger: 1200, double_cheese_burger: 1880 };
  const parts = partitionTasks(PAPER_TASKS, (x) => w[x], 2);
  t.deepEqual(parts, [["cheese_sandwich", "double_cheese_burger"], ["burger", "cheese_burger"]]);
  t.deepEqual(partitionTasks(["burger"], () => 1, 2), [["burger"], []]);
});

test("the study plan: parents first, the multi-turn budget from the same arm's GRPO, labels and paths", (t) => {
  const cfg = studyConfig("cpu");
  const runs = studyRuns(cfg);
  const keys = new Set<string>();
  for (const r of runs) {
    if (r.parent) t.true(keys.has(r.parent), `${r.key} after its parent`);
    if (r.budgetOf) t.true(keys.has(r.budgetOf), `${r.key} after its budget`);
    keys.add(r.key);
  }
  t.is(runs.length, 4 * 3 * (6 + 3));
  t.deepEqual(parseModelLabel("sft+grpo(light,beta=0.1)"), { recipe: "sft+grpo", arm: "light", beta: 0.1 });
  t.deepEqual(parseModelLabel("multiturn-grpo"), { recipe: "multiturn-grpo", arm: "", beta: null });
  const mt = runs.find((r) => r.key === "burger/multiturn-light-s1")!;
  t.is(mt.budgetOf, "burger/grpo-light-s1");
  t.is(mt.parent, "burger/sft-light-s1");
  t.is(mt.model, "multiturn-grpo(light)");
  t.is(mt.evalTasks.length, 4, "both arms make the cross-task matrix");
  const g = runs.find((r) => r.key === "burger/grpo-s0")!;
  t.is(g.model, "sft+grpo");
  t.is(g.evalTasks.length, 4, "the main arm makes the cross-task matrix");
  const sweep = runs.find((r) => r.key === "burger/grpo-beta0.1-light-s2")!;
  t.is(sweep.model, "sft+grpo(light,beta=0.1)");
  t.is(sweep.beta, 0.1);
  t.deepEqual(sweep.evalTasks, ["burger"], "a sweep run is evaluated on its training task");
  t.true(evalFile(cfg, "paper", g).endsWith(path.join("results", "cpu", "eval", "paper", "burger", "grpo-s0.jsonl")));
  t.throws(() => studyConfig("paper"), { message: /GPU through lib\/trainer/ });
});

const record = (name: string, parent: string | null, p: number[][], measured: number, optimalCounts: number[][], arm = "", variant = name.replace(/-s\d$/, "")): TheoryRecord => ({
  task: "burger",
  name,
  model: variant,
  variant,
  seed: Number(name.slice(-1)),
  arm,
  algo: variant.startsWith("sft") ? "sft" : "grpo",
  beta: null,
  parent,
  optimalCounts,
  expertActions: p.map((row) => row.map((_, t) => `a${t}`)),
  report: {
    method: "exact",
    trajectories: p.map((row, i) => ({ task: "burger", seed: 42 * (i + 1), length: row.length, p: row, product: row.reduce((x, y) => x * y, 1), measured })),
    rows: [{ task: "burger", layouts: p.length, states: p.flat().length, accuracy: p.flat().reduce((a, b) => a + b, 0) / p.flat().length, predicted: 0, predicted_accepted: null, measured, measured_ci: null, measured_n: p.length }],
    prefixes: [{ task: "burger", k: 1, layouts: p.length, predicted: 0.5, measured: measured }],
  },
});

test("theory summaries: per-state before/after shares, split by ambiguity, and the largest drops", (t) => {
  const sft = record("sft-s0", null, [[0.5, 0.9], [0.6]], 0.3, [[1, 2], [1]]);
  const grpo = record("grpo-s0", "sft-s0", [[0.8, 0.7], [0.6]], 0.5, [[1, 2], [1]]);
  const [row] = theoryPairs("burger", [sft, grpo], []);
  t.is(row.variant, "grpo");
  t.is(row.states, 3);
  t.is(row.improved, 0.6667); // 0.5→0.8 up, 0.9→0.7 down, 0.6→0.6 equal
  t.deepEqual(row.unique, { states: 2, improved: 1 });
  t.deepEqual(row.ambiguous, { states: 1, improved: 0 });
  t.deepEqual(row.worst, [{ seed: 42, t: 1, action: "a1", before: 0.9, after: 0.7 }]);
  const off: OffPathRecord = {
    task: "burger",
    arm: "",
    seed: 0,
    models: ["sft-s0", "grpo-s0"],
    states: [{ seed: 42, t: 3, valid: 4, expert: "x", optimal: ["x", "y"], p: { "sft-s0": [0.2, 0.5], "grpo-s0": [0.1, 0.6] } }],
    deadEnds: 0,
    overBudget: 0,
  };
  const offRow = theoryPairs("burger", [sft, grpo], [off]).find((r) => r.where === "off-path states")!;
  t.is(offRow.improved, 0);
  t.deepEqual(offRow.optimalSet, { improved: 1, meanBefore: 0.5, meanAfter: 0.6 });
  const rows = theoremRows("burger", [sft, grpo, record("grpo-s1", "sft-s1", [[1, 1], [1]], 0.7, [[1, 1], [1]])]);
  const g = rows.find((r) => r.variant === "grpo")!;
  t.is(g.seeds, 2);
  t.is(g.measured, 0.6);
  t.deepEqual(g.prefix, { predicted: [0.5], measured: [0.6] });
});

test("offPathStates keeps the states of an episode that are not on the expert path, round-robin over layouts", (t) => {
  const expert = expertTrajectory("burger", 42).trajectory.steps.map((s) => s.action);
  const k = makeKitchen("burger", 42);
  const detour = k.validActions().find((a) => a !== expert[0])!;
  // The expert's first step, then a detour, then one more step: states 0 and 1 are on the path, 2 is not.
  const keyAfter = (from: Kitchen, a: string) => {
    const c = from.clone();
    c.step(a);
    return c.key();
  };
  const onPath = new Set([k.key()]);
  const walk = k.clone();
  for (const a of expert) {
    onPath.add(keyAfter(walk, a));
    walk.step(a);
  }
  k.step(expert[0]);
  const wrong = k.validActions().find((a) => !onPath.has(keyAfter(k, a)))!;
  k.step(wrong);
  const episodes = [
    { seed: 42, actions: [expert[0], wrong, k.validActions()[0]] },
    { seed: 42, actions: [detour] },
  ];
  const start = (seed: number | null) => makeKitchen("burger", seed);
  const states = offPathStates(episodes, new Map([[42, expert]]), 5, start);
  t.deepEqual(states.map((s) => s.t), [2], "the detour's state is off the path; the second episode's only state (the start) is on it");
  t.is(offPathStates(episodes, new Map([[42, expert]]), 0, start).length, 0);
  t.is(offPathStates(episodes, new Map(), 5, start).length, 0, "layouts without an expert trajectory are skipped");
});

/** A study small enough to run several times in a test, through the same code as every profile. */
function tinyStudy(root: string): StudyConfig {
  return {
    ...CI_STUDY,
    root,
    tasks: ["burger"],
    evalTasks: ["burger", "cheese_sandwich"],
    seeds: [0, 1],
    expert: { perTask: 4, valFraction: 0.25, firstSeed: 10000 },
    grpo: { ...CI_STUDY.grpo, epochs: 2 },
    betaSweep: [0.1],
    eval: { extendedSeeds: 11, temperature: 1, expert: true },
    theory: { rollouts: 20, layouts: 2, offPathStates: 3 },
  };
}

/** Every result file of a study tree, with what may differ between two equal runs taken out. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      const rel = path.relative(root, f);
      if (e.isDirectory()) walk(f);
      else if (!/^study\/|stats\.json$|summary\.md$/.test(rel)) {
        let text = fs.readFileSync(f, "utf8").split(root).join("ROOT");
        if (rel.startsWith(`eval${path.sep}`)) text = readJsonl<Record<string, unknown>>(f).map(({ wall_ms, ...r }) => JSON.stringify(r)).join("\n");
        // A checkpoint carries the training time so far (wall and CPU): the one part two equal runs differ in.
        if (rel.endsWith("checkpoint.json")) {
          const ck = JSON.parse(text);
          text = JSON.stringify({ ...ck, state: { ...ck.state, train_ms: null, train_cpu_ms: null } });
        }
        if (rel.endsWith("summary.json")) {
          const s = JSON.parse(text) as StudySummary & { config: { root?: string } };
          text = JSON.stringify({ ...s, config: { ...s.config, root: null }, timings: null, training: s.training.map((r) => ({ ...r, seconds: null })) });
        }
        out.set(rel, text);
      }
    }
  };
  walk(root);
  return out;
}

function sameTrees(t: any, a: Map<string, string>, b: Map<string, string>, what: string) {
  t.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), `${what}: the same files`);
  const differ = [...a.keys()].filter((k) => a.get(k) !== b.get(k));
  t.deepEqual(differ, [], `${what}: identical contents`);
}

test("the study end to end: resumed job by job it writes the files of an uninterrupted run; two workers too", async (t) => {
  const [rootA, rootB, rootC] = [tmp(), tmp(), tmp()];
  // A lock left by a process that is gone is stale: the study takes it over.
  fs.mkdirSync(path.join(rootA, "study"), { recursive: true });
  fs.writeFileSync(path.join(rootA, "study", "lock"), "999999999");
  const a = await runStudy(tinyStudy(rootA));
  t.false(fs.existsSync(path.join(rootA, "study", "lock")), "the lock is released");
  t.true(a.finished);
  const s = a.summary!;
  t.deepEqual(s.protocols.map((p) => p.protocol), ["paper", "extended-11"]);
  const cell = (model: string) => s.protocols[1].table1.find((c) => c.task === "burger" && c.model === model);
  for (const m of ["untrained", "expert", "sft", "sft+grpo", "multiturn-grpo", "sft+grpo(light,beta=0.1)", "sft(light)", "sft+grpo(light)", "multiturn-grpo(light)"]) t.truthy(cell(m), m);
  t.is(cell("sft")!.runs, 2);
  t.is(cell("sft")!.n, 22);
  t.is(cell("expert")!.sr, 1);
  t.is(s.protocols[1].cross.filter((c) => c.model === "sft+grpo").length, 2, "trained on burger, evaluated on both tasks");
  t.true(s.findings.some((f) => f.id === "ordering" && f.comparison !== null));
  const mt = s.training.find((r) => r.key === "burger/multiturn-s0")!;
  const grpo = s.training.find((r) => r.key === "burger/grpo-s0")!;
  t.true(mt.samples! >= grpo.samples! && mt.samples! < grpo.samples! + 40, "multi-turn spends the GRPO run's samples (up to one last episode)");
  t.true(s.theoryPairs.some((r) => r.where === "expert states" && r.variant === "grpo"));

  // The figures of notebook 05 render from these files.
  const cfgA = tinyStudy(rootA);
  const points = expertStatePoints(cfgA);
  const statesPerSeed = readTheory(cfgA, "burger").models.find((m) => m.name === "sft-s0")!.report.trajectories.reduce((n, tr) => n + tr.p.length, 0);
  t.is(points.filter((p) => p.variant === "grpo").length, statesPerSeed, "one point per expert state (mean over seeds)");
  const figures = [
    learningCurvesFigure(studyCurves(cfgA, "burger", 0), "burger"),
    betaSweepFigure(s, "extended-11"),
    expertStateFigure(points),
    theoremFigure(s),
    prefixFigure(s, ["sft", "sft+grpo"]),
  ];
  for (const f of figures) t.regex(await toSvg(f), /^<svg/);
  const sweep = (betaSweepFigure(s, "extended-11") as any).hconcat[0].data.values;
  t.deepEqual(sweep.map((v: any) => v.beta).sort(), [0.001, 0.1], "the light arm's β = 0.001 run and its sweep");

  // Interrupted after every 6 jobs, then resumed until done.
  let rounds = 0;
  for (;;) {
    rounds++;
    const r = await runStudy(tinyStudy(rootB), { stopAfterJobs: 6 });
    if (r.finished) break;
  }
  t.true(rounds > 5);
  sameTrees(t, snapshot(rootA), snapshot(rootB), "resumed");

  // A half-written episode file (a run killed mid-evaluation) is completed, not duplicated.
  const file = evalFile(tinyStudy(rootB), "extended-11", studyRuns(tinyStudy(rootB)).find((r) => r.key === "burger/grpo-s1")!);
  const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
  fs.writeFileSync(file, lines.slice(0, 7).join("\n") + "\n");
  const again = await runStudy(tinyStudy(rootB));
  t.deepEqual(again.ran, ["eval extended-11 burger/grpo-s1"]);
  sameTrees(t, snapshot(rootA), snapshot(rootB), "completed");

  // Two worker processes (this one and a child `stgrpo study --part 1/2`) write the same files.
  await runStudy({ ...tinyStudy(rootC), tasks: ["burger", "cheese_sandwich"] }, { workers: 2 });
  const c = snapshot(rootC);
  const aBurger = snapshot(rootA);
  for (const [k, v] of aBurger) if (/^(learn|theory)\/burger\//.test(k)) t.is(c.get(k), v, k);
  t.true([...c.keys()].some((k) => k.startsWith(path.join("learn", "cheese_sandwich"))), "the other worker's task was trained");
});

test("the paper-profile section: the trainer commands per task, and nothing trained or drawn outside the paper profile", async (t) => {
  const md = paperCommandsMarkdown(["burger"]);
  t.regex(md, /-m trainer sft --config trainer\/configs\/paper-sft\.yaml --set dataset=results\/paper\/expert\/burger\/train\.jsonl/);
  t.regex(md, /-m trainer grpo .*--set model=results\/paper\/trainer\/burger\/sft\/final/);
  t.regex(await paperTraining("cpu"), /^Profile cpu: the GPU path is not run here/);
  t.deepEqual(paperCurveFigures("ci"), []);
  t.is(studyProfileOf("paper"), "cpu", "the paper profile shows the cpu study beside its GPU run");
  t.is(studyProfileOf("ci"), "ci");
});

test("a study refuses to run on a results tree another live study holds", async (t) => {
  const root = tmp();
  fs.mkdirSync(path.join(root, "study"), { recursive: true });
  fs.writeFileSync(path.join(root, "study", "lock"), String(process.ppid));
  await t.throwsAsync(runStudy(tinyStudy(root)), { message: new RegExp(`another stgrpo study \\(pid ${process.ppid}\\) is running`) });
  t.false(fs.existsSync(path.join(root, "expert")), "nothing was written");
});

test("stgrpo study: one-line errors for the paper profile, unknown stages and bad seeds; --config prints the config", (t) => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, "study", ...args], { encoding: "utf8" });
  const paper = run("--profile", "paper");
  t.is(paper.status, 1);
  t.regex(paper.stderr, /^stgrpo study: the paper profile trains Qwen2\.5-1\.5B on GPU/);
  t.is(paper.stderr.trim().split("\n").length, 1);
  t.regex(run("--profile", "ci", "--stages", "train,bake").stderr, /unknown stage bake/);
  t.regex(run("--profile", "ci", "--seeds", "0,x").stderr, /--seeds must be a non-negative integer, got "x"/);
  const cfg = run("--profile", "ci", "--tasks", "burger", "--config");
  t.is(cfg.status, 0);
  t.deepEqual(JSON.parse(cfg.stdout).tasks, ["burger"]);
});
