/**
 * The single-turn vs multi-turn comparison (lib/workflows/comparison) end to end on a tiny config: every
 * method × learner × seed × budget point trained, evaluated under both decodings and checked; the
 * summary's findings, curves and theory rows; a run interrupted every few jobs and resumed, and a run on
 * two worker processes sharing the queue, write the same files; the CLI's one-line errors.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { CI_COMPARISON, CI_COOKINGWORLD_COMPARISON, ComparisonConfig, METHODS } from "../lib/workflows/comparison/config";
import { comparisonRuns, comparisonStarts } from "../lib/workflows/comparison/plan";
import { runComparison } from "../lib/workflows/comparison/run";
import { sampleEfficiencyFigure } from "../lib/workflows/comparison/figures";
import { comparisonMarkdown, equalTimeMarkdown, findingsTableMarkdown, verdictMarkdown } from "../lib/workflows/comparison/markdown";
import { summaryCurves, summaryPoints } from "../lib/workflows/comparison/curves";
import type { ComparisonSummary } from "../lib/workflows/comparison/types";
import { toSvg } from "../lib/viz/render";
import { BIN as bin } from "./helpers/cli";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-cmp-"));

/** The ci comparison, smaller still: one learner, one start, two seeds, two budget points, six layouts. */
function tiny(root: string): ComparisonConfig {
  return {
    ...CI_COMPARISON,
    root,
    cells: [{ learner: "linear", model: { kind: "linear" }, arms: ["light"], tasks: ["cheese_sandwich"], budgets: [400, 800] }],
    eval: { ...CI_COMPARISON.eval, layouts: 6 },
    theory: { layouts: 2, offPathStates: 3 },
  };
}

/** Every result file under the comparison's tree, with what may differ between two equal runs (wall times) taken out. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const dir = path.join(root, "comparison");
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      const rel = path.relative(dir, f);
      if (e.isDirectory()) walk(f);
      else if (/^(eval|theory|optimal)\//.test(rel)) {
        // Wall times (`seconds`) are the only field two equal runs may differ in.
        out.set(rel, fs.readFileSync(f, "utf8").replace(/"(cpu_)?seconds":[\d.e+-]+/g, '"$1seconds":0'));
      } else if (/^learn\/.*\/budgets\//.test(rel)) {
        out.set(rel, JSON.stringify(JSON.parse(fs.readFileSync(f, "utf8")).model));
      }
    }
  };
  walk(dir);
  return out;
}

test("the comparison end to end: every method and budget point, the findings, and the same files resumed or on two workers", async (t) => {
  const [rootA, rootB, rootC] = [tmp(), tmp(), tmp()];
  const a = await runComparison(tiny(rootA));
  t.true(a.finished);
  const s = a.summary!;
  const cfg = tiny(rootA);
  // Every method × seed × budget point, and the starts at budget 0.
  const points = summaryPoints(s);
  t.is(points.length, METHODS.length * 2 * 2 + 2);
  for (const p of points.filter((x) => x.method !== "start")) {
    t.true(p.samples >= p.budget, `${p.method} s${p.seed} at ${p.budget}: ${p.samples} sampled actions`);
    t.is(p.rollout_samples + p.group_samples, p.samples);
    t.deepEqual(Object.keys(p.sr).sort(), ["greedy", "sample"]);
  }
  t.true(points.filter((p) => p.method === "grpo").every((p) => p.rollout_samples === 0));
  t.true(points.filter((p) => p.method === "multiturn" || p.method === "gigpo").every((p) => p.group_samples === 0));
  t.true(points.filter((p) => p.method === "onpolicy").every((p) => p.rollout_samples > 0 && p.group_samples > 0));
  // Findings: per budget point and decoding, every method ranked, the paper's claim and on-policy compared.
  t.is(s.findings.length, 2 * 2);
  for (const f of s.findings) {
    t.deepEqual(f.ranking.map((r) => r.method).sort(), [...METHODS].sort());
    t.truthy(f.paper && ["multiturn", "gigpo"].includes(f.paper.against));
    t.is(f.paper!.comparison!.pairs, 2);
    t.truthy(f.onPolicy);
  }
  const curves = summaryCurves(s);
  t.is(curves.filter((c) => c.method === "start").length, 2, "the start under both decodings");
  const grpo800 = curves.find((c) => c.method === "grpo" && c.budget === 800 && c.decoding === "sample")!;
  const perSeed = points.filter((p) => p.method === "grpo" && p.budget === 800).map((p) => p.sr.sample);
  t.is(grpo800.seeds, 2);
  t.true(Math.abs(grpo800.sr - (perSeed[0] + perSeed[1]) / 2) < 1e-4, "a curve point is the mean over seeds");
  t.is(s.theory.length, METHODS.length);
  t.true(s.theory.every((r) => r.seeds === 2 && r.expert.states > 0));
  t.regex(findingsTableMarkdown(s), /paper's claim/);
  t.regex(comparisonMarkdown(s), /## The per-state premises after training/);
  // The answer in sentences: one paragraph per decoding, its counts adding up to the cells.
  const verdict = verdictMarkdown(s);
  for (const d of ["sample", "greedy"]) {
    const m = verdict.match(new RegExp(`\\*\\*${d} decoding\\*\\*, at the largest budget of each of the (\\d+) cells[^:]*: .*? holds in (\\d+), is reversed in (\\d+) and is within noise in (\\d+)`));
    t.truthy(m, `${d}: ${verdict}`);
    t.is(Number(m![2]) + Number(m![3]) + Number(m![4]), Number(m![1]));
  }
  t.regex(equalTimeMarkdown(s, "greedy"), /\| Cheese Sandwich \| linear, light SFT \| [\d.]+ \| single-turn GRPO \(expert states\) [\d.]+ \(800\);/, "single-turn GRPO reaches its own largest budget");
  for (const x of ["samples", "seconds"] as const) t.regex(await toSvg(sampleEfficiencyFigure(s, { learner: "linear", arm: "light", decoding: "sample", x })), /^<svg/);
  t.true(fs.existsSync(path.join(rootA, "comparison", "summary", "summary.json")));
  t.is(comparisonStarts(cfg).length, 2);
  t.is(comparisonRuns(cfg).length, METHODS.length * 2);

  // Interrupted every 7 jobs and resumed until done: the same files.
  let rounds = 0;
  for (;;) {
    rounds++;
    const r = await runComparison(tiny(rootB), { stopAfterJobs: 7 });
    if (r.finished) break;
  }
  t.true(rounds > 3);
  const snapA = snapshot(rootA);
  t.true(snapA.size > 20);
  t.deepEqual([...snapshot(rootB)].filter(([k, v]) => snapA.get(k) !== v).map(([k]) => k), [], "resumed: identical files");

  // Two processes sharing the queue (this one and `stgrpo study --comparison --part 1/2`).
  const c = await runComparison(tiny(rootC), { workers: 2 });
  t.true(c.finished);
  const snapC = snapshot(rootC);
  t.deepEqual([...snapC.keys()].sort(), [...snapA.keys()].sort());
  t.deepEqual([...snapC].filter(([k, v]) => snapA.get(k) !== v).map(([k]) => k), [], "two workers: identical files");
  const workers = new Set(
    fs
      .readFileSync(path.join(rootC, "comparison", "timings.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).worker),
  );
  t.deepEqual([...workers].sort(), ["w0", "w1"], "both workers ran jobs");
  t.deepEqual(fs.readdirSync(path.join(rootC, "comparison", "claims")), [], "no claim left behind");
  for (const r of [rootA, rootB, rootC]) fs.rmSync(r, { recursive: true, force: true });
});

test("stgrpo study --comparison: one-line errors for unknown methods and learners, and --methods without --comparison; --config", (t) => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, "study", ...args], { encoding: "utf8" });
  const bad = run("--comparison", "--profile", "ci", "--methods", "grpo,ppo");
  t.is(bad.status, 1);
  t.regex(bad.stderr, /^stgrpo study: --methods: unknown method ppo \(known: grpo, multiturn, gigpo, onpolicy\)\n$/);
  t.regex(run("--comparison", "--profile", "ci", "--learners", "transformer").stderr, /^stgrpo study: --learners: unknown learner transformer/);
  t.regex(run("--profile", "ci", "--methods", "grpo").stderr, /^stgrpo study: --methods and --learners select the comparison's runs: add --comparison/);
  t.regex(run("--comparison", "--profile", "paper").stderr, /^stgrpo study: the comparison runs the ci and cpu profiles/);
  const cfg = run("--comparison", "--profile", "ci", "--methods", "grpo,gigpo", "--learners", "linear", "--config");
  t.is(cfg.status, 0, cfg.stderr);
  const parsed = JSON.parse(cfg.stdout) as ComparisonSummary["config"];
  t.deepEqual(parsed.methods, ["grpo", "gigpo"]);
  t.deepEqual(
    parsed.cells.map((c) => c.learner),
    ["linear"],
  );
});

test("the comparison on CookingWorld: the same four methods from the CookingWorld study's SFT start, in its own results tree", async (t) => {
  const root = tmp();
  const cfg: ComparisonConfig = { ...CI_COOKINGWORLD_COMPARISON, root, seeds: [0], eval: { ...CI_COOKINGWORLD_COMPARISON.eval, layouts: 4 } };
  const r = await runComparison(cfg);
  t.true(r.finished);
  const s = r.summary!;
  t.true(s.findings.length > 0 && s.findings.every((f) => f.env === "cookingworld" && f.task === "cookingworld-1"));
  const points = summaryPoints(s);
  t.deepEqual([...new Set(points.map((p) => p.method))].sort(), ["start", ...METHODS].sort());
  // On-policy labels come from the engine's exact search: the run saw labelled states.
  t.true(points.filter((p) => p.method !== "start").every((p) => p.samples >= 300));
  // The study's SFT start sits in the CookingWorld study's tree, the comparison beside it.
  t.true(fs.existsSync(path.join(root, "learn", "cookingworld-1", "sft-s0", "policy.json")));
  t.true(fs.existsSync(path.join(root, "comparison", "summary", "summary.md")));
  fs.rmSync(root, { recursive: true, force: true });
});
