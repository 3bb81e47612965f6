/**
 * The trainer smoke, end to end on CPU (no GPU, no hub): a dataset written by the TS side → SFT on
 * a tiny random Qwen2 model (interrupted once and resumed) → GRPO with the real reward → the GRPO
 * checkpoint served on loopback by the trainer's CPU server → one evaluation episode through
 * EndpointPolicy and lib/eval's runEpisode. Real child processes and a real HTTP server throughout.
 *
 * Needs the trainer's CPU set in .venv (`make setup-trainer`; `make test` installs it first).
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { makeKitchen, resolveTask } from "../lib/kitchen/index";
import { DATASET_PROMPT_CONFIG, singleTurnRows } from "../lib/dataset/rows";
import { ExpertTrajectory } from "../lib/expert/record";
import { EndpointPolicy } from "../lib/agent/endpoint";
import { runEpisode } from "../lib/eval/episode";
import { REPO_ROOT } from "../lib/util/profile";
import { trainerPython } from "../lib/trainer-client/gpu";
import { readMetrics, startTraining, TrainerMetrics, TrainingResult } from "../lib/trainer-client/run";
import { serveModel } from "../lib/trainer-client/serve";
import { trainerConfigFile } from "../lib/trainer-client/pipeline";
import { evaluateServedModels, ServedModelSpec, servedSingleTurnFile, TRAINED_ROW_NAMES } from "../lib/workflows/served-models";
import type { Protocol } from "../lib/eval/protocol";

// Offline (nothing may come from a hub) and one torch thread: on 2 shared cores a second thread
// makes this tiny model about ten times slower.
const ENV = { ...process.env, HF_HUB_OFFLINE: "1", HF_DATASETS_OFFLINE: "1", TOKENIZERS_PARALLELISM: "false", OMP_NUM_THREADS: "1" };
const LAYOUT = "synchronous/0_cheese_sandwich@default";
/**
 * STGRPO_SMOKE_DEVICE=cuda (in the Docker image, with a GPU) runs the same smoke on CUDA with vLLM:
 * GRPO generates with vLLM colocated and the checkpoint is served by `vllm serve`. The tiny model
 * then gets head_dim 64, a size vLLM's attention kernels support.
 */
const CUDA = process.env.STGRPO_SMOKE_DEVICE === "cuda";
const DEVICE_SFT = CUDA ? { "trl.use_cpu": false, "tiny.hidden_size": 128, "tiny.intermediate_size": 256, "tiny.num_attention_heads": 2, "tiny.num_key_value_heads": 1 } : {};
const DEVICE_GRPO = CUDA ? { "trl.use_cpu": false, "trl.use_vllm": true, "trl.vllm_mode": "colocate", "trl.vllm_gpu_memory_utilization": 0.2, "trl.vllm_max_model_length": 2048 } : {};
const SERVE_BACKEND = CUDA ? "vllm" : "transformers";
const SFT_STEPS = 60; // about what the random tiny model needs to write well-formed replies (token accuracy ~0.95)
const SFT_KILL_AFTER = 30; // the run is killed once checkpoint-30 is complete, then resumed
const GRPO_STEPS = 2;

/**
 * The expert trajectory of one layout from its recorded optimal plan (data/testdata/optimal_walks.jsonl),
 * replayed in lib/kitchen so every observation and valid-action list is the engine's own, written as
 * single-turn rows by lib/expert's dataset writer. The reasoning restates the action: a random model
 * of 2 layers learns that reply shape within the smoke's step budget, free-text plans it does not.
 */
function recordedTrajectory(layout: string): ExpertTrajectory {
  const walks = fs
    .readFileSync(path.join(REPO_ROOT, "data", "testdata", "optimal_walks.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
  const task = resolveTask(layout.split("@")[0]);
  const kitchen = makeKitchen(task.id, null);
  const traj: ExpertTrajectory = { task: task.id, seed: null, steps: [], length: 0, optimal: true, expert: "planner" };
  for (const w of walks.filter((w) => w.layout === layout && w.action)) {
    traj.steps.push({ observation: kitchen.observation(), valid_actions: kitchen.validActions(), action: w.action, reasoning: w.action });
    kitchen.step(w.action);
  }
  if (!kitchen.isDone()) throw new Error(`${layout}: the recorded plan does not reach the goal`);
  traj.length = traj.steps.length;
  return traj;
}

function writeDataset(file: string, layouts: string[]): number {
  const rows = layouts.flatMap((layout) => singleTurnRows(recordedTrajectory(layout), DATASET_PROMPT_CONFIG).map((row) => JSON.stringify(row)));
  fs.writeFileSync(file, rows.join("\n") + "\n");
  return rows.length;
}

const stepRows = (ms: TrainerMetrics[]) => ms.filter((m) => m.kind === "step");

/** What each stage hands the next (the tests below run in order, in one worker). */
const smoke: { dir?: string; dataset?: string; sft?: TrainingResult; grpo?: TrainingResult } = {};
const need = <T>(t: { fail(m: string): void }, x: T | undefined, what: string): T => {
  if (x === undefined) t.fail(`needs the ${what} of the test before`);
  return x as T;
};
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

test.serial("trainer smoke 1/4: a TS-written dataset → SFT on a tiny Qwen2, killed mid-run and resumed", async (t) => {
  const started = Date.now();
  if (!fs.existsSync(trainerPython())) t.fail(`no trainer venv at ${trainerPython()}: run \`make setup-trainer\``);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-trainer-"));
  const dataset = path.join(dir, "train.jsonl");
  const nRows = writeDataset(dataset, [LAYOUT]);
  t.is(nRows, 8, "the cheese sandwich's 8 expert states");

  // SFT, killed (SIGKILL: a crash, not a clean stop) once a checkpoint is complete.
  const sftDir = path.join(dir, "sft");
  const sftSet = { dataset, output_dir: sftDir, "trl.max_steps": SFT_STEPS, "trl.save_steps": SFT_KILL_AFTER, ...DEVICE_SFT };
  const lines: string[] = [];
  const progress = { update: (s: string) => lines.push(s), done: (s: string) => lines.push(s) };
  const first = startTraining({ stage: "sft", config: trainerConfigFile("sft", "ci"), set: sftSet, env: ENV, progress });
  const checkpoint = path.join(sftDir, `checkpoint-${SFT_KILL_AFTER}`, "trainer_state.json");
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (fs.existsSync(checkpoint) || first.child.exitCode !== null) {
        clearInterval(timer);
        first.stop("SIGKILL");
        resolve();
      }
    }, 200);
  });
  const killed = await t.throwsAsync(first.done);
  t.regex(killed!.message, /^trainer sft failed \((killed by SIGKILL|stopped)\)/);
  t.false(fs.existsSync(path.join(sftDir, "done.json")));
  t.true(lines.some((l) => l.startsWith("sft step ")), "progress lines were streamed from metrics.jsonl");
  t.log(`killed after checkpoint-${SFT_KILL_AFTER}: ${seconds(started)}`);

  const sft: TrainingResult = await startTraining({ stage: "sft", config: trainerConfigFile("sft", "ci"), set: sftSet, env: ENV }).done;
  t.is(path.basename(sft.resumedFrom ?? ""), `checkpoint-${SFT_KILL_AFTER}`);
  t.is(sft.steps, SFT_STEPS);
  const sftSteps = stepRows(readMetrics(sft.metricsFile));
  t.deepEqual(sftSteps.map((m) => m.step), Array.from({ length: SFT_STEPS }, (_, i) => i + 1), "one metrics line per step across the resume");
  t.true(sftSteps[SFT_STEPS - 1].loss! < sftSteps[0].loss!, `SFT loss ${sftSteps[0].loss} → ${sftSteps[SFT_STEPS - 1].loss}`);
  t.true(sftSteps.every((m) => typeof m.token_accuracy === "number"));
  // tokens/s needs a previous log of the same process: all steps but the first of each of the two runs.
  t.true(sftSteps.filter((m) => typeof m.tokens_per_s === "number" && m.tokens_per_s > 0).length >= SFT_STEPS - 2);
  t.true(fs.existsSync(path.join(sft.final, "model.safetensors")));
  t.log(`SFT loss ${sftSteps[0].loss!.toFixed(3)} → ${sftSteps[SFT_STEPS - 1].loss!.toFixed(3)}, token accuracy ${sftSteps[SFT_STEPS - 1].token_accuracy!.toFixed(3)}; ${seconds(started)}`);

  // A finished run is not trained again.
  const again = await startTraining({ stage: "sft", config: trainerConfigFile("sft", "ci"), set: sftSet, env: ENV }).done;
  t.true(again.already);
  Object.assign(smoke, { dir, dataset, sft });
});

test.serial("trainer smoke 2/4: GRPO from the SFT model with the paper's reward, β and loss", async (t) => {
  const started = Date.now();
  const sft = need(t, smoke.sft, "SFT model");
  const grpoDir = path.join(smoke.dir!, "grpo");
  const grpo = await startTraining({
    stage: "grpo",
    config: trainerConfigFile("grpo", "ci"),
    set: { model: sft.final, dataset: smoke.dataset, output_dir: grpoDir, "trl.max_steps": GRPO_STEPS, "trl.save_steps": 2, ...DEVICE_GRPO },
    env: ENV,
  }).done;
  t.is(grpo.steps, GRPO_STEPS);
  t.true(fs.existsSync(path.join(grpoDir, "checkpoint-2", "trainer_state.json")), "a GRPO checkpoint was written");
  const grpoSteps = stepRows(grpo.metrics);
  t.is(grpoSteps.length, GRPO_STEPS);
  for (const m of grpoSteps) {
    t.true(m.reward! >= 0 && m.reward! <= 1, `reward ${m.reward}`);
    t.is(m.accuracy, m.reward_action);
    t.true(Math.abs(m.reward! - (0.1 * m.reward_format! + 0.9 * m.reward_action!)) < 1e-6, "reward = 0.1·format + 0.9·action");
    t.is(typeof m.kl, "number");
  }
  // The reward moves: sampled replies earn different rewards, so advantages and gradients are not zero.
  t.true(grpoSteps.some((m) => m.reward! > 0), `some sampled replies earn reward: ${grpoSteps.map((m) => m.reward)}`);
  t.true(grpoSteps.some((m) => m.reward_std! > 0 && m.grad_norm! > 0), `reward std ${grpoSteps.map((m) => m.reward_std)}, grad norm ${grpoSteps.map((m) => m.grad_norm)}`);
  const config = JSON.parse(fs.readFileSync(path.join(grpoDir, "config.json"), "utf8"));
  t.is(config.trl.beta, 0.001);
  t.is(config.trl.loss_type, "grpo");
  t.deepEqual(config.trl.reward_weights, [0.1, 0.9]);
  t.log(`GRPO reward ${grpoSteps.map((m) => m.reward!.toFixed(3)).join(" → ")}, kl ${grpoSteps.map((m) => m.kl!.toExponential(1)).join(", ")}; ${seconds(started)}`);
  smoke.grpo = grpo;
});

test.serial("trainer smoke 3/4: the GRPO checkpoint served on loopback plays one episode through EndpointPolicy + runEpisode", async (t) => {
  const started = Date.now();
  const grpo = need(t, smoke.grpo, "GRPO model");
  const served = await serveModel({ model: grpo.final, name: "grpo-tiny", backend: SERVE_BACKEND, env: ENV });
  try {
    t.regex(served.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const policy = new EndpointPolicy({
      endpoint: served.endpoint,
      model: served.model,
      prompt: DATASET_PROMPT_CONFIG,
      maxTokens: 32,
      temperature: 0.7,
      seed: 7,
      retries: 0,
      timeoutMs: 60_000,
    });
    t.is(await policy.client.preflight(), "grpo-tiny");
    const { record } = await runEpisode(policy, resolveTask("cheese_sandwich"), null, { run: "trainer-smoke", model: served.model, trainedOn: "cheese_sandwich", timeout: 2, maxExhaustions: 1 });
    t.is(record.model, "grpo-tiny");
    t.true(record.attempts >= 1 && record.attempts === policy.client.stats.replies, `${record.attempts} replies`);
    t.is(record.retries, 0);
    t.true(record.steps_taken <= 2 && record.attempts <= 10);
    t.is(record.actions.length, record.steps_taken);
    t.log(`episode: ${record.steps_taken} steps, ${record.attempts} replies (${record.invalid_replies} rejected), success ${record.success}; ${seconds(started)}`);
  } finally {
    await served.stop();
  }
  t.not(served.child.exitCode ?? served.child.signalCode, null, "the server process is gone");
});

test.serial("trainer smoke 4/4: the paper profile's served evaluation — each model served in turn, labelled as the paper's rows, its single-turn accuracy sampled while served, resumed without serving", async (t) => {
  const sft = need(t, smoke.sft, "SFT model");
  const grpo = need(t, smoke.grpo, "GRPO model");
  // Table 1's trained rows, the way paperModelSpecs builds them from results/<profile>/trainer/…
  const specs: ServedModelSpec[] = [
    { name: TRAINED_ROW_NAMES.sft, model: sft.final, trainedOn: "cheese_sandwich", prompt: DATASET_PROMPT_CONFIG },
    { name: TRAINED_ROW_NAMES.grpo, model: grpo.final, trainedOn: "cheese_sandwich", prompt: DATASET_PROMPT_CONFIG },
  ];
  // One layout, two steps: the plumbing, not a result (the tiny model is random).
  const protocol: Protocol = { name: "smoke", tasks: [{ ...resolveTask("cheese_sandwich"), timeout: 2 }], seeds: [42] };
  const dir = path.join(smoke.dir!, "eval");
  const trajectory = recordedTrajectory(LAYOUT);
  const singleTurn = { trajectories: [trajectory], samples: 1, rollouts: 1 };
  const opts = { dir, endpoint: { maxTokens: 32, temperature: 0.7, seed: 7, retries: 0, timeoutMs: 60_000 }, serve: { backend: SERVE_BACKEND, env: ENV } as const, concurrency: 1, singleTurn };
  const lines: string[] = [];
  const first = await evaluateServedModels(specs, protocol, { ...opts, log: (l) => lines.push(l) });
  t.deepEqual(first.map((r) => r.episodes.map((e) => [e.model, e.trained_on, e.task, e.seed])), [
    [["Qwen2.5-1.5b (w/ SFT)", "cheese_sandwich", "cheese_sandwich", 42]],
    [["Qwen2.5-1.5b (w/ SFT & GRPO)", "cheese_sandwich", "cheese_sandwich", 42]],
  ]);
  t.true(lines.every((l) => / served .* at http:\/\/127\.0\.0\.1:\d+ /.test(l)), lines.join("\n"));
  t.true(first.every((r) => r.file.startsWith(path.join(dir, "smoke", "served", "cheese_sandwich"))));
  // One sampled reply per expert state, scored against the expert's action, kept beside the episodes.
  for (const r of first) {
    const check = need(t, r.singleTurn, `${r.episodes[0].model}'s single-turn check`);
    t.is(check.model, `${r.episodes[0].model}@cheese_sandwich`, "labelled as lib/eval labels a trained row: model@trained_on");
    t.is(check.report.method, "sampled");
    t.is(check.report.trajectories[0].p.length, trajectory.length);
    t.true(check.report.trajectories[0].p.every((p) => p === 0 || p === 1), "one sample per state: p_t is 0 or 1");
    t.true(fs.existsSync(servedSingleTurnFile(r.file)));
  }
  // A rerun finds every episode on file: nothing is served, the same episodes come back.
  const again: string[] = [];
  const second = await evaluateServedModels(specs, protocol, { ...opts, log: (l) => again.push(l) });
  t.true(again.every((l) => /all episodes already in/.test(l)), again.join("\n"));
  t.deepEqual(second.map((r) => r.episodes.map((e) => e.actions)), first.map((r) => r.episodes.map((e) => e.actions)));
  t.deepEqual(second.map((r) => r.singleTurn), first.map((r) => r.singleTurn), "the single-turn checks are read back");
});
