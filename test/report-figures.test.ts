/**
 * The report's figures: every vega-lite spec renders (lib/viz) to a valid SVG and PNG, carries the title
 * of the set it shows, and has the marks the data calls for; learning curves come from training JSONL.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  asstFigure,
  compareWithPaper,
  crossTaskHeatmap,
  curveMetrics,
  downsample,
  learningCurvesFigure,
  loadCurves,
  loadPaperResults,
  loadStudy,
  seriesGroup,
  srComparisonFigure,
  srFigure,
} from "../lib/report/index";
import { render, VegaLiteSpec } from "../lib/viz/render";

const FIXTURE = path.join(__dirname, "fixtures", "report", "study");
const study = loadStudy(FIXTURE, { title: "Fixture run (not a result)" });
const ours = study.results;
const paper = loadPaperResults();

/** Render and check the SVG and PNG are well formed; return the SVG text. */
async function renders(t: any, spec: VegaLiteSpec): Promise<string> {
  const { svg, png } = await render(spec);
  t.regex(svg, /^<svg [^>]*width="\d+" height="\d+"/);
  t.true(svg.trimEnd().endsWith("</svg>"));
  t.notRegex(svg, /NaN|undefined|Infinity/, "no broken coordinates or labels");
  const b = Buffer.from(png);
  t.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  t.is(b.toString("latin1", 12, 16), "IHDR");
  t.true(b.readUInt32BE(16) > 100 && b.readUInt32BE(20) > 100, "PNG has a real size");
  return svg;
}

/** The number of marks of a kind (vega's SVG tags each mark group with its role). */
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

test("SR per task and model: one bar per Table 1 cell, with whiskers, titled with the set", async (t) => {
  const svg = await renders(t, srFigure(ours));
  t.true(svg.includes("Fixture run (not a result)"));
  t.true(svg.includes("Cheese Sandwich") && svg.includes("Burger"));
  t.is(count(svg, /<path aria-label="model: [^"]*; sr:/g), ours.table1.length);
});

test("ASST per task: no bar where nothing succeeded", async (t) => {
  const svg = await renders(t, asstFigure(ours));
  t.is(count(svg, /<path aria-label="model: [^"]*; ASST \(steps\): /g), ours.table1.filter((r) => r.asst !== null).length);
  t.true(ours.table1.some((r) => r.asst === null), "the fixture has a — cell to leave out");
});

test("the cross-task SR heatmap: the paper's and ours side by side on one [0, 1] scale", async (t) => {
  const spec = crossTaskHeatmap([paper, ours]) as any;
  t.is(spec.hconcat.length, 2);
  for (const p of spec.hconcat) t.deepEqual(p.layer[0].encoding.color.scale.domain, [0, 1]);
  const svg = await renders(t, spec);
  t.true(svg.includes("Published (arXiv 2509.20616)") && svg.includes("Fixture run (not a result)"));
  t.is(count(svg, /<path aria-label="Evaluated on: [^"]*; Trained on: [^"]*; SR: /g), 16 + ours.cross.filter((r) => r.model === ours.crossModel).length);
});

test("SR beside the paper: a bar for each side of every paired Table 1 cell", async (t) => {
  const rows = compareWithPaper(ours, paper);
  const paired = rows.filter((r) => r.table === "table1" && r.ours && r.paper).length;
  t.true(paired > 0);
  const svg = await renders(t, srComparisonFigure(rows, ours, paper));
  t.is(count(svg, /<path aria-label="row: [^"]*; side: /g), 2 * paired);
});

test("learning curves from metrics.jsonl: train records only, one line per run directory", async (t) => {
  const pts = study.curves;
  t.deepEqual([...new Set(pts.map((p) => p.series))], ["learn/burger/sft-s0"]);
  t.deepEqual([...new Set(pts.map((p) => p.metric))], ["loss", "acc", "p_expert"]);
  t.deepEqual(pts.filter((p) => p.metric === "loss").map((p) => [p.step, p.value]), [[1, 2], [2, 1], [3, 2 / 3], [4, 0.5]]);
  t.deepEqual([...new Set(pts.map((p) => p.group))], ["learn/burger/sft"], "training seeds of one recipe share a line");
  const svg = await renders(t, learningCurvesFigure(pts, ours.title));
  t.true(svg.includes("learn/burger/sft"));
});

test("learning curves: a row per algorithm, so a metric one of them lacks cannot shift the panels", async (t) => {
  const pt = (algo: string, metric: string, step: number, series: string) => ({ series, group: seriesGroup(series), algo, metric, step, value: step / 10 });
  const pts = [pt("grpo", "reward", 1, "g-s0"), pt("grpo", "kl", 1, "g-s1"), pt("sft", "loss", 1, "s-s0"), pt("sft", "loss", 2, "s-s0")];
  const spec = learningCurvesFigure(pts, "t") as any;
  t.deepEqual(spec.vconcat.map((r: any) => r.facet.column.sort), [["reward", "kl"], ["loss"]]);
  await renders(t, spec);
  t.deepEqual(["grpo-s1", "grpo_seed12", "grpo-seed-3", "grpo", "sft-base"].map(seriesGroup), ["grpo", "grpo", "grpo", "grpo", "sft-base"]);
});

test("the Python trainer's metrics.jsonl: its stage names the algorithm, its summary record is not a step", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "report-curves-"));
  const file = path.join(dir, "grpo-s0", "metrics.jsonl");
  fs.mkdirSync(path.dirname(file));
  const rec = (step: number, extra = {}) => ({ kind: "step", stage: "grpo", step, epoch: step / 10, time: 1.7e9 + step, elapsed_s: step, loss: 0.1, learning_rate: 1e-6, grad_norm: 1, reward: 0.5 + step / 100, reward_format: 1, reward_action: 0.4, accuracy: 0.4, kl: 0.002, trl: { loss: 0.1 }, ...extra });
  fs.writeFileSync(file, [rec(1), rec(2), { ...rec(2), kind: "summary", train_runtime: 9 }].map((r) => JSON.stringify(r)).join("\n") + "\n");
  const pts = loadCurves([file], dir);
  t.deepEqual([...new Set(pts.map((p) => `${p.algo}/${p.metric}`))], ["grpo/loss", "grpo/reward", "grpo/accuracy", "grpo/kl"]);
  t.deepEqual(pts.filter((p) => p.metric === "reward").map((p) => p.value), [0.51, 0.52]);
});

test("curves from another trainer's field names, and binned means for long logs", (t) => {
  t.deepEqual(curveMetrics([{ step: 1, epoch: 0, "rewards/format": 0.1, completion_length: 40, learning_rate: 1e-6 }]), ["completion_length", "rewards/format"]);
  const long = Array.from({ length: 1000 }, (_, i) => ({ step: i + 1, value: i % 2 }));
  const d = downsample(long, 100);
  t.is(d.length, 100);
  t.deepEqual(d[0], { step: 10, value: 0.5 });
  t.deepEqual(loadCurves([], FIXTURE), []);
});
