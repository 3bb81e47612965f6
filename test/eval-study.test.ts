/**
 * Notebook 06's functions (lib/eval/study.ts, figures.ts, format.ts): the profile's settings, the
 * paper profile's fail-fast rule, the baselines in the CPU study's reference files (resumed on a rerun),
 * the learners' results loaded from a results tree (or a plain "none"), an endpoint from the
 * environment against the loopback server, trajectories written once, the figures rendered, and the
 * CLI's `--policy learned` on a real checkpoint.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { savePolicy, untrainedPolicy } from "../lib/learn/checkpoint";
import { makeKitchen } from "../lib/kitchen/index";
import { render } from "../lib/viz/render";
import { UserError } from "../lib/util/errors";
import { resolveTask } from "../lib/kitchen/index";
import { computeMetrics } from "../lib/eval/metrics";
import { describeCheckpoint, modelNameOfMeta } from "../lib/learn/checkpoints";
import { extendedProtocol, paperTasks } from "../lib/eval/protocol";
import { checkpointsMarkdown, metricsMarkdown, theoremMarkdown } from "../lib/eval/format";
import { metricsFigure, metricsFigureData, prefixFigure, theoremFigure } from "../lib/eval/figures";
import {
  endpointFromEnv,
  evalStudyConfig,
  evaluateBaselines,
  evaluateSpec,
  evaluationTrajectories,
  learnedResults,
  protocolFile,
  requireEndpointOrGpu,
  rowsOf,
  theoremRowsOf,
  theoremStudy,
} from "../lib/workflows/evaluation";
import type { ExpertTrajectory } from "../lib/expert/index";
import { observationOf, optimalWalks, reactReply, startOpenAIServer } from "./helpers/openaiServer";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-evalstudy-"));
const WALKS = optimalWalks(path.join(__dirname, "..", "data", "testdata", "optimal_walks.jsonl"));
const BURGER = resolveTask("burger");
const tiny = { name: "tiny", tasks: [BURGER], seeds: [null, 42] };

test("settings per profile; the printout hides the token", (t) => {
  const ci = evalStudyConfig("ci", {});
  t.like(ci, { profile: "ci", rollouts: 200, samples: 2, endpoint: null });
  t.is(ci.paper.seeds.length, 10);
  t.is(ci.extended.name, "extended-12", "the CPU study's ci extended protocol, so the expert's file is shared");
  t.deepEqual(ci.extended.tasks.map((x) => x.id), paperTasks().map((x) => x.id));
  t.is(evalStudyConfig("cpu", {}).extended.name, "extended-100");
  const env = { STGRPO_ENDPOINT: "http://h:8000", STGRPO_MODEL: "m", HF_TOKEN: "secret", STGRPO_NAME: "sft+grpo", STGRPO_TRAINED_ON: "3_burger", STGRPO_NO_EXAMPLE: "1" };
  const spec = endpointFromEnv(env)!;
  t.like(spec, { kind: "endpoint", name: "sft+grpo", trainedOn: "3_burger", endpoint: { endpoint: "http://h:8000", model: "m", token: "secret", prompt: { inContextExample: false } } });
  t.is(endpointFromEnv({ STGRPO_ENDPOINT: "  " }), null);
});

test("the paper profile without an endpoint and without a GPU stops with one line; with an endpoint it goes on", (t) => {
  const noGpu = { PATH: "/nonexistent", STGRPO_PYTHON: "/nonexistent/python" };
  const e = t.throws(() => requireEndpointOrGpu("paper", noGpu), { instanceOf: UserError });
  t.regex(e!.message, /^the paper profile evaluates served models: set STGRPO_ENDPOINT .*\(nvidia-smi not found/);
  t.false(e!.message.includes("\n"));
  t.notThrows(() => requireEndpointOrGpu("paper", { ...noGpu, STGRPO_ENDPOINT: "http://h:8000" }));
  t.notThrows(() => requireEndpointOrGpu("cpu", noGpu));
  t.notThrows(() => requireEndpointOrGpu("ci", noGpu));
});

test("baselines go to the CPU study's reference files with its run ids, and a rerun resumes them", async (t) => {
  const dir = tmp();
  const protocol = { name: "paper", tasks: [BURGER], seeds: [42, 84] };
  const [expert, random] = await evaluateBaselines(protocol, dir);
  t.is(expert.file, path.join(dir, "paper", "reference", "expert.jsonl"));
  t.is(random.file, path.join(dir, "paper", "reference", "random.jsonl"));
  t.deepEqual(expert.episodes.map((e) => [e.run, e.model, e.protocol, e.success]), [["planner", "expert", "paper", true], ["planner", "expert", "paper", true]]);
  t.deepEqual(random.episodes.map((e) => [e.run, e.model, e.success]), [["s0", "random", false], ["s0", "random", false]]);
  const before = fs.readFileSync(expert.file, "utf8");
  const again = await evaluateBaselines(protocol, dir);
  t.is(fs.readFileSync(expert.file, "utf8"), before, "nothing re-run, nothing appended");
  t.deepEqual(rowsOf(again).map((r) => r.metrics), rowsOf([expert, random]).map((r) => r.metrics));
  t.true(metricsMarkdown(rowsOf(again)).includes("| expert | burger | 2 | 1.00 ["));
});

test("the learners: results loaded from the study's files, unevaluated checkpoints listed, theory rows read", (t) => {
  const root = tmp();
  const cfg = { dir: path.join(root, "eval"), learnDir: path.join(root, "learn"), theoryDir: path.join(root, "theory") };
  const protocol = { name: "paper", tasks: [BURGER], seeds: [42, 84] };
  t.regex(checkpointsMarkdown(learnedResults(cfg, protocol), cfg.learnDir), /^\*\*No CPU learner checkpoints\*\* under/);
  for (const run of ["sft-s0", "sft-s1", "grpo-beta0.1-s0"]) {
    const p = untrainedPolicy();
    p.meta = run.startsWith("grpo") ? { algo: "grpo", parent: { algo: "sft" } } : { algo: "sft" };
    savePolicy(path.join(cfg.learnDir, "burger", run, "policy.json"), p);
  }
  const ep = (run: string, seed: number, success: boolean, steps: number, task = "burger") =>
    JSON.stringify({ run, model: "sft", trained_on: "burger", task, seed, success, steps: success ? steps : 15, timeout: 15, actions: [], invalid_replies: 0, wall_ms: 1, protocol: "paper" });
  fs.mkdirSync(path.join(cfg.dir, "paper", "burger"), { recursive: true });
  fs.writeFileSync(path.join(cfg.dir, "paper", "burger", "sft-s0.jsonl"), [ep("s0", 42, true, 9), ep("s0", 84, false, 0), ep("s0", 42, true, 8, "cheese_sandwich")].join("\n") + "\n");
  fs.writeFileSync(path.join(cfg.dir, "paper", "burger", "sft-s1.jsonl"), [ep("s1", 42, true, 11), ep("s1", 84, true, 10)].join("\n") + "\n");
  const report = { method: "exact", trajectories: [], prefixes: [], rows: [{ task: "burger", layouts: 2, states: 20, accuracy: 0.9, predicted: 0.4, predicted_accepted: null, measured: 0.5, measured_ci: [0.1, 0.9], measured_n: 2 }] };
  fs.mkdirSync(path.join(cfg.theoryDir, "burger"), { recursive: true });
  fs.writeFileSync(path.join(cfg.theoryDir, "burger", "sft-s0.json"), JSON.stringify({ model: "sft", report }));
  fs.writeFileSync(path.join(cfg.theoryDir, "burger", "sft-s1.json"), JSON.stringify({ model: "sft", report }));
  fs.writeFileSync(path.join(cfg.theoryDir, "burger", "offpath-s0.json"), JSON.stringify({ task: "burger", states: [] }));

  const r = learnedResults(cfg, protocol);
  t.deepEqual(r.found.map((c) => [c.run, c.model, c.trainedOn]), [["burger/grpo-beta0.1-s0", "sft+grpo(beta=0.1)", "burger"], ["burger/sft-s0", "sft", "burger"], ["burger/sft-s1", "sft", "burger"]]);
  t.deepEqual(r.unevaluated.map((c) => c.run), ["burger/grpo-beta0.1-s0"]);
  // Own task only (the cheese sandwich episode is a cross-task cell), both seeds pooled: 3 of 4, ASST (9+11+10)/3.
  t.is(r.pooled.length, 1);
  t.like(r.pooled[0], { model: "sft@burger", task: "burger", runs: 2 });
  t.deepEqual(r.pooled[0].metrics, computeMetrics([{ success: true, steps: 9, timeout: 15 }, { success: false, steps: 15, timeout: 15 }, { success: true, steps: 11, timeout: 15 }, { success: true, steps: 10, timeout: 15 }]));
  t.deepEqual(theoremRowsOf(r.theorem).map((x) => [x.model, x.predicted]), [["sft@burger", 0.4]], "the first training seed's check; off-path files are not Theorem 3.2 rows");
  const md = checkpointsMarkdown(r, cfg.learnDir);
  t.true(md.includes("Not evaluated yet") && md.includes("`burger/grpo-beta0.1-s0`"));
  t.true(md.includes("| sft@burger | burger | 2 | 4 | 0.75 ["));
});

test("checkpoint labels follow the CPU study: recipe from the meta and the directory's variant, task from the path", (t) => {
  t.is(modelNameOfMeta({ algo: "grpo", parent: { algo: "sft" } }), "sft+grpo");
  t.is(modelNameOfMeta({ algo: "grpo", parent: { algo: "untrained" } }), "grpo");
  t.is(modelNameOfMeta({ algo: "multiturn" }, "multiturn-light"), "multiturn-grpo(light)");
  t.is(modelNameOfMeta({ algo: "sft" }, "sft-light"), "sft(light)");
  t.is(modelNameOfMeta({ algo: "grpo", parent: { algo: "sft" } }, "grpo-beta0.01"), "sft+grpo(beta=0.01)");
  t.is(modelNameOfMeta({ algo: "untrained" }, "reference"), "untrained");
  const dir = path.join(tmp(), "learn", "5_double_cheeseburger", "sft-s2");
  savePolicy(path.join(dir, "policy.json"), { ...untrainedPolicy(), meta: { algo: "sft" } });
  t.like(describeCheckpoint(dir), { model: "sft", trainedOn: "double_cheese_burger", run: "sft-s2", algo: "sft", studyRun: null, seed: null });
  // The CPU study's study.json names the run's labels: they win over the meta and the path.
  fs.writeFileSync(path.join(dir, "study.json"), JSON.stringify({ model: "sft(light)", trained_on: "burger", run: "s2", seed: 2 }));
  t.like(describeCheckpoint(dir), { model: "sft(light)", trainedOn: "burger", studyRun: "s2", seed: 2 });
});

test("an endpoint from the environment: evaluated into served/, sampled single-turn accuracy measured by its episodes", async (t) => {
  const server = await startOpenAIServer({ script: (req) => ({ reply: reactReply(WALKS.actionAt(observationOf(req))) }) });
  t.teardown(() => server.close());
  const dir = tmp();
  const spec = endpointFromEnv({ STGRPO_ENDPOINT: server.url, STGRPO_MODEL: "test-model", HF_TOKEN: "", STGRPO_NO_EXAMPLE: "1" })!;
  const protocol = { name: "custom", tasks: [BURGER], seeds: [null] };
  const served = await evaluateSpec(spec, protocol, dir);
  t.is(served.file, path.join(dir, "custom", "served", "test-model.jsonl"));
  t.like(served.episodes[0], { model: "test-model", success: true, steps: 8 });
  const k = makeKitchen("burger", null);
  const steps = WALKS.plans.get("synchronous/3_burger@default")!.map((action) => {
    const s = { observation: k.observation(), valid_actions: k.validActions(), action, reasoning: "plan" };
    k.step(action);
    return s;
  });
  const traj: ExpertTrajectory = { task: "burger", seed: null, steps, length: 8, optimal: true };
  const before = server.requests.length;
  const [th] = await theoremStudy([served], [traj], { rollouts: 10, samples: 3 });
  t.is(server.requests.length - before, 8 * 3, "3 samples at each of the 8 expert states");
  t.like(th.report.rows[0], { task: "burger", accuracy: 1, predicted: 1, measured: 1, measured_n: 1 });
  t.is(th.report.method, "sampled");
  t.true(theoremMarkdown(theoremRowsOf([th])).includes("| test-model | burger | 1 | 8 | 1.000 | 1.000 | 1.000 | 1.000 [0.207, 1.000] (n=1) |"));
});

test("evaluation trajectories are made once by the given expert and read back after", (t) => {
  const file = path.join(tmp(), "traj.jsonl");
  let calls = 0;
  const fake = (task: string, seed: number | null) => {
    calls++;
    const k = makeKitchen(task, seed);
    const a = k.validActions()[0];
    return { trajectory: { task, seed, steps: [{ observation: k.observation(), valid_actions: k.validActions(), action: a, reasoning: "r" }], length: 1, optimal: true } };
  };
  const first = evaluationTrajectories(tiny, fake, file);
  t.is(calls, 2);
  t.deepEqual(evaluationTrajectories(tiny, fake, file), first);
  t.is(calls, 2, "read back, not recomputed");
  evaluationTrajectories({ ...tiny, seeds: [null, 42, 84] }, fake, file);
  t.is(calls, 5, "a missing layout remakes the file");
});

test("figures: every spec renders; null ASST is left out; prefixes stop at the shortest trajectory", async (t) => {
  const rows = [
    { model: "expert", task: "burger", timeout: 15, metrics: computeMetrics([{ success: true, steps: 8, timeout: 15 }]) },
    { model: "random", task: "burger", timeout: 15, metrics: computeMetrics([{ success: false, steps: 15, timeout: 15 }]) },
  ];
  t.deepEqual(metricsFigureData(rows).map((d) => `${d.model}:${d.metric}`), ["expert:SR", "expert:ASAT", "expert:ASST", "random:SR", "random:ASAT"]);
  const theorem = [{ model: "sft@burger", task: "burger", layouts: 2, states: 20, accuracy: 0.9, predicted: 0.4, predicted_accepted: null, measured: 0.5, measured_ci: [0.1, 0.9] as [number, number], measured_n: 2 }];
  const prefixes = [1, 2, 3].map((k) => ({ model: "sft@burger", task: "burger", k, layouts: k < 3 ? 2 : 1, predicted: 0.9 ** k, measured: 0.9 ** k }));
  const prefixSpec = prefixFigure(prefixes, "p") as any;
  t.deepEqual(prefixSpec.data.values.map((v: any) => v.k), [1, 1, 2, 2]);
  for (const spec of [metricsFigure(rows, "m"), theoremFigure(theorem, "t"), prefixSpec]) {
    const { svg, png } = await render(spec);
    t.true(svg.startsWith("<svg") && png.length > 1000);
  }
});

test("stgrpo eval --policy learned: a CPU study checkpoint, labelled (and its run id defaulted) from its study.json", async (t) => {
  const root = tmp();
  const dir = path.join(root, "learn", "burger", "sft-s0");
  savePolicy(path.join(dir, "policy.json"), { ...untrainedPolicy(), meta: { algo: "sft" } });
  const out = path.join(root, "e.jsonl");
  fs.writeFileSync(path.join(dir, "study.json"), JSON.stringify({ model: "sft", trained_on: "burger", run: "s0", seed: 0 }));
  const args = ["eval", "--policy", "learned", "--checkpoint", dir, "--tasks", "burger", "--seeds", "42", "--out", out, "--json", "--quiet"];
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [path.join(__dirname, "..", "bin", "stgrpo"), ...args]);
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d) => (stdout += d));
    c.stderr.on("data", (d) => (stderr += d));
    c.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout).burger, { n: 1 });
  const [e] = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  t.like(e, { run: "s0", model: "sft", trained_on: "burger", task: "burger", seed: 42, protocol: "custom" });
  t.is(protocolFile("/r", extendedProtocol(paperTasks(), 3), "served", "Qwen/Qwen2.5-7B"), path.join("/r", "extended-3", "served", "Qwen__Qwen2.5-7B.jsonl"));
});
